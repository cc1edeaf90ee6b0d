/**
 * Create-only review resources: SelfSubjectAccessReview and SelfSubjectReview (`kubectl auth
 * can-i` / `whoami`), and SubjectAccessReview (`can-i --as`, what authenticating proxies ask):
 * the same decision for the user and groups named in its spec instead of the requester.
 */
import type { ApiRequest, ServerState } from './context.js';
import { badRequest, invalid, methodNotAllowed } from './errors.js';
import { sendJson } from './http-util.js';
import { apiVersionOf } from './registry.js';

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function handleReview(state: ServerState, req: ApiRequest): void {
  if (req.info.verb !== 'create' || req.info.name !== undefined) throw methodNotAllowed();
  const body = isObject(req.body) ? req.body : undefined;
  if (!body) throw badRequest('the object provided is unrecognized: request body must be a JSON object');
  const base = { kind: req.t.kind, apiVersion: apiVersionOf(req.t), metadata: { creationTimestamp: null } };
  if (req.t.kind === 'SelfSubjectReview') {
    const userInfo: Record<string, unknown> = { username: req.user.name, groups: req.user.groups };
    if (req.user.uid) userInfo.uid = req.user.uid;
    if (req.user.extra) userInfo.extra = req.user.extra;
    sendJson(req.res, 201, { ...base, status: { userInfo } });
    return;
  }
  const spec = isObject(body.spec) ? body.spec : {};
  let subject = req.user;
  if (req.t.kind === 'SubjectAccessReview') {
    const groups = Array.isArray(spec.groups) ? spec.groups.filter((g: unknown): g is string => typeof g === 'string') : [];
    if (typeof spec.user !== 'string' && !groups.length)
      throw invalid(req.t, '', [{ type: 'FieldValueRequired', field: 'spec.user', value: '""', detail: 'at least one of user or group must be specified' }]);
    subject = { name: typeof spec.user === 'string' ? spec.user : '', groups };
  }
  const ra = isObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nra = isObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  if (!ra === !nra)
    throw invalid(req.t, '', [
      {
        type: 'FieldValueInvalid',
        field: 'spec.resourceAttributes',
        value: ra ? '"object"' : '"null"',
        detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified',
      },
    ]);
  let status: Record<string, unknown>;
  if (nra) {
    // Discovery and health endpoints are open to every authenticated user (system:discovery).
    status = {
      allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated"',
    };
  } else {
    const attrs = {
      verb: String(ra!.verb ?? ''),
      group: String(ra!.group ?? ''),
      resource: String(ra!.resource ?? ''),
      ...(ra!.subresource ? { subresource: String(ra!.subresource) } : {}),
      ...(ra!.namespace ? { namespace: String(ra!.namespace) } : {}),
      ...(ra!.name ? { name: String(ra!.name) } : {}),
    };
    const d = state.authz.authorize(subject, attrs);
    status = d.allowed ? { allowed: true, reason: d.reason } : { allowed: false };
  }
  sendJson(req.res, 201, { ...base, spec, status });
}
