/**
 * The live dashboard as an MCP App (the io.modelcontextprotocol/ui extension): one `ui://` resource,
 * a self-contained HTML page (source in ui/dashboard, built into dist/ui by scripts/build-ui.mjs),
 * linked through `_meta.ui.resourceUri` from the tools whose spec sets `dashboard`. The link is in
 * tools/list only for clients that declare the extension, so every other client's tool context is
 * unchanged; the tools' text and structured results are the same for every client. See
 * docs/architecture.md ("The dashboard").
 *
 * The extension's names are written out here, not imported from @modelcontextprotocol/ext-apps:
 * that package's runtime entry brings the MCP client SDK into every install as a peer, for three
 * strings (a test holds them equal to the package's).
 */
import { readFile } from 'node:fs/promises';
import {
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  type ClientCapabilities,
  type ReadResourceResult,
  type Resource,
} from '@modelcontextprotocol/server';
import type { AnyToolSpec } from '../tools/contract.js';

export const UI_EXTENSION = 'io.modelcontextprotocol/ui';
export const APP_MIME_TYPE = 'text/html;profile=mcp-app';
/** The pre-2026 hosts' spelling of `_meta.ui.resourceUri`; sent as well, as the SDK's helper does. */
const LEGACY_URI_KEY = 'ui/resourceUri';
export const DASHBOARD_URI = 'ui://kubeflow-mcp/dashboard.html';

const BUILT_PAGE = new URL('../ui/dashboard.html', import.meta.url);

/** The client renders MCP Apps: it declared the extension with the app MIME type. */
export function rendersApps(caps: ClientCapabilities | undefined): boolean {
  const ui = (caps?.extensions as Record<string, { mimeTypes?: unknown } | undefined> | undefined)?.[UI_EXTENSION];
  return Array.isArray(ui?.mimeTypes) && ui.mimeTypes.includes(APP_MIME_TYPE);
}

/** A tools/list entry as an MCP Apps host sees it: linked to the dashboard where the tool opens it. */
export function linkDashboard<E extends { name: string }>(entry: E, spec: AnyToolSpec | undefined): E {
  return spec?.dashboard ? { ...entry, _meta: { ui: { resourceUri: DASHBOARD_URI }, [LEGACY_URI_KEY]: DASHBOARD_URI } } : entry;
}

export const DASHBOARD_RESOURCE: Resource = {
  uri: DASHBOARD_URI,
  name: 'dashboard',
  title: 'Kubeflow job dashboard',
  description: "Live view of a training or optimization job: status, progress, metric curves, steps, logs, events, trials. Opened by the job tools' results.",
  mimeType: APP_MIME_TYPE,
  // No network at all (the page's own CSP says so too): no domains to allow.
  _meta: { ui: { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true } },
};

let page: Promise<string> | undefined;

export async function readDashboard(uri: string): Promise<ReadResourceResult> {
  if (uri !== DASHBOARD_URI) throw new ResourceNotFoundError(uri, `Unknown resource: ${uri}. This server has one: ${DASHBOARD_URI}.`);
  page ??= readFile(BUILT_PAGE, 'utf8').catch((err: NodeJS.ErrnoException) => {
    page = undefined;
    throw new ProtocolError(
      ProtocolErrorCode.InternalError,
      err.code === 'ENOENT'
        ? 'The dashboard page was not built: `npm run build` builds it into dist/ui.'
        : `The dashboard page could not be read: ${err.message}`,
    );
  });
  return { contents: [{ uri, mimeType: APP_MIME_TYPE, text: await page, _meta: DASHBOARD_RESOURCE._meta }] };
}
