/**
 * Server instructions: the workflows in a few lines (budget: 400 tokens, tested). Only steps whose
 * tools the caller can see are mentioned.
 */
export function instructions(visible: ReadonlySet<string>, mode: 'full' | 'dynamic' = 'full'): string {
  const has = (t: string) => visible.has(t);
  const lines = ['Kubeflow training on Kubernetes (Kubeflow Trainer v2 TrainJobs).'];
  if (mode === 'dynamic') {
    lines.push('Tools are found on demand: search_tools (keywords), describe_tools (parameters), execute_tool (run one by name with its arguments).');
  }
  if (has('fine_tune') || has('run_custom_training') || has('run_container_training')) {
    lines.push(
      'Launch workflow:',
      '1. Pre-flight: ' + [has('check_prerequisites') ? 'check_prerequisites' : 'get_cluster_resources', has('estimate_resources') ? 'estimate_resources for LLMs' : ''].filter(Boolean).join(', ') + '.',
      '2. Preview: call the training tool with confirmed=false (default). Nothing is created; the API server dry-runs it. Show the preview to the user.',
      '3. Only after the user agrees, call again with the same arguments, the preview\'s name and confirmed=true.',
      '4. Monitor: wait_for_training (bounded; call again on timeout), get_training_logs, get_training_events.',
      'Pick: fine_tune = LLM fine-tuning without code (TorchTune, model-specific runtimes); run_custom_training = a Python function you write; run_container_training = an existing image.',
    );
  } else {
    lines.push('Inspect with list_training_jobs, get_training_job, get_training_logs, get_training_events.');
  }
  if (has('optimize')) {
    lines.push('Tune: optimize (the training code prints "<metric>=<value>" lines) -> wait_for_optimization -> get_best_results -> train with those parameters.');
  }
  if (has('register_model')) {
    lines.push('Register trained models with register_model (preview first); list_models/get_model_version to look them up.');
  }
  if (has('delete_training_job') || has('suspend_training_job')) {
    lines.push('Delete/suspend/resume also preview first; act only with confirmed=true after the user agrees.');
  }
  lines.push('Errors carry a hint saying what to change. namespace defaults to the configured one.');
  return lines.join('\n');
}
