/**
 * list_training_jobs over a whole namespace on the test API server (loopback), through the built
 * server over Streamable HTTP: first page (default limit 50) at 1,000 and 10,000 jobs — wall time,
 * API requests, tokens of the text (the project's o200k counter) — and the server process's
 * memory (peak and current RSS from /proc) to show it stays bounded as the namespace grows.
 * Targets (issue 9): at 1,000 jobs, median <= 150 ms and <= 1,100 tokens.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, it } from 'vitest';
import { tokenCounter } from '../src/server/tokens.js';
import { startFakeKube, type FakeKube } from '../test/support/fake-kube/index.js';
import { seedJobs } from '../test/support/listing-seed.js';
import { call, connectHttp, isolatedEnv, startHttpServer, type Connected, type HttpServerProcess } from '../test/support/mcp.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let kube: FakeKube;
let srv: HttpServerProcess;
let c: Connected;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const memory = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { peakMiB: kb('VmHWM') / 1024, rssMiB: kb('VmRSS') / 1024 };
};

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: ['jobs-1k', 'jobs-1k-mixed', 'jobs-10k'], controller: false });
  kube.seedDefaultRuntimes();
  seedJobs(kube, 'jobs-1k', 1000);
  seedJobs(kube, 'jobs-1k-mixed', 1000, { runtimeOf: (i) => (i % 3 ? 'torch-distributed' : 'deepspeed-distributed') });
  seedJobs(kube, 'jobs-10k', 10_000);
  const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-bench-list-')), { namespace: 'jobs-1k' });
  srv = await startHttpServer(['--kubeconfig', kubeconfig, '--clients', 'trainer', '--audit-log', 'off'], isolatedEnv());
  c = await connectHttp(srv.url);
}, 120_000);

afterAll(async () => {
  await c?.close();
  await srv?.stop();
  await kube?.close();
});

it.each([
  ['jobs-1k', 1000, 30],
  ['jobs-1k-mixed', 1000, 10],
  ['jobs-10k', 10_000, 10],
] as const)('list_training_jobs first page, %s', async (namespace, count, runs) => {
  const count_ = await tokenCounter();
  await call(c, 'list_training_jobs', { namespace }); // warm-up: runtime lookups, JIT
  const times: number[] = [];
  let text = '';
  let requests = 0;
  for (let i = 0; i < runs; i++) {
    const before = kube.requests.length;
    const t0 = performance.now();
    text = (await call(c, 'list_training_jobs', { namespace })).text;
    times.push(performance.now() - t0);
    requests = kube.requests.length - before;
  }
  const filtered = performance.now();
  await call(c, 'list_training_jobs', { namespace, status: 'Running' });
  const filteredMs = performance.now() - filtered;
  const mem = memory(srv.proc.pid!);
  console.log(
    `list_training_jobs, ${namespace} (${count.toLocaleString('en-US')} jobs): first page median ${median(times).toFixed(1)} ms (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}, n=${runs}); ` +
      `${count_(text)} tokens, ${text.length} chars; ${requests} API requests; status=Running ${filteredMs.toFixed(1)} ms; server RSS ${mem.rssMiB.toFixed(0)} MiB, peak ${mem.peakMiB.toFixed(0)} MiB`,
  );
  if (namespace !== 'jobs-10k') console.log(`first page text (1,000 jobs):\n${text.split('\n').slice(0, 4).join('\n')}\n...`);
});

it('10,000 jobs with the server heap capped at 96 MiB (old space)', async () => {
  const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-bench-cap-')), { namespace: 'jobs-10k' });
  const capped = await startHttpServer(
    ['--kubeconfig', kubeconfig, '--clients', 'trainer', '--audit-log', 'off'],
    isolatedEnv({ NODE_OPTIONS: '--max-old-space-size=96' }),
  );
  const client = await connectHttp(capped.url);
  try {
    for (const args of [{}, { status: 'Running' }, { status: 'Created', limit: 200 }]) await call(client, 'list_training_jobs', args);
    const mem = memory(capped.proc.pid!);
    console.log(`10,000 jobs listed 3 times by a server capped at 96 MiB old space: ok; RSS ${mem.rssMiB.toFixed(0)} MiB, peak ${mem.peakMiB.toFixed(0)} MiB`);
  } finally {
    await client.close();
    await capped.stop();
  }
});
