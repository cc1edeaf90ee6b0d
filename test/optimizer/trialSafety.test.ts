/**
 * What Katib substitutes into a trial stays inert. Katib renders a trial by replacing
 * `${trialParameters.<name>}` in the JSON text of the trial template with the raw assignment
 * value (no escaping), then decodes the JSON; the pod's bash then runs the script. These tests do
 * the same substitution and run the result with real bash.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildExperiment, type BuildExperimentInput } from '../../src/kubeflow/optimizer/experiment.js';
import { OptimizerError } from '../../src/kubeflow/optimizer/errors.js';
import { parameterSpec, search } from '../../src/kubeflow/optimizer/search.js';
import { runtimeFromObject } from '../../src/kubeflow/trainer/runtime.js';
import type { TrainJob } from '../../src/kubeflow/trainer/types.js';
import { validateAgainstCrd } from '../support/crd.js';
import { validateExperiment } from '../support/katib.js';
import { loadRuntimeFixtures, TRAINJOB_CRD } from '../support/runtimes.js';
import { thrown as thrownAs } from '../support/thrown.js';

const torch = runtimeFromObject(loadRuntimeFixtures().get('torch-distributed')!.obj);
const work = mkdtempSync(path.join(tmpdir(), 'kubeflow-mcp-trials-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const MARK = path.join(work, 'pwned');

/** Katib's applyParameters: plain text replacement in the template's JSON, then decode. */
function katibRender(input: BuildExperimentInput, values: Record<string, string>): TrainJob {
  const { experiment } = buildExperiment(input);
  expect(validateExperiment(experiment)).toEqual([]);
  let text = JSON.stringify(experiment.spec.trialTemplate!.trialSpec);
  for (const [name, value] of Object.entries(values)) text = text.split(`\${trialParameters.${name}}`).join(value);
  const job = JSON.parse(text) as TrainJob;
  expect(validateAgainstCrd(TRAINJOB_CRD, { ...job, metadata: { name: `${input.name}-abcdefgh` } })).toEqual([]);
  return job;
}

let runs = 0;
/** Runs the trial's script with `cat` as the entry point; returns train.py. */
function runTrial(job: TrainJob): { file: string; stderr: string; status: number | null } {
  const script = job.spec.trainer!.command!.at(-1)!;
  const lines = script.split('\n');
  const last = lines.pop()!;
  const file = /^torchrun "([^"]+)"$/.exec(last)![1]!;
  const dir = path.join(work, `trial-${runs++}`);
  mkdirSync(dir);
  const r = spawnSync('bash', ['-c', [...lines, `cat "${file}"`].join('\n')], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work },
  });
  return { file: readFileSync(path.join(dir, file), 'utf8'), stderr: r.stderr, status: r.status };
}

const code = (body: string) => `def train(lr, opt):\n${body}    print(f"loss={lr}", opt)\n`;
const base = (funcSource: string, values: Array<string | number | boolean>): BuildExperimentInput => ({
  name: 'safe',
  trialTemplate: { trainer: { kind: 'custom', funcSource, funcName: 'train' }, runtime: torch },
  searchSpace: { lr: search.uniform(0.01, 0.1), opt: search.categorical(values) },
});

const thrown = (fn: () => unknown) => thrownAs(fn, OptimizerError);

describe('categorical values Katib substitutes are refused unless inert', () => {
  it.each([`$(touch ${MARK})`, '`id`', "it's", 'say "hi"', 'back\\slash', 'two words', 'line\nbreak', '${trialParameters.lr}', 'a;b', 'a|b', '~root', '*'])(
    'refuses %j',
    (v) => {
      const e = thrown(() => parameterSpec('opt', search.categorical(['adamw', v])));
      expect(e.code).toBe('invalid_search_space');
      expect(e.field).toBe('searchSpace.opt.values');
      expect(e.message).toMatch(/Katib/);
      expect(e.hint).toMatch(/letters, digits/);
    },
  );

  it('accepts ordinary values (names, paths, numbers, booleans) unchanged', () => {
    const values = ['adamw', 'google/flan-t5-small', 'cosine_with_restarts', 'bf16', 'a=b', 'x:y', '-1', 16, 1e-5, true];
    expect(parameterSpec('opt', search.categorical(values)).feasibleSpace.list).toEqual([
      'adamw',
      'google/flan-t5-small',
      'cosine_with_restarts',
      'bf16',
      'a=b',
      'x:y',
      '-1',
      '16',
      '1e-05',
      'True',
    ]);
  });
});

describe('a rendered trial writes exactly the code with the values filled in', () => {
  it('SDK form: the function receives the values as strings', () => {
    const job = katibRender(base(code(''), ['adamw', 'google/flan-t5-small']), { lr: '0.05', opt: 'google/flan-t5-small' });
    const r = runTrial(job);
    expect(r.stderr).toBe('');
    expect(r.file).toBe(`${code('')}\ntrain(**{'lr': '0.05', 'opt': 'google/flan-t5-small'})`);
  });

  it('a code line that a value could turn into the heredoc delimiter cannot end the heredoc', () => {
    const src = code(`    s = """\n\${trialParameters.opt}\ntouch ${MARK}\n"""\n`);
    const job = katibRender(base(src, ['EOM', 'sgd']), { lr: '0.05', opt: 'EOM' });
    const r = runTrial(job);
    expect(existsSync(MARK)).toBe(false);
    expect(r.status).toBe(0);
    expect(r.file).toBe(`${src.replace('${trialParameters.opt}', 'EOM')}\ntrain(**{'lr': '0.05', 'opt': 'EOM'})\n`);
  });

  it('hostile code around the placeholders is written verbatim', () => {
    const src = code(`    print("$(touch ${MARK})", \`id\`, "\\\\", "\${HOME}", "\${trialParameters.opt}")\n`);
    const job = katibRender(base(src, ['sgd']), { lr: '1e-05', opt: 'sgd' });
    const r = runTrial(job);
    expect(existsSync(MARK)).toBe(false);
    expect(r.file).toBe(`${src.replace('${trialParameters.opt}', 'sgd')}\ntrain(**{'lr': '1e-05', 'opt': 'sgd'})\n`);
  });

  it('placeholder text Katib would leave unreplaced is refused (its webhook rejects the Experiment)', () => {
    const e = thrown(() => buildExperiment(base(code('    print("${trialParameters.momentum}")\n'), ['sgd'])));
    expect(e.message).toContain('${trialParameters.momentum}');
    expect(e.hint).toMatch(/searchSpace/);
  });
});

describe('Secret references in trial env', () => {
  it('custom and container trial templates carry secretKeyRef, never the reference text', () => {
    for (const trainer of [
      { kind: 'custom' as const, funcSource: code(''), funcName: 'train', env: { HF_TOKEN: 'secret:hf/token', EPOCHS: 3 } },
      { kind: 'container' as const, image: 'ghcr.io/me/train:1', env: { HF_TOKEN: 'secret:hf/token', EPOCHS: 3 } },
    ]) {
      const job = katibRender({ ...base(code(''), ['sgd']), trialTemplate: { trainer, runtime: torch } }, { lr: '0.05', opt: 'sgd' });
      const env = job.spec.trainer!.env!;
      expect(env.slice(0, 2)).toEqual([
        { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } },
        { name: 'EPOCHS', value: '3' },
      ]);
      expect(JSON.stringify(job)).not.toContain('secret:hf/token');
    }
  });
});
