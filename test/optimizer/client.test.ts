/** OptimizerClient against fake-kube's Katib + Trainer simulation: a whole experiment, and failures. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError, KubeClient } from '../../src/kube/client.js';
import { loadKubeConnection } from '../../src/kube/connection.js';
import { OptimizerClient } from '../../src/kubeflow/optimizer/client.js';
import { OptimizerError } from '../../src/kubeflow/optimizer/errors.js';
import { buildExperiment, type BuildExperimentInput } from '../../src/kubeflow/optimizer/experiment.js';
import { search } from '../../src/kubeflow/optimizer/search.js';
import type { ExperimentSummary } from '../../src/kubeflow/optimizer/types.js';
import { runtimeFromObject } from '../../src/kubeflow/trainer/runtime.js';
import { defaultMetricValue, FAIL_LABEL, INJECTION_LABEL, startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { loadRuntimeFixtures } from '../support/runtimes.js';

let kube: FakeKube;
let client: OptimizerClient;
const NS = 'default';
const torch = runtimeFromObject(loadRuntimeFixtures().get('torch-distributed')!.obj);
const TRAIN = 'def train(lr, optimizer):\n    print(f"loss={lr}")\n';

beforeAll(async () => {
  kube = await startFakeKube({ namespaces: ['default', 'team-a'], controller: { stepMs: 10, runSteps: 2 }, katib: { seed: 7 } });
  kube.seedDefaultRuntimes();
  kube.labelNamespace(NS, { [INJECTION_LABEL]: 'enabled' });
  const dir = mkdtempSync(path.join(tmpdir(), 'kfmcp-opt-'));
  client = new OptimizerClient(new KubeClient(await loadKubeConnection({ kubeconfig: kube.writeKubeconfig(dir, { namespace: NS }) })));
});
afterAll(() => kube?.close());

const input = (name: string, extra: Partial<BuildExperimentInput> = {}): BuildExperimentInput => ({
  name,
  trialTemplate: { trainer: { kind: 'custom', funcSource: TRAIN, funcName: 'train' }, runtime: torch },
  searchSpace: { lr: search.uniform(0.01, 0.1), optimizer: search.categorical(['adam', 'sgd']) },
  objective: { metric: 'loss', direction: 'minimize', additionalMetrics: ['accuracy'] },
  algorithm: { name: 'random', randomState: 3 },
  trials: { max: 4, parallel: 2 },
  ...extra,
});

const requestsSince = (n: number) => kube.requests.slice(n).map((r) => `${r.method} ${r.path}`);

describe('a whole experiment', () => {
  it('create (dry run, then real) → trials run → best → logs → events → delete cascades', async () => {
    const { experiment } = buildExperiment(input('hpo-run'));

    const dry = await client.create(NS, experiment, { dryRun: true });
    expect(dry.dryRun).toBe(true);
    // Katib's mutating webhook answered: defaults are in the accepted object.
    expect(dry.accepted.spec.trialTemplate?.successCondition).toBe('status.conditions.#(type=="Complete")#|#(status=="True")#');
    expect(dry.accepted.spec.objective?.metricStrategies).toEqual([
      { name: 'loss', value: 'min' },
      { name: 'accuracy', value: 'min' },
    ]);
    expect(kube.store.get('kubeflow.org', 'experiments', NS, 'hpo-run')).toBeUndefined();

    const created = await client.create(NS, experiment);
    expect(created.summary).toMatchObject({
      name: 'hpo-run',
      namespace: NS,
      status: 'Created',
      algorithm: { name: 'random', settings: { random_state: '3' } },
      maxTrials: 4,
      parallelTrials: 2,
    });

    const seen: ExperimentSummary[] = [];
    const done = await client.waitFor(NS, 'hpo-run', { statuses: ['Complete'], timeoutSeconds: 30, onChange: (s) => seen.push(s) });
    expect(done.reached).toBe(true);
    const view = done.experiment!;
    expect(view).toMatchObject({ status: 'Complete', reason: 'ExperimentMaxTrialsReached', trialCounts: { total: 4, succeeded: 4, running: 0, failed: 0 } });
    expect(seen.some((s) => s.status === 'Running')).toBe(true);

    expect(view.trials).toHaveLength(4);
    for (const t of view.trials) {
      expect(t.name).toMatch(/^hpo-run-[a-z0-9]{8}$/);
      expect(t.status).toBe('Succeeded');
      expect(Object.keys(t.parameters).sort()).toEqual(['lr', 'optimizer']);
      const expected = defaultMetricValue({ trial: t.name, metric: 'loss', objectiveMetric: 'loss', direction: 'minimize', parameters: t.parameters });
      const loss = t.metrics.find((m) => m.name === 'loss')!;
      expect(Number(loss.latest)).toBeCloseTo(expected, 4);
      expect(Number(loss.min)).toBe(Number(loss.latest));
      expect(Number(loss.max)).toBeGreaterThan(Number(loss.latest));
      expect(t.metrics.map((m) => m.name)).toEqual(['loss', 'accuracy']);
    }

    // currentOptimalTrial: the lowest loss.
    const lowest = [...view.trials].sort((a, b) => Number(a.metrics[0]!.min) - Number(b.metrics[0]!.min))[0]!;
    const best = await client.bestResult(NS, 'hpo-run');
    expect(best).toEqual({ trial: lowest.name, parameters: lowest.parameters, metrics: lowest.metrics });
    expect(view.best).toEqual(best);

    // Logs default to the best trial, read from Katib's sidecar (as the SDK).
    const logs = await client.logs(NS, 'hpo-run', { tail: 50 });
    expect(logs).toMatchObject({ trial: lowest.name, container: 'metrics-logger-and-collector', truncated: false });
    expect(logs.pod).toMatch(new RegExp(`^${lowest.name}-node-0-0-`));
    expect(logs.lines.some((l) => l.endsWith(`loss=${lowest.metrics[0]!.latest} accuracy=${lowest.metrics[1]!.latest}`))).toBe(true);
    const other = view.trials.find((t) => t.name !== lowest.name)!;
    expect((await client.logs(NS, 'hpo-run', { trial: other.name, tail: 2 })).lines).toHaveLength(2);
    await expect(client.logs(NS, 'hpo-run', { trial: 'nope', tail: 5 })).rejects.toMatchObject({ code: 'trial_not_found' });

    const { events } = await client.events(NS, 'hpo-run');
    const reasons = (kind: string) => events.filter((e) => e.involvedObject.kind === kind).map((e) => e.reason);
    expect(reasons('Trial').filter((r) => r === 'JobSucceeded')).toHaveLength(4);
    expect(reasons('TrainJob')).toContain('Created');
    expect(reasons('Pod')).toContain('Scheduled');

    // A listing reads the Experiments only; a get adds exactly one trials list.
    const before = kube.requests.length;
    const page = await client.list(NS);
    expect(page.experiments.find((e) => e.name === 'hpo-run')).toMatchObject({ status: 'Complete', trialCounts: { total: 4, succeeded: 4 } });
    await client.get(NS, 'hpo-run');
    expect(requestsSince(before)).toEqual([
      `GET /apis/kubeflow.org/v1beta1/namespaces/${NS}/experiments`,
      `GET /apis/kubeflow.org/v1beta1/namespaces/${NS}/experiments/hpo-run`,
      `GET /apis/kubeflow.org/v1beta1/namespaces/${NS}/trials`,
    ]);

    await client.delete(NS, 'hpo-run', { dryRun: true });
    expect(kube.store.get('kubeflow.org', 'experiments', NS, 'hpo-run')).toBeDefined();
    await client.delete(NS, 'hpo-run');
    await waitUntil(() => kube.store.list('kubeflow.org', 'trials', NS).length === 0 && kube.store.list('trainer.kubeflow.org', 'trainjobs', NS).length === 0);
    expect(kube.store.list('kubeflow.org', 'suggestions', NS)).toEqual([]);
    await expect(client.get(NS, 'hpo-run')).rejects.toMatchObject({ reason: 'NotFound' });
  });
});

describe('failures', () => {
  it("the SDK's grid quirk on a cluster: accepted, then Failed with the suggestion's reason", async () => {
    const { experiment } = buildExperiment(
      input('sdk-grid', { algorithm: { name: 'grid' }, searchSpace: { lr: search.uniform(0.01, 0.1, { step: 0.05 }) }, trials: { max: 2 } }),
    );
    // What SDK 0.5.0 sends for Search.uniform with GridSearch(): no step, default 10 trials.
    delete experiment.spec.parameters![0]!.feasibleSpace.step;
    experiment.spec.maxTrialCount = 10;
    await client.create(NS, experiment);
    const done = await client.waitFor(NS, 'sdk-grid', { statuses: ['Complete'], timeoutSeconds: 10 });
    expect(done.reached).toBe(false);
    expect(done.experiment).toMatchObject({ status: 'Failed', reason: 'ExperimentFailed', trials: [] });
    expect(done.experiment!.message).toBe(
      'Suggestion has failed: Validation failed: ValidateAlgorithmSettings Error: failed to validate parameters(lr): Param lr step is nil; For discrete search space, all parameters must include step',
    );
  });

  it('our grid fix runs all combinations and ends when they are done', async () => {
    const { experiment, notes } = buildExperiment(
      input('fixed-grid', {
        algorithm: { name: 'grid' },
        searchSpace: { lr: search.uniform(0.01, 0.03, { points: 3 }), optimizer: search.categorical(['adam', 'sgd']) },
        trials: { max: 10, parallel: 3 },
      }),
    );
    expect(notes[0]).toMatch(/6 combinations/);
    await client.create(NS, experiment);
    const done = await client.waitFor(NS, 'fixed-grid', { statuses: ['Complete'], timeoutSeconds: 30 });
    expect(done.experiment).toMatchObject({ status: 'Complete', reason: 'ExperimentMaxTrialsReached', trialCounts: { succeeded: 6 } });
    const combos = done.experiment!.trials.map((t) => `${Number(t.parameters.lr).toFixed(2)}/${t.parameters.optimizer}`).sort();
    expect(combos).toEqual(['0.01/adam', '0.01/sgd', '0.02/adam', '0.02/sgd', '0.03/adam', '0.03/sgd']);
    expect(done.experiment!.best?.parameters.lr).toMatch(/^0\.0[3]/); // (lr - 0.05)² is smallest at 0.03
  });

  it('failed trials fail the experiment at maxFailedTrialCount; the wait ends early', async () => {
    const { experiment } = buildExperiment(input('fails', { trials: { max: 4, parallel: 1, maxFailed: 1 } }));
    (experiment.spec.trialTemplate!.trialSpec as { metadata?: unknown }).metadata = { labels: { [FAIL_LABEL]: 'true' } };
    await client.create(NS, experiment);
    const done = await client.waitFor(NS, 'fails', { statuses: ['Complete'], timeoutSeconds: 30 });
    expect(done.reached).toBe(false);
    expect(done.experiment).toMatchObject({
      status: 'Failed',
      reason: 'ExperimentFailed',
      message: 'Experiment has failed because max failed count has reached',
      trialCounts: { failed: 1 },
    });
    expect(done.experiment!.trials[0]).toMatchObject({ status: 'Failed', reason: 'TrialFailed. Job reason: FailedJobs', metrics: [] });
    const logs = await client.logs(NS, 'fails', { tail: 3 });
    expect(logs.lines.at(-2)).toMatch(/RuntimeError: simulated training failure$/);
  });

  it('the wait is bounded and can be cancelled', async () => {
    kube.katib.pause();
    try {
      const { experiment } = buildExperiment(input('paused'));
      await client.create(NS, experiment);
      const started = Date.now();
      const before = kube.requests.length;
      const r = await client.waitFor(NS, 'paused', { statuses: ['Complete'], timeoutSeconds: 0.3 });
      // One GET, then a watch on this experiment: no polling.
      const used = kube.requests.slice(before).filter((q) => q.path.endsWith('/experiments') || q.path.endsWith('/experiments/paused'));
      expect(used.map((q) => [q.method, q.query.watch, q.query.fieldSelector])).toEqual([
        ['GET', undefined, undefined],
        ['GET', 'true', 'metadata.name=paused'],
      ]);
      expect(r.reached).toBe(false);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(r.experiment?.status).toBe('Created');
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      await expect(client.waitFor(NS, 'paused', { statuses: ['Complete'], timeoutSeconds: 30, signal: ac.signal })).rejects.toMatchObject({
        reason: 'Aborted',
      });
      // Deleting the experiment ends a wait too.
      const waiting = client.waitFor(NS, 'paused', { statuses: ['Complete'], timeoutSeconds: 30 });
      setTimeout(() => void client.delete(NS, 'paused'), 100);
      expect(await waiting).toMatchObject({ reached: false, deleted: true, experiment: undefined });
    } finally {
      kube.katib.resume();
    }
  });

  it('a namespace without the Katib label is refused with the fix', async () => {
    const { experiment } = buildExperiment(input('no-label'));
    const err = await client.create('team-a', experiment).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OptimizerError);
    expect(err).toMatchObject({
      code: 'namespace_not_enabled',
      hint: expect.stringContaining('kubectl label namespace team-a katib.kubeflow.org/metrics-collector-injection=enabled'),
    });
  });

  it('a trial without the sidecar is read from the node container, saying so', async () => {
    const { experiment } = buildExperiment(input('no-sidecar', { trials: { max: 1 } }));
    kube.katib.pause();
    try {
      await client.create(NS, experiment);
      // The label is checked on create; dropping it afterwards stops the sidecar injection only.
      kube.labelNamespace(NS, { [INJECTION_LABEL]: 'disabled' });
    } finally {
      kube.katib.resume();
    }
    try {
      await client.waitFor(NS, 'no-sidecar', { statuses: ['Complete'], timeoutSeconds: 30 });
      const logs = await client.logs(NS, 'no-sidecar', { tail: 10 });
      expect(logs.container).toBe('node');
      expect(logs.note).toMatch(/no metrics-logger-and-collector sidecar/);
      expect(logs.lines.some((l) => /^epoch=2 loss=/.test(l))).toBe(true);
    } finally {
      kube.labelNamespace(NS, { [INJECTION_LABEL]: 'enabled' });
    }
  });

  it('errors from the API server stay Kubernetes errors', async () => {
    await expect(client.get(NS, 'missing')).rejects.toBeInstanceOf(KubeApiError);
    await expect(client.logs(NS, 'missing', { tail: 5 })).rejects.toMatchObject({ reason: 'NotFound' });
  });
});

async function waitUntil(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
