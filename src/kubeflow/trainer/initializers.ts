/**
 * `spec.initializer.{dataset,model}` (docs/wire/trainer.md#initializers).
 *
 * Deliberate difference from the SDK: credentials are only accepted as the name of a Kubernetes
 * Secret in the TrainJob's namespace, sent as `secretRef: {name}` (the controller turns it into
 * `envFrom`, so the secret's keys — ACCESS_TOKEN, or ACCESS_KEY_ID / SECRET_ACCESS_KEY — become
 * the initializer's env). The SDK puts tokens in plain `env` values, where anyone who can read
 * the TrainJob (or our audit log) sees them.
 *
 * Env order follows the SDK's field order: IGNORE_PATTERNS, then the S3 settings ENDPOINT,
 * REGION, ROLE_ARN, then any other caller-given env in insertion order. `env` is always present
 * (possibly `[]`), as the SDK serialises it.
 */
import type { EnvVar } from '../../kube/types.js';
import { MODEL_DEFAULT_IGNORE_PATTERNS } from './constants.js';
import { WireValidationError } from './errors.js';
import type { InitializerSpec } from './types.js';

export interface InitializerInput {
  /** hf://org/name, a bare org/name (HuggingFace), or s3://bucket/path. */
  storageUri: string;
  /**
   * Files to skip. Model default: *.msgpack,*.h5,*.bin,*.pt,*.pth; dataset default: none.
   * `null` sends no IGNORE_PATTERNS at all; `[]` sends an empty one (both as the SDK does).
   */
  ignorePatterns?: string[] | null;
  /** Secret (same namespace) with the credentials as keys. */
  secretName?: string;
  /** Extra, non-secret initializer settings, e.g. { ENDPOINT: "https://minio:9000", REGION: "eu-west-1" }. */
  env?: Record<string, string>;
}

export type StorageScheme = 'hf' | 's3';

const SDK_ENV_ORDER = ['IGNORE_PATTERNS', 'ENDPOINT', 'REGION', 'ROLE_ARN'];
const CREDENTIAL_ENV = new Set([
  'ACCESS_TOKEN',
  'ACCESS_KEY_ID',
  'SECRET_ACCESS_KEY',
  'HF_TOKEN',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
]);
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * Validates a storage URI and returns it in wire form: `hf://` and `s3://` as given, a bare
 * `org/name` becomes `hf://org/name` (Trainer ≥2.3 requires a scheme).
 */
export function normaliseStorageUri(uri: string, field = 'storageUri'): { uri: string; scheme: StorageScheme } {
  const u = uri.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(u)?.[1]?.toLowerCase();
  const bad = (why: string): WireValidationError =>
    new WireValidationError(
      'invalid_storage_uri',
      `storage URI '${uri}' ${why}`,
      'use hf://<org>/<name> for HuggingFace (a bare <org>/<name> also works) or s3://<bucket>/<path> for S3-compatible storage',
      field,
    );
  if (u === '' || /\s/.test(u)) throw bad('is empty or contains whitespace');
  if (scheme === undefined) {
    if (u.includes(':')) throw bad('has no supported scheme');
    return { uri: `hf://${u.replace(/^\/+/, '')}`, scheme: 'hf' };
  }
  if (scheme !== 'hf' && scheme !== 's3') throw bad(`uses the unsupported scheme '${scheme}://'`);
  const rest = u.slice(scheme.length + 3);
  if (rest === '' || rest.startsWith('/')) throw bad(scheme === 's3' ? 'names no bucket' : 'names no repository');
  return { uri: u, scheme };
}

function initializerSpec(input: InitializerInput, kind: 'dataset' | 'model'): InitializerSpec {
  const field = `initializer.${kind}`;
  const { uri } = normaliseStorageUri(input.storageUri, `${field}.storageUri`);

  const given = new Map<string, string>();
  for (const [name, value] of Object.entries(input.env ?? {})) {
    if (!ENV_NAME.test(name)) {
      throw new WireValidationError(
        'invalid_env',
        `'${name}' is not a valid environment variable name`,
        'use letters, digits, "_", "-" and "."',
        `${field}.env`,
      );
    }
    if (CREDENTIAL_ENV.has(name.toUpperCase())) {
      throw new WireValidationError(
        'invalid_env',
        `credential '${name}' must not be passed as a plain env value`,
        `store it in a Secret in the job's namespace (key ${name.toUpperCase()}) and pass its name as secretName`,
        `${field}.env.${name}`,
      );
    }
    if (name === 'STORAGE_URI' || name === 'IGNORE_PATTERNS') {
      throw new WireValidationError(
        'invalid_env',
        `'${name}' is set from ${name === 'STORAGE_URI' ? 'storageUri' : 'ignorePatterns'}`,
        `pass it as ${name === 'STORAGE_URI' ? 'storageUri' : 'ignorePatterns'} instead of env`,
        `${field}.env.${name}`,
      );
    }
    given.set(name, String(value));
  }

  const patterns = input.ignorePatterns === undefined ? (kind === 'model' ? [...MODEL_DEFAULT_IGNORE_PATTERNS] : null) : input.ignorePatterns;
  if (patterns !== null) given.set('IGNORE_PATTERNS', patterns.join(','));

  const ordered = [...SDK_ENV_ORDER.filter((n) => given.has(n)), ...[...given.keys()].filter((n) => !SDK_ENV_ORDER.includes(n))];
  const env: EnvVar[] = ordered.map((name) => ({ name, value: given.get(name)! }));

  const spec: InitializerSpec = { storageUri: uri, env };
  if (input.secretName !== undefined) {
    if (!DNS1123_SUBDOMAIN.test(input.secretName) || input.secretName.length > 253) {
      throw new WireValidationError(
        'invalid_argument',
        `'${input.secretName}' is not a valid Secret name`,
        'pass the name of a Secret in the job namespace (lowercase letters, digits, "-" and ".")',
        `${field}.secretName`,
      );
    }
    spec.secretRef = { name: input.secretName };
  }
  return spec;
}

export function datasetInitializer(input: InitializerInput): InitializerSpec {
  return initializerSpec(input, 'dataset');
}

export function modelInitializer(input: InitializerInput): InitializerSpec {
  return initializerSpec(input, 'model');
}

/** The `spec.initializer` block, or undefined when neither part is given. */
export function buildInitializer(input: {
  dataset?: InitializerInput;
  model?: InitializerInput;
}): { dataset?: InitializerSpec; model?: InitializerSpec } | undefined {
  if (!input.dataset && !input.model) return undefined;
  return {
    ...(input.dataset ? { dataset: datasetInitializer(input.dataset) } : {}),
    ...(input.model ? { model: modelInitializer(input.model) } : {}),
  };
}
