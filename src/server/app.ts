/**
 * Assembles a running configuration from the settings: which tools (clients x persona x policy),
 * which backend, the audit log, and the server factory both transports use. The factory binds
 * each serving unit (one HTTP request, or one stdio connection) to its caller: a Kubernetes
 * client that impersonates them when the HTTP layer authenticated someone, else the server's own.
 */
import { userInfo } from 'node:os';
import type { McpRequestContext, Server } from '@modelcontextprotocol/server';
import { openAuditLog, type AuditSink } from '../audit/audit.js';
import { IDENTITY_KEY, type Identity } from '../auth/identity.js';
import { whoami } from '../auth/whoami.js';
import type { Settings } from '../config/settings.js';
import { KubeApiError, KubeClient } from '../kube/client.js';
import { KubeConfigError, loadKubeConnection, precheckKubeconfig } from '../kube/connection.js';
import type { TrainerBackend } from '../kubeflow/trainer/backend.js';
import { KubernetesBackend } from '../kubeflow/trainer/backends/kubernetes/index.js';
import { LocalBackend } from '../kubeflow/trainer/backends/local/index.js';
import { Policy } from '../policy/policy.js';
import { ToolError, type AnyToolSpec } from '../tools/contract.js';
import { ALL_TOOLS, toolsForModules } from '../tools/registry.js';
import { REQUEST_ID_KEY } from './httpAuth.js';
import { instructions } from './instructions.js';
import { advertised, buildServer, listEntries } from './mcpServer.js';

export interface App {
  tools: AnyToolSpec[];
  policy: Policy;
  audit: AuditSink;
  /** True once the backend is known (loaded, or known to be unavailable). */
  isReady: () => boolean;
  /** Settles at the same moment. */
  ready: Promise<void>;
  /** Where jobs run (and why, when auto chose local), for the start-up banner. */
  backendDescription: () => Promise<string>;
  /** Flushes the audit log and detaches from local jobs (they keep running). */
  close: () => Promise<void>;
  factory: (ctx?: McpRequestContext) => Server;
}

export async function createApp(settings: Settings): Promise<App> {
  const policy = new Policy(settings.persona, settings.policy);
  const tools = policy.visible(toolsForModules(settings.clients));
  const text = instructions(new Set(tools.map((t) => t.name)), settings.mode);
  const audit = openAuditLog(settings.auditLog);
  const entries = listEntries(advertised(tools, settings.mode));

  // Loading a kubeconfig pulls in @kubernetes/client-node (a few hundred ms): do it while the
  // transport starts, and let tool calls wait for it. Explicit flags are checked first, cheaply,
  // so a wrong --kubeconfig or --context is a start-up error, not a tool error later.
  try {
    precheckKubeconfig(settings);
  } catch (err) {
    if (err instanceof KubeConfigError) throw new Error(`${err.message} ${err.hint}`);
    throw err;
  }
  let kube: KubeClient | undefined;
  let backend: TrainerBackend | undefined;
  let local: LocalBackend | undefined;
  let unavailable: ToolError | undefined;
  let note = '';
  let own: Identity = { user: userInfo().username, groups: [], source: 'local', impersonate: false };
  let ready = false;
  const useLocal = (why: string) => {
    local = new LocalBackend({ storeDir: settings.storeDir, maxConcurrent: settings.localMaxJobs });
    backend = local;
    note = why;
  };
  const loading = (async () => {
    if (settings.backend === 'local') return useLocal('');
    let conn;
    try {
      conn = await loadKubeConnection(settings);
    } catch (err) {
      if (!(err instanceof KubeConfigError)) throw err;
      if (settings.backend === 'auto') return useLocal(' (no kubeconfig or service account found)');
      unavailable = new ToolError('no_cluster', err.message, err.hint);
      return;
    }
    const client = new KubeClient(conn);
    if (settings.backend === 'auto') {
      const problem = await reachability(client);
      if (problem) return useLocal(` (${conn.server} ${problem})`);
    }
    kube = client;
    backend = new KubernetesBackend(kube);
    // The server's own identity (SelfSubjectReview), once, before the first call is served:
    // calls then never trigger an API request of their own just to learn who is calling.
    own = await whoami(kube);
  })().finally(() => (ready = true));

  const backendFor = (caller: Identity): TrainerBackend => {
    if (!backend) throw unavailable ?? new ToolError('no_cluster', 'The backend is still loading.', 'Call again in a moment.');
    return kube && caller.impersonate ? new KubernetesBackend(kube.as({ user: caller.user, groups: caller.groups })) : backend;
  };

  return {
    tools,
    policy,
    audit,
    isReady: () => ready,
    ready: loading,
    backendDescription: async () => {
      await loading;
      return backend ? `${backend.describe()}${note}` : `no cluster (${unavailable?.message})`;
    },
    close: async () => {
      await audit.close();
      await local?.close();
    },
    factory: (ctx?: McpRequestContext) => {
      const extra = ctx?.authInfo?.extra ?? {};
      const authenticated = extra[IDENTITY_KEY] as Identity | undefined;
      const requestId = extra[REQUEST_ID_KEY] as string | undefined;
      return buildServer(
        {
          tools,
          mode: settings.mode,
          allTools: ALL_TOOLS,
          policy,
          instructions: text,
          ready: () => loading,
          identity: async () => {
            await loading;
            return authenticated ?? { ...own, requestId };
          },
          backend: backendFor,
          defaultNamespace: () => settings.namespace ?? backend?.defaultNamespace() ?? 'default',
          audit,
        },
        entries,
      );
    },
  };
}

/** Why the cluster cannot be used (auto mode), or undefined when it answers. */
async function reachability(kube: KubeClient): Promise<string | undefined> {
  try {
    await kube.json('GET', '/version', { timeoutMs: 3000 });
    return undefined;
  } catch (err) {
    if (err instanceof KubeApiError && (err.status === 401 || err.status === 403)) return undefined; // it answers: a credentials problem is reported per call
    return `is unreachable: ${(err as Error).message}`;
  }
}
