/** Direct store seeding: namespaces, nodes and the default Trainer runtimes (no admission). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { TRAINER_FIXTURES_DIR } from './crd-schema.js';
import { nowRfc3339 } from './meta.js';
import { findByKind, findByResource } from './registry.js';
import type { ObjectStore } from './store.js';
import type { NodeSpec } from './types.js';

const NAMESPACES = findByResource('', 'v1', 'namespaces')!;
const NODES = findByResource('', 'v1', 'nodes')!;

export function createNamespace(store: ObjectStore, name: string): void {
  store.create(NAMESPACES, {
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  });
}

function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...yamlFilesUnder(p));
    else if (/\.ya?ml$/.test(entry) && !entry.includes('kustomization')) out.push(p);
  }
  return out;
}

/** Every (Cluster)TrainingRuntime manifest under the v2.3.0 runtimes fixtures; existing ones are kept. */
export function seedDefaultRuntimes(store: ObjectStore): void {
  for (const file of yamlFilesUnder(join(TRAINER_FIXTURES_DIR, 'runtimes'))) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const obj = doc.toJS();
      if (obj?.kind !== 'ClusterTrainingRuntime' && obj?.kind !== 'TrainingRuntime') continue;
      const t = findByKind(obj.apiVersion, obj.kind)!;
      if (!store.get(t, obj.metadata.namespace, obj.metadata.name)) store.create(t, obj);
    }
  }
}

/** A Ready node as the kubelet would register it. */
export function createNode(store: ObjectStore, n: NodeSpec): void {
  const now = nowRfc3339();
  const spec: Record<string, unknown> = {};
  if (n.unschedulable) {
    spec.unschedulable = true;
    spec.taints = [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: now }];
  }
  store.create(NODES, {
    metadata: {
      name: n.name,
      labels: { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', ...(n.labels ?? {}) },
    },
    spec,
    status: {
      capacity: { ...(n.capacity ?? n.allocatable) },
      allocatable: { ...n.allocatable },
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now },
      ],
      addresses: [
        { type: 'InternalIP', address: '172.18.0.2' },
        { type: 'Hostname', address: n.name },
      ],
      nodeInfo: { kubeletVersion: 'v1.31.0', containerRuntimeVersion: 'containerd://1.7.18', operatingSystem: 'linux', architecture: 'amd64' },
    },
  });
}
