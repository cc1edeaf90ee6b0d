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
}

const TOKEN_FORMATS: Pattern[] = [
  { kind: 'private key', re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|$)/g, group: 0 },
  { kind: 'Hugging Face token', re: /\bhf_[A-Za-z0-9]{30,}\b/g, group: 0 },
  { kind: 'AWS access key id', re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g, group: 0 },
  { kind: 'AWS secret access key', re: /(aws_secret_access_key|secret_access_key|secretaccesskey)(["'\s:=]+)([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi, group: 3 },
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
  },
];

const ALL = [...TOKEN_FORMATS, ...HEURISTICS];

/** Replaces every credential in `text` with [REDACTED:<kind>]. */
export function redactText(text: string): string {
  let out = text;
  for (const p of ALL) {
    p.re.lastIndex = 0;
    out = out.replace(p.re, (...m: string[]) => {
      if (p.group === 0) return `[REDACTED:${p.kind}]`;
      const groups = m.slice(1, -2);
      return groups.map((g, i) => (i + 1 === p.group ? `[REDACTED:${p.kind}]` : (g ?? ''))).join('');
    });
  }
  return out;
}

const KEY_BEGIN = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
const KEY_END = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----/;

/**
 * Lines of text (logs): like redactText per line, and a private key spread over several lines is
 * blanked from its BEGIN line to its END line.
 */
export function redactLines(lines: string[]): string[] {
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

/** Deep copy with every string redacted (object keys are kept). */
export function redact<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return (value.every((v) => typeof v === 'string') ? redactLines(value) : value.map(redact)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)])) as T;
  }
  return value;
}


/** Names of variables that hold credentials by convention. */
const CREDENTIAL_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)(_|$)/i;

export interface FoundSecret {
  /** Where in the arguments, e.g. "env.HF_TOKEN" or "code". */
  path: string;
  kind: string;
}

/** Argument maps whose values end up in the TrainJob spec, where a credential-named entry matters. */
const VALUE_MAPS = new Set(['env', 'func_args']);

/**
 * Credentials in tool arguments: values in a known token format anywhere, and plain values of
 * credential-named entries of env / func_args (HF_TOKEN=...). Secret references are fine.
 */
export function findSecrets(value: unknown, path = '', byName = false): FoundSecret[] {
  if (typeof value === 'string') {
    if (SECRET_REF.test(value)) return [];
    for (const p of TOKEN_FORMATS) {
      p.re.lastIndex = 0;
      if (p.re.test(value)) return [{ path: path || '(argument)', kind: p.kind }];
    }
    return [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => findSecrets(v, `${path}[${i}]`, byName));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => {
      const at = path ? `${path}.${k}` : k;
      if (byName && typeof v === 'string' && v && CREDENTIAL_NAME.test(k) && !SECRET_REF.test(v)) return [{ path: at, kind: `credential-named value (${k})` }];
      return findSecrets(v, at, byName || (!path && VALUE_MAPS.has(k)));
    });
  }
  return [];
}
