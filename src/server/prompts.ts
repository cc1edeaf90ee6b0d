/**
 * MCP prompts for the three KEP-936 workflows: fine-tune a model, tune hyperparameters, register
 * the best model. Each is a short script of tool calls with their arguments filled in from the
 * prompt's arguments; a value only a previous call can tell is a `<placeholder>` the script says
 * where to take from. A prompt is offered only when the caller may use every tool it calls.
 */
import type { AnyToolSpec } from '../tools/contract.js';

interface PromptStep {
  tool: string;
  args: Record<string, unknown>;
  /** What to do with the result. */
  then: string;
}

export interface PromptSpec {
  name: string;
  title: string;
  description: string;
  arguments: Array<{ name: string; description: string; required?: boolean }>;
  steps(args: Record<string, string | undefined>): PromptStep[];
}

/** A job or experiment name from free text: lowercase, starts with a letter, at most 40 characters. */
export function nameFrom(prefix: string, text: string): string {
  const slug = text
    .toLowerCase()
    .split('/')
    .pop()!
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${prefix}-${slug}`.slice(0, 40).replace(/-+$/, '');
}

const ns = (a: Record<string, string | undefined>) => (a.namespace ? { namespace: a.namespace } : {});

export const PROMPTS: readonly PromptSpec[] = [
  {
    name: 'fine_tune_model',
    title: 'Fine-tune a model',
    description: 'Pre-flight, preview, confirm, follow and read the metrics of a fine-tuning job.',
    arguments: [
      { name: 'model', description: 'HF id, hf:// or s3://', required: true },
      { name: 'dataset', description: "HF id, hf:// or s3:// (default: the runtime's)" },
      { name: 'queue', description: 'Kueue LocalQueue' },
      { name: 'namespace', description: 'namespace (default: the configured one)' },
    ],
    steps(a) {
      const model = a.model ?? '';
      const name = nameFrom('ft', model);
      const job = { model, ...(a.dataset ? { dataset: a.dataset } : {}), ...(a.queue ? { queue: a.queue } : {}), name, ...ns(a) };
      return [
        {
          tool: 'check_prerequisites',
          args: { model, ...(a.queue ? { queue: a.queue } : {}), ...ns(a) },
          then: 'Stop and report any FAIL check with its fix.',
        },
        { tool: 'fine_tune', args: job, then: 'Show the preview (checks, GPUs it takes) to the user and ask to go ahead.' },
        { tool: 'fine_tune', args: { ...job, confirmed: true }, then: 'Only after the user agreed.' },
        { tool: 'wait_for_training', args: { name, ...ns(a) }, then: 'On a timeout, report progress and any blockers; call again to keep waiting.' },
        { tool: 'get_training_metrics', args: { name, ...ns(a) }, then: 'Report whether the loss went down, and the final values.' },
      ];
    },
  },
  {
    name: 'tune_hyperparameters',
    title: 'Tune hyperparameters',
    description: 'Preview, confirm and follow a Katib search, then report the best parameters.',
    arguments: [
      { name: 'code', description: 'Python defining train(**params), printing "<metric>=<value>" lines', required: true },
      { name: 'search_space', description: 'JSON: param -> {uniform|log_uniform|int: [min, max]} or {categorical: [...]}', required: true },
      { name: 'metric', description: 'objective metric (default loss)' },
      { name: 'namespace', description: 'namespace (default: the configured one)' },
    ],
    steps(a) {
      const name = nameFrom('hpo', a.metric ?? 'loss');
      const experiment = { code: a.code ?? '', search_space: parseJson(a.search_space), ...(a.metric ? { metric: a.metric } : {}), name, ...ns(a) };
      return [
        { tool: 'optimize', args: experiment, then: 'Show the preview (trials, search space, checks) to the user and ask to go ahead.' },
        { tool: 'optimize', args: { ...experiment, confirmed: true }, then: 'Only after the user agreed.' },
        { tool: 'wait_for_optimization', args: { name, ...ns(a) }, then: 'On a timeout, report trials done so far; call again to keep waiting.' },
        { tool: 'get_best_results', args: { name, ...ns(a) }, then: 'Report the best parameters and metric.' },
      ];
    },
  },
  {
    name: 'register_best_model',
    title: 'Register the best model',
    description: 'Find the best trial of an experiment and register its model in the Model Registry.',
    arguments: [
      { name: 'experiment', description: 'the finished optimization job', required: true },
      { name: 'model_name', description: 'registered model name', required: true },
      { name: 'version', description: 'version name (default v1)' },
      { name: 'namespace', description: 'namespace (default: the configured one)' },
    ],
    steps(a) {
      return [
        {
          tool: 'get_best_results',
          args: { name: a.experiment ?? '', ...ns(a) },
          then: "The best trial's name is its TrainJob: use it as <best_trial> below.",
        },
        {
          tool: 'register_model',
          args: { name: a.model_name ?? '', version: a.version ?? 'v1', train_job: '<best_trial>', ...ns(a) },
          then: 'Show the preview (URI, lineage) to the user and ask to go ahead.',
        },
        {
          tool: 'register_model',
          args: { name: a.model_name ?? '', version: a.version ?? 'v1', train_job: '<best_trial>', confirmed: true, ...ns(a) },
          then: 'Only after the user agreed; report the registered version.',
        },
      ];
    },
  },
];

function parseJson(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return text;
  }
}

/** The prompts whose every tool the caller may use. */
export function visiblePrompts(tools: readonly AnyToolSpec[]): PromptSpec[] {
  const names = new Set(tools.map((t) => t.name));
  return PROMPTS.filter((p) => p.steps({}).every((s) => names.has(s.tool)));
}

/** The script as the message the client puts in the conversation. */
export function renderPrompt(p: PromptSpec, args: Record<string, string | undefined>): string {
  const steps = p.steps(args).map((s, i) => `${i + 1}. ${s.tool} ${JSON.stringify(s.args)}\n   ${s.then}`);
  return [`${p.title}: call these tools in order.`, ...steps, 'If a call returns an error, follow its hint before going on.'].join('\n');
}
