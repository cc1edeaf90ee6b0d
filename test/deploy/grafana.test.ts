/**
 * deploy/grafana/kubeflow-mcp.json: every metric a panel or variable queries is one the built
 * server exports on /metrics (read from the exposition's TYPE lines, so a metric no call has
 * touched yet counts too), and the dashboard is well formed enough to import.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv, startHttpServer, type HttpServerProcess } from '../support/mcp.js';

const DASHBOARD = path.resolve(import.meta.dirname, '../../deploy/grafana/kubeflow-mcp.json');

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Array<{ expr: string; refId: string }>;
}
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; query: unknown }> };
};

/** PromQL words that are not metric names: aggregation modifiers, set operators, offsets. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression selects: identifiers not called as functions, outside label matchers, ranges and grouping clauses. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  return [...bare.matchAll(/(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)].map((m) => m[1]!).filter((w) => !KEYWORDS.has(w.toLowerCase()));
}

const queries = [
  ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr }))),
  ...dashboard.templating.list.flatMap((v) =>
    v.query && typeof v.query === 'object'
      ? [{ where: `variable $${v.name}`, expr: (v.query as { query: string }).query.replace(/^label_values\(([^,]+),.*\)$/, '$1') }]
      : [],
  ),
];

let srv: HttpServerProcess;
let exported: Set<string>;

beforeAll(async () => {
  srv = await startHttpServer(['--backend', 'local'], isolatedEnv());
  const text = await (await fetch(new URL('/metrics', srv.url))).text();
  exported = new Set();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exported.add(`${name}${suffix}`);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) exported.add(`${name}${suffix}`);
    else exported.add(name!);
  }
});

afterAll(async () => {
  await srv?.stop();
});

describe('Grafana dashboard', () => {
  it('finds metric names in PromQL', () => {
    expect(metricNames('histogram_quantile(0.95, sum by (le, tool) (rate(a_bucket{job=~"$job",x="y{z}"}[$__rate_interval]))) / on (tool) b_total')).toEqual([
      'a_bucket',
      'b_total',
    ]);
  });

  it('queries only metrics the server exports', () => {
    expect(queries.length).toBeGreaterThan(15);
    for (const q of queries) {
      const names = metricNames(q.expr);
      expect(names.length, `${q.where}: ${q.expr}`).toBeGreaterThan(0);
      for (const n of names) expect(exported.has(n), `${q.where} queries ${n}, which /metrics does not export`).toBe(true);
    }
  });

  it('shows every kubeflow-mcp metric somewhere', () => {
    const queried = new Set(queries.flatMap((q) => metricNames(q.expr)));
    const ours = [...exported].filter((n) => n.startsWith('kubeflow_mcp_') || n.startsWith('mcp_'));
    const family = (n: string) => n.replace(/_(bucket|sum|count)$/, '');
    for (const n of ours)
      expect(
        [...queried].some((q) => family(q) === family(n)),
        `${n} is on no panel`,
      ).toBe(true);
  });

  it('is importable: unique panel ids, the datasource variable on every query panel, panels inside the 24-column grid', () => {
    expect(dashboard.uid).toBe('kubeflow-mcp');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'job']);
    for (const p of dashboard.panels) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      if (p.type !== 'row') expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
  });
});
