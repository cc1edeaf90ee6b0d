/**
 * Where the KFP API server is and which token it gets (docs/wire/pipelines.md#finding-the-api-server),
 * resolved as the SDK's kfp.kubeflow_client does: an explicit endpoint (flag or config file), else
 * `KF_PIPELINES_ENDPOINT`, else the in-cluster Service when running in a pod. The SDK's last resort
 * (the kube-apiserver service proxy without credentials) is not taken: docs/wire-decisions.md#kubeflow-pipelines-srckubeflowpipelines.
 */
import { existsSync, readFileSync } from 'node:fs';
import { PipelinesError } from './errors.js';

const API_PATH = '/apis/v2beta1';
export const IN_CLUSTER_ENDPOINT = 'http://ml-pipeline.kubeflow.svc.cluster.local:8888';
const KFP_TOKEN_FILE = '/var/run/secrets/kubeflow/pipelines/token';
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface EndpointChoice {
  endpoint?: string;
  /** Where it came from, or why there is none. */
  source: string;
}

/** flag/config > KF_PIPELINES_ENDPOINT > in-cluster Service (only inside a pod). */
export function chooseEndpoint(configured: string | undefined, env: NodeJS.ProcessEnv = process.env, inPod = isInPod(env)): EndpointChoice {
  if (configured?.trim()) return { endpoint: configured.trim(), source: 'configured' };
  if (env.KF_PIPELINES_ENDPOINT?.trim()) return { endpoint: env.KF_PIPELINES_ENDPOINT.trim(), source: '$KF_PIPELINES_ENDPOINT' };
  if (inPod) return { endpoint: IN_CLUSTER_ENDPOINT, source: 'in-cluster Service' };
  return {
    source:
      'no KFP endpoint (--pipelines-endpoint, pipelines.endpoint, or $KF_PIPELINES_ENDPOINT; outside the cluster e.g. kubectl port-forward -n kubeflow svc/ml-pipeline 8888)',
  };
}

function isInPod(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.KUBERNETES_SERVICE_HOST) && existsSync(SERVICE_ACCOUNT_TOKEN);
}

/**
 * The API base URL: a missing scheme means https (as the SDK), a trailing slash is dropped, and
 * `/apis/v2beta1` is appended to whatever path prefix the endpoint has (a gateway's `/pipeline`).
 */
export function apiBase(endpoint: string): string {
  const text = endpoint.trim().replace(/\/+$/, '');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new PipelinesError(
      'invalid_argument',
      `'${endpoint}' is not a URL`,
      'pass the KFP API server address, e.g. http://ml-pipeline.kubeflow.svc.cluster.local:8888',
      0,
      'endpoint',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PipelinesError(
      'invalid_argument',
      `KFP endpoint '${endpoint}' must use http or https`,
      'e.g. https://kubeflow.example.com/pipeline',
      0,
      'endpoint',
    );
  }
  if (url.username || url.password)
    throw new PipelinesError(
      'invalid_argument',
      'the KFP endpoint must not carry credentials',
      'pass the token in a file (pipelines.token_file)',
      0,
      'endpoint',
    );
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith(API_PATH) ? path : `${path}${API_PATH}`;
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

/**
 * The file the bearer token is read from, as the SDK looks for it: the configured file, else
 * `KF_PIPELINES_SA_TOKEN_PATH`, else the projected KFP token, else the pod's service-account token.
 */
export function tokenFile(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (configured) return configured;
  if (env.KF_PIPELINES_SA_TOKEN_PATH) return env.KF_PIPELINES_SA_TOKEN_PATH;
  return [KFP_TOKEN_FILE, SERVICE_ACCOUNT_TOKEN].find((f) => existsSync(f));
}

/** Read before every request, as the SDK's refresh hook does: projected tokens rotate. */
export function readToken(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch (err) {
    throw new PipelinesError(
      'unauthorized',
      `cannot read the KFP token file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      'mount the token (pipelines.token_file) or fix its path, then call again',
    );
  }
}
