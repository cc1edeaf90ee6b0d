/**
 * The View's side of MCP Apps (the io.modelcontextprotocol/ui extension, spec 2026-01-26): JSON-RPC
 * over postMessage with the host that embeds this page.
 *
 * Written by hand rather than with the SDK's App class: App bundles the MCP client SDK and zod
 * (about 650 KB minified) for the few messages this page exchanges; this file is under 150 lines.
 * The types are the SDK's (type-only imports, no bytes shipped), and the browser tests drive the
 * page with the SDK's own AppBridge, which validates every message we send.
 */
import type {
  McpUiHostContext,
  McpUiHostContextChangedNotification,
  McpUiInitializeResult,
  McpUiToolInputNotification,
  McpUiToolResultNotification,
} from '@modelcontextprotocol/ext-apps';

const PROTOCOL_VERSION = '2026-01-26';
const REQUEST_TIMEOUT_MS = 60_000;

export type ToolResult = McpUiToolResultNotification['params'];

export interface HostEvents {
  toolInput(args: Record<string, unknown>): void;
  toolResult(result: ToolResult): void;
  context(change: Partial<McpUiHostContext>): void;
  /** The host is about to remove the page: stop polling. */
  teardown(): void;
}

interface Message {
  jsonrpc?: unknown;
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

export class HostConnection {
  private nextId = 1;
  private readonly pending = new Map<number | string, { resolve(v: unknown): void; reject(e: Error): void; timer: number }>();

  constructor(
    private readonly events: HostEvents,
    private readonly host: Window = window.parent,
  ) {
    window.addEventListener('message', (e: MessageEvent<Message>) => {
      // Only the embedding host speaks to us; anything else posting into the frame is ignored.
      if (e.source === this.host && e.data?.jsonrpc === '2.0') this.receive(e.data);
    });
  }

  async connect(appInfo: { name: string; version: string }): Promise<McpUiInitializeResult> {
    const result = await this.request<McpUiInitializeResult>('ui/initialize', { appInfo, appCapabilities: {}, protocolVersion: PROTOCOL_VERSION });
    this.notify('ui/notifications/initialized', {});
    return result;
  }

  /** A tool of this page's server, through the host (which may refuse it: the result says so). */
  callTool(name: string, args: Record<string, unknown>): Promise<ToolResult> {
    return this.request<ToolResult>('tools/call', { name, arguments: args });
  }

  sizeChanged(width: number, height: number): void {
    this.notify('ui/notifications/size-changed', { width, height });
  }

  private request<T>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: the host did not answer in ${REQUEST_TIMEOUT_MS / 1000} s`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.post({ jsonrpc: '2.0', id, method, params });
    });
  }

  private notify(method: string, params: unknown): void {
    this.post({ jsonrpc: '2.0', method, params });
  }

  private post(message: Message): void {
    // The page runs in a sandboxed frame of unknown origin; the host filters by source, as we do.
    this.host.postMessage(message, '*');
  }

  private receive(m: Message): void {
    if (m.method === undefined) {
      const waiting = m.id !== undefined ? this.pending.get(m.id) : undefined;
      if (!waiting) return;
      this.pending.delete(m.id!);
      window.clearTimeout(waiting.timer);
      if (m.error) waiting.reject(new Error(m.error.message));
      else waiting.resolve(m.result);
      return;
    }
    if (m.id !== undefined) return this.answer(m.id, m.method);
    switch (m.method) {
      case 'ui/notifications/tool-input':
        return this.events.toolInput((m.params as McpUiToolInputNotification['params']).arguments ?? {});
      case 'ui/notifications/tool-result':
        return this.events.toolResult(m.params as ToolResult);
      case 'ui/notifications/host-context-changed':
        return this.events.context(m.params as McpUiHostContextChangedNotification['params']);
    }
  }

  /** Requests from the host: teardown and ping are answered, anything else is not ours. */
  private answer(id: number | string, method: string): void {
    if (method === 'ui/resource-teardown') this.events.teardown();
    if (method === 'ui/resource-teardown' || method === 'ping') return this.post({ jsonrpc: '2.0', id, result: {} });
    this.post({ jsonrpc: '2.0', id, error: { code: -32601, message: `Method not found: ${method}` } });
  }
}
