/**
 * Assembles a running configuration from the settings: the backend (Kubernetes or local), the
 * client modules (asked for, or detected), the tools (modules x persona x policy), the audit log,
 * and the server factory both transports use. The factory binds each serving unit (one HTTP
 * request, or one stdio connection) to its caller: Kubernetes clients that impersonate them when
 * the HTTP layer authenticated someone, else the server's own identity.
 *
 * Start-up work (loading a kubeconfig imports @kubernetes/client-node; auto mode probes the
 * cluster and its APIs) runs while the transport starts. tools/list waits for it only when the
 * modules are auto-detected; every tools/call waits for it (in identity()).
 */
import { existsSync, readFileSync } from 'node:fs';
import { osUserName } from '../osUser.js';
import type { McpRequestContext, Server } from '@modelcontextprotocol/server';
import { openAuditLog, type AuditSink } from '../audit/audit.js';
import { IDENTITY_KEY, type Identity } from '../auth/identity.js';
import { whoami } from '../auth/whoami.js';
import { localMultiUserProblem, type Settings } from '../config/settings.js';
import { KubeApiError, KubeClient } from '../kube/client.js';
import { KubeConfigError, loadKubeConnection, precheckKubeconfig } from '../kube/connection.js';
import { parseRegistryService, registryServiceFromUrl, subjectAccessCheck } from '../kubeflow/hub/access.js';
import { ModelRegistryClient } from '../kubeflow/hub/client.js';
import { OptimizerClient } from '../kubeflow/optimizer/client.js';
import { SPARK_APPLICATIONS } from '../kubeflow/spark/constants.js';
import { SparkClient } from '../kubeflow/spark/client.js';
import { kfpAccessCheck } from '../kubeflow/pipelines/access.js';
import { PipelinesClient } from '../kubeflow/pipelines/client.js';
import { chooseEndpoint, tokenFile as kfpTokenFile } from '../kubeflow/pipelines/endpoint.js';
import type { TrainerBackend } from '../kubeflow/trainer/backend.js';
import { KubernetesBackend } from '../kubeflow/trainer/backends/kubernetes/index.js';
import { sweepProbeJobs } from '../kubeflow/trainer/backends/kubernetes/packages.js';
import { LocalBackend } from '../kubeflow/trainer/backends/local/index.js';
import { log } from '../log.js';
import { setLocalJobCounts } from '../telemetry/metrics.js';
import { startTracing } from '../telemetry/tracing.js';
import { Policy } from '../policy/policy.js';
import { ToolError, type AnyToolSpec } from '../tools/contract.js';
import { ALL_TOOLS, CLIENT_MODULES, toolsForModules } from '../tools/registry.js';
import { REQUEST_ID_KEY } from './httpAuth.js';
import { instructions } from './instructions.js';
import { advertised, buildServer, listEntries } from './mcpServer.js';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface App {
  policy: Policy;
  audit: AuditSink;
  /** True once start-up work is done. */
  isReady: () => boolean;
  ready: Promise<void>;
  /** The tools callers get (after start-up). */
  tools: () => Promise<AnyToolSpec[]>;
  /** One paragraph for the start-up banner: tools, backend, modules skipped and why. */
  describe: () => Promise<string>;
  /** Flushes the audit log and detaches from local jobs (they keep running). */
  close: () => Promise<void>;
  factory: (ctx?: McpRequestContext) => Promise<Server>;
}

export async function createApp(settings: Settings): Promise<App> {
  const policy = new Policy(settings.persona, settings.policy);
  const audit = openAuditLog(settings.auditLog);
  // Explicit --kubeconfig / --context are checked now, cheaply: a typo is a start-up error.
  try {
    precheckKubeconfig(settings);
  } catch (err) {
    if (err instanceof KubeConfigError) throw new Error(`${err.message} ${err.hint}`);
    throw err;
  }
  // Only when OTEL_* variables ask for traces; otherwise nothing from OpenTelemetry is loaded.
  const tracing = await startTracing({ stdoutIsProtocol: settings.transport === 'stdio' });

  let kube: KubeClient | undefined;
  let backend: TrainerBackend | undefined;
  let local: LocalBackend | undefined;
  let unavailable: ToolError | undefined;
  let backendNote = '';
  let own: Identity = { user: osUserName(), groups: [], source: 'local', impersonate: false };
  // Explicit --clients fix the tool list now: tools/list need not wait for the cluster.
  let modules: string[] = settings.clients === 'auto' ? [] : settings.clients;
  const skipped: string[] = [];
  let ready = false;

  const chooseBackend = async (): Promise<void> => {
    const useLocal = (why: string) => {
      // auto mode falling back to local: the same refusal as an explicit --backend local.
      const multiUser = localMultiUserProblem(settings.auth.mode, settings.localMultiUser);
      if (multiUser) {
        unavailable = new ToolError(
          'local_backend_refused',
          `The local backend was not started${why}: ${multiUser}`,
          'Configure a kubeconfig for a Kubernetes cluster, or restart with --local-multi-user.',
        );
        return;
      }
      local = new LocalBackend({
        storeDir: settings.storeDir,
        maxConcurrent: settings.localMaxJobs,
        ...(settings.localMaxLogMb ? { maxLogBytes: settings.localMaxLogMb * 2 ** 20 } : {}),
      });
      backend = local;
      backendNote = why;
      const counted = local;
      setLocalJobCounts(() => counted.phaseCounts());
    };
    if (settings.backend === 'local') return useLocal('');
    let conn;
    try {
      conn = await loadKubeConnection(settings);
    } catch (err) {
      if (!(err instanceof KubeConfigError)) throw err;
      // Say which file is missing or broken; "none found" only when there was nothing to look at.
      if (settings.backend === 'auto') return useLocal(` (${err.message.charAt(0).toLowerCase()}${err.message.slice(1).replace(/\.$/, '')})`);
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
    // In the background: probe jobs a killed server left behind (never delays or fails start-up).
    void sweepProbeJobs(client, conn.defaultNamespace).then(
      (gone) => gone.length && log.info({ deleted: gone }, 'deleted leftover get_runtime_packages probe jobs'),
    );
  };

  /** The registry client; for a caller the server acts for, every request first checks their right (hub/access.ts). */
  const registryClient = (caller?: Identity): ModelRegistryClient => {
    if (!settings.registry.url) {
      throw new ToolError(
        'no_registry',
        'No Model Registry is configured.',
        'Start the server with --registry-url http://model-registry-service.kubeflow:8080 (or hub.url in the config file, or $MODEL_REGISTRY_URL).',
      );
    }
    return new ModelRegistryClient({
      baseUrl: settings.registry.url,
      token: registryToken(settings.registry.tokenFile),
      authorize: caller?.impersonate ? registryAccess(caller) : undefined,
    });
  };
  const registryAccess = (caller: Identity) => {
    const service = settings.registry.service ? parseRegistryService(settings.registry.service) : registryServiceFromUrl(settings.registry.url ?? '');
    if (!kube || !service) {
      throw new ToolError(
        'registry_access_unchecked',
        `The Model Registry cannot be used for ${caller.user}: the server cannot check their right to it (${kube ? `no registry Service known for ${settings.registry.url}` : 'no Kubernetes cluster to ask'}).`,
        kube
          ? 'Set hub.service to "<namespace>/<service name>" of the registry in the config file, or use its in-cluster URL (http://<service>.<namespace>:8080).'
          : 'Run the server against the cluster that hosts the registry.',
      );
    }
    return subjectAccessCheck(kube, service, caller);
  };
  const kfp = chooseEndpoint(settings.pipelines.endpoint);
  /**
   * The KFP client: the server's token, and for a caller the server acts for, their right checked
   * first (pipelines/access.ts). Task logs are read from Kubernetes as the caller.
   */
  const pipelinesClient = (caller?: Identity): PipelinesClient => {
    if (!kfp.endpoint)
      throw new ToolError(
        'no_pipelines',
        `No Kubeflow Pipelines API server is configured: ${kfp.source}.`,
        'Start the server with --pipelines-endpoint http://ml-pipeline.kubeflow.svc.cluster.local:8888 (or pipelines.endpoint in the config file, or $KF_PIPELINES_ENDPOINT).',
      );
    if (caller?.impersonate && !kube) {
      throw new ToolError(
        'pipelines_access_unchecked',
        `Kubeflow Pipelines cannot be used for ${caller.user}: the server cannot check their right to it (no Kubernetes cluster to ask).`,
        'Run the server against the cluster that hosts Kubeflow Pipelines.',
      );
    }
    return new PipelinesClient({
      endpoint: kfp.endpoint,
      tokenFile: kfpTokenFile(settings.pipelines.tokenFile),
      authorize: caller?.impersonate && kube ? kfpAccessCheck(kube, caller) : undefined,
      kube: kube && caller?.impersonate ? kube.as({ user: caller.user, groups: caller.groups }) : kube,
    });
  };
  const chooseModules = async (): Promise<void> => {
    if (settings.clients !== 'auto') return;
    if (!backend) {
      // No backend at all: keep the trainer tools, whose calls explain what to configure.
      modules = ['trainer'];
      return;
    }
    const verdicts = await Promise.all(
      CLIENT_MODULES.map((m) =>
        moduleMissing(m.name, kube, local !== undefined, settings.registry.url, () => registryClient(), kfp.endpoint ? () => pipelinesClient() : kfp.source),
      ),
    );
    CLIENT_MODULES.forEach((m, i) => (verdicts[i] ? skipped.push(`${m.name}: ${verdicts[i]}`) : modules.push(m.name)));
  };

  const loading = (async () => {
    await chooseBackend();
    await Promise.all([
      chooseModules(),
      // The server's own identity (SelfSubjectReview), once, before the first call is served:
      // calls then never trigger an API request of their own just to learn who is calling.
      kube ? whoami(kube).then((id) => void (own = id)) : undefined,
    ]);
  })().finally(() => (ready = true));

  const backendFor = (caller: Identity): TrainerBackend => {
    if (!backend) throw unavailable ?? new ToolError('no_cluster', 'The backend is still loading.', 'Call again in a moment.');
    return kube && caller.impersonate ? new KubernetesBackend(kube.as({ user: caller.user, groups: caller.groups })) : backend;
  };
  const optimizerFor = (caller: Identity): OptimizerClient => {
    if (!kube) {
      throw new ToolError(
        'no_cluster',
        'Hyperparameter optimization runs on a Kubernetes cluster with Katib; this server has none.',
        'Start the server with a kubeconfig (--kubeconfig / --context) for a cluster with Katib installed.',
      );
    }
    return new OptimizerClient(caller.impersonate ? kube.as({ user: caller.user, groups: caller.groups }) : kube);
  };
  const sparkFor = (caller: Identity): SparkClient => {
    if (!kube) {
      throw new ToolError(
        'no_cluster',
        'Spark jobs and sessions run on a Kubernetes cluster with the Spark Operator; this server has none.',
        'Start the server with a kubeconfig (--kubeconfig / --context) for a cluster with the Spark Operator installed.',
      );
    }
    return new SparkClient(caller.impersonate ? kube.as({ user: caller.user, groups: caller.groups }) : kube);
  };

  let built: { tools: AnyToolSpec[]; text: string; entries: ReturnType<typeof listEntries> } | undefined;
  const assembled = async () => {
    if (settings.clients === 'auto') await loading;
    if (!built) {
      const tools = policy.visible(toolsForModules(modules));
      built = { tools, text: instructions(new Set(tools.map((t) => t.name)), settings.mode), entries: listEntries(advertised(tools, settings.mode)) };
    }
    return built;
  };

  return {
    policy,
    audit,
    isReady: () => ready,
    ready: loading,
    tools: async () => (await assembled()).tools,
    describe: async () => {
      await loading;
      const { tools } = await assembled();
      const where = backend ? `${backend.describe()}${backendNote}` : `no cluster (${unavailable?.message})`;
      return [
        `${tools.length} tools (persona ${settings.persona}, modules ${modules.join(',') || 'none'}${settings.mode === 'dynamic' ? ', dynamic mode' : ''}${settings.configPath ? `, config ${settings.configPath}` : ''}); backend: ${where}`,
        ...skipped.map((s) => `module skipped — ${s}`),
      ].join('\n');
    },
    close: async () => {
      await audit.close();
      local?.close();
      await tracing.shutdown();
    },
    factory: async (ctx?: McpRequestContext) => {
      const { tools, text, entries } = await assembled();
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
          // Every call starts here, so calls (unlike tools/list) always see the finished start-up.
          identity: async () => (await loading, authenticated ? { ...authenticated, actingAs: own.user } : { ...own, requestId }),
          backend: backendFor,
          optimizer: optimizerFor,
          spark: sparkFor,
          registry: registryClient,
          pipelines: pipelinesClient,
          defaultNamespace: () => settings.namespace ?? backend?.defaultNamespace() ?? 'default',
          defaults: settings.defaults,
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
    // It answers: a credentials problem is reported per call, with its hint.
    if (err instanceof KubeApiError && (err.status === 401 || err.status === 403)) return undefined;
    return `is unreachable: ${(err as Error).message}`;
  }
}

/** Why a module cannot work here (auto detection), or undefined when its API is present. */
async function moduleMissing(
  module: string,
  kube: KubeClient | undefined,
  isLocal: boolean,
  registryUrl: string | undefined,
  registry: () => ModelRegistryClient,
  pipelines: (() => PipelinesClient) | string,
): Promise<string | undefined> {
  switch (module) {
    case 'trainer':
      if (isLocal) return undefined;
      if (!kube) return 'no cluster';
      return (await serves(kube, '/apis/trainer.kubeflow.org/v1alpha1', 'trainjobs'))
        ? undefined
        : 'the Kubeflow Trainer v2 API (trainer.kubeflow.org/v1alpha1 trainjobs) is not served by the cluster';
    case 'optimizer':
      if (!kube) return 'Katib needs a Kubernetes cluster';
      return (await serves(kube, '/apis/kubeflow.org/v1beta1', 'experiments')) ? undefined : 'Katib (kubeflow.org/v1beta1 experiments) is not installed';
    case 'spark':
      if (!kube) return 'the Spark Operator needs a Kubernetes cluster';
      return (await serves(kube, `/apis/${SPARK_APPLICATIONS.group}/${SPARK_APPLICATIONS.version}`, SPARK_APPLICATIONS.plural))
        ? undefined
        : `the Spark Operator (${SPARK_APPLICATIONS.group}/${SPARK_APPLICATIONS.version} ${SPARK_APPLICATIONS.plural}) is not installed`;
    case 'hub': {
      if (!registryUrl) return 'no Model Registry URL (--registry-url, hub.url, or $MODEL_REGISTRY_URL)';
      const probe = await registry().probe({ signal: AbortSignal.timeout(5000) });
      return probe.ok ? undefined : `the Model Registry at ${probe.apiBase} does not answer: ${probe.error?.message ?? 'unknown error'}`;
    }
    case 'pipelines': {
      if (typeof pipelines === 'string') return pipelines;
      const client = pipelines();
      try {
        await client.health(AbortSignal.timeout(5000));
        return undefined;
      } catch (err) {
        return `the KFP API server at ${client.apiBase} does not answer: ${(err as Error).message}`;
      }
    }
    default:
      return 'unknown module';
  }
}

/** Whether an API group/version is served with the given resource (discovery). */
async function serves(kube: KubeClient, path: string, resource: string): Promise<boolean> {
  try {
    const list = await kube.json<{ resources?: Array<{ name: string }> }>('GET', path, { timeoutMs: 5000 });
    return (list.resources ?? []).some((r) => r.name === resource);
  } catch (err) {
    // Discovery is readable by all authenticated users; anything else means "not there".
    if (err instanceof KubeApiError && err.status === 403) return true;
    return false;
  }
}

/** The registry token: the configured file, else the pod's service account token, else none. */
function registryToken(file: string | undefined): string | undefined {
  const path = file ?? (existsSync(SERVICE_ACCOUNT_TOKEN) ? SERVICE_ACCOUNT_TOKEN : undefined);
  return path ? readFileSync(path, 'utf8').trim() || undefined : undefined;
}
