/** Spark Operator CRD contract helpers: every SparkApplication / SparkConnect we send is checked against the v2.4.0 CRDs. */
import { validateAgainstCrd } from './crd.js';
import { SPARK_CRDS_DIR } from './fake-kube/crd-schema.js';
import type { RecordedRequest } from './fake-kube/index.js';

const SPARK_APPLICATION_CRD = `${SPARK_CRDS_DIR}sparkoperator.k8s.io_sparkapplications.yaml`;
const SPARK_CONNECT_CRD = `${SPARK_CRDS_DIR}sparkoperator.k8s.io_sparkconnects.yaml`;

/** Problems the API server would report (unknown fields included), by the object's kind. */
export function validateSpark(obj: { kind?: string }): string[] {
  if (obj.kind === 'SparkApplication') return validateAgainstCrd(SPARK_APPLICATION_CRD, obj);
  if (obj.kind === 'SparkConnect') return validateAgainstCrd(SPARK_CONNECT_CRD, obj);
  return [`not a Spark Operator object: kind ${String(obj.kind)}`];
}

/** Every Spark object POSTed to the test API server (previews' dry-runs included), with its problems. */
export function sparkPosts(requests: readonly RecordedRequest[]): Array<{ path: string; dryRun: boolean; problems: string[] }> {
  return requests
    .filter((r) => r.method === 'POST' && /\/apis\/sparkoperator\.k8s\.io\//.test(r.path))
    .map((r) => ({ path: r.path, dryRun: r.query.dryRun === 'All', problems: validateSpark(r.body ?? {}) }));
}
