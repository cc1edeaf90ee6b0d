/**
 * Drives the dashboard in headless Chromium (Debian's package, through playwright-core) inside the
 * minimal host of host-page.ts, against a real server: the host's tool calls go to the test's MCP
 * client. Screenshots go to test-artifacts/dashboard/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { ROOT, type Connected } from '../../support/mcp.js';
import { DASHBOARD_URI } from '../../../src/server/apps.js';

const ARTIFACTS = path.join(ROOT, 'test-artifacts/dashboard');

/** Chromium from $CHROMIUM_PATH or the usual Debian paths; undefined when none is installed. */
export function findChromium(): string | undefined {
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p): p is string => !!p && existsSync(p));
}

let hostScript: Promise<string> | undefined;
function bundleHost(): Promise<string> {
  hostScript ??= build({
    entryPoints: [path.join(import.meta.dirname, 'host-page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'warning',
  }).then((r) => r.outputFiles[0]!.text);
  return hostScript;
}

/** What host-page.ts puts on the page's window (this file is typed for Node, not the DOM; casts run in the page). */
interface HostWindow {
  openApp(html: string, args: Record<string, unknown>, result: unknown, context: Record<string, unknown>): Promise<void>;
  setHostContext(context: Record<string, unknown>): void;
}

interface ToolCallSeen {
  name: string;
  arguments: Record<string, unknown>;
}

export interface DashboardHost {
  page: Page;
  app: FrameLocator;
  /** Every tools/call the page made through the host, in order. */
  calls: ToolCallSeen[];
  /** Calls the tool as the agent would, then opens the dashboard on its result. */
  open(tool: string, args: Record<string, unknown>, context?: Record<string, unknown>): Promise<void>;
  setHostContext(context: Record<string, unknown>): Promise<void>;
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startDashboardHost(c: Connected, executablePath: string): Promise<DashboardHost> {
  const browser: Browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 840, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const calls: ToolCallSeen[] = [];
  await page.exposeFunction('hostCallTool', async (params: { name: string; arguments?: Record<string, unknown> }) => {
    calls.push({ name: params.name, arguments: params.arguments ?? {} });
    return c.client.callTool({ name: params.name, arguments: params.arguments ?? {} });
  });
  await page.setContent(`<!doctype html><html><body style="margin:0"><script type="module">${await bundleHost()}</script></body></html>`);
  await page.waitForFunction(() => typeof (globalThis as unknown as Partial<HostWindow>).openApp === 'function');
  return {
    page,
    app: page.frameLocator('iframe'),
    calls,
    async open(tool, args, context = { theme: 'light' }) {
      const result = await c.client.callTool({ name: tool, arguments: args });
      const read = await c.client.readResource({ uri: DASHBOARD_URI });
      const html = (read.contents[0] as { text: string }).text;
      await page.evaluate(([h, a, r, ctx]) => (globalThis as unknown as HostWindow).openApp(h, a, r, ctx), [html, args, result, context] as const);
    },
    async setHostContext(context) {
      await page.evaluate((ctx) => (globalThis as unknown as HostWindow).setHostContext(ctx), context);
    },
    async screenshot(name) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
    async close() {
      await browser.close();
      if (errors.length) throw new Error(`the page threw: ${errors.join('; ')}`);
    },
  };
}
