/**
 * Server-side printing (Accept: application/json;as=Table;g=meta.k8s.io;v=v1), which kubectl asks
 * for on get/list/watch. Columns follow the built-in printers for the types that matter here and
 * the CRD additionalPrinterColumns for TrainJob; everything else gets Name + Age.
 */
import type { ResourceType } from './registry.js';

interface Column {
  name: string;
  type: string;
  format?: string;
  description: string;
  priority: number;
  cell: (o: any) => string | number;
}

/** kubectl's duration.HumanDuration, roughly. */
function age(ts: string | undefined): string {
  if (!ts) return '<unknown>';
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

const name: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
  cell: (o) => o.metadata.name,
};
const ageCol: Column = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp of the object.',
  priority: 0,
  cell: (o) => age(o.metadata.creationTimestamp),
};
const col = (n: string, cell: Column['cell'], priority = 0, type = 'string'): Column => ({ name: n, type, description: n, priority, cell });

function podStatus(p: any): string {
  const cs: any[] = p.status?.containerStatuses ?? [];
  for (const c of cs) {
    if (c.state?.waiting?.reason) return c.state.waiting.reason;
    if (c.state?.terminated?.reason && p.status?.phase !== 'Running') return c.state.terminated.reason;
  }
  return p.status?.phase ?? 'Unknown';
}

const COLUMNS: Record<string, Column[]> = {
  Pod: [
    name,
    col('Ready', (p) => `${(p.status?.containerStatuses ?? []).filter((c: any) => c.ready).length}/${(p.spec?.containers ?? []).length}`),
    col('Status', podStatus),
    col('Restarts', (p) => (p.status?.containerStatuses ?? []).reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0), 0, 'integer'),
    ageCol,
    col('IP', (p) => p.status?.podIP ?? '<none>', 1),
    col('Node', (p) => p.spec?.nodeName ?? '<none>', 1),
    col('Nominated Node', () => '<none>', 1),
    col('Readiness Gates', () => '<none>', 1),
  ],
  Node: [
    name,
    col(
      'Status',
      (n) =>
        ((n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True') ? 'Ready' : 'NotReady') +
        (n.spec?.unschedulable ? ',SchedulingDisabled' : ''),
    ),
    col('Roles', () => '<none>'),
    ageCol,
    col('Version', (n) => n.status?.nodeInfo?.kubeletVersion ?? ''),
  ],
  Namespace: [name, col('Status', (n) => n.status?.phase ?? ''), ageCol],
  Event: [
    col('Last Seen', (e) => age(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp)),
    col('Type', (e) => e.type ?? ''),
    col('Reason', (e) => e.reason ?? ''),
    col('Object', (e) => `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`),
    col('Message', (e) => e.message ?? ''),
  ],
  // additionalPrinterColumns of the TrainJob CRD: State = .status.conditions[-1:].type
  TrainJob: [name, col('State', (t) => (t.status?.conditions ?? []).slice(-1)[0]?.type ?? ''), ageCol],
};

export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? '') && /g=meta\.k8s\.io/.test(accept ?? '');
}

function rowObject(o: any, includeObject: string | null): unknown {
  if (includeObject === 'None') return undefined;
  if (includeObject === 'Object') return o;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

export function toTable(t: ResourceType, objects: any[], listMeta: Record<string, unknown>, includeObject: string | null): unknown {
  const cols = COLUMNS[t.kind] ?? [name, ageCol];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: cols.map(({ cell: _c, ...d }) => d),
    rows: objects.map((o) => {
      const row: Record<string, unknown> = { cells: cols.map((c) => c.cell(o)) };
      const obj = rowObject(o, includeObject);
      if (obj !== undefined) row.object = obj;
      return row;
    }),
  };
}
