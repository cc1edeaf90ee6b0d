/**
 * The dashboard MCP App in a real browser: headless Chromium (Debian's package) runs the page in
 * the SDK's own host bridge (support/host-page.ts), against the real server. On the local backend a
 * running job's curve gains points while it prints and ends in its final state; on the test API
 * server a click on a step shows that step's logs and an optimization shows its trials with the
 * best one marked. Screenshots: test-artifacts/dashboard/.
 *
 * Without Chromium the suite is skipped, unless KUBEFLOW_MCP_BROWSER_TESTS=required (.ci/run sets
 * it, so CI cannot pass without running these).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXTENSION_ID, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INJECTION_LABEL, startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { call, connectStdio, isolatedEnv, type Connected } from '../support/mcp.js';
import { findChromium, startDashboardHost, type DashboardHost } from './support/browserHost.js';

const APPS = { extensions: { [EXTENSION_ID]: { mimeTypes: [RESOURCE_MIME_TYPE] } } };
const CHROMIUM = findChromium();
if (!CHROMIUM && process.env.KUBEFLOW_MCP_BROWSER_TESTS === 'required') {
  throw new Error('KUBEFLOW_MCP_BROWSER_TESTS=required but no Chromium was found: `apt-get install chromium`, or set CHROMIUM_PATH.');
}

// Prints a line the page must show as text, then a falling loss over ~9 s.
const TRAIN = `
def train():
    import time
    print('<img src=x onerror="alert(document.domain)"><b>not markup</b>', flush=True)
    for step in range(1, 31):
        print(f"step={step} loss={2 - step / 20:.4f}", flush=True)
        time.sleep(0.3)
`;

describe.skipIf(!CHROMIUM)('dashboard in headless Chromium', () => {
  describe('a running job on the local backend', () => {
    let c: Connected;
    let host: DashboardHost;
    beforeAll(async () => {
      c = await connectStdio(['--backend', 'local'], isolatedEnv(), 'modern', APPS);
      host = await startDashboardHost(c, CHROMIUM!);
    });
    afterAll(async () => {
      await host?.close();
      await c?.close();
    });

    it('follows the curve live, shows log text as text, follows the theme, and ends in the final state', async () => {
      const name = (await call<{ job: { name: string } }>(c, 'run_custom_training', { code: TRAIN, confirmed: true })).data.job.name;
      await call(c, 'wait_for_training', { name, status: 'Running', timeout_seconds: 30 });
      await host.open('get_training_job', { name }, { theme: 'dark', styles: { variables: { '--color-background-primary': 'rgb(16, 20, 24)' } } });
      const app = host.app;

      await expect.poll(() => app.locator('#title').textContent(), { timeout: 10_000 }).toContain(name);
      // The curve while the job runs: a first reading, then more points, the job still Running.
      await expect
        .poll(
          async () =>
            Number(
              await app
                .locator('svg.chart')
                .getAttribute('data-points', { timeout: 500 })
                .catch(() => '0'),
            ),
          { timeout: 15_000 },
        )
        .toBeGreaterThan(1);
      const first = Number(await app.locator('svg.chart').getAttribute('data-points'));
      await expect
        .poll(async () => Number(await app.locator('svg.chart').getAttribute('data-points')), { timeout: 10_000, interval: 200 })
        .toBeGreaterThan(first);
      expect(await app.locator('#status').getAttribute('data-status')).toBe('Running');
      expect(await app.locator('#metric-summary').textContent()).toMatch(/^loss: last \S+ @\d+ · min/);
      await host.screenshot('training-running');

      // Log lines are the user's data: shown as text, never parsed.
      await expect.poll(() => app.locator('#logs pre').textContent()).toContain('<img src=x onerror="alert(document.domain)"><b>not markup</b>');
      expect(await app.locator('img, b').count()).toBe(0);

      // The host's theme and colours, then a change of them.
      expect(await app.locator('html').getAttribute('data-theme')).toBe('dark');
      expect(await app.locator('body').evaluate((b) => (globalThis as any).getComputedStyle(b).backgroundColor)).toBe('rgb(16, 20, 24)');
      await host.setHostContext({ theme: 'light', styles: { variables: { '--color-background-primary': 'rgb(250, 250, 250)' } } });
      await expect.poll(() => app.locator('body').evaluate((b) => (globalThis as any).getComputedStyle(b).backgroundColor)).toBe('rgb(250, 250, 250)');

      // The end: Complete, all 30 points, polling stopped.
      await expect.poll(() => app.locator('body').getAttribute('data-final'), { timeout: 30_000 }).toBe('true');
      expect(await app.locator('#status').getAttribute('data-status')).toBe('Complete');
      expect(await app.locator('svg.chart').getAttribute('data-points')).toBe('30');
      expect(await app.locator('#metric-summary').textContent()).toMatch(/^loss: last 0\.5 @30 · min 0\.5 @30 · max 1\.95 @1 · 30 points · last 20: down$/);
      expect(await app.locator('#logs pre').textContent()).toContain('step=30 loss=0.5000');
      await host.screenshot('training-final');
      const calls = host.calls.length;
      await new Promise((r) => setTimeout(r, 2_500));
      expect(host.calls.length).toBe(calls);
      // Everything the page asked for was a read of this job.
      expect(new Set(host.calls.map((x) => x.name))).toEqual(new Set(['get_training_job', 'get_training_metrics', 'get_training_logs', 'get_training_events']));
      expect(host.calls.every((x) => x.arguments.name === name)).toBe(true);
    }, 90_000);
  });

  describe('on the test API server', () => {
    const NS = 'ml-team';
    let kube: FakeKube;
    let c: Connected;
    let host: DashboardHost;
    beforeAll(async () => {
      kube = await startFakeKube({ namespaces: [NS], controller: { stepMs: 400, runSteps: 6 } });
      kube.seedDefaultRuntimes();
      kube.labelNamespace(NS, { [INJECTION_LABEL]: 'enabled' });
      const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kfmcp-dashboard-')), { namespace: NS });
      c = await connectStdio(['--kubeconfig', kubeconfig], isolatedEnv(), 'legacy', APPS);
      host = await startDashboardHost(c, CHROMIUM!);
    });
    afterAll(async () => {
      await host?.close();
      await c?.close();
      await kube?.close();
    });

    it('shows the logs of the step the user clicks', async () => {
      const code = 'def train():\n    print("training")\n';
      const name = (await call<{ job: { name: string } }>(c, 'run_custom_training', { code, num_nodes: 2, confirmed: true })).data.job.name;
      await call(c, 'wait_for_training', { name, status: 'Running', timeout_seconds: 30 });
      await host.open('wait_for_training', { name, status: 'Running', timeout_seconds: 5 });
      const app = host.app;
      await expect.poll(() => app.locator('#steps tr[data-step]').count(), { timeout: 10_000 }).toBe(2);
      await expect.poll(() => app.locator('#logs pre').getAttribute('data-step'), { timeout: 10_000 }).toBe('node-0');
      expect(await app.locator('#logs pre').textContent()).toContain('[rank 0] Starting training');

      await app.locator('#steps tr[data-step="node-1"]').click();
      await expect.poll(() => app.locator('#logs pre').getAttribute('data-step')).toBe('node-1');
      expect(await app.locator('#logs pre').textContent()).toContain('[rank 1] Starting training');
      expect(await app.locator('#logs-title').textContent()).toBe('Logs · node-1');
      expect(await app.locator('#steps tr.selected').getAttribute('data-step')).toBe('node-1');
      await host.screenshot('training-steps');
      // Later refreshes keep following the step the user chose.
      await expect.poll(() => app.locator('body').getAttribute('data-final'), { timeout: 30_000 }).toBe('true');
      expect(await app.locator('#logs pre').getAttribute('data-step')).toBe('node-1');
      expect(host.calls.filter((x) => x.name === 'get_training_logs').at(-1)?.arguments.step).toBe('node-1');
    }, 60_000);

    it('shows an optimization: trials, their objective, the best one marked', async () => {
      const args = {
        code: 'def train(lr):\n    print(f"loss={(float(lr) - 0.05) ** 2 + 0.1}")\n',
        search_space: { lr: { log_uniform: [0.001, 0.5] } },
        metric: 'loss',
        direction: 'minimize',
        algorithm: 'random',
        max_trials: 3,
        parallel_trials: 3,
      };
      const name = (await call<{ experiment: { name: string } }>(c, 'optimize', { ...args, confirmed: true })).data.experiment.name;
      await host.open('get_optimization_job', { name });
      const app = host.app;
      await expect.poll(() => app.locator('body').getAttribute('data-final'), { timeout: 45_000 }).toBe('true');
      const detail = (
        await call<{ experiment: { status: string; best?: { trial: string } }; trials: Array<{ name: string; metrics: Record<string, string> }> }>(
          c,
          'get_optimization_job',
          { name },
        )
      ).data;
      expect(await app.locator('#status').getAttribute('data-status')).toBe(detail.experiment.status);
      expect(await app.locator('#trials tr[data-trial]').count()).toBe(detail.trials.length);
      expect(detail.experiment.best).toBeDefined();
      expect(await app.locator('#trials tr.best').getAttribute('data-trial')).toBe(detail.experiment.best!.trial);
      const bestLoss = detail.trials.find((t) => t.name === detail.experiment.best!.trial)!.metrics.loss;
      expect(await app.locator('#trials tr.best td.objective').textContent()).toBe(bestLoss);
      expect(await app.locator('#best').textContent()).toBe(`best: ${detail.experiment.best!.trial}`);
      expect(await app.locator('#objective svg.chart').getAttribute('data-points')).toBe(String(detail.trials.length));
      await host.screenshot('optimization');
    }, 60_000);
  });
});
