/**
 * The dashboard MCP App from the protocol side: hosts that declare the MCP Apps extension see the
 * ui:// link on the job tools and can read a self-contained page; every other client's tools/list
 * is exactly what it was (no _meta, no extra context), in both eras.
 */
import { EXTENSION_ID, RESOURCE_MIME_TYPE, RESOURCE_URI_META_KEY } from '@modelcontextprotocol/ext-apps/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_MIME_TYPE, DASHBOARD_URI, UI_EXTENSION } from '../../src/server/apps.js';
import { ALL_TOOLS } from '../../src/tools/registry.js';
import { connectStdio, isolatedEnv, type Connected, type Era } from '../support/mcp.js';

const APPS = { extensions: { [EXTENSION_ID]: { mimeTypes: [RESOURCE_MIME_TYPE] } } };
const OPENS_DASHBOARD = ['get_training_job', 'get_training_metrics', 'wait_for_training', 'get_optimization_job', 'wait_for_optimization'];

it('uses the MCP Apps names the SDK defines', () => {
  expect(UI_EXTENSION).toBe(EXTENSION_ID);
  expect(APP_MIME_TYPE).toBe(RESOURCE_MIME_TYPE);
  expect(RESOURCE_URI_META_KEY).toBe('ui/resourceUri');
  expect(ALL_TOOLS.filter((t) => t.dashboard).map((t) => t.name)).toEqual(expect.arrayContaining(OPENS_DASHBOARD));
  expect(ALL_TOOLS.filter((t) => t.dashboard)).toHaveLength(OPENS_DASHBOARD.length);
});

describe.each<Era>(['modern', 'legacy'])('%s era', (era) => {
  let apps: Connected;
  let plain: Connected;
  beforeAll(async () => {
    const args = ['--backend', 'local', '--clients', 'trainer,optimizer'];
    [apps, plain] = await Promise.all([connectStdio(args, isolatedEnv(), era, APPS), connectStdio(args, isolatedEnv(), era)]);
  });
  afterAll(async () => {
    await Promise.all([apps?.close(), plain?.close()]);
  });

  it('links the job tools to the dashboard for an MCP Apps host, and nothing else changes', async () => {
    const [withApps, without] = await Promise.all([apps.client.listTools(), plain.client.listTools()]);
    const linked = withApps.tools.filter((t) => t._meta).map((t) => t.name);
    expect(linked.sort()).toEqual(
      withApps.tools
        .map((t) => t.name)
        .filter((n) => OPENS_DASHBOARD.includes(n))
        .sort(),
    );
    expect(linked.length).toBeGreaterThanOrEqual(3);
    for (const t of withApps.tools.filter((x) => x._meta))
      expect(t._meta).toEqual({ ui: { resourceUri: DASHBOARD_URI }, [RESOURCE_URI_META_KEY]: DASHBOARD_URI });
    // Without the extension: the same entries, none carrying _meta.
    expect(without.tools.some((t) => t._meta)).toBe(false);
    expect(withApps.tools.map(({ _meta, ...rest }) => rest)).toEqual(without.tools);
  });

  it('serves one self-contained page that loads nothing from the network', async () => {
    const { resources } = await apps.client.listResources();
    expect(resources).toEqual([expect.objectContaining({ uri: DASHBOARD_URI, mimeType: RESOURCE_MIME_TYPE })]);
    const read = await apps.client.readResource({ uri: DASHBOARD_URI });
    const page = read.contents[0] as { uri: string; mimeType: string; text: string };
    expect(page).toMatchObject({ uri: DASHBOARD_URI, mimeType: RESOURCE_MIME_TYPE });
    expect(page.text).toMatch(/^<!doctype html>/i);
    expect(page.text).toContain(`content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"`);
    // Nothing is fetched: no external src/href, no script file, no fetch or XHR in the bundle.
    expect(page.text).not.toMatch(/\s(src|href)=["']?(https?:)?\/\//i);
    expect(page.text).not.toMatch(/<script[^>]+src=/i);
    expect(page.text).not.toMatch(/\bfetch\(|XMLHttpRequest|WebSocket|EventSource|import\(/);
    expect(Buffer.byteLength(page.text)).toBeLessThan(32 * 1024);
  });

  it('refuses an unknown resource with the one it has', async () => {
    await expect(apps.client.readResource({ uri: 'ui://kubeflow-mcp/other.html' })).rejects.toThrow(
      /Unknown resource: ui:\/\/kubeflow-mcp\/other\.html.*dashboard\.html/,
    );
  });
});

it('has no resources in dynamic mode (its meta-tools open no page)', async () => {
  const c = await connectStdio(['--backend', 'local', '--mode', 'dynamic'], isolatedEnv(), 'legacy', APPS);
  try {
    expect(c.client.getServerCapabilities()?.resources).toBeUndefined();
    expect((await c.client.listTools()).tools.some((t) => t._meta)).toBe(false);
  } finally {
    await c.close();
  }
});
