/**
 * TrainJob + runtime → JobSet and pod specs, applying the TrainJob overrides the way the Trainer
 * plugins do (docs/wire/trainer.md#trainer-block, docs/wire/trainer.md#pods-of-a-trainjob):
 * trainer image/command/args replace, env upserted,
 * resourcesPerNode replaces resources, numNodes = trainer pod count, initializer storageUri →
 * STORAGE_URI, secretRef → envFrom, PET_* env for torch, OMPI_* env for MPI.
 */
import { createHash } from 'node:crypto';
import { randomSuffix } from '../meta.js';

const ANCESTOR_LABEL = 'trainer.kubeflow.org/trainjob-ancestor-step';

export type JobRole = 'initializer' | 'trainer' | 'worker';

export interface ReplicatedJobPlan {
  name: string;
  role: JobRole;
  podCount: number;
  dependsOn: Array<{ name: string; status: 'Complete' | 'Ready' }>;
  /** Job template metadata from the runtime (carries the ancestor label). */
  jobMetadata: any;
  /** Pod template with the TrainJob overrides applied. */
  podTemplate: { metadata: any; spec: any };
}

export interface Plan {
  numNodes: number;
  replicatedJobs: ReplicatedJobPlan[];
  jobsetSpec: any;
  jobsetMetadata: any;
}

/** Insert or replace env vars by name, keeping the position of existing ones. */
function upsertEnv(container: any, env: any[] | undefined): void {
  if (!env?.length) return;
  const out: any[] = [...(container.env ?? [])];
  for (const e of env) {
    const i = out.findIndex((x) => x.name === e.name);
    if (i >= 0) out[i] = structuredClone(e);
    else out.push(structuredClone(e));
  }
  container.env = out;
}

function roleOf(rjob: any): JobRole {
  const step = rjob.template?.metadata?.labels?.[ANCESTOR_LABEL];
  if (step === 'trainer') return 'trainer';
  if (step === 'dataset-initializer' || step === 'model-initializer') return 'initializer';
  return 'worker';
}

function hasGpu(resources: any): boolean {
  return ['limits', 'requests'].some((k) => Object.keys(resources?.[k] ?? {}).some((r) => r.endsWith('/gpu') || r.includes('/mig-')));
}

/** PET_NPROC_PER_NODE: the explicit value, else the CPU count for CPU-only nodes, else 'auto'. */
function nprocPerNode(trainer: any, resources: any): string {
  if (trainer?.numProcPerNode !== undefined) return String(trainer.numProcPerNode);
  if (hasGpu(resources)) return 'auto';
  const cpu = resources?.limits?.cpu ?? resources?.requests?.cpu;
  if (cpu === undefined) return 'auto';
  const s = String(cpu);
  const n = s.endsWith('m') ? Number(s.slice(0, -1)) / 1000 : Number(s);
  return Number.isFinite(n) ? String(Math.max(1, Math.floor(n))) : 'auto';
}

export function planTrainJob(tj: any, runtime: any): Plan {
  const name: string = tj.metadata.name;
  const spec = tj.spec ?? {};
  const trainer = spec.trainer ?? {};
  const policy = runtime.spec?.mlPolicy ?? {};
  const numNodes: number = trainer.numNodes && trainer.numNodes > 0 ? trainer.numNodes : (policy.numNodes ?? 1);
  const mpi = policy.mpi;
  const runtimeJobs: any[] = runtime.spec?.template?.spec?.replicatedJobs ?? [];
  const initializerNames = runtimeJobs.filter((j) => roleOf(j) === 'initializer').map((j) => j.name as string);

  const replicatedJobs = runtimeJobs.map((rj): ReplicatedJobPlan => {
    const role = roleOf(rj);
    const podTemplate = structuredClone(rj.template?.spec?.template ?? { spec: { containers: [] } });
    podTemplate.metadata = podTemplate.metadata ?? {};
    podTemplate.spec = podTemplate.spec ?? { containers: [] };
    const containers: any[] = podTemplate.spec.containers ?? [];
    const basePods = (rj.replicas ?? 1) * (rj.template?.spec?.parallelism ?? 1);
    let podCount = basePods;

    if (role === 'initializer') {
      const which = rj.template.metadata.labels[ANCESTOR_LABEL] === 'dataset-initializer' ? 'dataset' : 'model';
      const init = spec.initializer?.[which];
      const c = containers.find((x) => x.name === `${which}-initializer`);
      if (c && init) {
        if (init.storageUri) upsertEnv(c, [{ name: 'STORAGE_URI', value: init.storageUri }]);
        upsertEnv(c, init.env);
        if (init.secretRef?.name) c.envFrom = [...(c.envFrom ?? []), { secretRef: { name: init.secretRef.name } }];
      }
    }

    const node = containers.find((x) => x.name === 'node');
    if (role === 'trainer') {
      podCount = mpi ? 1 : numNodes;
      if (node) {
        if (trainer.image) node.image = trainer.image;
        if (trainer.command) node.command = [...trainer.command];
        if (trainer.args) node.args = [...trainer.args];
        if (trainer.resourcesPerNode) node.resources = structuredClone(trainer.resourcesPerNode);
        upsertEnv(node, trainer.env);
        if (policy.torch) {
          upsertEnv(node, [
            { name: 'PET_NNODES', value: String(numNodes) },
            { name: 'PET_NPROC_PER_NODE', value: nprocPerNode(trainer, node.resources) },
            {
              name: 'PET_NODE_RANK',
              valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
            },
            { name: 'PET_MASTER_ADDR', value: `${name}-node-0-0.${name}` },
            { name: 'PET_MASTER_PORT', value: '29500' },
          ]);
          if (!(node.ports ?? []).some((p: any) => p.containerPort === 29500)) node.ports = [...(node.ports ?? []), { containerPort: 29500, protocol: 'TCP' }];
        }
        if (mpi) {
          upsertEnv(node, [
            { name: 'OMPI_MCA_orte_default_hostfile', value: '/etc/mpi/hostfile' },
            { name: 'OMPI_MCA_plm_rsh_args', value: '-o ConnectionAttempts=10' },
            { name: 'OMPI_MCA_orte_keep_fqdn_hostnames', value: 'true' },
            { name: 'OMPI_MCA_orte_set_default_slots', value: String(trainer.numProcPerNode ?? mpi.numProcPerNode ?? 1) },
          ]);
        }
      }
    } else if (role === 'worker' && mpi && rj.name === 'node') {
      // MPI workers: the launcher counts as node 0 when it runs as a node.
      podCount = mpi.runLauncherAsNode ? Math.max(numNodes - 1, 0) : numNodes;
      if (node) {
        if (trainer.image) node.image = trainer.image;
        if (trainer.resourcesPerNode) node.resources = structuredClone(trainer.resourcesPerNode);
        if (mpi.runLauncherAsNode) upsertEnv(node, trainer.env);
      }
    }

    let dependsOn: ReplicatedJobPlan['dependsOn'] = (rj.dependsOn ?? []).map((d: any) => ({ name: d.name, status: d.status }));
    // Initializers always finish before training starts, even if a runtime forgot dependsOn.
    if (role === 'trainer' && dependsOn.length === 0) dependsOn = initializerNames.map((n) => ({ name: n, status: 'Complete' as const }));
    return { name: rj.name, role, podCount, dependsOn, jobMetadata: structuredClone(rj.template?.metadata ?? {}), podTemplate };
  });

  const jobsetSpec = structuredClone(runtime.spec?.template?.spec ?? {});
  jobsetSpec.replicatedJobs = replicatedJobs.map((p) => {
    const out: any = {
      name: p.name,
      replicas: 1,
      template: {
        metadata: p.jobMetadata,
        spec: { parallelism: p.podCount, completions: p.podCount, completionMode: 'Indexed', backoffLimit: 0, template: p.podTemplate },
      },
    };
    const orig = runtimeJobs.find((r) => r.name === p.name);
    if (orig?.dependsOn) out.dependsOn = structuredClone(orig.dependsOn);
    return out;
  });
  jobsetSpec.suspend = false;
  return { numNodes, replicatedJobs, jobsetSpec, jobsetMetadata: structuredClone(runtime.spec?.template?.metadata ?? {}) };
}

export function buildJobSet(tj: any, plan: Plan): any {
  return {
    apiVersion: 'jobset.x-k8s.io/v1alpha2',
    kind: 'JobSet',
    metadata: {
      name: tj.metadata.name,
      namespace: tj.metadata.namespace,
      labels: { ...(plan.jobsetMetadata.labels ?? {}) },
      annotations: { ...(plan.jobsetMetadata.annotations ?? {}) },
      ownerReferences: [
        {
          apiVersion: 'trainer.kubeflow.org/v1alpha1',
          kind: 'TrainJob',
          name: tj.metadata.name,
          uid: tj.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: plan.jobsetSpec,
    status: {},
  };
}

export function buildPod(tj: any, jobset: any, p: ReplicatedJobPlan, index: number, nodeName: string): any {
  const ns = tj.metadata.namespace;
  const js = tj.metadata.name;
  const jobName = `${js}-${p.name}-0`;
  const jobKey = createHash('sha1').update(`${ns}/${jobName}`).digest('hex');
  const jobsetLabels = {
    'jobset.sigs.k8s.io/jobset-name': js,
    'jobset.sigs.k8s.io/replicatedjob-name': p.name,
    'jobset.sigs.k8s.io/replicatedjob-replicas': '1',
    'jobset.sigs.k8s.io/job-index': '0',
    'jobset.sigs.k8s.io/job-key': jobKey,
  };
  const spec = structuredClone(p.podTemplate.spec);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${jobName}-${index}-${randomSuffix(5)}`,
      namespace: ns,
      labels: {
        ...(p.podTemplate.metadata.labels ?? {}),
        ...jobsetLabels,
        'batch.kubernetes.io/job-completion-index': String(index),
        'batch.kubernetes.io/job-name': jobName,
        'job-name': jobName,
      },
      annotations: {
        ...(p.podTemplate.metadata.annotations ?? {}),
        ...jobsetLabels,
        'batch.kubernetes.io/job-completion-index': String(index),
      },
      ownerReferences: [
        { apiVersion: 'jobset.x-k8s.io/v1alpha2', kind: 'JobSet', name: js, uid: jobset.metadata.uid, controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: {
      ...spec,
      hostname: `${jobName}-${index}`,
      subdomain: js,
      restartPolicy: spec.restartPolicy ?? 'Never',
      schedulerName: spec.schedulerName ?? 'default-scheduler',
      serviceAccountName: spec.serviceAccountName ?? 'default',
      terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds ?? 30,
      dnsPolicy: spec.dnsPolicy ?? 'ClusterFirst',
      nodeName,
    },
  };
}
