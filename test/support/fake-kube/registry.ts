/**
 * The table of resource types the fake API server serves. Everything else (store, router,
 * discovery, RBAC messages) is generic over this table, so adding a type is one line here.
 */

export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  resource: string; // plural, as in the URL
  kind: string;
  namespaced: boolean;
  /** Subresources beyond the object itself ('status', 'log'). */
  subresources: string[];
  /** Verbs advertised in discovery and accepted by the router. */
  verbs: string[];
  /** Custom resources follow CRD rules (no strategic merge patch, resourceVersion required on PUT). */
  custom: boolean;
  singular: string;
  shortNames?: string[];
  /** Create-only virtual resources (reviews) are never stored. */
  virtual?: boolean;
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function rt(group: string, version: string, resource: string, kind: string, namespaced: boolean, extra: Partial<ResourceType> = {}): ResourceType {
  return {
    group,
    version,
    resource,
    kind,
    namespaced,
    subresources: [],
    verbs: CRUD,
    custom: false,
    singular: kind.toLowerCase(),
    ...extra,
  };
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  rt('', 'v1', 'namespaces', 'Namespace', false, { shortNames: ['ns'], subresources: ['status'] }),
  rt('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'], subresources: ['status'] }),
  rt('', 'v1', 'pods', 'Pod', true, { shortNames: ['po'], subresources: ['log', 'status'] }),
  rt('', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  rt('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  rt('', 'v1', 'secrets', 'Secret', true),
  rt('', 'v1', 'services', 'Service', true, { shortNames: ['svc'], subresources: ['status'] }),
  rt('', 'v1', 'resourcequotas', 'ResourceQuota', true, { shortNames: ['quota'], subresources: ['status'] }),
  rt('', 'v1', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'] }),
  rt('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, { shortNames: ['pvc'], subresources: ['status'] }),
  rt('trainer.kubeflow.org', 'v1alpha1', 'trainjobs', 'TrainJob', true, { custom: true, subresources: ['status'] }),
  rt('trainer.kubeflow.org', 'v1alpha1', 'trainingruntimes', 'TrainingRuntime', true, { custom: true }),
  rt('trainer.kubeflow.org', 'v1alpha1', 'clustertrainingruntimes', 'ClusterTrainingRuntime', false, { custom: true }),
  rt('jobset.x-k8s.io', 'v1alpha2', 'jobsets', 'JobSet', true, { custom: true, subresources: ['status'] }),
  rt('kubeflow.org', 'v1beta1', 'experiments', 'Experiment', true, { custom: true, subresources: ['status'] }),
  rt('kubeflow.org', 'v1beta1', 'trials', 'Trial', true, { custom: true, subresources: ['status'] }),
  rt('kubeflow.org', 'v1beta1', 'suggestions', 'Suggestion', true, { custom: true, subresources: ['status'] }),
  rt('sparkoperator.k8s.io', 'v1beta2', 'sparkapplications', 'SparkApplication', true, { custom: true, subresources: ['status'], shortNames: ['sparkapp'] }),
  rt('sparkoperator.k8s.io', 'v1alpha1', 'sparkconnects', 'SparkConnect', true, { custom: true, subresources: ['status'], shortNames: ['sparkconn'] }),
  // Kueue: Workloads (one per queued job) and LocalQueues; the visibility API's pendingworkloads.
  rt('kueue.x-k8s.io', 'v1beta1', 'workloads', 'Workload', true, { custom: true, subresources: ['status'], shortNames: ['wl'] }),
  rt('kueue.x-k8s.io', 'v1beta1', 'localqueues', 'LocalQueue', true, { custom: true, subresources: ['status'], shortNames: ['lq'] }),
  rt('visibility.kueue.x-k8s.io', 'v1beta1', 'localqueues', 'LocalQueue', true, { verbs: ['get'], subresources: ['pendingworkloads'], virtual: true }),
  rt('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, {
    verbs: ['create'],
    virtual: true,
  }),
  // Unlike the self reviews, creating one needs RBAC (system:auth-delegator on a real cluster).
  rt('authorization.k8s.io', 'v1', 'subjectaccessreviews', 'SubjectAccessReview', false, {
    verbs: ['create'],
    virtual: true,
  }),
  rt('authentication.k8s.io', 'v1', 'selfsubjectreviews', 'SelfSubjectReview', false, {
    verbs: ['create'],
    virtual: true,
  }),
];

export function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** `trainjobs.trainer.kubeflow.org` / `pods` — the GroupResource string used in error messages. */
export function qualifiedResource(t: { group: string; resource: string }): string {
  return t.group ? `${t.resource}.${t.group}` : t.resource;
}

/** `TrainJob.trainer.kubeflow.org` / `Pod` — the GroupKind string used in Invalid messages. */
export function qualifiedKind(t: ResourceType): string {
  return t.group ? `${t.kind}.${t.group}` : t.kind;
}

export function typeKey(t: { group: string; resource: string }): string {
  return `${t.group}/${t.resource}`;
}

export function findByResource(group: string, version: string | undefined, resource: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.resource === resource && (version === undefined || t.version === version));
}

export function findByKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
}

export interface GroupVersions {
  group: string;
  versions: string[];
}

/** Groups in registration order (discovery lists them this way). */
export function servedGroups(): GroupVersions[] {
  const out: GroupVersions[] = [];
  for (const t of RESOURCE_TYPES) {
    let g = out.find((x) => x.group === t.group);
    if (!g) out.push((g = { group: t.group, versions: [] }));
    if (!g.versions.includes(t.version)) g.versions.push(t.version);
  }
  return out;
}
