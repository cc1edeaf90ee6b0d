/**
 * Assembles a running configuration: which tools (clients x persona), which backend, and the server
 * factory both transports use. One backend per process for the kubeconfig / service-account
 * identity; every call still gets its own context.
 */
import { KubeConfigError, loadKubeConnection, precheckKubeconfig, type KubeConnectionOptions } from '../kube/connection.js';
import { KubeClient } from '../kube/client.js';
import type { TrainerBackend } from '../kubeflow/trainer/backend.js';
import { KubernetesBackend } from '../kubeflow/trainer/backends/kubernetes/index.js';
import { toolsForPersona, type Persona } from '../policy/personas.js';
import { ToolError, type AnyToolSpec } from '../tools/contract.js';
import { ALL_TOOLS, toolsForModules } from '../tools/registry.js';
import { instructions } from './instructions.js';
import { buildServer, listEntries, type CallEvent } from './mcpServer.js';
import type { Server } from '@modelcontextprotocol/server';

export interface AppOptions extends KubeConnectionOptions {
  clients: string[];
  persona: Persona;
  onCall?: (e: CallEvent) => void;
}

export interface App {
  tools: AnyToolSpec[];
  /** Where jobs run, for the start-up banner. */
  backendDescription: () => Promise<string>;
  factory: () => Server;
}

export async function createApp(opts: AppOptions): Promise<App> {
  const tools = toolsForPersona(toolsForModules(opts.clients), opts.persona);
  const visible = new Set(tools.map((t) => t.name));
  const text = instructions(visible);
  let backend: TrainerBackend | undefined;
  let unavailable: ToolError | undefined;
  // Loading a kubeconfig pulls in @kubernetes/client-node (a few hundred ms): do it while the
  // transport starts, and let tool calls wait for it. Explicit flags are checked first, cheaply,
  // so a wrong --kubeconfig or --context is a start-up error, not a tool error later.
  try {
    precheckKubeconfig(opts);
  } catch (err) {
    if (err instanceof KubeConfigError) throw new Error(`${err.message} ${err.hint}`);
    throw err;
  }
  const loading = loadKubeConnection(opts).then(
    (conn) => {
      backend = new KubernetesBackend(new KubeClient(conn));
    },
    (err: unknown) => {
      if (!(err instanceof KubeConfigError)) throw err;
      unavailable = new ToolError('no_cluster', err.message, err.hint);
    },
  );
  const getBackend = (): TrainerBackend => {
    if (!backend) throw unavailable ?? new ToolError('no_cluster', 'The Kubernetes connection is still loading.', 'Call again in a moment.');
    return backend;
  };
  const entries = listEntries(tools);
  return {
    tools,
    backendDescription: async () => {
      await loading;
      return backend ? backend.describe() : `no cluster (${unavailable?.message})`;
    },
    factory: () =>
      buildServer(
        {
          tools,
          allTools: ALL_TOOLS,
          persona: opts.persona,
          instructions: text,
          ready: () => loading,
          backend: getBackend,
          defaultNamespace: () => opts.namespace ?? backend?.defaultNamespace() ?? 'default',
          onCall: opts.onCall,
        },
        entries,
      ),
  };
}
