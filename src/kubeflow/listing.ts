/**
 * Listings that hold over a whole namespace (docs/architecture.md, "Listing"). Kubernetes pages in
 * name order and only by labels; our tools promise newest first and filter by status, so a
 * listing streams every object of the namespace (pages of 500), keeps a small projection of each,
 * counts and filters them all, and keeps only the page shown. Memory: one projection per object
 * plus at most two pages of candidates.
 *
 * The cursor handed to the agent is opaque: the sort key of the last row shown, the namespace and
 * a digest of the filters. The next page holds the rows after that key, so a namespace that
 * changed in between still gives a consistent answer (no row twice, none skipped that was there
 * before and still matches); a cursor used with other filters or another namespace is refused.
 */
import { createHash } from 'node:crypto';
import { CodedError } from './errors.js';

/** What every listed row carries for ordering and counting. */
export interface Listed {
  name: string;
  /** RFC 3339 creation time. */
  created: string;
  status: string;
}

/** Rows per page when the caller names no limit. */
const DEFAULT_LIST_LIMIT = 50;

export interface ListingRequest {
  namespace: string;
  /** Rows per page; default DEFAULT_LIST_LIMIT. */
  limit?: number;
  cursor?: string;
  /** Only rows in this status are shown (counts still cover every status). */
  status?: string;
  /** Every other filter, by name: part of the cursor's digest so a cursor cannot change them. */
  filters?: Record<string, string | undefined>;
}

export interface ListingPage<T> {
  items: T[];
  /** Rows matching all filters that sort before this page (shown on earlier pages, or newer). */
  offset: number;
  /** Rows matching all filters. */
  matched: number;
  /** Rows matching the filters other than status, by status. */
  counts: Record<string, number>;
  /** Rows seen in the namespace (after the label selector, which the API server applies). */
  total: number;
  /** The cursor to pass back for the next page; absent on the last page. */
  continue?: string;
}

class ListingError extends CodedError<'invalid_continue'> {
  override readonly name = 'ListingError';
  constructor(message: string, hint: string) {
    super('invalid_continue', message, hint);
  }
}

interface Key {
  /** Creation time in ms since the epoch (0 when unknown). */
  time: number;
  name: string;
}

const keyOf = (row: Listed): Key => ({ time: Date.parse(row.created) || 0, name: row.name });

function compareKeys(a: Key, b: Key): number {
  if (a.time !== b.time) return a.time < b.time ? 1 : -1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Newest first; ties (same second) by name, so the order is total and stable. */
function compareNewestFirst(a: Listed, b: Listed): number {
  return compareKeys(keyOf(a), keyOf(b));
}

/** Collects rows one at a time (in any order) and answers one page of them. */
export class NamespaceListing<T extends Listed> {
  private readonly after?: Key;
  private readonly digest: string;
  private readonly counts = new Map<string, number>();
  private candidates: T[] = [];
  private total = 0;
  private matched = 0;
  private offset = 0;
  private readonly limit: number;

  constructor(private readonly req: ListingRequest) {
    this.limit = req.limit ?? DEFAULT_LIST_LIMIT;
    this.digest = filterDigest(req);
    this.after = req.cursor === undefined ? undefined : decodeCursor(req.cursor, this.digest);
  }

  /** One row of the namespace; `matches` says whether it passes the filters other than status. */
  add(row: T, matches = true): void {
    this.total++;
    if (!matches) return;
    this.counts.set(row.status, (this.counts.get(row.status) ?? 0) + 1);
    if (this.req.status !== undefined && row.status !== this.req.status) return;
    this.matched++;
    if (this.after && compareKeys(keyOf(row), this.after) <= 0) {
      this.offset++;
      return;
    }
    this.candidates.push(row);
    // Bounded: once two pages are buffered, keep the first one (plus one row to know there is more).
    if (this.candidates.length >= 2 * (this.limit + 1)) this.candidates = this.candidates.sort(compareNewestFirst).slice(0, this.limit + 1);
  }

  page(): ListingPage<T> {
    const sorted = this.candidates.sort(compareNewestFirst);
    const items = sorted.slice(0, this.limit);
    const last = items[items.length - 1];
    const more = sorted.length > items.length && last !== undefined;
    const counts = Object.fromEntries([...this.counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
    return {
      items,
      offset: this.offset,
      matched: this.matched,
      counts,
      total: this.total,
      ...(more ? { continue: encodeCursor(this.digest, keyOf(last)) } : {}),
    };
  }
}

/** Namespace and filters, digested: a cursor only continues the listing it came from. */
function filterDigest(req: ListingRequest): string {
  const filters = Object.entries({ ...req.filters, status: req.status })
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256')
    .update(JSON.stringify([req.namespace, filters]))
    .digest('base64url')
    .slice(0, 10);
}

const CURSOR_VERSION = 'c2';

/** "c2.<digest>.<time, base 36>.<name>": short (it is paid for in tokens on every page), still opaque. */
function encodeCursor(digest: string, last: Key): string {
  return `${CURSOR_VERSION}.${digest}.${last.time.toString(36)}.${last.name}`;
}

function decodeCursor(cursor: string, digest: string): Key {
  const [version, from, time, ...name] = cursor.split('.');
  const ms = time !== undefined && /^[0-9a-z]{1,12}$/.test(time) ? parseInt(time, 36) : NaN;
  if (version !== CURSOR_VERSION || !from || !Number.isSafeInteger(ms) || !name.length || !name.join('.')) {
    throw new ListingError('the continue token is not one this listing gave out', 'list again without continue to start from the first page');
  }
  if (from !== digest) {
    throw new ListingError(
      'the continue token was given out for another namespace or other filters',
      'pass the same namespace and filters as for the first page, or list again without continue',
    );
  }
  return { time: ms, name: name.join('.') };
}
