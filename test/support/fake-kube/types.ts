/** Public option and result types of the fake Kubernetes API server (re-exported by index.ts). */

export interface FakeUser {
  name: string;
  groups?: string[];
}

/** A cumulative allow rule. No matching rule = denied. A rule without users/groups applies to every authenticated user. */
export interface RbacRule {
  users?: string[];
  /** 'system:authenticated' matches every authenticated user. */
  groups?: string[];
  /** get list watch create update patch delete deletecollection impersonate, or '*'. */
  verbs: string[];
  /** '' for core, '*' for all. */
  apiGroups: string[];
  /** e.g. 'trainjobs', 'pods', 'pods/log', 'events', 'nodes', 'users', 'groups', '*' ('pods/*' and '*\/log' work too). */
  resources: string[];
  /** Omitted = every namespace and cluster scope; given = only those namespaces (never cluster scope). */
  namespaces?: string[];
  resourceNames?: string[];
}

export interface ControllerLogContext {
  trainJob: any;
  pod: any;
  container: string;
  /** Outcome the controller will apply to this TrainJob (extension: lets logs end in a traceback). */
  outcome: 'Complete' | 'Failed';
}

export interface ControllerOptions {
  /** Time between lifecycle transitions (ms). Default 40. */
  stepMs: number;
  /** How many steps trainer pods stay Running before they terminate. Default 3. */
  runSteps: number;
  /** Lines a container prints over its run (spread over the Running steps). */
  logs: (ctx: ControllerLogContext) => string[];
  /** Default: 'Failed' if the TrainJob has label fake.kubeflow.org/fail=true, else 'Complete'. */
  outcome: (trainJob: any) => 'Complete' | 'Failed';
}

export interface KatibMetricContext {
  trial: string;
  /** The metric asked for: the objective metric or one of the additional metrics. */
  metric: string;
  objectiveMetric: string;
  direction: 'minimize' | 'maximize';
  /** The trial's parameter assignments (Katib values are strings). */
  parameters: Record<string, string>;
}

export interface KatibOptions {
  /**
   * Final value a trial reports for a metric (printed as `<metric>=<value>` and observed);
   * undefined for the objective metric = the trial prints none and ends MetricsUnavailable.
   * Default: loss = Σ over numeric parameters (x - 0.05)² + 0.1, other metrics 1 / (1 + loss).
   */
  metricValue: (ctx: KatibMetricContext) => number | undefined;
  /** Seed for random sampling when the algorithm has no random_state (default: random). */
  seed?: number;
}

export interface FakeKatibController {
  /** Freeze experiments (no new trials, no status updates; running TrainJobs still finish). */
  pause(): void;
  resume(): void;
}

export interface FakeKubeOptions {
  /** Bearer token -> user. Default: {'admin-token': {name: 'admin', groups: ['system:masters']}}. */
  tokens?: Record<string, FakeUser>;
  /**
   * How requests without an Authorization header are treated. Default false: 401 (except /version
   * and health checks). true: they act as system:anonymous (group system:unauthenticated, subject
   * to RBAC). A FakeUser: they act as that user — needed for kubectl, which never sends bearer
   * tokens to a plain-http server.
   */
  anonymous?: boolean | FakeUser;
  /** Default: everything allowed for every authenticated user. 'system:masters' is always allowed. */
  rbac?: RbacRule[];
  /** Pre-created namespaces. Default ['default']. */
  namespaces?: string[];
  /** API groups to leave uninstalled (e.g. ['sparkoperator.k8s.io']): not in discovery, 404 on their paths. */
  uninstalled?: string[];
  /** Validate TrainJob/TrainingRuntime/ClusterTrainingRuntime (v2.3.0) and SparkApplication/SparkConnect (Spark Operator v2.4.0) against their CRD schemas. Default true. */
  crdValidation?: boolean;
  /** false = no controller. */
  controller?: Partial<ControllerOptions> | false;
  /** Spark Operator simulation (stepMs and runSteps default to the controller's); false = none. */
  spark?: Partial<{ stepMs: number; runSteps: number }> | false;
  /** Katib simulation (runs with the Trainer controller); false = none. */
  katib?: Partial<KatibOptions> | false;
  /** Default 0 (random). */
  port?: number;
  /** Watch event history kept for resourceVersion replay. Default 10000. */
  watchHistory?: number;
  /** How often watches with allowWatchBookmarks=true get a BOOKMARK (ms). Default 1000. */
  bookmarkIntervalMs?: number;
  /**
   * Accept application/strategic-merge-patch+json on custom resources (treated as a merge patch).
   * Default false: like a real apiserver, custom resources answer 415 for strategic merge patch.
   */
  strategicMergePatchOnCustomResources?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Effective user (after impersonation). */
  user?: string;
  groups?: string[];
  /** The authenticated user when the request impersonated someone. */
  impersonatedBy?: string;
  status: number;
  /** Parsed request body when present. */
  body?: any;
}

export interface FakeController {
  /** Freeze lifecycle transitions (pods keep their phase). New TrainJobs still get their JobSet and Pending pods; suspend/delete still act. */
  pause(): void;
  resume(): void;
  /** Finish a TrainJob now: remaining log lines are written, pods succeed, Complete=True. */
  completeNow(ns: string, name: string): void;
  /** Fail a TrainJob now: trainer pods fail, Failed=True with the given reason (default 'FailedJobs'). */
  failNow(ns: string, name: string, reason?: string): void;
  /** Set status.trainerStatus (lastUpdatedTime defaults to now). */
  setProgress(ns: string, name: string, trainerStatus: Record<string, unknown>): void;
}

export interface FakeSparkController {
  /** Freeze SparkApplications and SparkConnects in their current state. */
  pause(): void;
  resume(): void;
  /** Put an app in an operator state (e.g. PENDING_RERUN, SUSPENDED, UNKNOWN) and leave it there. */
  setState(ns: string, name: string, state: string, errorMessage?: string): void;
}

export interface FakeStoreApi {
  create(obj: any): any;
  get(group: string, resource: string, namespace: string | undefined, name: string): any | undefined;
  list(group: string, resource: string, namespace?: string): any[];
  update(obj: any): any;
  remove(group: string, resource: string, namespace: string | undefined, name: string): void;
}

export interface KubeconfigOptions {
  token?: string;
  namespace?: string;
  context?: string;
}

export interface NodeSpec {
  name: string;
  allocatable: Record<string, string>;
  capacity?: Record<string, string>;
  labels?: Record<string, string>;
  unschedulable?: boolean;
}

export interface FakeKube {
  url: string;
  port: number;
  store: FakeStoreApi;
  seedDefaultRuntimes(): void;
  addNode(n: NodeSpec): void;
  requests: RecordedRequest[];
  kubeconfig(opts?: KubeconfigOptions): string;
  writeKubeconfig(dir: string, opts?: KubeconfigOptions): string;
  /** Stop listening and drop open connections (state is kept). */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
  /** stop() + stop controller timers. */
  close(): Promise<void>;
  /** Trainer controller controls (they throw when the controller was disabled with controller: false). */
  controller: FakeController;
  /** Katib controller controls (they throw when Katib or the controller is disabled). */
  katib: FakeKatibController;
  /** Spark Operator simulation controls (throw when options.spark === false). */
  spark: FakeSparkController;
  /** Write a line to a container's log (simulations outside the controller, e.g. KFP task pods). */
  appendLog(namespace: string, pod: string, container: string, line: string): void;
  /** The container's log ends (followers are closed). */
  endLog(namespace: string, pod: string, container: string): void;
  /** Merge labels into a namespace, e.g. Katib's katib.kubeflow.org/metrics-collector-injection=enabled. */
  labelNamespace(name: string, labels: Record<string, string>): void;
}
