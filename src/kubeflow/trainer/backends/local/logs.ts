/**
 * Reading a job's log without ever loading it: the tail is found by scanning backwards from the
 * end in fixed chunks, `since` is a binary search in the wrapper's (time, offset) index, and the
 * lines are decoded forwards in chunks into a ring of `tail` lines, each clipped. Memory is
 * O(tail x line limit) whatever the log's size; time is O(bytes of the returned lines).
 *
 * The wrapper caps the log by rotating it (wrapper.ts): a new file with the head, a marker and
 * the tail is renamed over the old one, index first. A reader works on the file it opened (an
 * open file never changes under it), checks that the index it read belongs to that file, and a
 * follower moves to the new file at the place the rotation record gives.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { readJson } from './atomicFile.js';
import { MAX_LINE_CHARS } from '../kubernetes/logs.js';
import { isErrno } from './errors.js';
import { sleep } from './processes.js';
import { INDEX_INTERVAL_MS, INDEX_RECORD_BYTES, ROTATION_SUFFIX } from './wrapper.js';

const CHUNK_BYTES = 64 * 1024;
/** Bytes of one line kept before clipping (room for MAX_LINE_CHARS of any UTF-8). */
const MAX_LINE_BYTES = MAX_LINE_CHARS * 4;
/** A tail never scans further back than this (a log of a few gigantic lines). */
const MAX_SCAN_BYTES = 64 * 1024 * 1024;
const FOLLOW_POLL_MS = 200;
const NEWLINE = 0x0a;
/** Reopen attempts when the log rotates between opening it and reading its index. */
const ROTATION_RETRIES = 5;

export interface LogRead {
  lines: string[];
  /** Older lines exist before the first one returned. */
  truncated: boolean;
}

export interface LogReadOptions {
  tail: number;
  sinceSeconds?: number;
  /** Keep reading new output until this time (epoch ms), the signal, or `finished()`. */
  followUntil?: number;
  signal?: AbortSignal;
  /** True once the job's output is complete (its exit is recorded). */
  finished?: () => Promise<boolean>;
}

export async function readLog(files: { log: string; index: string }, opts: LogReadOptions): Promise<LogRead> {
  const ring = new LineRing(opts.tail);
  let handle = await openIfExists(files.log);
  if (!handle && !opts.followUntil) return { lines: [], truncated: false };
  try {
    let offset = 0;
    let olderExist = false;
    const splitter = new LineSplitter((line) => ring.push(line));
    if (handle) {
      let size = (await handle.stat()).size;
      let from = 0;
      if (opts.sinceSeconds !== undefined) {
        let since = await offsetSince(files.index, Date.now() - opts.sinceSeconds * 1000, size);
        // The index must be the one of the file we hold: retry if the log rotated meanwhile.
        for (let i = 0; i < ROTATION_RETRIES && (await rotated(files.log, handle)); i++) {
          await handle.close();
          handle = await openIfExists(files.log);
          if (!handle) return { lines: [], truncated: false };
          size = (await handle.stat()).size;
          since = await offsetSince(files.index, Date.now() - opts.sinceSeconds * 1000, size);
        }
        from = await lineStart(handle, since);
      }
      const start = await tailStart(handle, opts.tail, from, size);
      olderExist = start.truncated;
      await streamRange(handle, start.offset, size, splitter);
      offset = size;
    }
    if (opts.followUntil) await follow(files.log, handle, offset, splitter, opts);
    splitter.end();
    return { lines: ring.lines(), truncated: olderExist || ring.dropped > 0 };
  } finally {
    await handle?.close();
  }
}

/** Every line of the log as it is now, oldest first, in chunks (the log is never loaded whole). */
export async function eachLogLine(file: string, each: (line: string) => void): Promise<void> {
  const handle = await openIfExists(file);
  if (!handle) return;
  try {
    const splitter = new LineSplitter(each);
    await streamRange(handle, 0, (await handle.stat()).size, splitter);
    splitter.end();
  } finally {
    await handle.close();
  }
}

/** The last `count` lines of a log (for failure messages). */
export async function lastLines(file: string, count: number): Promise<string[]> {
  return (await readLog({ log: file, index: '' }, { tail: count })).lines;
}

async function follow(file: string, existing: FileHandle | undefined, offset: number, splitter: LineSplitter, opts: LogReadOptions): Promise<number> {
  let handle = existing;
  const until = opts.followUntil ?? 0;
  try {
    while (Date.now() < until && !opts.signal?.aborted) {
      handle ??= await openIfExists(file);
      const size = handle ? (await handle.stat()).size : 0;
      if (handle && size > offset) {
        await streamRange(handle, offset, size, splitter);
        offset = size;
        continue;
      }
      if (handle && (await rotated(file, handle))) {
        // Everything of the old file is read: find where it ends in the log there is now. Both
        // files stay open while the record is read, so neither inode can be reused meanwhile (the
        // record is written before the new log replaces the old, so it covers the one opened).
        const held = handle;
        handle = await openIfExists(file);
        const [was, now] = await Promise.all([held.stat(), handle?.stat()]);
        const record = await readJson<RotationRecord>(`${file}${ROTATION_SUFFIX}`).catch(() => undefined);
        if (held !== existing) await held.close();
        const resume = resumeAfterRotation(record, was.ino, now?.ino, offset);
        // Output between was dropped: the line in progress ends here, it does not continue.
        if (resume.gap) splitter.end();
        offset = Math.min(resume.offset, now?.size ?? 0);
        continue;
      }
      // Drained: stop once nothing more can come. The log may have been rotated between the check
      // above and the writer's exit: once it has exited nothing rotates, so look again first.
      if (opts.finished && (await opts.finished())) {
        if (handle && (await rotated(file, handle))) continue;
        const after = handle ? (await handle.stat()).size : 0;
        if (after <= offset) break;
        continue;
      }
      await sleep(Math.min(FOLLOW_POLL_MS, Math.max(0, until - Date.now())));
    }
  } finally {
    if (handle !== existing) await handle?.close();
  }
  return offset;
}

/** One rotation of a capped log into generation `gen` (file `ino`): bytes [headEnd, tailFrom) of the one before were dropped. */
interface Rotation {
  gen: number;
  ino: number;
  headEnd: number;
  tailFrom: number;
  /** Where byte `tailFrom` and later moved: offset + shift. */
  shift: number;
}

/** The wrapper's record (wrapper.ts): its latest rotations. Jobs started before it have only rotatedSize. */
export interface RotationRecord {
  rotatedSize?: number;
  rotations?: Rotation[];
}

/**
 * The generation of the log file `ino`, which the caller holds open: the latest rotation that
 * created a file with that inode (an inode held open cannot be reused, so a later one cannot),
 * 0 for the first file, undefined when the record no longer reaches back to it.
 */
function generationOf(rotations: Rotation[], ino: number): number | undefined {
  for (let i = rotations.length - 1; i >= 0; i--) if (rotations[i]!.ino === ino) return rotations[i]!.gen;
  return rotations.length === 0 || rotations[0]!.gen === 1 ? 0 : undefined;
}

/**
 * Where a reader that has read `offset` bytes of the log file `heldIno` goes on in the log file
 * `currentIno`, through every rotation between (a slow reader can miss several); the caller holds
 * both open. `gap` when output it had not read was dropped: it then goes on at a marker line, which
 * says how much. Exported for tests.
 */
export function resumeAfterRotation(
  record: RotationRecord | undefined,
  heldIno: number,
  currentIno: number | undefined,
  offset: number,
): { offset: number; gap: boolean } {
  const rotations = record?.rotations;
  if (!rotations?.length || currentIno === undefined) return { offset: record?.rotatedSize ?? 0, gap: false };
  const target = generationOf(rotations, currentIno);
  const held = generationOf(rotations, heldIno);
  const marker = { offset: rotations.find((r) => r.gen === target)?.headEnd ?? 0, gap: true };
  if (target === undefined || held === undefined || held >= target) return marker;
  let at = offset;
  let gap = false;
  for (let gen = held + 1; gen <= target; gen++) {
    const r = rotations.find((x) => x.gen === gen);
    if (!r) return marker;
    if (at > r.headEnd && at < r.tailFrom) [at, gap] = [r.headEnd, true];
    else if (at >= r.tailFrom) at += r.shift;
  }
  return { offset: at, gap };
}

/** True when `file` is no longer the file `handle` has open (the log was rotated). */
async function rotated(file: string, handle: FileHandle): Promise<boolean> {
  const [now, held] = await Promise.all([stat(file).catch(() => undefined), handle.stat()]);
  return now !== undefined && now.ino !== held.ino;
}

/**
 * Where the last `tail` lines of [from, end) begin. A final newline ends the last line rather
 * than starting an empty one.
 */
async function tailStart(handle: FileHandle, tail: number, from: number, end: number): Promise<{ offset: number; truncated: boolean }> {
  if (end <= from) return { offset: end, truncated: false };
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let cursor = end;
  let newlines = 0;
  let skipFinalNewline = true;
  while (cursor > from) {
    const size = Math.min(CHUNK_BYTES, cursor - from);
    cursor -= size;
    await handle.read(buf, 0, size, cursor);
    for (let i = size - 1; i >= 0; i--) {
      if (buf[i] !== NEWLINE) continue;
      if (skipFinalNewline && cursor + i === end - 1) continue;
      if (++newlines === tail) return { offset: cursor + i + 1, truncated: true };
    }
    skipFinalNewline = false;
    if (end - cursor >= MAX_SCAN_BYTES) return { offset: cursor, truncated: cursor > from };
  }
  return { offset: from, truncated: false };
}

async function streamRange(handle: FileHandle, start: number, end: number, splitter: LineSplitter): Promise<void> {
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  for (let pos = start; pos < end;) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(CHUNK_BYTES, end - pos), pos);
    if (bytesRead === 0) break;
    splitter.push(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
}

/**
 * First log offset holding output written at or after `cutoffMs`, give or take one index
 * interval (it errs towards including a little older output).
 */
export async function offsetSince(indexFile: string, cutoffMs: number, logSize: number): Promise<number> {
  const handle = await openIfExists(indexFile);
  if (!handle) return 0;
  try {
    const count = Math.floor((await handle.stat()).size / INDEX_RECORD_BYTES);
    const rec = Buffer.alloc(INDEX_RECORD_BYTES);
    const at = async (i: number) => {
      await handle.read(rec, 0, INDEX_RECORD_BYTES, i * INDEX_RECORD_BYTES);
      return { time: Number(rec.readBigInt64LE(0)), offset: Number(rec.readBigInt64LE(8)) };
    };
    // Output after record k was written within INDEX_INTERVAL_MS of its time.
    const threshold = cutoffMs - INDEX_INTERVAL_MS;
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((await at(mid)).time > threshold) hi = mid;
      else lo = mid + 1;
    }
    return lo < count ? Math.min((await at(lo)).offset, logSize) : logSize;
  } finally {
    await handle.close();
  }
}

/** Moves an offset back to the start of its line (index offsets fall wherever a read ended). */
async function lineStart(handle: FileHandle, offset: number): Promise<number> {
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let cursor = offset;
  while (cursor > 0 && offset - cursor < MAX_LINE_BYTES) {
    const size = Math.min(CHUNK_BYTES, cursor);
    await handle.read(buf, 0, size, cursor - size);
    const nl = buf.subarray(0, size).lastIndexOf(NEWLINE);
    if (nl !== -1) return cursor - size + nl + 1;
    cursor -= size;
  }
  return cursor;
}

async function openIfExists(file: string): Promise<FileHandle | undefined> {
  if (!file) return undefined;
  try {
    return await open(file, 'r');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/** Splits a byte stream into clipped lines, keeping at most MAX_LINE_BYTES of a pending line. */
class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private clippedBytes = 0;

  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, pos);
      const stop = nl === -1 ? chunk.length : nl;
      if (nl !== -1 && this.pendingBytes === 0 && this.clippedBytes === 0 && stop - pos <= MAX_LINE_BYTES) {
        this.emit(clip(chunk.toString('utf8', pos, stop), 0));
      } else {
        this.keep(chunk.subarray(pos, stop));
        if (nl !== -1) this.flush();
      }
      if (nl === -1) break;
      pos = nl + 1;
    }
  }

  /** Emits an unterminated last line. */
  end(): void {
    if (this.pendingBytes > 0 || this.clippedBytes > 0) this.flush();
  }

  private keep(part: Buffer): void {
    const room = Math.max(0, MAX_LINE_BYTES - this.pendingBytes);
    const kept = part.subarray(0, room);
    if (kept.length > 0) {
      // The caller reuses its buffer: copy.
      this.pending.push(Buffer.from(kept));
      this.pendingBytes += kept.length;
    }
    this.clippedBytes += part.length - kept.length;
  }

  private flush(): void {
    const text = Buffer.concat(this.pending, this.pendingBytes).toString('utf8');
    const clipped = this.clippedBytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.clippedBytes = 0;
    this.emit(clip(text, clipped));
  }
}

function clip(line: string, clippedBytes: number): string {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (clippedBytes === 0 && text.length <= MAX_LINE_CHARS) return text;
  if (clippedBytes === 0) return `${text.slice(0, MAX_LINE_CHARS)}… [${text.length - MAX_LINE_CHARS} chars clipped]`;
  const kept = text.slice(0, MAX_LINE_CHARS);
  return `${kept}… [${Buffer.byteLength(text.slice(MAX_LINE_CHARS)) + clippedBytes} bytes clipped]`;
}

/** The last `size` lines in a ring. */
export class LineRing {
  private readonly buf: string[] = [];
  private next = 0;
  dropped = 0;

  constructor(private readonly size: number) {}

  push(line: string): void {
    if (this.size <= 0) {
      this.dropped++;
      return;
    }
    if (this.buf.length < this.size) {
      this.buf.push(line);
      return;
    }
    this.buf[this.next] = line;
    this.next = (this.next + 1) % this.size;
    this.dropped++;
  }

  lines(): string[] {
    return [...this.buf.slice(this.next), ...this.buf.slice(0, this.next)];
  }
}
