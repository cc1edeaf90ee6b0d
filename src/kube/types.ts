/** Minimal shapes of the Kubernetes objects we read and write. Only the fields we use are typed. */

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
}

export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

/** metav1.Status, as returned by the API server on failures. */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code: number;
  details?: { name?: string; group?: string; kind?: string; causes?: Array<{ reason?: string; message?: string; field?: string }> };
}

export interface Condition {
  type: string;
  /** 'True', 'False' or 'Unknown'. */
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: Record<string, unknown>;
}

export interface ResourceRequirements {
  requests?: Record<string, string | number>;
  limits?: Record<string, string | number>;
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  resources?: ResourceRequirements;
}

/** One of a container's states (waiting, running, terminated), as the kubelet reports it. */
type ContainerState = Record<string, { reason?: string; message?: string; exitCode?: number } | undefined>;

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface Pod extends KubeObject {
  spec?: {
    containers: Container[];
    initContainers?: Container[];
    nodeName?: string;
    nodeSelector?: Record<string, string>;
    volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName: string } }>;
  };
  status?: {
    phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
    reason?: string;
    message?: string;
    conditions?: Condition[];
    initContainerStatuses?: ContainerStatus[];
    containerStatuses?: ContainerStatus[];
  };
}

export interface Node extends KubeObject {
  spec?: { unschedulable?: boolean; taints?: Array<{ key: string; value?: string; effect: string }> };
  status?: {
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    conditions?: Array<{ type: string; status: string }>;
  };
}

export interface KubeEvent extends KubeObject {
  involvedObject: { kind?: string; name?: string; namespace?: string; uid?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
}
