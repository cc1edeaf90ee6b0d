/**
 * The configuration file (KEP-936 DESIGN.md "Configuration File" + "Policy Configuration"),
 * default ~/.kubeflow-mcp.yaml. Validated at start; every problem names file:line:column.
 *
 * server:   clients, persona, namespaces, auth, audit_log, rate_limit, allowed_hosts, public_url,
 *           shutdown_grace_seconds
 * policy:   allow, deny (names, globs, category:, risk:, module:), namespaces, read_only,
 *           confirmation (auto | argument | require-user)
 * personas: <name>: { inherit, tools, own_jobs_only }
 * trainer:   default_runtime (runtime of training calls that name none)
 * optimizer: default_algorithm (algorithm of optimize calls that name none)
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Node } from 'yaml';
import { z } from 'zod';
import { yaml } from './yaml.js';
import { ALGORITHM_NAMES } from '../kubeflow/optimizer/constants.js';
import { BUILTIN_PERSONAS } from '../policy/personas.js';
import { ruleProblem } from '../policy/rules.js';
import type { AnyToolSpec } from '../tools/contract.js';

const name = z.string().min(1);
const nsPattern = z.string().regex(/^[a-z0-9*?]([-a-z0-9*?]*[a-z0-9*?])?$/, 'must be a namespace name or glob (e.g. ml-team-*)');

// A Kubernetes object name (DNS subdomain), as a TrainingRuntime's must be.
const runtimeName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a runtime name (lowercase letters, digits, -, .), e.g. torch-distributed');

const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name (letters, digits, -)');
const proxyAddress = z.string().refine(isAddressOrRange, 'must be an IP address or CIDR range (e.g. 127.0.0.6 or 10.0.0.0/8)');

const authSchema = z
  .object({
    mode: z.enum(['none', 'gateway', 'oauth']).default('none'),
    gateway: z
      .object({
        user_header: headerName.optional(),
        groups_header: headerName.optional(),
        request_id_header: headerName.optional(),
        secret_header: headerName.optional(),
        secret_file: name.optional(),
        trusted_proxies: z.array(proxyAddress).min(1).optional(),
      })
      .strict()
      .optional(),
    oauth: z
      .object({
        issuer: z.url(),
        audience: name.optional(),
        jwks_url: z.url().optional(),
        user_claim: name.optional(),
        groups_claim: name.optional(),
        required_scopes: z.array(name).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const configSchema = z
  .object({
    server: z
      .object({
        clients: z.union([z.literal('auto'), z.array(name)]).optional(),
        mode: z.enum(['full', 'dynamic']).optional(),
        backend: z.enum(['auto', 'kubernetes', 'local']).optional(),
        store_dir: name.optional(),
        local_max_jobs: z.int().positive().optional(),
        local_max_log_mb: z.int().positive().optional(),
        local_multi_user: z.boolean().optional(),
        persona: name.optional(),
        namespaces: z.array(nsPattern).optional(),
        auth: authSchema.optional(),
        audit_log: name.optional(),
        rate_limit: z.object({ per_second: z.number().nonnegative(), burst: z.int().positive().optional() }).strict().optional(),
        allowed_hosts: z.array(name).optional(),
        public_url: z.url().optional(),
        shutdown_grace_seconds: z.number().min(0).max(3600).optional(),
      })
      .strict()
      .optional(),
    policy: z
      .object({
        allow: z.array(name).optional(),
        deny: z.array(name).optional(),
        namespaces: z.array(nsPattern).optional(),
        read_only: z.boolean().optional(),
        /** How writes are confirmed: auto (the user through the client when it can ask, else the argument), argument, require-user. */
        confirmation: z.enum(['auto', 'argument', 'require-user']).optional(),
      })
      .strict()
      .optional(),
    personas: z
      .record(
        z.string().regex(/^[a-z][a-z0-9-]*$/, 'persona names are lowercase words joined by -'),
        z.object({ inherit: name.optional(), tools: z.union([z.literal('*'), z.array(name)]).default([]), own_jobs_only: z.boolean().optional() }).strict(),
      )
      .optional(),
    trainer: z.object({ default_runtime: runtimeName.optional() }).strict().optional(),
    optimizer: z
      .object({ default_algorithm: z.enum(ALGORITHM_NAMES, { error: `must be one of: ${ALGORITHM_NAMES.join(', ')}` }).optional() })
      .strict()
      .optional(),
    hub: z
      .object({
        url: z.url().optional(),
        token_file: name.optional(),
        // The registry's Service, for the caller access check (docs/security.md); default: from the URL's in-cluster host.
        service: z
          .string()
          .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be <namespace>/<service name>')
          .optional(),
      })
      .strict()
      .optional(),
    pipelines: z
      .object({
        // The KFP API server, e.g. http://ml-pipeline.kubeflow.svc.cluster.local:8888 (a missing scheme means https, as in the SDK).
        endpoint: name.optional(),
        token_file: name.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function defaultConfigPath(): string {
  return path.join(process.env.HOME ?? homedir(), '.kubeflow-mcp.yaml');
}

/**
 * Loads and validates the file. A missing default file is an empty config; a missing explicit
 * file is an error. `tools` (every known tool) lets rules that match nothing be caught as typos.
 */
export function loadConfig(file: string | undefined, tools: readonly AnyToolSpec[]): { config: ConfigFile; path?: string } {
  const target = file ?? defaultConfigPath();
  if (!existsSync(target)) {
    if (file) throw new ConfigError(`config file not found: ${file}`);
    return { config: {} };
  }
  return { config: parseConfig(readFileSync(target, 'utf8'), target, tools), path: target };
}

export function parseConfig(text: string, file: string, tools: readonly AnyToolSpec[]): ConfigFile {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (offset: number | undefined) => {
    const p = lines.linePos(offset ?? 0);
    return `${file}:${p.line}:${p.col}`;
  };
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new ConfigError(`${at(e.pos[0])}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  const nodeAt = (p: ReadonlyArray<PropertyKey>): Node | undefined => {
    // Walk down as far as the document goes, so an error points at the closest existing node.
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n) as unknown[], true) as Node | undefined;
      if (node && (node as { range?: unknown }).range) return node;
    }
    return undefined;
  };
  const problems: string[] = [];
  const parsed = configSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const where = issue.path.join('.') || '(top level)';
      const keys = issue.code === 'unrecognized_keys' ? ` (allowed here: ${allowedKeys(issue.path)})` : '';
      problems.push(`${at(nodeAt(issue.path)?.range?.[0])}: ${where}: ${issue.message}${keys}`);
    }
    throw new ConfigError(problems.join('\n'));
  }
  const cfg = parsed.data;
  // Semantic checks: rules that match no tool, unknown personas, inheritance cycles.
  for (const list of ['allow', 'deny'] as const) {
    cfg.policy?.[list]?.forEach((rule, i) => {
      const why = ruleProblem(rule, tools);
      if (why) problems.push(`${at(nodeAt(['policy', list, i])?.range?.[0])}: policy.${list}[${i}] '${rule}': ${why}`);
    });
  }
  const personaNames = new Set<string>([...BUILTIN_PERSONAS, ...Object.keys(cfg.personas ?? {})]);
  for (const [pname, def] of Object.entries(cfg.personas ?? {})) {
    if ((BUILTIN_PERSONAS as readonly string[]).includes(pname)) {
      problems.push(`${at(nodeAt(['personas', pname])?.range?.[0])}: personas.${pname}: redefines a built-in persona; choose another name and inherit from it`);
    }
    if (def.inherit && !personaNames.has(def.inherit)) {
      problems.push(
        `${at(nodeAt(['personas', pname, 'inherit'])?.range?.[0])}: personas.${pname}.inherit: unknown persona '${def.inherit}' (known: ${[...personaNames].join(', ')})`,
      );
    }
    if (Array.isArray(def.tools)) {
      def.tools.forEach((rule, i) => {
        const why = ruleProblem(rule, tools);
        if (why) problems.push(`${at(nodeAt(['personas', pname, 'tools', i])?.range?.[0])}: personas.${pname}.tools[${i}] '${rule}': ${why}`);
      });
    }
    const seen = new Set<string>([pname]);
    for (let p = def.inherit; p && cfg.personas?.[p]; p = cfg.personas[p]!.inherit) {
      if (seen.has(p)) {
        problems.push(`${at(nodeAt(['personas', pname, 'inherit'])?.range?.[0])}: personas.${pname}.inherit: inheritance cycle through '${p}'`);
        break;
      }
      seen.add(p);
    }
  }
  const persona = cfg.server?.persona;
  if (persona && !personaNames.has(persona)) {
    problems.push(`${at(nodeAt(['server', 'persona'])?.range?.[0])}: server.persona: unknown persona '${persona}' (known: ${[...personaNames].join(', ')})`);
  }
  if (cfg.server?.auth?.mode === 'oauth' && !cfg.server.auth.oauth) {
    problems.push(`${at(nodeAt(['server', 'auth', 'mode'])?.range?.[0])}: server.auth: mode oauth needs an oauth: { issuer: ... } section`);
  }
  if (problems.length) throw new ConfigError(problems.join('\n'));
  return cfg;
}

function allowedKeys(p: ReadonlyArray<PropertyKey>): string {
  let schema: z.ZodType = configSchema;
  for (const key of p) {
    const shape = unwrap(schema);
    if (!(shape instanceof z.ZodObject)) return '?';
    schema = shape.shape[String(key)] as z.ZodType;
  }
  const obj = unwrap(schema);
  return obj instanceof z.ZodObject ? Object.keys(obj.shape).join(', ') : '?';
}

function unwrap(s: z.ZodType): z.ZodType {
  let cur: z.ZodType = s;
  while (cur instanceof z.ZodOptional || cur instanceof z.ZodDefault) cur = cur.unwrap() as z.ZodType;
  return cur;
}

/** An IP address or CIDR range (trusted gateway proxies). */
export function isAddressOrRange(v: string): boolean {
  const [addr, bits, ...rest] = v.split('/');
  const family = isIP(addr ?? '');
  if (!family || rest.length) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}
