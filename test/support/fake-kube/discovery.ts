/** Non-resource endpoints: API discovery (legacy, non-aggregated format), /version and health checks. */
import type { ServerState } from './context.js';
import { pathNotFound } from './errors.js';
import { sendJson, sendText, type Responder } from './http-util.js';
import { RESOURCE_TYPES, servedGroups, type ResourceType } from './registry.js';

const SUBRESOURCE_VERBS: Record<string, string[]> = { status: ['get', 'patch', 'update'], log: ['get'] };

function resourceList(group: string, version: string): unknown {
  const resources: unknown[] = [];
  for (const t of RESOURCE_TYPES.filter((x: ResourceType) => x.group === group && x.version === version)) {
    const r: Record<string, unknown> = { name: t.resource, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: t.verbs };
    if (t.shortNames) r.shortNames = t.shortNames;
    resources.push(r);
    for (const s of t.subresources)
      resources.push({
        name: `${t.resource}/${s}`,
        singularName: '',
        namespaced: t.namespaced,
        kind: s === 'log' ? 'Pod' : t.kind,
        verbs: SUBRESOURCE_VERBS[s] ?? ['get'],
      });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function apiGroup(group: string, versions: string[]): unknown {
  const vs = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: vs, preferredVersion: vs[0] };
}

const VERSION_INFO = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.0',
  gitCommit: '9edcffcde5595e8a5b1a35f88c421764e575afce',
  gitTreeState: 'clean',
  buildDate: '2024-08-13T07:28:49Z',
  goVersion: 'go1.22.5',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export const PUBLIC_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);

export function handleNonResource(state: ServerState, res: Responder, method: string, path: string): void {
  if (method !== 'GET' && method !== 'HEAD') throw pathNotFound();
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/healthz' || p === '/livez' || p === '/readyz') return sendText(res, 200, 'ok');
  if (p === '/version') return sendJson(res, 200, VERSION_INFO);
  if (p === '/api')
    return sendJson(res, 200, {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: state.address() }],
    });
  if (p === '/api/v1') return sendJson(res, 200, resourceList('', 'v1'));
  const groups = servedGroups().filter((g) => g.group !== '' && !state.uninstalled.has(g.group));
  if (p === '/apis') return sendJson(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => apiGroup(g.group, g.versions)) });
  const m = p.match(/^\/apis\/([^/]+)(?:\/([^/]+))?$/);
  const g = m ? groups.find((x) => x.group === m[1]) : undefined;
  if (g && m![2] === undefined) return sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...(apiGroup(g.group, g.versions) as object) });
  if (g && g.versions.includes(m![2]!)) return sendJson(res, 200, resourceList(g.group, m![2]!));
  throw pathNotFound();
}
