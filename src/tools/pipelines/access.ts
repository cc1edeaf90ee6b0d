/** The caller's right on KFP as a preview check (gateway / OAuth callers; otherwise KFP decides). */
import type { KfpResource, KfpVerb } from '../../kubeflow/pipelines/access.js';
import type { PipelinesClient } from '../../kubeflow/pipelines/client.js';
import { PipelinesError } from '../../kubeflow/pipelines/errors.js';
import type { Check } from '../schemas.js';

export async function kfpAccess(kfp: PipelinesClient, namespace: string, resource: KfpResource, verb: KfpVerb, signal?: AbortSignal): Promise<Check[]> {
  if (!kfp.actsForCaller) return [];
  try {
    await kfp.may(namespace, resource, verb, signal);
    return [{ check: 'rbac', ok: true, detail: `you may ${verb} ${resource}.pipelines.kubeflow.org in namespace ${namespace}` }];
  } catch (err) {
    if (err instanceof PipelinesError && err.code === 'forbidden') return [{ check: 'rbac', ok: false, detail: `${err.message} — ${err.hint}` }];
    throw err;
  }
}
