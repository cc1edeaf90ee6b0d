/**
 * Turns any failure into a ToolError a model can act on: what went wrong and what to change.
 * Kubernetes API Status reasons map to stable codes; messages never carry credentials (the API
 * server's messages do not, and we add none).
 */
import { KubeApiError, KubeNameError } from '../kube/client.js';
import { KubeConfigError } from '../kube/connection.js';
import { CodedError } from '../kubeflow/errors.js';
import { ToolError } from './contract.js';

export function toToolError(err: unknown): ToolError {
  if (err instanceof ToolError) return err;
  if (err instanceof KubeApiError) return fromKube(err);
  if (err instanceof KubeConfigError) return new ToolError('no_cluster', err.message, err.hint);
  if (err instanceof KubeNameError) return new ToolError(err.code, err.message, err.hint);
  // The Kubeflow layer's errors carry their own code and hint; everything beyond those is kept.
  if (err instanceof CodedError) {
    // `instanceof` on a generic class narrows to CodedError<any>; every code is a string.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
    const coded: CodedError<string> = err;
    const { code, message, hint, ...details } = coded.toJSON();
    return new ToolError(code, message, hint, Object.keys(details).length ? details : undefined);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ToolError(
    'internal_error',
    `Unexpected server error: ${message}`,
    'This is a kubeflow-mcp bug; retrying will likely fail the same way. Report it with the tool name and arguments.',
  );
}

/** The server could not be reached, took too long, or the call was cancelled: an error, never a check's answer. */
const TRANSPORT_FAILURES = new Set([
  'cluster_unreachable',
  'timeout',
  'cancelled',
  'registry_unreachable',
  'registry_timeout',
  'pipelines_unreachable',
  'pipelines_timeout',
]);

export function isTransportFailure(err: unknown): boolean {
  return TRANSPORT_FAILURES.has(toToolError(err).code);
}

export function isNotFound(err: unknown): boolean {
  return toToolError(err).code === 'not_found';
}

function fromKube(err: KubeApiError): ToolError {
  const causes = err.details?.causes?.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).filter(Boolean);
  switch (err.reason) {
    case 'Unreachable':
      return new ToolError('cluster_unreachable', err.message, 'Check that the cluster is up and reachable (`kubectl cluster-info`), then call again.');
    case 'Timeout':
      return new ToolError(
        'timeout',
        err.message,
        'The API server is slow or overloaded; call again, or narrow the request (a namespace, a label selector, a smaller page).',
      );
    case 'Aborted':
      return new ToolError('cancelled', 'The request was cancelled.', 'Call again if the result is still needed.');
    case 'Unauthorized':
      return new ToolError(
        'unauthorized',
        `The Kubernetes API server rejected the credentials: ${err.message}`,
        'Refresh your credentials (log in again, or check the kubeconfig context/token) and call again.',
      );
    case 'Forbidden':
      return new ToolError(
        'forbidden',
        err.message,
        'Your Kubernetes identity lacks this permission (RBAC). Use a namespace you have access to, or ask a cluster admin for a Role granting it.',
      );
    case 'NotFound':
      return new ToolError('not_found', err.message, 'Check the name and namespace; the list tools show what exists.');
    case 'AlreadyExists':
      return new ToolError('already_exists', err.message, 'Pick another name, or omit the name to have one generated.');
    case 'Conflict':
      return new ToolError('conflict', err.message, 'The object changed meanwhile; read it again and retry.');
    case 'Invalid':
      return new ToolError(
        'invalid',
        `The API server rejected the object: ${err.message}`,
        causes?.length ? `Fix: ${causes.join('; ')}` : 'Fix the named fields and call again.',
      );
    case 'Expired':
    case 'Gone':
      return new ToolError('expired', err.message, 'The listing moved on; start again without the continue token.');
    case 'TooManyRequests':
      return new ToolError('rate_limited', err.message, 'The API server is throttling; wait a few seconds and call again.');
    default:
      return new ToolError(
        `http_${err.status || 'error'}`,
        `Kubernetes API error: ${err.message}`,
        'Check the cluster state (`kubectl get --raw /readyz`) and call again.',
      );
  }
}
