/**
 * A minimal MCP Apps host, in the browser: the SDK's AppBridge embeds the dashboard in a sandboxed
 * frame, sends it the tool input and result, and forwards its tools/call requests to the test's
 * MCP client (window.hostCallTool, exposed by Playwright). Bundled by browserHost.ts.
 */
import { AppBridge, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge';

type Params = Parameters<NonNullable<AppBridge['oncalltool']>>[0];
type Result = Awaited<ReturnType<NonNullable<AppBridge['oncalltool']>>>;
type Context = Parameters<AppBridge['setHostContext']>[0];

declare global {
  interface Window {
    hostCallTool(params: Params): Promise<Result>;
    openApp(html: string, args: Record<string, unknown>, result: Result, context: Context): Promise<void>;
    setHostContext(context: Context): void;
    teardownApp(): Promise<void>;
  }
}

let bridge: AppBridge | undefined;

window.openApp = async (html, args, result, context) => {
  // One page at a time, as a host shows one result: the previous one is torn down first.
  if (bridge) await window.teardownApp();
  document.querySelector('iframe')?.remove();
  const frame = document.createElement('iframe');
  frame.sandbox.add('allow-scripts');
  frame.style.cssText = 'width: 820px; height: 1500px; border: 0';
  document.body.append(frame);
  bridge = new AppBridge(null, { name: 'kubeflow-mcp-test-host', version: '1.0.0' }, { serverTools: {} }, { hostContext: context });
  bridge.oncalltool = (params) => window.hostCallTool(params);
  const initialized = new Promise<void>((resolve) => (bridge!.oninitialized = () => resolve()));
  // Connected before the page loads, so its first message (ui/initialize) is not missed.
  await bridge.connect(new PostMessageTransport(frame.contentWindow!, frame.contentWindow!));
  frame.srcdoc = html;
  await initialized;
  await bridge.sendToolInput({ arguments: args });
  await bridge.sendToolResult(result);
};

window.setHostContext = (context) => bridge!.setHostContext(context);
window.teardownApp = async () => void (await bridge!.teardownResource({}));
