/**
 * The static check of user training code (run_custom_training, optimize) as the tools report it:
 * a problem refuses the call, naming the first one's line and column and the others; warnings are
 * checks the preview shows.
 */
import { checkTrainingCode, type PyCheckOptions, type PyCheckResult } from '../kubeflow/python/check.js';
import { ToolError } from './contract.js';
import type { Check } from './schemas.js';

/** `passed` says what the check established ("train(lr) parsed by Python 3.11; arguments match"). */
export async function codeChecks(source: string, opts: PyCheckOptions, passed: (checked: PyCheckResult) => string): Promise<Check[]> {
  const checked = await checkTrainingCode(source, opts);
  const [first, ...more] = checked.problems;
  if (first) {
    const where = first.line ? ` (line ${first.line}${first.column ? `, column ${first.column}` : ''})` : '';
    const others = more.length ? ` (+${more.length} more problem(s): ${more.map((p) => p.message).join('; ')})` : '';
    throw new ToolError(`python_${first.code}`, `${first.message}${where}${others}`, first.hint);
  }
  return [
    { check: 'code', ok: true, detail: passed(checked) },
    ...checked.warnings.map((w) => ({ check: 'code syntax', ok: null, detail: `${w.message}. ${w.hint}` })),
  ];
}
