/**
 * A job printing a million lines: the server never holds the log (its heap stays flat while the
 * job runs and while reading), and the tail comes from the end of the file, fast.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cleanupAll, custom, launch, newBackend, tempDir } from './helpers.js';

afterAll(cleanupAll);

const MILLION = `
def train(lines):
    import sys
    write = sys.stdout.write
    chunk = []
    for i in range(lines):
        chunk.append(f"line {i} loss={1.0 / (i + 1):.6f}\\n")
        if len(chunk) == 10000:
            write("".join(chunk))
            chunk = []
    write("".join(chunk))
    sys.stdout.flush()
`;

it('a million lines: bounded server memory, fast tail', async () => {
  const storeDir = tempDir();
  const backend = newBackend({ storeDir });
  await backend.whenReady();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 20);
  try {
    const name = await launch(backend, custom(MILLION, { funcArgs: { lines: 1_000_000 } }));
    const res = await backend.waitFor('default', name, { statuses: ['Complete'], timeoutSeconds: 60 });
    expect(res.reached).toBe(true);
    const size = (await stat(path.join(storeDir, 'jobs', 'default', name, 'run', 'output.log'))).size;
    expect(size).toBeGreaterThan(20_000_000);

    let started = performance.now();
    const tail = await backend.logs('default', name, { step: 'node-0', tail: 1000 });
    const tailMs = performance.now() - started;
    expect(tail.lines).toHaveLength(1000);
    expect(tail.lines[0]).toMatch(/^line 999000 /);
    expect(tail.lines.at(-1)).toMatch(/^line 999999 /);
    expect(tail.truncated).toBe(true);

    started = performance.now();
    const recent = await backend.logs('default', name, { step: 'node-0', tail: 100, sinceSeconds: 3600 });
    const sinceMs = performance.now() - started;
    expect(recent.lines.at(-1)).toMatch(/^line 999999 /);

    const growthMb = (peak - baseline) / 2 ** 20;
    console.log(
      `million-line job: log ${(size / 2 ** 20).toFixed(1)} MiB, job ${res.waitedSeconds}s; server heap baseline ${(baseline / 2 ** 20).toFixed(1)} MiB, peak growth ${growthMb.toFixed(1)} MiB; tail 1000 in ${tailMs.toFixed(1)} ms; since+tail 100 in ${sinceMs.toFixed(1)} ms`,
    );
    expect(growthMb).toBeLessThan(30);
    expect(tailMs).toBeLessThan(500);
  } finally {
    clearInterval(sampler);
  }
});

it('clips a gigantic line instead of loading it', async () => {
  const backend = newBackend();
  const name = await launch(backend, custom('def train():\n    import sys\n    sys.stdout.write("x" * 20_000_000 + "\\n")\n    print("end")\n'));
  expect((await backend.waitFor('default', name, { statuses: ['Complete'], timeoutSeconds: 60 })).reached).toBe(true);
  const tail = await backend.logs('default', name, { step: 'node-0', tail: 2 });
  expect(tail.lines).toHaveLength(2);
  expect(tail.lines[0]).toMatch(/^x{2000}… \[19998000 (bytes|chars) clipped\]$/);
  expect(tail.lines[1]).toBe('end');
});
