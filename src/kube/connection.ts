/**
 * Where the Kubernetes API server is and how to authenticate to it: a kubeconfig (contexts, exec
 * credential plugins, client certificates, tokens) or the pod's service account.
 *
 * @kubernetes/client-node is only used to read the kubeconfig and produce credentials; requests go
 * through our own small HTTP client (client.ts) so that per-caller headers (impersonation), timeouts
 * and streaming stay under our control. It is imported lazily: it is slow to load and a server that
 * never talks to a cluster should not pay for it.
 */
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { homedir } from 'node:os';
import path from 'node:path';
import { yaml } from '../config/yaml.js';

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConnectionOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  /** For tests: a directory prefix under which /var/run/secrets/... of an in-cluster pod lives. */
  inClusterRoot?: string;
}

export interface KubeConnection {
  /** API server base URL, without trailing slash. */
  server: string;
  /** Namespace used when a tool call does not name one. */
  defaultNamespace: string;
  source: 'kubeconfig' | 'in-cluster';
  /** Context name for kubeconfig connections. */
  context?: string;
  /** The kubeconfig user entry's name (a fallback name for the caller when the API cannot say). */
  userName?: string;
  /** Credentials for one request: Authorization (and any kubeconfig-level) headers. */
  authHeaders(): Promise<Record<string, string>>;
  /** Connection-pooling agent carrying the TLS settings. */
  agent: http.Agent;
}

export class KubeConfigError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'KubeConfigError';
  }
}

/** Where a kubeconfig would be found, or undefined when there is none (and no service account). */
export function findKubeconfig(explicit?: string): { kind: 'file'; paths: string[] } | { kind: 'in-cluster' } | undefined {
  if (explicit) return { kind: 'file', paths: [explicit] };
  const env = process.env.KUBECONFIG?.split(path.delimiter).filter(Boolean);
  if (env && env.length > 0) return { kind: 'file', paths: env };
  const home = process.env.HOME ?? homedir();
  const def = path.join(home, '.kube', 'config');
  if (existsSync(def)) return { kind: 'file', paths: [def] };
  if (existsSync(path.join(SERVICE_ACCOUNT_DIR, 'token'))) return { kind: 'in-cluster' };
  return undefined;
}

/**
 * Cheap checks of explicit --kubeconfig / --context flags (no client-node import), so that a typo
 * is a start-up error while the full load still happens in the background.
 */
export function precheckKubeconfig(opts: KubeConnectionOptions): void {
  if (!opts.kubeconfig && !opts.context) return;
  const found = findKubeconfig(opts.kubeconfig);
  if (!found || found.kind !== 'file') {
    throw new KubeConfigError('--context needs a kubeconfig, and none was found.', 'Pass --kubeconfig or set KUBECONFIG.');
  }
  const contexts: string[] = [];
  for (const file of found.paths) {
    if (!existsSync(file)) throw new KubeConfigError(`kubeconfig file not found: ${file}`, 'Check the --kubeconfig path or $KUBECONFIG.');
    let doc: { contexts?: Array<{ name?: string }> } | null;
    try {
      doc = yaml().parse(readFileSync(file, 'utf8')) as typeof doc;
    } catch (err) {
      throw new KubeConfigError(`cannot read kubeconfig ${file}: ${(err as Error).message}`, 'Fix the YAML or point --kubeconfig at another file.');
    }
    for (const c of doc?.contexts ?? []) if (c.name) contexts.push(c.name);
  }
  if (opts.context && !contexts.includes(opts.context)) {
    throw new KubeConfigError(`context "${opts.context}" not found in kubeconfig`, `Use one of: ${contexts.join(', ') || '(none defined)'}.`);
  }
}

export async function loadKubeConnection(opts: KubeConnectionOptions = {}): Promise<KubeConnection> {
  const found = opts.inClusterRoot ? ({ kind: 'in-cluster' } as const) : findKubeconfig(opts.kubeconfig);
  if (!found) {
    throw new KubeConfigError(
      'No kubeconfig or service account found: no --kubeconfig, $KUBECONFIG, ~/.kube/config or in-cluster service account.',
      'Point --kubeconfig at a kubeconfig file, set KUBECONFIG, or run the server inside a cluster.',
    );
  }
  // Missing files are named before client-node is loaded (its start-up cost: scripts/build.mjs).
  const missing = found.kind === 'file' ? found.paths.find((f) => !existsSync(f)) : undefined;
  if (missing) throw new KubeConfigError(`kubeconfig file not found: ${missing}`, 'Check the --kubeconfig path or $KUBECONFIG.');
  const { KubeConfig } = await import('./kubeConfig.js');
  const kc = new KubeConfig();
  let source: KubeConnection['source'];
  let defaultNamespace: string | undefined;
  if (found.kind === 'in-cluster') {
    kc.loadFromCluster(opts.inClusterRoot);
    source = 'in-cluster';
    defaultNamespace = readFirstLine(path.join(opts.inClusterRoot ?? '', SERVICE_ACCOUNT_DIR, 'namespace'));
  } else {
    for (const [i, file] of found.paths.entries()) {
      try {
        if (i === 0) kc.loadFromFile(file);
        else {
          const more = new KubeConfig();
          more.loadFromFile(file);
          kc.mergeConfig(more);
        }
      } catch (err) {
        throw new KubeConfigError(`cannot read kubeconfig ${file}: ${(err as Error).message}`, 'Fix the YAML or point --kubeconfig at another file.');
      }
    }
    source = 'kubeconfig';
    if (opts.context) {
      if (!kc.getContextObject(opts.context)) {
        const names = kc.getContexts().map((c) => c.name);
        throw new KubeConfigError(`context "${opts.context}" not found in kubeconfig`, `Use one of: ${names.join(', ') || '(none defined)'}.`);
      }
      kc.setCurrentContext(opts.context);
    }
    const ctx = kc.getContextObject(kc.getCurrentContext());
    if (!ctx) {
      throw new KubeConfigError('kubeconfig has no current context', 'Pass --context or run `kubectl config use-context <name>`.');
    }
    defaultNamespace = ctx.namespace;
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    throw new KubeConfigError('kubeconfig context has no cluster server URL', 'Fix the cluster entry of the current context.');
  }
  const server = cluster.server.replace(/\/+$/, '');
  const isHttp = server.startsWith('http:');
  if (isHttp) {
    // client-node refuses plain-HTTP servers unless TLS verification is "skipped"; for http:// there
    // is no TLS to verify (kubectl proxy, local test servers), so the flag is meaningless but needed.
    (cluster as { skipTLSVerify: boolean }).skipTLSVerify = true;
  }
  const tls: https.AgentOptions = {};
  const probe: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(probe);
  for (const k of ['ca', 'cert', 'key', 'rejectUnauthorized', 'servername'] as const) {
    if (probe[k] !== undefined) (tls as Record<string, unknown>)[k] = probe[k];
  }
  // A kubeconfig proxy-url (http(s):// or socks5://): client-node's own agent for it (hpagent /
  // socks-proxy-agent) tunnels with CONNECT, or forwards plain-http requests.
  const agent = cluster.proxyUrl ? (probe.agent as http.Agent) : isHttp ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true, ...tls });
  return {
    server,
    defaultNamespace: opts.namespace ?? (defaultNamespace || 'default'),
    source,
    context: source === 'kubeconfig' ? kc.getCurrentContext() : undefined,
    userName: kc.getCurrentUser()?.name,
    agent,
    async authHeaders() {
      const o: https.RequestOptions = {};
      await kc.applyToHTTPSOptions(o);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(o.headers ?? {})) if (v !== undefined) headers[k] = String(v);
      if (o.auth) headers.Authorization = `Basic ${Buffer.from(o.auth).toString('base64')}`;
      return headers;
    },
  };
}

function readFirstLine(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').split('\n')[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}
