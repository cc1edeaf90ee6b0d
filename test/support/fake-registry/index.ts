/**
 * An in-process Model Registry REST server (v1alpha3) on 127.0.0.1 for hub tests. Every request is
 * validated against the OpenAPI document (path/query parameters, body; unknown query parameters
 * too) before it is handled: an invalid request answers 400 `{code, message}` and is recorded, so
 * a test can assert that the client never sent one. Every response is validated as well; one that
 * does not match is a bug of this fake: it answers 500, is recorded in `responseBugs`, and
 * `close()` throws.
 *
 *   const registry = await startFakeRegistry({ token: 's3cret' });
 *   registry.failNext('POST', '/model_versions', 500);            // fault injection, one-shot
 *   ...
 *   expect(registry.invalidRequests()).toEqual([]);
 *   await registry.close();
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HANDLERS } from './handlers.js';
import { BASE_PATH, ERROR_SCHEMA, findOperation, validateBody, validateParam, type Operation } from './openapi.js';
import { RegistryError, RegistryStore } from './store.js';

export interface FakeRegistryOptions {
  /** When set, every request needs `Authorization: Bearer <token>` (else 401). */
  token?: string;
  port?: number;
}

interface RecordedCall {
  method: string;
  /** Path under the API base path, e.g. /registered_models. */
  path: string;
  query: Record<string, string>;
  body?: unknown;
  status: number;
  operationId?: string;
  /** Why the request was invalid (empty when it was valid). */
  problems: string[];
}

interface Fault {
  method: string;
  path: string | RegExp;
  status: number;
  /** Apply the request first, then fail: the client cannot tell whether it happened. */
  afterApply: boolean;
  message: string;
}

export interface FakeRegistry {
  /** http://127.0.0.1:<port> — the baseUrl for ModelRegistryClient. */
  readonly url: string;
  readonly store: RegistryStore;
  readonly requests: RecordedCall[];
  /** Requests that failed validation against the OpenAPI document. */
  invalidRequests(): RecordedCall[];
  /** Responses of this fake that did not match the document (bugs of the fake). */
  readonly responseBugs: string[];
  /** Fail the next request matching method and path (exact string or RegExp on the API path). */
  failNext(method: string, path: string | RegExp, status: number, opts?: { afterApply?: boolean; message?: string }): void;
  /** Stop listening (state is kept); start() listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

const errorBody = (status: number, message: string) => ({ code: STATUS_TEXT[status] ?? `HTTP ${status}`, message });
const MAX_BODY = 1 << 20;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function requestProblems(
  op: Operation,
  params: Record<string, string>,
  query: URLSearchParams,
  contentType: string | undefined,
  text: string,
): { problems: string[]; body: unknown } {
  const problems: string[] = [];
  const declared = new Set(op.parameters.map((p) => p.name));
  for (const p of op.parameters) {
    if (p.in === 'path') problems.push(...validateParam(p, params[p.name]));
    else if (p.in === 'query') {
      const values = query.getAll(p.name);
      if (values.length > 1) problems.push(`query parameter '${p.name}' is given ${values.length} times`);
      problems.push(...validateParam(p, values[0]));
    }
  }
  for (const k of new Set(query.keys())) if (!declared.has(k)) problems.push(`query parameter '${k}' is not defined for ${op.operationId}`);
  let body: unknown;
  if (!op.requestSchema) {
    if (text !== '') problems.push(`${op.operationId} takes no request body`);
    return { problems, body };
  }
  if (text === '') {
    if (op.requestRequired) problems.push('the request body is required');
    return { problems, body };
  }
  if (!/^application\/json\b/.test(contentType ?? '')) problems.push(`Content-Type must be application/json, got ${contentType ?? '(none)'}`);
  try {
    body = JSON.parse(text);
  } catch {
    problems.push('the request body is not JSON');
    return { problems, body };
  }
  problems.push(...validateBody(op.requestSchema, body, 'request').map((p) => `body ${p}`));
  return { problems, body };
}

export async function startFakeRegistry(opts: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const store = new RegistryStore();
  const requests: RecordedCall[] = [];
  const responseBugs: string[] = [];
  const faults: Fault[] = [];
  const sockets = new Set<import('node:net').Socket>();

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const text = await readBody(req);
    const path = url.pathname.startsWith(BASE_PATH) ? url.pathname.slice(BASE_PATH.length) || '/' : url.pathname;
    const call: RecordedCall = { method, path, query: Object.fromEntries(url.searchParams), status: 0, problems: [] };
    if (text) {
      try {
        call.body = JSON.parse(text);
      } catch {
        call.body = text;
      }
    }
    requests.push(call);
    const send = (status: number, body: unknown, op?: Operation) => {
      let out = body;
      let code = status;
      if (op) {
        const declared = op.responses[String(status)];
        const schema = status >= 400 ? ERROR_SCHEMA : declared;
        const bug =
          status < 400 && !(String(status) in op.responses)
            ? [`status ${status} is not a documented answer of ${op.operationId}`]
            : schema
              ? validateBody(schema, body, 'response')
              : [];
        if (bug.length > 0) {
          const msg = `fake-registry bug: ${method} ${path} → ${status} does not match the OpenAPI document: ${bug.join('; ')}`;
          responseBugs.push(msg);
          code = 500;
          out = errorBody(500, msg);
        }
      }
      call.status = code;
      if (typeof out === 'string') {
        res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' }).end(out);
        return;
      }
      res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(out));
    };

    if (!url.pathname.startsWith(BASE_PATH)) {
      call.problems.push(`${url.pathname} is not under ${BASE_PATH}`);
      return send(404, '404 page not found\n');
    }
    if (opts.token !== undefined && req.headers.authorization !== `Bearer ${opts.token}`) {
      return send(401, errorBody(401, req.headers.authorization ? 'invalid bearer token' : 'missing bearer token'));
    }
    const found = findOperation(method, path);
    if (!('op' in found)) {
      call.problems.push(found.pathKnown ? `${method} is not an operation of ${path}` : `${path} is not in the OpenAPI document`);
      return found.pathKnown ? send(405, `${STATUS_TEXT[405]}\n`) : send(404, '404 page not found\n');
    }
    const { op, params } = found;
    call.operationId = op.operationId;
    const { problems, body } = requestProblems(op, params, url.searchParams, req.headers['content-type'], text);
    if (problems.length > 0) {
      call.problems.push(...problems);
      return send(400, errorBody(400, problems.join('; ')), op);
    }

    const fi = faults.findIndex((f) => f.method === method && (typeof f.path === 'string' ? f.path === path : f.path.test(path)));
    const fault = fi >= 0 ? faults.splice(fi, 1)[0] : undefined;
    if (fault && !fault.afterApply) return send(fault.status, errorBody(fault.status, fault.message), op);

    let result: { status: number; body: unknown };
    try {
      const handler = HANDLERS[op.operationId];
      if (!handler) throw new RegistryError(500, `fake-registry does not implement ${op.operationId}`);
      result = handler(store, { params, query: url.searchParams, body });
    } catch (err) {
      if (!(err instanceof RegistryError)) throw err;
      result = { status: err.status, body: errorBody(err.status, err.message) };
    }
    if (fault) return send(fault.status, errorBody(fault.status, fault.message), op);
    send(result.status, structuredClone(result.body), op);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const msg = `fake-registry crashed: ${err instanceof Error ? err.stack : String(err)}`;
      responseBugs.push(msg);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify(errorBody(500, msg)));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  let port = opts.port ?? 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  await listen();

  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    store,
    requests,
    responseBugs,
    invalidRequests: () => requests.filter((r) => r.problems.length > 0),
    failNext(method, path, status, o = {}) {
      faults.push({ method: method.toUpperCase(), path, status, afterApply: o.afterApply ?? false, message: o.message ?? `injected failure (${status})` });
    },
    stop,
    start: listen,
    async close() {
      if (server.listening) await stop();
      if (responseBugs.length > 0) throw new Error(`fake-registry answered outside its OpenAPI document:\n${responseBugs.join('\n')}`);
    },
  };
}
