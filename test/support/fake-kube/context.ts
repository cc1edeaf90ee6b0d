/** State shared by the HTTP handlers, and the per-request view they work on. */
import type { IncomingMessage } from 'node:http';
import type { Responder } from './http-util.js';
import type { LogStore } from './logs.js';
import type { Authorizer, UserInfo } from './rbac.js';
import type { ResourceType } from './registry.js';
import type { ResourceRequest } from './router.js';
import type { ObjectStore } from './store.js';

export interface ServerState {
  store: ObjectStore;
  logs: LogStore;
  authz: Authorizer;
  crdValidation: boolean;
  /** API groups whose CRDs are not installed: absent from discovery, 404 on every path. */
  uninstalled: ReadonlySet<string>;
  smpOnCustomResources: boolean;
  bookmarkIntervalMs: number;
  /** Closers for long-running responses (watch, log follow), run when the server stops. */
  streams: Set<() => void>;
  /** host:port the server listens on (for discovery's serverAddressByClientCIDRs). */
  address(): string;
}

export interface ApiRequest {
  info: ResourceRequest;
  t: ResourceType;
  query: URLSearchParams;
  body: unknown;
  contentType: string | undefined;
  user: UserInfo;
  raw: IncomingMessage;
  res: Responder;
}
