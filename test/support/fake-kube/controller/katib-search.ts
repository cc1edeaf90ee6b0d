/**
 * What Katib's suggestion services do for the fake: validate the algorithm settings against the
 * search space (messages as the v0.19 services word them: hyperopt, optuna, skopt, goptuna,
 * hyperband) and produce parameter assignments. Sampling is random for every algorithm (seeded by
 * `random_state` when given) except grid, which enumerates the combinations in order.
 */

export interface ParamSpec {
  name: string;
  parameterType: string;
  feasibleSpace: { min?: string; max?: string; step?: string; list?: string[]; distribution?: string };
}

export interface ExperimentLike {
  spec: {
    parameters?: ParamSpec[];
    algorithm?: { algorithmName?: string; algorithmSettings?: Array<{ name: string; value: string }> };
    maxTrialCount?: number;
    parallelTrialCount?: number;
  };
}

const INT_RE = /^[+-]?\d+$/;
const pyInt = (v: string): number => {
  if (!INT_RE.test(v.trim())) throw new Error(`invalid literal for int() with base 10: '${v}'`);
  return Number(v);
};
const pyFloat = (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || Number.isNaN(n)) throw new Error(`could not convert string to float: '${v}'`);
  return n;
};

type Rule = (v: string) => string | undefined;

function settingsCheck(
  algorithm: string,
  settings: Array<{ name: string; value: string }>,
  rules: Record<string, Rule>,
  unknownMessage = true,
): string | undefined {
  for (const s of settings) {
    const rule = rules[s.name];
    if (!rule) {
      if (unknownMessage) return `unknown setting ${s.name} for algorithm ${algorithm}`;
      continue;
    }
    try {
      const problem = rule(s.value);
      if (problem !== undefined) return problem;
    } catch (e) {
      return `failed to validate ${s.name}(${s.value}): ${(e as Error).message}`;
    }
  }
  return undefined;
}

/** Number of values per parameter for grid search (Katib's convert_to_combinations), or throws. */
function gridValues(p: ParamSpec): string[] {
  const fs = p.feasibleSpace;
  if (p.parameterType === 'categorical' || p.parameterType === 'discrete') return [...(fs.list ?? [])];
  if (p.parameterType === 'int') {
    const step = fs.step ? Number(fs.step) : 1;
    const out: string[] = [];
    for (let v = Number(fs.min); v <= Number(fs.max); v += step) out.push(String(v));
    return out;
  }
  if (!fs.step) throw new Error(`Param ${p.name} step is nil; For discrete search space, all parameters must include step`);
  const min = Number(fs.min);
  const max = Number(fs.max);
  const step = Number(fs.step);
  let n = Math.max(0, Math.ceil((max + step - min) / step));
  if (n > 0 && min + (n - 1) * step > max) n -= 1;
  return Array.from({ length: n }, (_, i) => String(min + i * step));
}

/** ValidateAlgorithmSettings of the service serving the algorithm; undefined when valid. */
export function validateSuggestion(exp: ExperimentLike): string | undefined {
  const algorithm = exp.spec.algorithm?.algorithmName ?? '';
  const settings = exp.spec.algorithm?.algorithmSettings ?? [];
  const params = exp.spec.parameters ?? [];
  const numeric = params.filter((p) => p.parameterType === 'double' || p.parameterType === 'int').length;
  const atLeast0 =
    (name: string): Rule =>
    (v) =>
      pyInt(v) >= 0 ? undefined : `${name} should be great or equal than zero`;
  switch (algorithm) {
    case 'random':
      return settingsCheck(algorithm, settings, { random_state: atLeast0('random_state') });
    case 'tpe':
      return settingsCheck(algorithm, settings, {
        gamma: (v) => (pyFloat(v) > 0 && pyFloat(v) < 1 ? undefined : 'gamma should be in the range of (0, 1)'),
        prior_weight: (v) => (pyFloat(v) > 0 ? undefined : 'prior_weight should be great than zero'),
        n_EI_candidates: (v) => (pyInt(v) > 0 ? undefined : 'n_EI_candidates should be great than zero'),
        random_state: atLeast0('random_state'),
      });
    case 'multivariate-tpe':
      return settingsCheck(algorithm, settings, {
        n_startup_trials: atLeast0('n_startup_trials'),
        n_ei_candidates: atLeast0('n_ei_candidates'),
        random_state: atLeast0('random_state'),
      });
    case 'grid': {
      const bad = settingsCheck(algorithm, settings, { random_state: atLeast0('random_state') });
      if (bad) return bad;
      try {
        const combos = params.reduce((n, p) => n * gridValues(p).length, 1);
        const max = exp.spec.maxTrialCount ?? 0;
        if (max > combos) return `Max Trial Count: ${max} > all possible search combinations: ${combos}`;
      } catch (e) {
        return `failed to validate parameters(${params.map((p) => p.name).join(', ')}): ${(e as Error).message}`;
      }
      return undefined;
    }
    case 'bayesianoptimization':
      return settingsCheck(algorithm, settings, {
        base_estimator: (v) => (['GP', 'RF', 'ET', 'GBRT'].includes(v) ? undefined : `base_estimator ${v} is not supported in Bayesian optimization`),
        n_initial_points: (v) => (pyInt(v) >= 0 ? undefined : 'n_initial_points should be great or equal than zero'),
        acq_func: (v) => (['gp_hedge', 'LCB', 'EI', 'PI', 'EIps', 'PIps'].includes(v) ? undefined : `acq_func ${v} is not supported in Bayesian optimization`),
        acq_optimizer: (v) => (['auto', 'sampling', 'lbfgs'].includes(v) ? undefined : `acq_optimizer ${v} is not supported in Bayesian optimization`),
        random_state: (v) => (pyInt(v) >= 0 ? undefined : 'random_state should be great or equal than zero'),
      });
    case 'cmaes':
      if (numeric < 2) return 'CMA-ES only supports two or more dimensional continuous search space.';
      return settingsCheck(
        algorithm,
        settings,
        {
          random_state: (v) => (pyInt(v), undefined),
          sigma: (v) => (pyFloat(v), undefined),
          restart_strategy: (v) => (['ipop', 'bipop', 'none'].includes(v) ? undefined : `invalid restart_strategy: '${v}'`),
        },
        false,
      );
    case 'sobol':
      return undefined;
    case 'hyperband': {
      const get = (n: string) => settings.find((s) => s.name === n)?.value;
      const rl = get('r_l');
      const resource = get('resource_name');
      if (rl === undefined || resource === undefined) return 'r_l and resource_name must be set.';
      const rlv = Number(rl);
      if (Number.isNaN(rlv) || rlv < 0) return 'r_l must be a positive float number.';
      let eta = get('eta') === undefined ? 3 : Math.trunc(Number(get('eta')));
      if (eta <= 0) eta = 3;
      const smax = Math.trunc(Math.log(rlv) / Math.log(eta));
      const maxParallel = Math.ceil(eta ** smax);
      if ((exp.spec.parallelTrialCount ?? 0) < maxParallel) return `parallelTrialCount must be not less than ${maxParallel}.`;
      if (!params.some((p) => p.name === resource)) return 'value of resource_name setting must be in parameters.';
      return undefined;
    }
    default:
      return `unknown algorithm name ${algorithm}`;
  }
}

/** mulberry32: small, seedable, good enough for tests. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One random assignment for every parameter. */
export function sampleRandom(params: ParamSpec[], random: () => number): Array<{ name: string; value: string }> {
  return params.map((p) => {
    const fs = p.feasibleSpace;
    const u = random();
    if (p.parameterType === 'categorical' || p.parameterType === 'discrete') {
      const list = fs.list ?? [];
      return { name: p.name, value: list[Math.min(list.length - 1, Math.floor(u * list.length))] ?? '' };
    }
    const min = Number(fs.min);
    const max = Number(fs.max);
    if (p.parameterType === 'int') {
      const step = fs.step ? Number(fs.step) : 1;
      const n = Math.floor((max - min) / step) + 1;
      return { name: p.name, value: String(min + Math.min(n - 1, Math.floor(u * n)) * step) };
    }
    let x = fs.distribution === 'logUniform' ? Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min))) : min + u * (max - min);
    if (fs.step) {
      const step = Number(fs.step);
      x = Math.min(max, min + Math.round((x - min) / step) * step);
    }
    return { name: p.name, value: String(x) };
  });
}

/** The i-th grid combination (last parameter varies fastest, as itertools.product), or undefined past the end. */
export function gridAssignment(params: ParamSpec[], index: number): Array<{ name: string; value: string }> | undefined {
  const values = params.map(gridValues);
  const total = values.reduce((n, v) => n * v.length, 1);
  if (index >= total) return undefined;
  const out: Array<{ name: string; value: string }> = [];
  let rest = index;
  for (let i = params.length - 1; i >= 0; i--) {
    const vs = values[i]!;
    out[i] = { name: params[i]!.name, value: vs[rest % vs.length]! };
    rest = Math.floor(rest / vs.length);
  }
  return out;
}
