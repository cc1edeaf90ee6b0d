/** The pure parts of the local backend: label selectors, the log reader on edge cases, the queue, conditions. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLabelSelector } from '../../src/kubeflow/trainer/backends/local/labels.js';
import { LineRing, offsetSince, readLog, resumeAfterRotation, type RotationRecord } from '../../src/kubeflow/trainer/backends/local/logs.js';
import { FileLocks } from '../../src/kubeflow/trainer/backends/local/fileLock.js';
import { StoreQueue } from '../../src/kubeflow/trainer/backends/local/queue.js';
import { setCondition } from '../../src/kubeflow/trainer/backends/local/views.js';
import { withEvent, lifecycleEvent, MAX_EVENTS_PER_JOB } from '../../src/kubeflow/trainer/backends/local/events.js';
import { cleanupAll, tempDir } from './helpers.js';

afterAll(cleanupAll);

describe('label selectors', () => {
  const labels = { team: 'nlp', tier: 'gold', 'kubeflow.org/owner': 'ana' };
  it.each([
    ['', true],
    ['team=nlp', true],
    ['team==nlp', true],
    ['team!=nlp', false],
    ['team in (cv, nlp)', true],
    ['team notin (cv,nlp)', false],
    ['missing!=x', true],
    ['tier,kubeflow.org/owner=ana', true],
    ['!tier', false],
    ['!missing', true],
    ['team=nlp,tier=silver', false],
  ])('%s -> %s', (selector, expected) => {
    expect(parseLabelSelector(selector)(labels)).toBe(expected);
  });
  it.each(['=x', 'team in nlp', 'a b', 'team=(x)'])('rejects %s', (selector) => {
    expect(() => parseLabelSelector(selector)).toThrow(/cannot parse label selector/);
  });
});

describe('log reader', () => {
  const dir = tempDir();
  const file = async (name: string, text: string | Buffer) => {
    const p = path.join(dir, name);
    await writeFile(p, text);
    return { log: p, index: '' };
  };

  it('handles empty, missing, unterminated and CRLF logs', async () => {
    expect(await readLog({ log: path.join(dir, 'none'), index: '' }, { tail: 5 })).toEqual({ lines: [], truncated: false });
    expect(await readLog(await file('empty', ''), { tail: 5 })).toEqual({ lines: [], truncated: false });
    expect(await readLog(await file('partial', 'a\nb'), { tail: 5 })).toEqual({ lines: ['a', 'b'], truncated: false });
    expect(await readLog(await file('crlf', 'a\r\nb\r\n'), { tail: 1 })).toEqual({ lines: ['b'], truncated: true });
    expect(await readLog(await file('blank', '\n\nx\n'), { tail: 10 })).toEqual({ lines: ['', '', 'x'], truncated: false });
  });

  it('tails across chunk boundaries exactly', async () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `${i}:${'y'.repeat(i % 37)}`);
    const f = await file('many', `${lines.join('\n')}\n`);
    for (const tail of [1, 2, 999, 1000, 49_999, 50_000, 60_000]) {
      const res = await readLog(f, { tail });
      expect(res.lines).toEqual(lines.slice(-tail));
      expect(res.truncated).toBe(tail < lines.length);
    }
  });

  it('finds offsets by time in the index (1 s granularity, erring towards more)', async () => {
    const records = [
      [1_000_000, 0],
      [1_002_000, 100],
      [1_004_000, 250],
    ];
    const index = Buffer.alloc(16 * records.length);
    records.forEach(([t, o], i) => {
      index.writeBigInt64LE(BigInt(t!), i * 16);
      index.writeBigInt64LE(BigInt(o!), i * 16 + 8);
    });
    const idx = path.join(dir, 'idx');
    await writeFile(idx, index);
    expect(await offsetSince(idx, 999_000, 300)).toBe(0);
    expect(await offsetSince(idx, 1_001_500, 300)).toBe(100);
    expect(await offsetSince(idx, 1_002_500, 300)).toBe(100);
    expect(await offsetSince(idx, 1_003_500, 300)).toBe(250);
    expect(await offsetSince(idx, 1_009_000, 300)).toBe(300);
  });

  it('the ring keeps the last lines and counts the dropped', () => {
    const ring = new LineRing(3);
    for (const l of ['a', 'b', 'c', 'd', 'e']) ring.push(l);
    expect(ring.lines()).toEqual(['c', 'd', 'e']);
    expect(ring.dropped).toBe(2);
  });
});

describe('queue', () => {
  it('is FIFO by seq, bounded by slots, skips held jobs, drops stale slots', async () => {
    const q = new StoreQueue(tempDir(), new FileLocks(), { maxConcurrent: 2, defaultMaxConcurrent: 1, maxQueued: 10 });
    await q.init();
    for (const [key, seq] of [
      ['ns/c', 3],
      ['ns/a', 1],
      ['ns/b', 2],
      ['ns/d', 4],
    ] as const)
      await q.enqueue(key, seq);
    const holding = new Set<string>();
    const held = new Set(['ns/b']);
    const claim = async () => {
      const keys = await q.claim(
        async (k) => holding.has(k),
        async (k) => (held.has(k) ? 'hold' : 'start'),
      );
      for (const k of keys) holding.add(k);
      return keys;
    };
    expect(await claim()).toEqual(['ns/a', 'ns/c']);
    expect(await claim()).toEqual([]);
    holding.delete('ns/a'); // its slot entry is stale now
    expect(await claim()).toEqual(['ns/d']);
    await q.release('ns/c');
    holding.delete('ns/c');
    held.delete('ns/b');
    expect(await claim()).toEqual(['ns/b']);
    expect(await q.counts()).toEqual({ running: 2, queued: 0, limit: 2, maxQueued: 10 });
  });
});

describe('conditions and events', () => {
  it('keeps one condition per type and moves the transition time only on change', () => {
    const t1 = new Date('2026-01-01T00:00:00Z');
    const t2 = new Date('2026-01-01T00:01:00Z');
    const a = setCondition([], { type: 'Suspended', status: 'True', reason: 'Suspended' }, t1);
    const b = setCondition(a, { type: 'Suspended', status: 'True', reason: 'Suspended', message: 'again' }, t2);
    expect(b).toEqual([{ type: 'Suspended', status: 'True', reason: 'Suspended', message: 'again', lastTransitionTime: t1.toISOString() }]);
    const c = setCondition(b, { type: 'Suspended', status: 'False', reason: 'Resumed' }, t2);
    expect(c[0]!.lastTransitionTime).toBe(t2.toISOString());
  });

  it('counts repeats and keeps a bounded history', () => {
    const job = { namespace: 'default', name: 'j', uid: 'u' };
    let history = withEvent([], lifecycleEvent(job, 'Started', 'x'));
    history = withEvent(history, lifecycleEvent(job, 'Started', 'x'));
    expect(history).toHaveLength(1);
    expect(history[0]!.count).toBe(2);
    for (let i = 0; i < 200; i++) history = withEvent(history, lifecycleEvent(job, 'Tick', String(i)));
    expect(history).toHaveLength(MAX_EVENTS_PER_JOB);
    expect(history.at(-1)!.message).toBe('199');
  });
});

describe('following a capped log across rotations', () => {
  // Generations 0 (ino 10) -> 1 (11) -> 2 (12) -> 3 (10 again: the first file's inode, reused once
  // nobody held it); each keeps [0, headEnd), a marker, then [tailFrom, end) moved by shift.
  const record: RotationRecord = {
    rotatedSize: 800,
    rotations: [
      { gen: 1, ino: 11, headEnd: 250, tailFrom: 500, shift: -200 },
      { gen: 2, ino: 12, headEnd: 250, tailFrom: 700, shift: -400 },
      { gen: 3, ino: 10, headEnd: 250, tailFrom: 600, shift: -300 },
    ],
  };

  it('goes on where the old end is in the next log', () => {
    expect(resumeAfterRotation(record, 12, 10, 1100)).toEqual({ offset: 800, gap: false });
  });

  it('follows several missed rotations, and says so when what it had not read was dropped', () => {
    // The end of generation 1 (1200) is at 800 in 2, which lies in 2's kept tail: 500 in 3.
    expect(resumeAfterRotation(record, 11, 10, 1200)).toEqual({ offset: 500, gap: false });
    // The record may already hold a rotation past the file the reader opened: it stops there.
    expect(resumeAfterRotation(record, 11, 12, 1200)).toEqual({ offset: 800, gap: false });
    // Generation 1 read to 600 only (then it was rotated): 400 in 2, dropped by 3: 3's marker.
    expect(resumeAfterRotation(record, 11, 10, 600)).toEqual({ offset: 250, gap: true });
  });

  it('tells files apart by generation: the first file is generation 0 while no newer file has its inode', () => {
    const first: RotationRecord = { rotations: [{ gen: 1, ino: 11, headEnd: 250, tailFrom: 500, shift: -200 }] };
    expect(resumeAfterRotation(first, 10, 11, 1000)).toEqual({ offset: 800, gap: false });
  });

  it('goes on at the newest marker when the record no longer reaches back to its file', () => {
    const late: RotationRecord = { rotations: record.rotations!.slice(2) };
    expect(resumeAfterRotation(late, 11, 10, 1200)).toEqual({ offset: 250, gap: true });
  });

  it('reads the older record (jobs started before the history): rotatedSize', () => {
    expect(resumeAfterRotation({ rotatedSize: 800 }, 10, 11, 1000)).toEqual({ offset: 800, gap: false });
    expect(resumeAfterRotation(undefined, 10, 11, 1000)).toEqual({ offset: 0, gap: false });
  });
});
