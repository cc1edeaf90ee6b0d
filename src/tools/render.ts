/** Compact text renderings shared by tools: aligned tables and short key/value blocks. */

export type Cell = string | number | boolean | null | undefined;

/** An aligned plain-text table; `empty` is printed when there are no rows. */
export function table(headers: string[], rows: Cell[][], empty = '(none)'): string {
  if (rows.length === 0) return empty;
  const cells = rows.map((r) => r.map(cell));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

function cell(c: Cell): string {
  if (c === null || c === undefined || c === '') return '-';
  if (typeof c === 'boolean') return c ? 'yes' : 'no';
  return String(c);
}

/** "key: value" lines, skipping empty values. */
export function fields(pairs: Array<[string, Cell]>): string {
  return pairs
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}: ${cell(v)}`)
    .join('\n');
}

/** The checks a preview ran, one per line: ok / FAIL / ? (could not be checked). */
export function renderChecks(checks: ReadonlyArray<{ check: string; ok: boolean | null; detail: string }>): string {
  return checks.map((c) => `  ${c.ok === true ? 'ok  ' : c.ok === false ? 'FAIL' : '?   '} ${c.check}: ${c.detail}`).join('\n');
}

/** A log tail under its heading; "(no output yet)" when it is empty. */
export const renderLog = (head: string, lines: string[]): string => [head, ...(lines.length ? lines : ['(no output yet)'])].join('\n');

/** "Delete" for "delete". */
export const capital = (s: string): string => `${s.charAt(0).toUpperCase()}${s.slice(1)}`;

/** "a=1, b=2" for small maps. */
export function kv(map: Record<string, unknown> | undefined, separator = ', '): string {
  if (!map) return '';
  return Object.entries(map)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(separator);
}

/** A relative age like kubectl prints: 45s, 12m, 3h, 5d. */
export function age(iso: string | undefined, now = Date.now()): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return '-';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

const MAX_STRING = 240;
/** Server bookkeeping a preview or result need not show. */
const BOOKKEEPING = new Set(['managedFields', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'status']);

/** The wire object without server bookkeeping, long strings shortened (the script can be many KB). */
export function forDisplay(obj: unknown): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}… [${v.length - MAX_STRING} more chars]` : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (!BOOKKEEPING.has(k)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(obj) as Record<string, unknown>;
}
