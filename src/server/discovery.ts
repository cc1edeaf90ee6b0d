/**
 * Discovery documents, all derived from server.json (the MCP Registry entry, itself checked
 * against package.json by test/server/discovery.test.ts): one name, title, description and
 * version everywhere.
 *
 * The MCP Server Card (the server-card extension's draft, schema v1) is served on the HTTP
 * transport at `<endpoint>/server-card` (the location the draft reserves) and at
 * `/.well-known/mcp-server-card` (where earlier drafts and some clients look). It is public,
 * read-only metadata: no authentication, CORS open for GET, cacheable for an hour. It names the
 * endpoint only when the URL is one clients can use (--public-url, or a loopback bind): a card
 * must not expose an internal address, nor echo a Host header into a cached document.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SERVER_VERSION } from './version.js';

export interface RegistryEntry {
  $schema: string;
  name: string;
  title?: string;
  description: string;
  version: string;
  repository?: { url: string; source: string };
  websiteUrl?: string;
}

export const REGISTRY_ENTRY = createRequire(import.meta.url)('../../server.json') as RegistryEntry;

const SERVER_CARD_SCHEMA = 'https://static.modelcontextprotocol.io/schemas/v1/server-card.schema.json';
export const SERVER_CARD_MEDIA_TYPE = 'application/mcp-server-card+json';
const WELL_KNOWN_SERVER_CARD = '/.well-known/mcp-server-card';

export interface ServerCard {
  $schema: string;
  name: string;
  version: string;
  title?: string;
  description: string;
  repository?: { url: string; source: string };
  websiteUrl?: string;
  remotes?: Array<{ type: 'streamable-http'; url: string }>;
}

/** The card for an endpoint clients can reach (undefined: the card names no endpoint). */
export function serverCard(endpointUrl?: string): ServerCard {
  const e = REGISTRY_ENTRY;
  return {
    $schema: SERVER_CARD_SCHEMA,
    name: e.name,
    // The running code's version: server.json is held equal to it by a test, and a card must not
    // contradict the serverInfo a client sees once connected.
    version: SERVER_VERSION,
    ...(e.title ? { title: e.title } : {}),
    description: e.description,
    ...(e.repository ? { repository: e.repository } : {}),
    ...(e.websiteUrl ? { websiteUrl: e.websiteUrl } : {}),
    ...(endpointUrl ? { remotes: [{ type: 'streamable-http' as const, url: endpointUrl }] } : {}),
  };
}

/** The paths the card is served at, for an MCP endpoint path such as /mcp. */
export function serverCardPaths(endpointPath: string): string[] {
  return [WELL_KNOWN_SERVER_CARD, `${endpointPath}/server-card`];
}

const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET', 'access-control-allow-headers': 'Content-Type' };

/** Answers a request for the card: GET/HEAD the document, OPTIONS the CORS preflight, else 405. */
export function sendServerCard(req: IncomingMessage, res: ServerResponse, card: ServerCard): void {
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') return void res.writeHead(204, CORS).end();
  if (method !== 'GET' && method !== 'HEAD') return void res.writeHead(405, { ...CORS, allow: 'GET, HEAD, OPTIONS' }).end();
  const body = JSON.stringify(card);
  res.writeHead(200, { ...CORS, 'content-type': SERVER_CARD_MEDIA_TYPE, 'cache-control': 'public, max-age=3600', 'content-length': Buffer.byteLength(body) });
  res.end(method === 'HEAD' ? undefined : body);
}
