/** Bearer-token authentication and user impersonation (Impersonate-* headers). */
import type { IncomingMessage } from 'node:http';
import { badRequest, forbidden, unauthorized } from './errors.js';
import { forbiddenMessage, type Authorizer, type ResourceAttributes, type UserInfo } from './rbac.js';
import type { FakeUser } from './types.js';

function withImplicitGroups(name: string, groups: string[]): string[] {
  const out = [...groups];
  const sa = name.match(/^system:serviceaccount:([^:]+):[^:]+$/);
  if (sa) out.push('system:serviceaccounts', `system:serviceaccounts:${sa[1]}`);
  out.push('system:authenticated');
  return [...new Set(out)];
}

/** The identity of requests without credentials (undefined = anonymous access disabled). */
export function anonymousUser(setting: boolean | FakeUser | undefined): UserInfo | undefined {
  if (!setting) return undefined;
  if (setting === true) return { name: 'system:anonymous', groups: ['system:unauthenticated'] };
  return { name: setting.name, groups: withImplicitGroups(setting.name, setting.groups ?? []) };
}

/**
 * Returns the authenticated user, or `anonymous` for a request without an Authorization header.
 * A present but unknown token is always 401, like a real apiserver.
 */
export function authenticate(req: IncomingMessage, tokens: Record<string, FakeUser>, anonymous?: UserInfo): UserInfo | undefined {
  const h = req.headers.authorization;
  if (h === undefined) return anonymous;
  const m = h.match(/^Bearer\s+(\S+)\s*$/i);
  const u = m ? tokens[m[1]!] : undefined;
  if (!u) throw unauthorized();
  return { name: u.name, groups: withImplicitGroups(u.name, u.groups ?? []) };
}

export interface Impersonation {
  user: UserInfo;
  impersonatedBy?: string;
}

/** Apply Impersonate-* headers after checking the caller may impersonate each requested attribute. */
export function impersonate(req: IncomingMessage, caller: UserInfo, authz: Authorizer): Impersonation {
  const hd = req.headersDistinct;
  const userName = hd['impersonate-user']?.[0];
  const groups = (hd['impersonate-group'] ?? []).flatMap((g) => g.split(',').map((s) => s.trim())).filter(Boolean);
  const uid = hd['impersonate-uid']?.[0];
  const extra: Record<string, string[]> = {};
  for (const [k, vs] of Object.entries(hd)) {
    if (k.startsWith('impersonate-extra-') && vs) extra[decodeURIComponent(k.slice('impersonate-extra-'.length))] = vs;
  }
  const wantsOther = groups.length > 0 || uid !== undefined || Object.keys(extra).length > 0;
  if (userName === undefined) {
    if (wantsOther) throw badRequest('requested impersonation of groups, uid or extra without impersonating a user');
    return { user: caller };
  }
  const check = (a: ResourceAttributes): void => {
    if (!authz.authorize(caller, a).allowed) throw forbidden({ group: a.group, resource: a.resource }, a.name ?? '', forbiddenMessage(caller, a));
  };
  const sa = userName.match(/^system:serviceaccount:([^:]+):([^:]+)$/);
  if (sa) check({ verb: 'impersonate', group: '', resource: 'serviceaccounts', namespace: sa[1]!, name: sa[2]! });
  else check({ verb: 'impersonate', group: '', resource: 'users', name: userName });
  for (const g of groups) check({ verb: 'impersonate', group: '', resource: 'groups', name: g });
  if (uid !== undefined) check({ verb: 'impersonate', group: 'authentication.k8s.io', resource: 'uids', name: uid });
  for (const [k, vs] of Object.entries(extra))
    for (const v of vs) check({ verb: 'impersonate', group: 'authentication.k8s.io', resource: 'userextras', subresource: k, name: v });
  const user: UserInfo = { name: userName, groups: withImplicitGroups(userName, groups) };
  if (uid !== undefined) user.uid = uid;
  if (Object.keys(extra).length > 0) user.extra = extra;
  return { user, impersonatedBy: caller.name };
}
