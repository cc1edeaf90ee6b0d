/**
 * Credentials in text: finding them (to refuse them as tool arguments) and redacting them (from tool
 * results, training logs, errors and audit lines). Two confidence levels:
 * - TOKEN_FORMATS: well-known credential formats (HF, AWS, GitHub, OpenAI, JWT, PEM keys, ...).
 *   Precise enough to refuse an argument that contains one.
 * - HEURISTICS: "password=...", "Bearer ...", user:password@ in URLs. Good for redaction, too
 *   loose to refuse on (`password = os.environ["PW"]` is fine code).
 */

import { SECRET_REF } from '../kube/secretRef.js';

interface Pattern {
  kind: string;
  re: RegExp;
  /** Index of the capture group that holds the secret; 0 = the whole match. */
  group: number;
  /** A match that is not a secret after all (the match and its groups). */
  spare?: (groups: string[]) => boolean;
}

/** PEM armour of a private key, PGP's "PRIVATE KEY BLOCK" included. */
const PEM_LABEL = String.raw`(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----`;

/**
 * "secret:<name>/<key>" right after the word secret is our own reference syntax (in hints and in
 * env values), not a credential; so is its placeholder form "secret:<secret-name>/<key>".
 */
const REFERENCE_AFTER_SECRET = /^(?:[a-z0-9][-a-z0-9.]*|<[a-z][-a-z_]*>)\/(?:[-._a-zA-Z0-9]+|<[a-z][-a-z_]*>)[)\]}>.]*$/;

/**
 * `text` base64-encoded at each of the three byte alignments it can start at, keeping only the
 * characters that do not depend on the neighbouring bytes. Any of them inside a base64 run means
 * the run encodes `text`; the lookbehind in the pattern keeps the scan linear (runs start once).
 */
function base64Of(text: string): string[] {
  return [0, 1, 2].map((k) => {
    const bytes = Buffer.concat([Buffer.alloc(k), Buffer.from(text)]);
    return bytes.toString('base64').slice(k ? 4 : 0, Math.floor(bytes.length / 3) * 4);
  });
}

const TOKEN_FORMATS: Pattern[] = [
  { kind: 'private key', re: new RegExp(String.raw`-----BEGIN ${PEM_LABEL}[\s\S]*?(?:-----END ${PEM_LABEL}|$)`, 'g'), group: 0 },
  // Base64 of a PEM key (kubeconfig client-key-data): a base64 run that encodes "PRIVATE KEY".
  {
    kind: 'private key (base64)',
    re: new RegExp(String.raw`(?<![A-Za-z0-9+/])[A-Za-z0-9+/]*?(?:${base64Of('PRIVATE KEY').join('|')})[A-Za-z0-9+/]*={0,2}`, 'g'),
    group: 0,
  },
  { kind: 'Hugging Face token', re: /\bhf_[A-Za-z0-9]{30,}\b/g, group: 0 },
  { kind: 'AWS access key id', re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g, group: 0 },
  {
    kind: 'AWS secret access key',
    re: /(aws_secret_access_key|secret_access_key|secretaccesskey)(["'\s:=]+)([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    group: 3,
  },
  { kind: 'GitLab token', re: /\bgl(?:pat|dt|rt|ptt|ft|cbt|soat|oas|imt)-[A-Za-z0-9_-]{20,}(?:\.[A-Za-z0-9_.-]+)?/g, group: 0 },
  { kind: 'GitHub token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})\b/g, group: 0 },
  { kind: 'OpenAI API key', re: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,}/g, group: 0 },
  { kind: 'Anthropic API key', re: /\bsk-ant-[A-Za-z0-9_-]{20,}/g, group: 0 },
  { kind: 'Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, group: 0 },
  { kind: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/g, group: 0 },
  { kind: 'Azure storage key', re: /(AccountKey=)([A-Za-z0-9+/=]{40,})/g, group: 2 },
  { kind: 'JSON Web Token', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, group: 0 },
  { kind: 'Weights & Biases key', re: /(wandb_api_key|WANDB_API_KEY)(["'\s:=]+)([0-9a-f]{40})(?![0-9a-f])/g, group: 3 },
];

const HEURISTICS: Pattern[] = [
  { kind: 'bearer token', re: /\b(Bearer|Basic|Token)(\s+)([A-Za-z0-9._~+/-]{12,}=*)/gi, group: 3 },
  { kind: 'password in URL', re: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]{1,})(@)/gi, group: 2 },
  {
    kind: 'credential',
    re: /\b((?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret|private[_-]?key)["']?\s*[=:]\s*)(["']?)([^\s"',;]{4,})/gi,
    group: 3,
    spare: ([, prefix, quote, value]) => /^secret:$/i.test(prefix!) && !quote && REFERENCE_AFTER_SECRET.test(value!),
  },
];

const ALL = [...TOKEN_FORMATS, ...HEURISTICS];

/** Replaces every credential in `text` with [REDACTED:<kind>]. */
export function redactText(text: string): string {
  // Nothing shorter can hold a credential ("pwd=abcd" is the shortest match); most map keys are.
  if (text.length < 8) return text;
  let out = text;
  for (const p of ALL) {
    p.re.lastIndex = 0;
    out = out.replace(p.re, (...m: string[]) => {
      const groups = m.slice(1, -2);
      if (p.spare?.([m[0]!, ...groups])) return m[0]!;
      if (p.group === 0) return `[REDACTED:${p.kind}]`;
      return groups.map((g, i) => (i + 1 === p.group ? `[REDACTED:${p.kind}]` : (g ?? ''))).join('');
    });
  }
  return out;
}

const KEY_BEGIN = new RegExp(`-----BEGIN ${PEM_LABEL}`);
const KEY_END = new RegExp(`-----END ${PEM_LABEL}`);

/**
 * Lines of text (logs): like redactText per line, and a private key spread over several lines is
 * blanked from its BEGIN line to its END line.
 */
function redactLines(lines: string[]): string[] {
  let inKey = false;
  return lines.map((line) => {
    if (inKey) {
      if (KEY_END.test(line)) inKey = false;
      return '[REDACTED:private key]';
    }
    if (KEY_BEGIN.test(line) && !KEY_END.test(line)) inKey = true;
    return redactText(line);
  });
}

/** Deep copy with every string redacted, object keys included (a token can be a map key). */
export function redact<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return (value.every((v) => typeof v === 'string') ? redactLines(value) : value.map(redact)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redactText(k), redact(v)])) as T;
  }
  return value;
}

/** Names of variables that hold credentials by convention. */
export const CREDENTIAL_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)(_|$)/i;

/**
 * Whether a credential-named entry carries a value rather than a reference: any non-empty string
 * that is not "secret:<name>/<key>", any number, at any depth of a list or object under that name.
 * Flags (true/false) and null are not credentials.
 */
function holdsCredentialValue(value: unknown): boolean {
  if (typeof value === 'string') return value !== '' && !SECRET_REF.test(value);
  if (typeof value === 'number' || typeof value === 'bigint') return true;
  if (value && typeof value === 'object') return Object.values(value).some(holdsCredentialValue);
  return false;
}

export interface FoundSecret {
  /** Where in the arguments, e.g. "env.HF_TOKEN" or "code". */
  path: string;
  kind: string;
}

/** Argument maps whose values end up in the TrainJob spec, at any depth (optimize's options.env). */
const VALUE_MAPS = new Set(['env', 'func_args']);

/** The kind of the first well-known credential format in `text`, if any. */
function tokenKind(text: string): string | undefined {
  if (SECRET_REF.test(text)) return undefined;
  for (const p of TOKEN_FORMATS) {
    p.re.lastIndex = 0;
    if (p.re.test(text)) return p.kind;
  }
  return undefined;
}

/**
 * Credentials in tool arguments: values and map keys in a known token format anywhere, and values
 * of credential-named entries of env / func_args (HF_TOKEN=..., api_key: 123) unless they are
 * Secret references. Callers bound the depth first (argumentLimits).
 */
export function findSecrets(value: unknown, path = '', byName = false): FoundSecret[] {
  if (typeof value === 'string') {
    const kind = tokenKind(value);
    return kind ? [{ path: path || '(argument)', kind }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => findSecrets(v, `${path}[${i}]`, byName));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => {
      // The key itself is not repeated in the path: it is the credential.
      const keyKind = tokenKind(k);
      if (keyKind) return [{ path: `${path || '(arguments)'} (a key)`, kind: keyKind }];
      const at = path ? `${path}.${k}` : k;
      if (byName && CREDENTIAL_NAME.test(k) && holdsCredentialValue(v)) return [{ path: at, kind: `credential-named value (${k})` }];
      return findSecrets(v, at, byName || VALUE_MAPS.has(k));
    });
  }
  return [];
}
