import { describe, expect, it } from 'vitest';
import { buildExperiment, type BuildExperimentInput } from '../../src/kubeflow/optimizer/experiment.js';
import { OptimizerError } from '../../src/kubeflow/optimizer/errors.js';
import { gridCombinations, gridSize, parameterSpec, search } from '../../src/kubeflow/optimizer/search.js';
import { WireValidationError } from '../../src/kubeflow/trainer/errors.js';
import { runtimeFromObject } from '../../src/kubeflow/trainer/runtime.js';
import type { Runtime, TrainJob } from '../../src/kubeflow/trainer/types.js';
import { validateAgainstCrd } from '../support/crd.js';
import { validateExperiment } from '../support/katib.js';
import { loadRuntimeFixtures, TRAINJOB_CRD } from '../support/runtimes.js';
import { SDK_GRID, SDK_RANDOM, TRAIN_PY } from './sdkGoldens.js';
import { thrown as thrownAs } from '../support/thrown.js';

const fixtures = loadRuntimeFixtures();
const runtime = (name: string): Runtime => runtimeFromObject(fixtures.get(name)!.obj);
const torch = runtime('torch-distributed');

const custom = (funcArgs?: Record<string, unknown>) => ({
  kind: 'custom' as const,
  funcSource: TRAIN_PY,
  funcName: 'train',
  fileName: 'my.py',
  ...(funcArgs ? { funcArgs } : {}),
});

/** Every built Experiment must match Katib's swagger, and its trial TrainJob the Trainer CRD. */
function checked(input: BuildExperimentInput) {
  const build = buildExperiment(input);
  expect(validateExperiment(build.experiment)).toEqual([]);
  const spec = build.experiment.spec.trialTemplate!.trialSpec!;
  // What Katib creates per trial: the template with metadata and the placeholders substituted.
  const rendered = JSON.parse(JSON.stringify(spec).replace(/\$\{trialParameters\.[^}]+\}/g, '1')) as TrainJob;
  expect(validateAgainstCrd(TRAINJOB_CRD, { ...rendered, metadata: { name: `${input.name}-abcdefgh` } })).toEqual([]);
  return build;
}

const thrown = (fn: () => unknown) => thrownAs(fn, OptimizerError);

describe('SDK 0.5.0 bodies', () => {
  it('random search with random_state, loguniform + choice, two objectives', () => {
    const { experiment, notes } = checked({
      name: 'k1a2b3c4d5e6',
      trialTemplate: { trainer: custom({ epochs: 2 }), runtime: torch },
      searchSpace: { lr: search.logUniform(1e-5, 0.01), batch_size: search.categorical([16, 32, 64]) },
      trials: { max: 6, parallel: 2, maxFailed: 2 },
      objective: { metric: 'loss', direction: 'minimize', additionalMetrics: ['accuracy'] },
      algorithm: { name: 'random', randomState: 42 },
    });
    expect(JSON.parse(JSON.stringify(experiment))).toEqual(SDK_RANDOM);
    expect(notes).toEqual([]);
  });

  it('grid search over categorical parameters (defaults: loss/minimize, 1 parallel)', () => {
    const { experiment, gridCombinations: combos } = checked({
      name: 'g1a2b3c4d5e6',
      trialTemplate: { trainer: custom({ lr: 0.01 }), runtime: torch },
      searchSpace: { epochs: search.categorical([1, 2]), batch_size: search.categorical([16, 32]) },
      trials: { max: 4 },
      algorithm: { name: 'grid' },
    });
    expect(JSON.parse(JSON.stringify(experiment))).toEqual(SDK_GRID);
    expect(combos).toBe(4);
  });

  it('code bash would alter gets the guarded heredoc; the placeholders stay for Katib', () => {
    const src = 'def train(lr):\n    print(f"${lr}")\n';
    const { experiment } = checked({
      name: 'esc',
      trialTemplate: { trainer: { kind: 'custom', funcSource: src, funcName: 'train' }, runtime: torch },
      searchSpace: { lr: search.uniform(0.01, 0.1) },
    });
    const script = (experiment.spec.trialTemplate!.trialSpec!.spec as TrainJob['spec']).trainer!.command![2]!;
    expect(script).toContain(`<< '~~~~~~~~'\ndef train(lr):\n    print(f"\${lr}")\n`);
    expect(script).toContain(`train(**{'lr': '\${trialParameters.lr}'})`);
  });
});

describe('parameters', () => {
  it('int, discrete, stepped uniform and points', () => {
    expect(parameterSpec('layers', search.int(1, 8, 2))).toEqual({ name: 'layers', parameterType: 'int', feasibleSpace: { min: '1', max: '8', step: '2' } });
    expect(parameterSpec('layers', search.int(1, 8))).toEqual({ name: 'layers', parameterType: 'int', feasibleSpace: { min: '1', max: '8' } });
    expect(parameterSpec('wd', search.discrete([0, 0.001, 0.01]))).toEqual({
      name: 'wd',
      parameterType: 'discrete',
      feasibleSpace: { list: ['0', '0.001', '0.01'] },
    });
    expect(parameterSpec('lr', search.uniform(0.01, 0.05, { step: 0.01 }))).toEqual({
      name: 'lr',
      parameterType: 'double',
      feasibleSpace: { min: '0.01', max: '0.05', step: '0.01', distribution: 'uniform' },
    });
    expect(parameterSpec('m', search.uniform(0, 1, { points: 5 })).feasibleSpace).toEqual({ min: '0', max: '1', step: '0.25', distribution: 'uniform' });
    expect(parameterSpec('flag', search.categorical([true, 'x', 1.5])).feasibleSpace.list).toEqual(['True', 'x', '1.5']);
  });

  it('refuses broken spaces with a hint', () => {
    expect(thrown(() => parameterSpec('lr', search.logUniform(0, 1))).field).toBe('searchSpace.lr.min');
    expect(thrown(() => parameterSpec('lr', search.uniform(1, 1))).code).toBe('invalid_search_space');
    expect(thrown(() => parameterSpec('n', search.int(1.5, 3))).field).toBe('searchSpace.n.min');
    expect(thrown(() => parameterSpec('c', search.categorical([]))).field).toBe('searchSpace.c.values');
    expect(thrown(() => parameterSpec('c', search.categorical(['a', 'a']))).message).toContain("'a' is listed twice");
    expect(thrown(() => parameterSpec('my-param', search.uniform(0, 1))).message).toContain('Python identifier');
    expect(thrown(() => parameterSpec('x', search.uniform(0, 1, { step: 0.1, points: 3 }))).field).toBe('searchSpace.x.points');
  });

  it('grid sizes follow Katib (numpy arange for doubles, range for ints)', () => {
    expect(gridSize(parameterSpec('a', search.uniform(0.01, 0.1, { step: 0.01 })))).toBe(10);
    expect(gridSize(parameterSpec('a', search.uniform(0, 1, { points: 5 })))).toBe(5);
    expect(gridSize(parameterSpec('a', search.uniform(0, 1, { step: 0.3 })))).toBe(4);
    expect(gridSize(parameterSpec('n', search.int(1, 8, 2)))).toBe(4);
    expect(gridSize(parameterSpec('n', search.int(1, 8)))).toBe(8);
    expect(gridSize(parameterSpec('a', search.uniform(0, 1)))).toEqual({ problem: "double parameter 'a' has no step" });
    expect(gridCombinations([parameterSpec('n', search.int(1, 3)), parameterSpec('c', search.categorical(['x', 'y']))])).toBe(6);
  });
});

describe('grid quirk fix', () => {
  const base = (searchSpace: BuildExperimentInput['searchSpace'], max?: number): BuildExperimentInput => ({
    name: 'grid-fix',
    trialTemplate: { trainer: custom(), runtime: torch },
    searchSpace,
    algorithm: { name: 'grid' },
    trials: { max, parallel: 3 },
  });

  it('refuses a double without step, naming the fix', () => {
    const e = thrown(() => buildExperiment(base({ lr: search.uniform(0.01, 0.1) })));
    expect(e.code).toBe('grid_needs_step');
    expect(e.field).toBe('searchSpace.lr.step');
    expect(e.hint).toMatch(/step .* or points/);
  });

  it('refuses logUniform (grid enumerates linearly)', () => {
    expect(thrown(() => buildExperiment(base({ lr: search.logUniform(1e-4, 1e-2) }))).code).toBe('incompatible_algorithm');
  });

  it('clamps maxTrialCount (and parallel) to the number of combinations', () => {
    const { experiment, notes, gridCombinations: combos } = checked(base({ lr: search.uniform(0, 1, { points: 2 }) }, 20));
    expect(combos).toBe(2);
    expect(experiment.spec.maxTrialCount).toBe(2);
    expect(experiment.spec.parallelTrialCount).toBe(2);
    expect(notes[0]).toMatch(/2 combinations; maxTrialCount lowered from 20 to 2/);
    expect(notes[1]).toMatch(/parallelTrialCount lowered from 3 to 2/);
  });
});

describe('algorithms', () => {
  const input = (
    algorithm: BuildExperimentInput['algorithm'],
    searchSpace: BuildExperimentInput['searchSpace'] = { lr: search.logUniform(1e-4, 1e-1), wd: search.uniform(0.001, 0.1) },
    trials?: BuildExperimentInput['trials'],
  ): BuildExperimentInput => ({
    name: 'algo',
    trialTemplate: { trainer: custom(), runtime: torch },
    searchSpace,
    algorithm,
    trials,
  });

  it('tpe and bayesianoptimization settings', () => {
    const tpe = checked(input({ name: 'tpe', settings: { gamma: 0.25, n_EI_candidates: 24 }, randomState: 7 })).experiment.spec.algorithm;
    expect(tpe).toEqual({
      algorithmName: 'tpe',
      algorithmSettings: [
        { name: 'gamma', value: '0.25' },
        { name: 'n_EI_candidates', value: '24' },
        { name: 'random_state', value: '7' },
      ],
    });
    const bo = checked(input({ name: 'bayesianoptimization', settings: { base_estimator: 'GP', n_initial_points: 5, acq_func: 'gp_hedge' } }));
    expect(bo.experiment.spec.algorithm).toEqual({
      algorithmName: 'bayesianoptimization',
      algorithmSettings: [
        { name: 'base_estimator', value: 'GP' },
        { name: 'n_initial_points', value: '5' },
        { name: 'acq_func', value: 'gp_hedge' },
      ],
    });
    expect(bo.notes).toEqual(["bayesianoptimization samples 'wd' log-uniformly; Katib's skopt service ignores the uniform distribution"]);
    expect(checked(input({ name: 'multivariate-tpe', settings: { n_startup_trials: 5 } })).experiment.spec.algorithm?.algorithmName).toBe('multivariate-tpe');
  });

  it('refuses settings Katib would refuse or ignore', () => {
    expect(thrown(() => buildExperiment(input({ name: 'tpe', settings: { gamma: 1.5 } }))).message).toMatch(/gamma' of 'tpe' must be a number in \(0, 1\)/);
    expect(thrown(() => buildExperiment(input({ name: 'random', settings: { seed: 1 } }))).hint).toBe('use only: random_state');
    expect(thrown(() => buildExperiment(input({ name: 'sobol', randomState: 1 }))).hint).toMatch(/takes no settings/);
    expect(thrown(() => buildExperiment(input({ name: 'bayesianoptimization', settings: { acq_func: 'UCB' } }))).field).toBe('algorithm.settings.acq_func');
    expect(thrown(() => buildExperiment(input({ name: 'nope' as 'random' }))).code).toBe('invalid_algorithm');
  });

  it('parameter compatibility: cmaes needs two numeric parameters, bayesianoptimization positive doubles', () => {
    expect(thrown(() => buildExperiment(input({ name: 'cmaes' }, { lr: search.uniform(0, 1), opt: search.categorical(['a', 'b']) }))).code).toBe(
      'incompatible_algorithm',
    );
    expect(checked(input({ name: 'cmaes', settings: { restart_strategy: 'ipop' } }, { lr: search.uniform(0, 1), n: search.int(1, 4) })).notes).toEqual([]);
    expect(thrown(() => buildExperiment(input({ name: 'bayesianoptimization' }, { lr: search.uniform(0, 1) }))).field).toBe('searchSpace.lr.min');
  });

  it('hyperband needs r_l and resource_name naming a parameter, and enough parallel trials', () => {
    expect(thrown(() => buildExperiment(input({ name: 'hyperband', settings: { r_l: 9 } }))).field).toBe('algorithm.settings.resource_name');
    expect(thrown(() => buildExperiment(input({ name: 'hyperband', settings: { r_l: 9, resource_name: 'epochs' } }))).field).toBe(
      'algorithm.settings.resource_name',
    );
    const space = { lr: search.uniform(0.01, 0.1), epochs: search.int(1, 9) };
    const e = thrown(() =>
      buildExperiment(input({ name: 'hyperband', settings: { r_l: 9, resource_name: 'epochs', eta: 3 } }, space, { max: 20, parallel: 3 })),
    );
    expect(e.message).toMatch(/needs at least 9 parallel trials/);
    expect(
      checked(input({ name: 'hyperband', settings: { r_l: 9, resource_name: 'epochs', eta: 3 } }, space, { max: 20, parallel: 9 })).experiment.spec
        .parallelTrialCount,
    ).toBe(9);
  });
});

describe('objective, counts, names, trainers', () => {
  const base: BuildExperimentInput = { name: 'obj', trialTemplate: { trainer: custom(), runtime: torch }, searchSpace: { lr: search.uniform(0.01, 0.1) } };

  it('goal and maximize', () => {
    const { experiment } = checked({ ...base, objective: { metric: 'accuracy', direction: 'maximize', goal: 0.95 } });
    expect(experiment.spec.objective).toEqual({ objectiveMetricName: 'accuracy', type: 'maximize', goal: 0.95 });
  });

  it('refuses metric names the StdOut collector cannot parse', () => {
    expect(thrown(() => buildExperiment({ ...base, objective: { metric: 'val.loss' } })).hint).toMatch(/val_loss/);
    expect(thrown(() => buildExperiment({ ...base, objective: { metric: 'loss', additionalMetrics: ['loss'] } })).field).toBe('objective.additionalMetrics');
  });

  it('makes counts consistent and refuses nonsense', () => {
    const { experiment, notes } = checked({ ...base, trials: { max: 2, parallel: 5, maxFailed: 4 } });
    expect(experiment.spec).toMatchObject({ maxTrialCount: 2, parallelTrialCount: 2, maxFailedTrialCount: 2 });
    expect(notes).toHaveLength(2);
    expect(thrown(() => buildExperiment({ ...base, trials: { max: 0 } })).field).toBe('trials.max');
  });

  it('names: RFC 1035 and at most 40 characters (Katib webhook)', () => {
    expect(thrown(() => buildExperiment({ ...base, name: 'a'.repeat(41) })).message).toMatch(/at most 40/);
    expect(thrown(() => buildExperiment({ ...base, name: 'Bad_Name' })).code).toBe('invalid_name');
  });

  it('empty search space is refused (SDK: "Search space must be set.")', () => {
    expect(thrown(() => buildExperiment({ ...base, searchSpace: {} })).code).toBe('invalid_search_space');
  });

  it('container trainers get unreferenced parameters as env', () => {
    const { experiment, notes } = checked({
      ...base,
      trialTemplate: { trainer: { kind: 'container', image: 'ghcr.io/me/train:1', args: ['--lr', '${trialParameters.lr}'] }, runtime: torch },
      searchSpace: { lr: search.uniform(0.01, 0.1), layers: search.int(1, 4) },
    });
    const trainer = (experiment.spec.trialTemplate!.trialSpec!.spec as TrainJob['spec']).trainer!;
    expect(trainer.args).toEqual(['--lr', '${trialParameters.lr}']);
    expect(trainer.env).toEqual([{ name: 'KUBEFLOW_TRAINER_OPT_LAYERS', value: '${trialParameters.layers}' }]);
    expect(notes[0]).toMatch(/KUBEFLOW_TRAINER_OPT_LAYERS/);
  });

  it('trainer problems surface from the Trainer builders', () => {
    expect(() => buildExperiment({ ...base, trialTemplate: { trainer: { ...custom(), funcName: 'missing' }, runtime: torch } })).toThrow(WireValidationError);
    const tune = runtime('torchtune-llama3.2-1b');
    expect(() => buildExperiment({ ...base, trialTemplate: { trainer: custom(), runtime: tune } })).toThrow(/cannot run a custom training function/);
  });

  it('with initializers and namespace', () => {
    const { experiment } = checked({
      ...base,
      namespace: 'team-a',
      trialTemplate: { trainer: custom(), runtime: torch, initializer: { dataset: { storageUri: 'hf://org/data' } } },
    });
    expect(experiment.metadata).toEqual({ name: 'obj', namespace: 'team-a' });
    expect((experiment.spec.trialTemplate!.trialSpec!.spec as TrainJob['spec']).initializer).toEqual({ dataset: { storageUri: 'hf://org/data', env: [] } });
  });
});

describe('swagger helper', () => {
  it('catches misspelled fields and wrong types', () => {
    const bad = JSON.parse(JSON.stringify(SDK_RANDOM));
    bad.spec.maxTrialCounts = 3;
    bad.spec.parallelTrialCount = '2';
    bad.spec.parameters[0].feasibleSpace.min = 1e-5;
    expect(validateExperiment(bad)).toEqual([
      'spec.maxTrialCounts unknown field "maxTrialCounts"',
      'spec.parallelTrialCount must be integer',
      'spec.parameters[0].feasibleSpace.min must be string',
    ]);
  });
});
