/**
 * Identity from a trusted gateway (Istio + oauth2-proxy, an MCP gateway, ...) that authenticates
 * the user and forwards who they are in headers. Only used when the server runs in gateway mode:
 * anywhere else these headers are ignored, since any client could set them.
 *
 * Exactly one source is trusted: one configured user header and one groups header (never a list
 * of alternatives, never merged), each present at most once, and, before either is read, proof
 * that the request came through the gateway: a shared secret the gateway adds (read from a file)
 * and/or a trusted proxy address the connection must come from.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { BlockList, isIPv4 } from 'node:net';
import type { Identity } from './identity.js';
import { checkPrincipal, PrincipalError } from './principal.js';

export interface GatewayOptions {
  /** Names the user. Default: Kubeflow's `kubeflow-userid` (Istio + oauth2-proxy, see docs/security.md). */
  userHeader: string;
  /** Comma-separated groups. Default `kubeflow-groups`. */
  groupsHeader: string;
  requestIdHeader: string;
  /** Header carrying the shared secret, when `secretFile` is set. */
  secretHeader: string;
  /** File holding the secret the gateway sends (a mounted Kubernetes Secret; re-read when it changes). */
  secretFile?: string;
  /** Addresses or CIDR ranges the gateway connects from; others are refused. */
  trustedProxies?: string[];
}

export const DEFAULT_GATEWAY: GatewayOptions = {
  userHeader: 'kubeflow-userid',
  groupsHeader: 'kubeflow-groups',
  requestIdHeader: 'x-request-id',
  secretHeader: 'x-kubeflow-mcp-gateway-secret',
};

export type GatewayOutcome = { ok: true; identity: Identity } | { ok: false; reason: string };

/** Whether the gateway is trusted by something other than the headers themselves. */
export function gatewayProven(opts: GatewayOptions): boolean {
  return Boolean(opts.secretFile || opts.trustedProxies?.length);
}

/** Builds the per-request check; reads the secret once now so a bad file is a start-up error. */
export function gatewayAuthenticator(opts: GatewayOptions): (req: IncomingMessage) => GatewayOutcome {
  const secret = opts.secretFile ? fileSecret(opts.secretFile) : undefined;
  const proxies = opts.trustedProxies?.length ? proxyList(opts.trustedProxies) : undefined;
  return (req) => {
    if (proxies && !fromTrustedProxy(proxies, req.socket.remoteAddress)) {
      return { ok: false, reason: 'the request did not come from a trusted gateway address' };
    }
    if (secret) {
      const sent = single(req, opts.secretHeader);
      if (typeof sent !== 'string' || !sameSecret(sent, secret()))
        return { ok: false, reason: 'the request did not come through the gateway (missing or wrong gateway secret)' };
    }
    const user = single(req, opts.userHeader);
    if (user === undefined) return { ok: false, reason: `no user from the gateway (expected the ${opts.userHeader} header)` };
    const groups = single(req, opts.groupsHeader);
    if (user === null || groups === null)
      return { ok: false, reason: `the ${user === null ? opts.userHeader : opts.groupsHeader} header is present more than once` };
    try {
      // The list syntax allows spaces after commas; the names themselves are checked unpadded.
      const listed = groups
        ? groups
            .split(',')
            .map((g) => g.replace(/^[ \t]+|[ \t]+$/g, ''))
            .filter(Boolean)
        : [];
      const p = checkPrincipal(user, listed, `the ${opts.userHeader} header`);
      return { ok: true, identity: { ...p, source: 'gateway', impersonate: true } };
    } catch (err) {
      if (err instanceof PrincipalError) return { ok: false, reason: err.message };
      throw err;
    }
  };
}

/** The header's one value; undefined when absent, null when sent more than once. */
function single(req: IncomingMessage, name: string): string | undefined | null {
  const values = req.headersDistinct[name.toLowerCase()];
  if (!values?.length) return undefined;
  return values.length === 1 ? values[0]! : null;
}

function sameSecret(sent: string, expected: string): boolean {
  // Equal-length digests: the comparison takes the same time whatever was sent.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(sent), digest(expected));
}

/** The secret in `file`, re-read when the file changes (Secret rotation), never empty. */
function fileSecret(file: string): () => string {
  const read = (): string => {
    const value = readFileSync(file, 'utf8').trim();
    if (!value) throw new Error(`the gateway secret file ${file} is empty`);
    return value;
  };
  let value = read();
  let mtime = statSync(file).mtimeMs;
  return () => {
    try {
      const now = statSync(file).mtimeMs;
      if (now !== mtime) [value, mtime] = [read(), now];
    } catch {
      // Mid-rotation (the file briefly missing or empty): keep the last good secret.
    }
    return value;
  };
}

function proxyList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [addr, bits] = entry.split('/');
    const type = isIPv4(addr!) ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(addr!, type);
    else list.addSubnet(addr!, Number(bits), type);
  }
  return list;
}

function fromTrustedProxy(list: BlockList, remote: string | undefined): boolean {
  if (!remote) return false;
  // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote)?.[1];
  return v4 ? list.check(v4, 'ipv4') : list.check(remote, isIPv4(remote) ? 'ipv4' : 'ipv6');
}
