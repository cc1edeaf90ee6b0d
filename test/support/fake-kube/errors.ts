/**
 * metav1.Status errors with the reasons, codes and message formats of a real kube-apiserver
 * (k8s.io/apimachinery/pkg/api/errors), so client error handling can be tested faithfully.
 */
import { qualifiedKind, qualifiedResource, type ResourceType } from './registry.js';

interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[] };
  code: number;
}

export class ApiError extends Error {
  constructor(readonly status: StatusBody) {
    super(status.message ?? status.reason ?? 'error');
  }
  get code(): number {
    return this.status.code;
  }
}

function failure(code: number, reason: string, message: string, details?: StatusBody['details']): ApiError {
  const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) body.details = details;
  return new ApiError(body);
}

type GroupResource = { group: string; resource: string };

function grDetails(gr: GroupResource, name: string): NonNullable<StatusBody['details']> {
  const d: NonNullable<StatusBody['details']> = { name };
  if (gr.group) d.group = gr.group;
  d.kind = gr.resource;
  return d;
}

export function notFound(gr: GroupResource, name: string): ApiError {
  return failure(404, 'NotFound', `${qualifiedResource(gr)} "${name}" not found`, grDetails(gr, name));
}

/** An unknown URL or resource type. */
export function pathNotFound(): ApiError {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return failure(409, 'AlreadyExists', `${qualifiedResource(gr)} "${name}" already exists`, grDetails(gr, name));
}

export function conflict(gr: GroupResource, name: string, why: string): ApiError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${why}`, grDetails(gr, name));
}

export const STALE_OBJECT = 'the object has been modified; please apply your changes to the latest version and try again';

export function unauthorized(): ApiError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

export function forbidden(gr: GroupResource, name: string, why: string): ApiError {
  const subject = name ? `${qualifiedResource(gr)} "${name}"` : qualifiedResource(gr);
  return failure(403, 'Forbidden', `${subject} is forbidden: ${why}`, grDetails(gr, name));
}

export function badRequest(message: string): ApiError {
  return failure(400, 'BadRequest', message);
}

export function methodNotAllowed(): ApiError {
  return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export function unsupportedMediaType(accepted: string[]): ApiError {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

export function expired(message: string): ApiError {
  return failure(410, 'Expired', message);
}

export function internalError(message: string): ApiError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ reason: '', message, field: '' }] });
}

// ---------------------------------------------------------------------------------------------
// Field errors (k8s.io/apimachinery/pkg/util/validation/field)

type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueTypeInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueForbidden'
  | 'FieldValueDuplicate';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  /** Rendered bad value, already formatted (see fmtValue). */
  value?: string;
  detail?: string;
}

/** Go's %v/%q rendering of a bad value, as field.Invalid prints it. */
export function fmtValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return 'null';
  return JSON.stringify(v);
}

export function fieldErrorBody(e: FieldError): string {
  const tail = e.detail ? `: ${e.detail}` : '';
  switch (e.type) {
    case 'FieldValueRequired':
      return `Required value${tail}`;
    case 'FieldValueForbidden':
      return `Forbidden${tail}`;
    case 'FieldValueTooLong':
      return `Too long${tail}`;
    case 'FieldValueTooMany':
      return `Too many: ${e.value ?? ''}${tail}`;
    case 'FieldValueDuplicate':
      return `Duplicate value: ${e.value ?? ''}`;
    case 'FieldValueNotSupported':
      return `Unsupported value: ${e.value ?? ''}${tail}`;
    default:
      return `Invalid value: ${e.value ?? '""'}${tail}`;
  }
}

export function invalid(t: ResourceType, name: string, errs: FieldError[]): ApiError {
  const rendered = errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
  const agg = rendered.length === 1 ? rendered[0] : `[${rendered.join(', ')}]`;
  const details: NonNullable<StatusBody['details']> = { name };
  if (t.group) details.group = t.group;
  details.kind = t.kind;
  details.causes = errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
  return failure(422, 'Invalid', `${qualifiedKind(t)} "${name}" is invalid: ${agg}`, details);
}

export function successStatus(details: StatusBody['details']): StatusBody {
  const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  if (details) body.details = details;
  return body;
}
