/** How namespace-wide listings (src/kubeflow/listing.ts) appear in tool outputs: position, totals, counts. */
import { z } from 'zod';
import type { ListingPage } from '../kubeflow/listing.js';

export const listingFields = {
  offset: z.number().describe('rows before this page'),
  matched: z.number().describe('rows matching the filters'),
  total: z.number().describe('rows in the namespace'),
  counts: z.record(z.string(), z.number()).describe('rows by status (filters other than status applied)'),
  filters: z.array(z.string()).optional().describe('filters applied, e.g. status=Complete'),
  continue: z.string().optional(),
};

/** Where a page stands in the listing, and the filters given ("key=value"). */
export function position(page: Omit<ListingPage<unknown>, 'items'>, filters: Record<string, string | undefined>): z.input<z.ZodObject<typeof listingFields>> {
  const given = Object.entries(filters).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
  return {
    offset: page.offset,
    matched: page.matched,
    total: page.total,
    counts: page.counts,
    filters: given.length ? given : undefined,
    continue: page.continue,
  };
}

interface Position {
  filters?: string[];
  offset: number;
  matched: number;
  total: number;
  counts: Record<string, number>;
  continue?: string;
}

const n = (x: number) => x.toLocaleString('en-US');

/**
 * One line: "51–100 of 1,000 TrainJobs in team-a, newest first: 750 Running, 100 Complete" or,
 * filtered, "1–50 of 100 TrainJobs matching status=Complete (1,000 in team-a: ...)".
 */
export function listingHeader(o: Position, shown: number, noun: string, where: string): string {
  const filters = o.filters ?? [];
  const counts = Object.entries(o.counts)
    .map(([status, count]) => `${n(count)} ${status}`)
    .join(', ');
  if (!o.total) return `No ${noun} ${where}.`;
  const range = shown ? `${n(o.offset + 1)}–${n(o.offset + shown)} of ${n(o.matched)}` : `0 of ${n(o.matched)}`;
  return filters.length
    ? `${range} ${noun} matching ${filters.join(', ')}, newest first (${n(o.total)} ${where}${counts ? `: ${counts}` : ''}).`
    : `${range} ${noun} ${where}, newest first: ${counts}.`;
}

export function moreLine(o: Position): string {
  return o.continue ? `More: continue="${o.continue}"` : '';
}
