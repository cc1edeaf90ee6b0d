/**
 * The effective settings of `serve`: command-line flags override the config file, which overrides
 * the defaults. Everything is checked here, before anything starts, so a bad value is a clear
 * start-up error with a non-zero exit.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { DEFAULT_GATEWAY, gatewayProven, type GatewayOptions } from '../auth/gateway.js';
import { Personas } from '../policy/personas.js';
import type { PolicyConfig } from '../policy/policy.js';
import type { AnyToolSpec } from '../tools/contract.js';
import { BUILT_IN_DEFAULTS, type CallDefaults } from '../tools/defaults.js';
import { CLIENT_MODULES } from '../tools/registry.js';
import { DEFAULT_SHUTDOWN_GRACE_SECONDS } from '../server/drain.js';
import { ConfigError, isAddressOrRange, loadConfig } from './file.js';

// High enough that one machine's clients (200 agents starting at once) never meet it; it stops a
// runaway loop, not a busy user.
const DEFAULT_RATE_PER_SECOND = 100;
const RATE_BURST_SECONDS = 10;

export interface ServeFlags {
  transport?: 'stdio' | 'http';
  host?: string;
  port?: number;
  /** A list of modules, or 'auto' (each module whose API is present). */
  clients?: string[] | 'auto';
  persona?: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  config?: string;
  auth?: 'none' | 'gateway' | 'oauth';
  oauthIssuer?: string;
  oauthAudience?: string;
  oauthJwksUrl?: string;
  publicUrl?: string;
  auditLog?: string;
  /** Requests per second per caller; 0 turns the limit off. */
  rateLimit?: number;
  gatewaySecretFile?: string;
  gatewayTrustedProxies?: string[];
  allowedHosts?: string[];
  allowUnauthenticated?: boolean;
  mode?: 'full' | 'dynamic';
  backend?: 'auto' | 'kubernetes' | 'local';
  storeDir?: string;
  localMaxJobs?: number;
  localMaxLogMb?: number;
  localMultiUser?: boolean;
  registryUrl?: string;
  shutdownGrace?: number;
  pipelinesEndpoint?: string;
}

interface OAuthSettings {
  issuer: string;
  audience?: string;
  jwksUrl?: string;
  userClaim?: string;
  groupsClaim?: string;
  requiredScopes?: string[];
}

export interface Settings {
  transport: 'stdio' | 'http';
  host: string;
  port: number;
  /** Modules asked for, or 'auto'. */
  clients: string[] | 'auto';
  persona: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  configPath?: string;
  policy: PolicyConfig;
  auth: { mode: 'none' | 'gateway' | 'oauth'; gateway: GatewayOptions; oauth?: OAuthSettings };
  publicUrl?: string;
  /** '-' = stderr, 'off' = none, else a file path (appended). */
  auditLog: string;
  /** Undefined when turned off (--rate-limit 0). */
  rateLimit?: { perSecond: number; burst: number };
  allowedHosts: string[];
  allowUnauthenticated: boolean;
  mode: 'full' | 'dynamic';
  /** auto: Kubernetes when a kubeconfig or service account is found and the cluster answers, else local. */
  backend: 'auto' | 'kubernetes' | 'local';
  /** The local backend's durable job store. */
  storeDir: string;
  localMaxJobs?: number;
  /** Stored output of each local job at most, in MiB (head and tail kept). */
  localMaxLogMb?: number;
  /** The operator accepts that local jobs of all callers run as one OS user (see localMultiUserProblem). */
  localMultiUser: boolean;
  /** Model Registry base URL, where its bearer token is read from, and its Service as `<namespace>/<name>` (access checks). */
  registry: { url?: string; tokenFile?: string; service?: string };
  /** HTTP: how long requests in flight may run after SIGTERM before the server exits (src/server/drain.ts). */
  shutdownGraceSeconds: number;
  /** KFP API server address (flag > config file; then chooseEndpoint's defaults) and its token file. */
  pipelines: { endpoint?: string; tokenFile?: string };
  /** The runtime and algorithm of calls that name none: config file > built in. */
  defaults: CallDefaults;
}

export const DEFAULT_PERSONA = 'ml-engineer';

export function resolveSettings(flags: ServeFlags, allTools: readonly AnyToolSpec[]): Settings {
  const { config, path: configPath } = loadConfig(flags.config, allTools);
  const server = config.server ?? {};
  const personas = Object.fromEntries(
    Object.entries(config.personas ?? {}).map(([name, d]) => [name, { inherit: d.inherit, tools: d.tools, ownJobsOnly: d.own_jobs_only }]),
  );
  const persona = flags.persona ?? server.persona ?? DEFAULT_PERSONA;
  const known = new Personas(personas);
  if (!known.has(persona)) throw new ConfigError(`unknown persona '${persona}'; known: ${known.names().join(', ')}`);

  const knownClients = CLIENT_MODULES.map((m) => m.name as string);
  const clients = flags.clients ?? server.clients ?? 'auto';
  const unknownClients = clients === 'auto' ? [] : clients.filter((c) => !knownClients.includes(c));
  if (unknownClients.length)
    throw new ConfigError(`unknown client module(s) ${unknownClients.join(', ')} in ${configPath ?? 'config'}; available: ${knownClients.join(', ')}`);

  const fileAuth = server.auth;
  const mode = flags.auth ?? fileAuth?.mode ?? 'none';
  const gw = fileAuth?.gateway;
  const fileOauth = fileAuth?.oauth;
  const issuer = flags.oauthIssuer ?? fileOauth?.issuer;
  if (mode === 'oauth' && !issuer) throw new ConfigError('--auth oauth needs --oauth-issuer (or server.auth.oauth.issuer in the config file)');

  const transport = flags.transport ?? 'stdio';
  const host = flags.host ?? '127.0.0.1';
  const allowUnauthenticated = flags.allowUnauthenticated ?? false;
  if (transport === 'http' && mode === 'none' && !isLoopbackHost(host) && !allowUnauthenticated) {
    throw new ConfigError(
      `refusing to serve HTTP on ${host} without authentication: anyone who can reach it would act with this server's Kubernetes identity. Use --auth gateway or --auth oauth, bind 127.0.0.1, or pass --allow-unauthenticated if the network path is protected otherwise.`,
    );
  }
  const gateway: GatewayOptions = {
    userHeader: (gw?.user_header ?? DEFAULT_GATEWAY.userHeader).toLowerCase(),
    groupsHeader: (gw?.groups_header ?? DEFAULT_GATEWAY.groupsHeader).toLowerCase(),
    requestIdHeader: (gw?.request_id_header ?? DEFAULT_GATEWAY.requestIdHeader).toLowerCase(),
    secretHeader: (gw?.secret_header ?? DEFAULT_GATEWAY.secretHeader).toLowerCase(),
    secretFile: flags.gatewaySecretFile ?? gw?.secret_file,
    trustedProxies: flags.gatewayTrustedProxies ?? gw?.trusted_proxies,
  };
  if (gateway.secretFile) {
    const problem = unreadableSecret(gateway.secretFile);
    if (problem)
      throw new ConfigError(
        `--gateway-secret-file ${gateway.secretFile}: ${problem}; it must hold the secret the gateway sends in the ${gateway.secretHeader} header`,
      );
  }
  const badProxies = (gateway.trustedProxies ?? []).filter((p) => !isAddressOrRange(p));
  if (badProxies.length)
    throw new ConfigError(`--gateway-trusted-proxies: ${badProxies.join(', ')} is not an IP address or CIDR range (e.g. 127.0.0.6 or 10.0.0.0/8)`);
  if (transport === 'http' && mode === 'gateway' && !isLoopbackHost(host) && !gatewayProven(gateway)) {
    throw new ConfigError(
      `refusing --auth gateway on ${host} without a way to tell the gateway's requests from anyone else's: any client that reaches the server could name any user. Pass --gateway-secret-file (a secret the gateway sends in the ${gateway.secretHeader} header) and/or --gateway-trusted-proxies (the addresses the gateway connects from), or bind 127.0.0.1.`,
    );
  }
  const perSecond = flags.rateLimit ?? server.rate_limit?.per_second ?? DEFAULT_RATE_PER_SECOND;
  const backend = flags.backend ?? server.backend ?? 'auto';
  const localMultiUser = flags.localMultiUser ?? server.local_multi_user ?? false;
  const multiUser = backend === 'local' ? localMultiUserProblem(mode, localMultiUser) : undefined;
  if (multiUser) throw new ConfigError(multiUser);
  return {
    transport,
    host,
    port: flags.port ?? 8080,
    clients,
    persona,
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    namespace: flags.namespace,
    configPath,
    policy: {
      allow: config.policy?.allow,
      deny: config.policy?.deny,
      namespaces: config.policy?.namespaces ?? server.namespaces,
      readOnly: config.policy?.read_only,
      confirmation: config.policy?.confirmation,
      personas,
    },
    auth: {
      mode,
      gateway,
      oauth: issuer
        ? {
            issuer,
            audience: flags.oauthAudience ?? fileOauth?.audience,
            jwksUrl: flags.oauthJwksUrl ?? fileOauth?.jwks_url,
            userClaim: fileOauth?.user_claim,
            groupsClaim: fileOauth?.groups_claim,
            requiredScopes: fileOauth?.required_scopes,
          }
        : undefined,
    },
    publicUrl: flags.publicUrl ?? server.public_url,
    auditLog: flags.auditLog ?? server.audit_log ?? '-',
    rateLimit: perSecond > 0 ? { perSecond, burst: server.rate_limit?.burst ?? Math.ceil(perSecond * RATE_BURST_SECONDS) } : undefined,
    allowedHosts: flags.allowedHosts ?? server.allowed_hosts ?? [],
    allowUnauthenticated,
    mode: flags.mode ?? server.mode ?? 'full',
    backend,
    storeDir: flags.storeDir ?? server.store_dir ?? path.join(process.env.HOME ?? homedir(), '.kubeflow-mcp', 'jobs'),
    localMaxJobs: flags.localMaxJobs ?? server.local_max_jobs,
    localMaxLogMb: flags.localMaxLogMb ?? server.local_max_log_mb,
    localMultiUser,
    registry: {
      url: flags.registryUrl ?? config.hub?.url ?? (process.env.MODEL_REGISTRY_URL || undefined),
      tokenFile: config.hub?.token_file,
      service: config.hub?.service,
    },
    shutdownGraceSeconds: flags.shutdownGrace ?? server.shutdown_grace_seconds ?? DEFAULT_SHUTDOWN_GRACE_SECONDS,
    pipelines: {
      // $KF_PIPELINES_ENDPOINT and the in-cluster Service come after these (pipelines/endpoint.ts).
      endpoint: flags.pipelinesEndpoint ?? config.pipelines?.endpoint,
      tokenFile: config.pipelines?.token_file,
    },
    defaults: {
      // A runtime is only known to exist when a call uses it; the setting is named in that error.
      runtime: config.trainer?.default_runtime
        ? { name: config.trainer.default_runtime, setBy: `trainer.default_runtime in ${configPath}` }
        : BUILT_IN_DEFAULTS.runtime,
      algorithm: config.optimizer?.default_algorithm ?? BUILT_IN_DEFAULTS.algorithm,
    },
  };
}

/**
 * Why the local backend must not serve several authenticated users (undefined when it may): it
 * runs every job as the server's own OS user, so one caller's training code can read, change and
 * kill every other caller's jobs, files and processes; the personas and own-jobs rule cannot hold
 * against code. See docs/security.md, "Local backend".
 */
export function localMultiUserProblem(authMode: Settings['auth']['mode'], allowed: boolean): string | undefined {
  if (authMode === 'none' || allowed) return undefined;
  return `refusing --auth ${authMode} with the local backend: it runs every caller's jobs as this server's OS user, so one user's training code could read and kill the jobs and files of every other user. Use --backend kubernetes for several users, or pass --local-multi-user (server.local_multi_user in the config) if every caller is trusted with everyone's jobs.`;
}

export function isLoopbackHost(host: string): boolean {
  return ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);
}

function unreadableSecret(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() ? undefined : 'the file is empty';
  } catch (err) {
    return `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }
}
