/** SparkApplication (v1beta2) and SparkConnect (v1alpha1) as far as we build and read them. */
import type { EnvVar, KubeObject, ObjectMeta } from '../../kube/types.js';

export type SparkAppType = 'Python' | 'Java' | 'Scala' | 'R';

interface SparkPodSpec {
  cores?: number;
  memory?: string;
  serviceAccount?: string;
  env?: EnvVar[];
  instances?: number;
}

export interface SparkDeps {
  archives?: string[];
  excludePackages?: string[];
  files?: string[];
  jars?: string[];
  packages?: string[];
  pyFiles?: string[];
  repositories?: string[];
}

export interface DynamicAllocation {
  enabled: boolean;
  initialExecutors?: number;
  maxExecutors?: number;
  minExecutors?: number;
}

export interface SparkApplication extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    arguments?: string[];
    deps?: SparkDeps;
    driver: SparkPodSpec & { podName?: string };
    dynamicAllocation?: DynamicAllocation;
    executor: SparkPodSpec;
    image?: string;
    mainApplicationFile: string;
    mainClass?: string;
    mode?: string;
    sparkConf?: Record<string, string>;
    sparkVersion: string;
    suspend?: boolean;
    type: SparkAppType;
  };
  status?: {
    applicationState?: { state?: string; errorMessage?: string };
    driverInfo?: { podName?: string; webUIServiceName?: string; webUIAddress?: string; webUIPort?: number; webUIIngressAddress?: string };
    executorState?: Record<string, string>;
    sparkApplicationId?: string;
    submissionID?: string;
    lastSubmissionAttemptTime?: string;
    terminationTime?: string;
    executionAttempts?: number;
    submissionAttempts?: number;
  };
}

export interface SparkConnect extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    dynamicAllocation?: DynamicAllocation;
    executor: { cores?: number; instances?: number; memory?: string; template?: unknown };
    image?: string;
    server: { cores?: number; memory?: string; template?: { spec: { containers: unknown[]; serviceAccountName?: string } } };
    sparkConf?: Record<string, string>;
    sparkVersion: string;
  };
  status?: {
    state?: string;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
    server?: { podName?: string; podIp?: string; serviceName?: string };
    executors?: Record<string, number>;
    startTime?: string;
    lastUpdateTime?: string;
  };
}
