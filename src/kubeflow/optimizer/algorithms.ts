/**
 * `spec.algorithm` and the checks Katib's suggestion services run before the first trial
 * (ValidateAlgorithmSettings in katib pkg/suggestion/v1beta1 at v0.19: hyperopt for random/tpe,
 * optuna for grid/multivariate-tpe, skopt for bayesianoptimization, goptuna for cmaes/sobol,
 * hyperband). On a cluster those failures only show later as "Suggestion has failed"; we refuse
 * the same inputs up front. Unknown settings, which some services silently ignore, are refused
 * too, so a typo cannot go unnoticed.
 */
import { pythonStr } from '../trainer/pythonLiteral.js';
import { ALGORITHM_NAMES, type AlgorithmName } from './constants.js';
import { OptimizerError } from './errors.js';
import { gridSize } from './search.js';
import type { AlgorithmSpec, ParameterSpec } from './types.js';

export interface AlgorithmInput {
  name: AlgorithmName;
  /** Katib algorithmSettings by name, e.g. { gamma: 0.25 } for tpe; values are stringified. */
  settings?: Record<string, string | number | boolean>;
  /** Seed; sent as the `random_state` setting (the SDK's RandomSearch(random_state)). */
  randomState?: number;
}

type Check = (value: string) => string | undefined;

const INT = /^[+-]?\d+$/;
const isFloat = (v: string): boolean => v.trim() !== '' && Number.isFinite(Number(v));
const intAtLeast =
  (min: number): Check =>
  (v) =>
    INT.test(v.trim()) && Number(v) >= min ? undefined : `must be an integer >= ${min}`;
const floatWhere =
  (ok: (n: number) => boolean, what: string): Check =>
  (v) =>
    isFloat(v) && ok(Number(v)) ? undefined : `must be ${what}`;
const oneOf =
  (...values: string[]): Check =>
  (v) =>
    values.includes(v) ? undefined : `must be one of ${values.join(', ')}`;

/** Settings each service accepts, with its value rule. */
const SETTINGS: Record<AlgorithmName, Record<string, Check>> = {
  random: { random_state: intAtLeast(0) },
  grid: { random_state: intAtLeast(0) },
  tpe: {
    gamma: floatWhere((n) => n > 0 && n < 1, 'a number in (0, 1)'),
    prior_weight: floatWhere((n) => n > 0, 'a number > 0'),
    n_EI_candidates: intAtLeast(1),
    random_state: intAtLeast(0),
  },
  'multivariate-tpe': { n_startup_trials: intAtLeast(0), n_ei_candidates: intAtLeast(0), random_state: intAtLeast(0) },
  bayesianoptimization: {
    base_estimator: oneOf('GP', 'RF', 'ET', 'GBRT'),
    n_initial_points: intAtLeast(0),
    acq_func: oneOf('gp_hedge', 'LCB', 'EI', 'PI', 'EIps', 'PIps'),
    acq_optimizer: oneOf('auto', 'sampling', 'lbfgs'),
    random_state: intAtLeast(0),
  },
  cmaes: { random_state: intAtLeast(0), sigma: floatWhere((n) => n >= 0, 'a number >= 0'), restart_strategy: oneOf('ipop', 'bipop', 'none') },
  sobol: {},
  hyperband: { r_l: floatWhere((n) => n > 0, 'a number > 0'), resource_name: (v) => (v ? undefined : 'must name a parameter'), eta: intAtLeast(1) },
};

function isAlgorithmName(name: string): name is AlgorithmName {
  return (ALGORITHM_NAMES as readonly string[]).includes(name);
}

/** `spec.algorithm`: settings in input order, `random_state` last; omitted when empty (as the SDK). */
export function algorithmSpec(input: AlgorithmInput): AlgorithmSpec {
  const name = input.name;
  if (!isAlgorithmName(name)) {
    throw new OptimizerError('invalid_algorithm', `unknown algorithm '${String(name)}'`, `use one of: ${ALGORITHM_NAMES.join(', ')}`, 'algorithm.name');
  }
  const allowed = SETTINGS[name];
  const settings: Array<{ name: string; value: string }> = [];
  for (const [key, raw] of Object.entries(input.settings ?? {})) {
    if (key === 'random_state' && input.randomState !== undefined) {
      throw new OptimizerError(
        'invalid_algorithm',
        'random_state is given twice (settings and randomState)',
        'keep only randomState',
        'algorithm.settings.random_state',
      );
    }
    settings.push(checkedSetting(name, allowed, key, raw));
  }
  if (input.randomState !== undefined) settings.push(checkedSetting(name, allowed, 'random_state', input.randomState, 'algorithm.randomState'));
  if (name === 'hyperband') {
    for (const required of ['r_l', 'resource_name']) {
      if (!settings.some((s) => s.name === required)) {
        throw new OptimizerError(
          'invalid_algorithm',
          `hyperband needs the setting '${required}'`,
          'set r_l (the maximum resource per trial, e.g. 9) and resource_name (the parameter that receives it, e.g. "epochs")',
          `algorithm.settings.${required}`,
        );
      }
    }
  }
  return settings.length > 0 ? { algorithmName: name, algorithmSettings: settings } : { algorithmName: name };
}

function checkedSetting(
  algorithm: AlgorithmName,
  allowed: Record<string, Check>,
  key: string,
  raw: unknown,
  field = `algorithm.settings.${key}`,
): { name: string; value: string } {
  const check = allowed[key];
  if (!check) {
    const known = Object.keys(allowed);
    throw new OptimizerError(
      'invalid_algorithm',
      `algorithm '${algorithm}' has no setting '${key}'`,
      known.length > 0 ? `use only: ${known.join(', ')}` : `'${algorithm}' takes no settings; remove them`,
      field,
    );
  }
  if (typeof raw !== 'string' && typeof raw !== 'boolean' && !(typeof raw === 'number' && Number.isFinite(raw))) {
    throw new OptimizerError('invalid_algorithm', `setting '${key}' must be a string, number or boolean`, 'pass a plain value', field);
  }
  const value = pythonStr(raw);
  const problem = check(value);
  if (problem)
    throw new OptimizerError(
      'invalid_algorithm',
      `setting '${key}' of '${algorithm}' ${problem}, got '${value}'`,
      `fix ${key} (Katib's ${algorithm} service would refuse it)`,
      field,
    );
  return { name: key, value };
}

/**
 * Checks that involve the search space and trial counts, as Katib's suggestion services do.
 * Returns notes about how Katib will treat the space (nothing wrong, but worth knowing).
 */
export function checkCompatibility(spec: AlgorithmSpec, params: ParameterSpec[], trials: { parallel: number }): string[] {
  const notes: string[] = [];
  const setting = (n: string): string | undefined => spec.algorithmSettings?.find((s) => s.name === n)?.value;
  const numeric = params.filter((p) => p.parameterType === 'double' || p.parameterType === 'int');
  switch (spec.algorithmName as AlgorithmName) {
    case 'grid':
      for (const p of params) {
        if (p.parameterType === 'double' && p.feasibleSpace.distribution === 'logUniform') {
          throw new OptimizerError(
            'incompatible_algorithm',
            `grid search enumerates values linearly; parameter '${p.name}' is logUniform`,
            `list the values to try instead, e.g. discrete([1e-4, 1e-3, 1e-2]) for '${p.name}'`,
            `searchSpace.${p.name}`,
          );
        }
        const size = gridSize(p);
        if (typeof size !== 'number') {
          throw new OptimizerError(
            'grid_needs_step',
            `grid search needs a step for every double parameter; '${p.name}' has none (Katib's grid suggestion fails with "Param ${p.name} step is nil")`,
            `give '${p.name}' a step (e.g. step ${pythonStr((Number(p.feasibleSpace.max) - Number(p.feasibleSpace.min)) / 4)}) or points (e.g. points 5), or list the values with discrete([...])`,
            `searchSpace.${p.name}.step`,
          );
        }
      }
      break;
    case 'cmaes':
      if (numeric.length < 2) {
        throw new OptimizerError(
          'incompatible_algorithm',
          `cmaes needs at least two double or int parameters, got ${numeric.length}`,
          'add another numeric parameter, or use tpe / random / bayesianoptimization',
          'algorithm.name',
        );
      }
      break;
    case 'bayesianoptimization':
      for (const p of params) {
        if (p.parameterType === 'double' && !(Number(p.feasibleSpace.min) > 0)) {
          throw new OptimizerError(
            'incompatible_algorithm',
            `bayesianoptimization samples every double parameter log-uniformly (Katib's skopt service), so '${p.name}' needs min > 0, got ${p.feasibleSpace.min}`,
            `use a positive lower bound for '${p.name}', shift the parameter, or use tpe / random`,
            `searchSpace.${p.name}.min`,
          );
        }
        if (p.parameterType === 'double' && p.feasibleSpace.distribution === 'uniform') {
          notes.push(`bayesianoptimization samples '${p.name}' log-uniformly; Katib's skopt service ignores the uniform distribution`);
        }
      }
      break;
    case 'hyperband': {
      const resource = setting('resource_name');
      if (!params.some((p) => p.name === resource)) {
        throw new OptimizerError(
          'incompatible_algorithm',
          `hyperband resource_name '${resource}' is not a parameter of the search space`,
          `set resource_name to one of: ${params.map((p) => p.name).join(', ')}`,
          'algorithm.settings.resource_name',
        );
      }
      // Katib's hyperband: eta = int(eta) (<= 0 → 3); s_max = int(log(r_l) / log(eta)); parallel >= ceil(eta ** s_max).
      const etaRaw = Math.trunc(Number(setting('eta') ?? '3'));
      const eta = etaRaw <= 0 ? 3 : etaRaw;
      const sMax = Math.trunc(Math.log(Number(setting('r_l'))) / Math.log(eta));
      const minParallel = Math.ceil(eta ** sMax);
      if (trials.parallel < minParallel) {
        throw new OptimizerError(
          'incompatible_algorithm',
          `hyperband with r_l=${setting('r_l')} and eta=${eta} needs at least ${minParallel} parallel trials, got ${trials.parallel}`,
          `set trials.parallel to ${minParallel} or more, or lower r_l`,
          'trials.parallel',
        );
      }
      notes.push(`hyperband sets '${resource}' itself in each bracket; its search range only bounds the first bracket`);
      break;
    }
    default:
      break;
  }
  if ((spec.algorithmName === 'cmaes' || spec.algorithmName === 'sobol') && params.some((p) => p.feasibleSpace.distribution === 'logUniform')) {
    notes.push(`${spec.algorithmName} samples doubles uniformly; Katib's goptuna service ignores the logUniform distribution`);
  }
  return notes;
}
