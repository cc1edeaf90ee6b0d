/**
 * An in-process fake Kubernetes API server for kubeflow-mcp tests: real REST conventions
 * (paths, Status errors, selectors, paging, watch, patch, dryRun, auth, RBAC, impersonation,
 * SSAR), Trainer CRD admission, and a simulated Trainer/JobSet/kubelet controller.
 *
 *   const kube = await startFakeKube();
 *   kube.seedDefaultRuntimes();
 *   const cfg = kube.writeKubeconfig(tmpDir, { namespace: 'default' });
 *   ...
 *   await kube.close();
 */
import { anonymousUser } from './auth.js';
import type { ServerState } from './context.js';
import { defaultLogs, defaultOutcome } from './controller/default-behaviour.js';
import { defaultMetricValue, KatibController } from './controller/katib-controller.js';
import { SparkController } from './controller/spark-controller.js';
import { TrainerController } from './controller/trainer-controller.js';
import { startGarbageCollector } from './gc.js';
import { renderKubeconfig, writeKubeconfigFile } from './kubeconfig.js';
import { LogStore } from './logs.js';
import { Authorizer } from './rbac.js';
import { findByKind, findByResource, type ResourceType } from './registry.js';
import { createNamespace, createNode, seedDefaultRuntimes } from './seed.js';
import { ApiServer } from './server.js';
import { ObjectStore } from './store.js';
import type {
  ControllerOptions,
  FakeController,
  FakeKatibController,
  FakeKube,
  FakeKubeOptions,
  FakeSparkController,
  FakeStoreApi,
  FakeUser,
  KatibOptions,
} from './types.js';

export type * from './types.js';
export { FAIL_LABEL } from './controller/default-behaviour.js';
export { defaultMetricValue } from './controller/katib-controller.js';
export { INJECTION_LABEL } from './katib-admission.js';

const DEFAULT_TOKENS: Record<string, FakeUser> = { 'admin-token': { name: 'admin', groups: ['system:masters'] } };

const DEFAULT_CONTROLLER_OPTIONS: ControllerOptions = {
  stepMs: 40,
  runSteps: 3,
  logs: defaultLogs,
  outcome: defaultOutcome,
};

function typeFor(group: string, resource: string): ResourceType {
  const t = findByResource(group, undefined, resource);
  if (!t) throw new Error(`fake-kube: unknown resource ${resource}${group ? `.${group}` : ''}`);
  return t;
}

function typeOf(obj: any): ResourceType {
  const t = findByKind(obj?.apiVersion ?? '', obj?.kind ?? '');
  if (!t) throw new Error(`fake-kube: unknown apiVersion/kind ${obj?.apiVersion}/${obj?.kind}`);
  return t;
}

const DEFAULT_KATIB_OPTIONS: KatibOptions = { metricValue: defaultMetricValue };

const disabledController: FakeController = new Proxy({} as FakeController, {
  get: () => () => {
    throw new Error('fake-kube: the controller is disabled (options.controller === false)');
  },
});

const disabledKatib: FakeKatibController = new Proxy({} as FakeKatibController, {
  get: () => () => {
    throw new Error('fake-kube: the Katib simulation is disabled (options.katib === false or options.controller === false)');
  },
});

const disabledSpark: FakeSparkController = new Proxy({} as FakeSparkController, {
  get: () => () => {
    throw new Error('fake-kube: the Spark Operator simulation is disabled (options.spark === false)');
  },
});

const NAMESPACES = findByResource('', 'v1', 'namespaces')!;

export async function startFakeKube(opts: FakeKubeOptions = {}): Promise<FakeKube> {
  const store = new ObjectStore(opts.watchHistory ?? 10_000);
  const logs = new LogStore();
  const stopGc = startGarbageCollector(store);
  // Logs go away with their pod, as on a real node.
  const stopLogGc = store.subscribe((e) => {
    if (e.key === '/pods' && e.type === 'DELETED') logs.removePod(e.object.metadata.namespace, e.object.metadata.name);
  });
  for (const ns of opts.namespaces ?? ['default']) createNamespace(store, ns);

  const tokens = opts.tokens ?? DEFAULT_TOKENS;
  const state: ServerState = {
    store,
    logs,
    authz: new Authorizer(opts.rbac),
    crdValidation: opts.crdValidation ?? true,
    uninstalled: new Set(opts.uninstalled ?? []),
    smpOnCustomResources: opts.strategicMergePatchOnCustomResources ?? false,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 1000,
    streams: new Set(),
    address: () => `127.0.0.1:${api.port}`,
  };
  const api = new ApiServer(state, tokens, opts.port ?? 0, anonymousUser(opts.anonymous));
  await api.listen();

  const controller = opts.controller === false ? undefined : new TrainerController(store, logs, { ...DEFAULT_CONTROLLER_OPTIONS, ...(opts.controller ?? {}) });
  controller?.start();
  const controllerOptions = { ...DEFAULT_CONTROLLER_OPTIONS, ...(opts.controller || {}) };
  const katib =
    controller && opts.katib !== false
      ? new KatibController(
          store,
          controller,
          { ...DEFAULT_KATIB_OPTIONS, ...(opts.katib ?? {}) },
          { stepMs: controllerOptions.stepMs, crdValidation: state.crdValidation },
        )
      : undefined;
  katib?.start();
  const spark =
    opts.spark === false
      ? undefined
      : new SparkController(store, logs, { stepMs: controllerOptions.stepMs, runSteps: controllerOptions.runSteps, ...(opts.spark ?? {}) });
  spark?.start();

  const defaultToken = Object.keys(tokens)[0] ?? 'admin-token';
  const storeApi: FakeStoreApi = {
    create: (obj) => store.create(typeOf(obj), obj),
    get: (group, resource, ns, name) => store.get(typeFor(group, resource), ns, name),
    list: (group, resource, ns) => store.list(typeFor(group, resource), ns),
    update: (obj) => store.update(typeOf(obj), obj),
    remove: (group, resource, ns, name) => void store.delete(typeFor(group, resource), ns, name),
  };

  return {
    get url() {
      return api.url;
    },
    get port() {
      return api.port;
    },
    store: storeApi,
    requests: api.requests,
    controller: controller ?? disabledController,
    katib: katib ?? disabledKatib,
    spark: spark ?? disabledSpark,
    appendLog: (ns, pod, container, line) => logs.append(ns, pod, container, line),
    endLog: (ns, pod, container) => logs.terminate(ns, pod, container),
    labelNamespace(name, labels) {
      const ns = store.get(NAMESPACES, undefined, name);
      if (!ns) throw new Error(`fake-kube: namespace ${name} not found`);
      ns.metadata.labels = { ...(ns.metadata.labels ?? {}), ...labels };
      store.update(NAMESPACES, ns);
    },
    seedDefaultRuntimes: () => seedDefaultRuntimes(store),
    addNode: (n) => createNode(store, n),
    kubeconfig: (o) => renderKubeconfig(api.url, defaultToken, o),
    writeKubeconfig: (dir, o) => writeKubeconfigFile(dir, renderKubeconfig(api.url, defaultToken, o), o?.context),
    stop: () => api.stop(),
    start: () => api.listen(),
    async close() {
      katib?.stop();
      spark?.stop();
      controller?.stop();
      stopGc();
      stopLogGc();
      await api.stop();
    },
  };
}
