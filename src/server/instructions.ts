/**
 * Server instructions: the workflows in a few lines (budget: 400 tokens, tested), generated from the
 * registry: each step names the caller's visible tools of the module and category it is about.
 */
import type { AnyToolSpec, Category, ModuleName } from '../tools/contract.js';
import { ALL_TOOLS } from '../tools/registry.js';

export function instructions(visible: ReadonlySet<string>, mode: 'full' | 'dynamic' = 'full'): string {
  const tools = ALL_TOOLS.filter((t) => visible.has(t.name));
  const of = (module: ModuleName, ...categories: Category[]) => tools.filter((t) => t.module === module && categories.includes(t.category));
  const names = (ts: AnyToolSpec[]) => ts.map((t) => t.name).join(', ');
  const lines = ['Kubeflow training on Kubernetes (Kubeflow Trainer v2 TrainJobs).'];
  if (mode === 'dynamic') {
    lines.push('Tools are found on demand: search_tools (keywords), describe_tools (parameters), execute_tool (run one by name with its arguments).');
  }
  const training = of('trainer', 'training');
  const planning = of('core', 'planning');
  if (training.length) {
    lines.push(
      'Launch workflow:',
      `1. Pre-flight: ${names(planning) || 'get_cluster_resources'}.`,
      '2. Preview: call the training tool with confirmed=false (default). Nothing is created; the API server dry-runs it. Show the preview to the user.',
      "3. Only after the user agrees, call again with the same arguments, the preview's name and confirmed=true.",
      `4. Monitor: ${names(of('trainer', 'monitoring'))}.`,
      `Pick: ${training.map((t) => `${t.name} = ${t.title}`).join('; ')}. resources are per node: gpu, cpu, memory.`,
    );
  } else if (of('trainer', 'monitoring', 'discovery').length) {
    lines.push(`Inspect with ${names(of('trainer', 'monitoring', 'discovery'))}.`);
  }
  const tune = of('optimizer', 'training');
  if (tune.length) lines.push(`Tune: ${names(tune)} (the code prints "<metric>=<value>" lines), then ${names(of('optimizer', 'monitoring', 'discovery'))}.`);
  const register = of('hub', 'training');
  if (register.length) lines.push(`Register trained models with ${names(register)}; look them up with ${names(of('hub', 'discovery'))}.`);
  const spark = of('spark', 'training');
  const sparkStatus = names(of('spark', 'monitoring', 'discovery'));
  if (spark.length)
    lines.push(`Spark: ${spark.map((t) => `${t.name} = ${t.title}`).join('; ')} (preview first, like training); follow with ${sparkStatus} (wait_for, logs).`);
  else if (sparkStatus) lines.push(`Inspect Spark jobs and sessions with ${sparkStatus}.`);
  const pipelines = of('pipelines', 'training');
  if (pipelines.length)
    lines.push(`Pipelines: ${names(pipelines)} (compiled YAML only; parameters as get_pipeline lists them), then ${names(of('pipelines', 'monitoring'))}.`);
  else if (of('pipelines', 'discovery').length) lines.push(`Pipelines: ${names(of('pipelines', 'discovery', 'monitoring'))}.`);
  const lifecycle = tools.filter((t) => t.category === 'lifecycle' && t.mutation);
  if (lifecycle.length) lines.push(`${names(lifecycle)} also preview first.`);
  if (tools.some((t) => t.mutation)) {
    lines.push('Where the client can ask the user, the server asks for confirmation itself; otherwise act only with confirmed=true after the user agrees.');
  }
  lines.push('Errors carry a hint saying what to change. namespace defaults to the configured one.');
  return lines.join('\n');
}
