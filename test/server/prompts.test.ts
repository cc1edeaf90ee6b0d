/**
 * The KEP workflow prompts: each script calls tools that exist with arguments their schemas
 * accept (placeholders filled as the script says), and the server offers a prompt only to callers
 * who may use all of its tools.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { nameFrom, PROMPTS, renderPrompt, visiblePrompts } from '../../src/server/prompts.js';
import { Policy } from '../../src/policy/policy.js';
import { ALL_TOOLS } from '../../src/tools/registry.js';
import { inProcess, type InProcess } from '../support/inprocess.js';

const SAMPLE: Record<string, Record<string, string>> = {
  fine_tune_model: { model: 'meta-llama/Llama-3.2-1B-Instruct', dataset: 'hf://tatsu-lab/alpaca', queue: 'team-queue', namespace: 'team-a' },
  tune_hyperparameters: { code: 'def train(lr):\n    print(f"loss={lr}")\n', search_space: '{"lr": {"log_uniform": [0.00001, 0.01]}}', namespace: 'team-a' },
  register_best_model: { experiment: 'hpo-loss', model_name: 'llama-ft', version: 'v2' },
};

describe('scripts', () => {
  it.each(PROMPTS.map((p) => [p.name, p] as const))('%s: every call is valid for its tool', (name, p) => {
    const steps = p.steps(SAMPLE[name]!);
    expect(steps.length).toBeGreaterThanOrEqual(3);
    for (const step of steps) {
      const tool = ALL_TOOLS.find((t) => t.name === step.tool);
      expect(tool, step.tool).toBeDefined();
      const args = JSON.parse(JSON.stringify(step.args).replaceAll('<best_trial>', 'hpo-loss-x7k2m9qp'));
      const parsed = tool!.input.strict().safeParse(args);
      expect(parsed.success, `${step.tool}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });

  it('previews before it confirms, with the same arguments and a pinned name', () => {
    for (const p of PROMPTS) {
      const steps = p.steps(SAMPLE[p.name]!);
      const confirmed = steps.findIndex((s) => s.args.confirmed === true);
      expect(confirmed).toBeGreaterThan(0);
      const preview = steps[confirmed - 1]!;
      expect(preview.tool).toBe(steps[confirmed]!.tool);
      expect({ ...steps[confirmed]!.args, confirmed: undefined }).toEqual({ ...preview.args, confirmed: undefined });
    }
    expect(nameFrom('ft', 'meta-llama/Llama-3.2-1B-Instruct')).toBe('ft-llama-3-2-1b-instruct');
    const text = renderPrompt(PROMPTS[0]!, SAMPLE.fine_tune_model!);
    expect(text).toContain('1. check_prerequisites {"model":"meta-llama/Llama-3.2-1B-Instruct","queue":"team-queue","namespace":"team-a"}');
    expect(text).toContain('"confirmed":true');
  });

  it('offers a prompt only with every tool it calls', () => {
    const names = (persona: 'readonly' | 'data-scientist' | 'platform-admin') => visiblePrompts(new Policy(persona).visible(ALL_TOOLS)).map((p) => p.name);
    expect(names('platform-admin')).toEqual(['fine_tune_model', 'tune_hyperparameters', 'register_best_model']);
    expect(names('readonly')).toEqual([]);
    expect(visiblePrompts(ALL_TOOLS.filter((t) => t.module !== 'hub')).map((p) => p.name)).toEqual(['fine_tune_model', 'tune_hyperparameters']);
  });
});

describe('over MCP', () => {
  let srv: InProcess;
  afterAll(async () => srv?.close());

  it('lists the prompts and renders one; a missing argument is an error', async () => {
    srv = await inProcess({ clients: ['trainer', 'optimizer'], persona: 'platform-admin' });
    const client = await srv.connect();
    const list = await client.listPrompts();
    expect(list.prompts.map((p) => p.name)).toEqual(['fine_tune_model', 'tune_hyperparameters']);
    expect(list.prompts[0]!.arguments?.find((a) => a.name === 'model')).toMatchObject({ required: true });
    const got = await client.getPrompt({ name: 'fine_tune_model', arguments: { model: 'Qwen/Qwen2.5-7B' } });
    const text = (got.messages[0]!.content as { text: string }).text;
    expect(text).toContain('2. fine_tune {"model":"Qwen/Qwen2.5-7B","name":"ft-qwen2-5-7b"}');
    expect(text).toContain('5. get_training_metrics {"name":"ft-qwen2-5-7b"}');
    await expect(client.getPrompt({ name: 'fine_tune_model', arguments: {} })).rejects.toThrow(/needs model/);
    await expect(client.getPrompt({ name: 'nope', arguments: {} })).rejects.toThrow(/Unknown prompt/);
  });
});
