/** Spark Operator API and the Kubeflow SDK 0.5.0 SparkClient defaults (docs/wire/spark.md). */
import type { ResourceType } from '../../kube/client.js';

const SPARK_GROUP = 'sparkoperator.k8s.io';

export const SPARK_APPLICATIONS: ResourceType = {
  group: SPARK_GROUP,
  version: 'v1beta2',
  plural: 'sparkapplications',
  kind: 'SparkApplication',
  namespaced: true,
};
export const SPARK_CONNECTS: ResourceType = { group: SPARK_GROUP, version: 'v1alpha1', plural: 'sparkconnects', kind: 'SparkConnect', namespaced: true };

export const DEFAULT_SPARK_VERSION = '4.0.4';
export const DEFAULT_SPARK_IMAGE = `apache/spark:${DEFAULT_SPARK_VERSION}`;
export const DEFAULT_NUM_EXECUTORS = 1;
export const DEFAULT_CORES = 1;
export const DEFAULT_MEMORY = '512m';
/** The Helm chart's Spark service account for release `spark-operator` (the SDK hard-codes it for jobs). */
export const DEFAULT_SERVICE_ACCOUNT = 'spark-operator-spark';
export const JOB_NAME_PREFIX = 'spark-job';
export const SESSION_NAME_PREFIX = 'spark-connect';
export const SPARK_CONNECT_PORT = 15002;
const CONNECT_SCALA_VERSION = '2.13';

/** The Spark Connect server jar the SDK puts first in spark.jars (fetched from Maven Central by the cluster). */
export function connectJar(sparkVersion: string): string {
  return `https://repo1.maven.org/maven2/org/apache/spark/spark-connect_${CONNECT_SCALA_VERSION}/${sparkVersion}/spark-connect_${CONNECT_SCALA_VERSION}-${sparkVersion}.jar`;
}

/** Pod labels the operator sets on driver, executor and connect-server pods. */
export const LABEL_APP_NAME = 'sparkoperator.k8s.io/app-name';
export const LABEL_ROLE = 'spark-role';

/** The container Spark runs in on driver and connect-server pods (read logs from it, not a sidecar). */
export const DRIVER_CONTAINER = 'spark-kubernetes-driver';
