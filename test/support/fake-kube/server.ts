/**
 * The HTTP front: authentication → impersonation → authorization → handler, in that order
 * (so a forbidden request never learns whether the object exists), plus request recording and
 * stop/start on a fixed port.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { authenticate, impersonate } from './auth.js';
import type { ApiRequest, ServerState } from './context.js';
import { handleNonResource, PUBLIC_PATHS } from './discovery.js';
import { ApiError, forbidden, internalError, methodNotAllowed, pathNotFound, unauthorized } from './errors.js';
import { handleCreate, handleDelete, handleDeleteCollection, handleGet, handleList, handlePatch, handleUpdate } from './handlers.js';
import { decodeBody, readBody, sendError, type Responder } from './http-util.js';
import { handlePendingWorkloads } from './kueue-visibility.js';
import { handlePodLogs } from './pod-logs.js';
import { forbiddenMessage, type UserInfo } from './rbac.js';
import { findByResource } from './registry.js';
import { handleReview } from './reviews.js';
import { parseRequest } from './router.js';
import type { FakeUser, RecordedRequest } from './types.js';
import { handleWatch } from './watch.js';

const MAX_RECORDED = 20_000;

export class ApiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private listening = false;

  constructor(
    private readonly state: ServerState,
    private readonly tokens: Record<string, FakeUser>,
    public port: number,
    private readonly anonymous?: UserInfo,
  ) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    // Go's apiserver keeps idle connections far longer than Node's 5 s default; a short timeout
    // makes keep-alive clients race the server's socket close (sporadic ECONNRESET in tests).
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  listen(): Promise<void> {
    if (this.listening) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.server.once('error', onError);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        if (addr && typeof addr === 'object') this.port = addr.port;
        this.listening = true;
        resolve();
      });
    });
  }

  /** Stop accepting connections and cut the open ones (watchers and log followers see EOF/reset). */
  stop(): Promise<void> {
    if (!this.listening) return Promise.resolve();
    this.listening = false;
    for (const close of [...this.state.streams]) close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    return closed;
  }

  private record(entry: RecordedRequest): void {
    this.requests.push(entry);
    if (this.requests.length > MAX_RECORDED) this.requests.splice(0, this.requests.length - MAX_RECORDED);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const entry: RecordedRequest = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
    let recorded = false;
    const responder: Responder = {
      head: (code, headers = {}) => {
        entry.status = code;
        if (!recorded) {
          recorded = true;
          this.record(entry);
        }
        res.writeHead(code, headers);
        return res;
      },
    };
    try {
      const raw = await readBody(req);
      let body: unknown;
      let bodyError: unknown;
      try {
        body = decodeBody(raw, req.headers['content-type']);
        if (body !== undefined) entry.body = body;
      } catch (e) {
        bodyError = e;
        entry.body = raw.toString('utf8');
      }
      await this.dispatch(req, url, method, body, bodyError, entry, responder);
    } catch (e) {
      const err = e instanceof ApiError ? e : internalError(e instanceof Error ? e.message : String(e));
      if (!(e instanceof ApiError)) console.error('[fake-kube] handler crashed:', e);
      if (res.headersSent) res.destroy();
      else sendError(responder, err);
    }
  }

  private async dispatch(
    req: http.IncomingMessage,
    url: URL,
    method: string,
    body: unknown,
    bodyError: unknown,
    entry: RecordedRequest,
    res: Responder,
  ): Promise<void> {
    const { authz } = this.state;
    const caller = authenticate(req, this.tokens, this.anonymous);
    if (!caller) {
      if (PUBLIC_PATHS.has(url.pathname)) return handleNonResource(this.state, res, method, url.pathname);
      throw unauthorized();
    }
    const { user, impersonatedBy } = impersonate(req, caller, authz);
    entry.user = user.name;
    entry.groups = user.groups;
    if (impersonatedBy) entry.impersonatedBy = impersonatedBy;

    const info = parseRequest(method, url.pathname, url.searchParams);
    if (!info) throw pathNotFound();
    if (info.kind === 'nonResource') return handleNonResource(this.state, res, method, url.pathname);

    const t = this.state.uninstalled.has(info.group) ? undefined : findByResource(info.group, info.version, info.resource);
    // Self reviews are creatable by every authenticated user (system:basic-user); a
    // SubjectAccessReview (asking about someone else) needs RBAC like any resource.
    if (!t?.virtual || t.kind === 'SubjectAccessReview') {
      const attrs = {
        verb: info.verb,
        group: info.group,
        resource: info.resource,
        ...(info.subresource !== undefined ? { subresource: info.subresource } : {}),
        ...(info.namespace !== undefined ? { namespace: info.namespace } : {}),
        ...(info.name !== undefined ? { name: info.name } : {}),
      };
      if (!authz.authorize(user, attrs).allowed)
        throw forbidden({ group: info.group, resource: info.resource }, info.name ?? '', forbiddenMessage(user, attrs));
    }
    if (!t) throw pathNotFound();
    if (info.subresource !== undefined && !t.subresources.includes(info.subresource)) throw pathNotFound();
    if (!t.verbs.includes(info.verb)) throw methodNotAllowed();
    if (bodyError && ['create', 'update', 'patch'].includes(info.verb)) throw bodyError;

    // /api/v1/namespaces/{name} carries the namespace for authorization only (RequestInfo quirk).
    const scoped = t.kind === 'Namespace' ? { ...info, namespace: undefined } : info;
    if (scoped.namespace === undefined) delete scoped.namespace;
    const apiReq: ApiRequest = { info: scoped, t, query: url.searchParams, body, contentType: req.headers['content-type'], user, raw: req, res };
    if (info.subresource === 'pendingworkloads') return handlePendingWorkloads(this.state, apiReq);
    if (t.virtual) return handleReview(this.state, apiReq);
    if (info.subresource === 'log') return handlePodLogs(this.state, apiReq);
    switch (info.verb) {
      case 'get':
        return handleGet(this.state, apiReq);
      case 'list':
        return handleList(this.state, apiReq);
      case 'watch':
        return handleWatch(this.state, apiReq);
      case 'create':
        return handleCreate(this.state, apiReq);
      case 'update':
        return handleUpdate(this.state, apiReq);
      case 'patch':
        return handlePatch(this.state, apiReq);
      case 'delete':
        return handleDelete(this.state, apiReq);
      case 'deletecollection':
        return handleDeleteCollection(this.state, apiReq);
      default:
        throw methodNotAllowed();
    }
  }
}
