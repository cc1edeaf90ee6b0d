/**
 * The registry's data: registered models and model versions (MLMD contexts, one id sequence),
 * artifacts (their own id sequence, linked to versions), with the server-set fields (id, times,
 * default states) and the list/paging rules of the Go server: orderBy ID | CREATE_TIME |
 * LAST_UPDATE_TIME, sortOrder ASC | DESC, pageSize (absent = everything), an opaque
 * nextPageToken ("" on the last page; a malformed one is a 400).
 */

export type Entity = Record<string, any>;

export class RegistryError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ListQuery {
  pageSize?: string;
  orderBy?: string;
  sortOrder?: string;
  nextPageToken?: string;
}

export interface ListResult {
  items: Entity[];
  nextPageToken: string;
  pageSize: number;
  size: number;
}

export class RegistryStore {
  readonly models = new Map<string, Entity>();
  readonly versions = new Map<string, Entity>();
  readonly artifacts = new Map<string, Entity>();
  /** artifact id → version ids it is attached to. */
  readonly links = new Map<string, Set<string>>();
  private contextSeq = 0;
  private artifactSeq = 0;
  private lastMs = 0;

  /** Strictly increasing milliseconds, so CREATE_TIME ordering is deterministic. */
  now(): string {
    this.lastMs = Math.max(Date.now(), this.lastMs + 1);
    return String(this.lastMs);
  }

  nextContextId(): string {
    return String(++this.contextSeq);
  }

  nextArtifactId(): string {
    return String(++this.artifactSeq);
  }

  list(items: Entity[], q: ListQuery): ListResult {
    const orderBy = q.orderBy || 'ID';
    const desc = q.sortOrder === 'DESC';
    const key = (e: Entity): number =>
      Number(orderBy === 'CREATE_TIME' ? e.createTimeSinceEpoch : orderBy === 'LAST_UPDATE_TIME' ? e.lastUpdateTimeSinceEpoch : e.id);
    const cmp = (a: Entity, b: Entity): number => (key(a) - key(b) || Number(a.id) - Number(b.id)) * (desc ? -1 : 1);
    let sorted = [...items].sort(cmp);
    if (q.nextPageToken) {
      const cursor = decodeToken(q.nextPageToken);
      sorted = sorted.filter((e) => cmp(e, { id: cursor.id, createTimeSinceEpoch: cursor.v, lastUpdateTimeSinceEpoch: cursor.v }) > 0);
    }
    const size = q.pageSize ? Number(q.pageSize) : 0;
    const hasMore = size > 0 && sorted.length > size;
    const page = size > 0 ? sorted.slice(0, size) : sorted;
    const last = page[page.length - 1];
    return {
      items: page,
      nextPageToken: hasMore && last ? encodeToken({ id: last.id, v: String(key(last)) }) : '',
      pageSize: size,
      size: page.length,
    };
  }
}

function encodeToken(t: { id: string; v: string }): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(raw: string): { id: string; v: string } {
  try {
    const t = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (typeof t?.id === 'string' && typeof t?.v === 'string') return t;
  } catch {
    // fall through
  }
  throw new RegistryError(400, `invalid nextPageToken: ${raw}`);
}
