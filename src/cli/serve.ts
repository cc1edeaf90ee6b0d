/** `kubeflow-mcp serve`: resolve settings, start the transport, explain how to connect. */
import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { isLoopbackHost, resolveSettings, type ServeFlags, type Settings } from '../config/settings.js';
import { log } from '../log.js';
import { createApp } from '../server/app.js';
import { createDrain, stopOnSignals } from '../server/drain.js';
import type { HttpAuth } from '../server/httpAuth.js';
import { limitStdioMessages } from '../server/stdioLimit.js';
import { ALL_TOOLS } from '../tools/registry.js';

// The HTTP transport and its auth (jose for OAuth) load only when serving HTTP: stdio start-up
// is what desktop clients wait for.

export async function serve(flags: ServeFlags): Promise<void> {
  const settings = resolveSettings(flags, ALL_TOOLS);
  const app = await createApp(settings);

  if (settings.transport === 'stdio') {
    // An oversized message is answered with an error instead of ending the session.
    const input = process.stdin.pipe(limitStdioMessages(process.stdout, (bytes) => log.warn({ bytes }, 'stdio message over the size limit refused')));
    const transport = new StdioServerTransport(input, process.stdout);
    const handle = serveStdio(app.factory, { transport, onerror: (err) => log.warn({ err: err.message }, 'stdio transport error') });
    // A stdio client signals only once it gave up waiting (after closing stdin), so nothing is
    // drained: close and exit. Local jobs keep running without us.
    const close = async () => void (await Promise.all([handle.close(), app.close()]));
    stopOnSignals(close);
    process.stdin.once('end', () => void close().finally(() => process.exit(0)));
    log.info(`kubeflow-mcp serving MCP on stdio: ${await app.describe()}`);
    return;
  }

  const [{ serveHttp }, { serverCard }] = await Promise.all([import('../server/http.js'), import('../server/discovery.js')]);
  const drain = createDrain();
  let http: Awaited<ReturnType<typeof serveHttp>> | undefined;
  try {
    http = await serveHttp({
      host: settings.host,
      port: settings.port,
      factory: app.factory,
      auth: await httpAuth(settings),
      rateLimit: settings.rateLimit,
      allowedHosts: [...settings.allowedHosts, ...(settings.publicUrl ? [new URL(settings.publicUrl).hostname] : [])],
      ready: app.isReady,
      draining: drain.draining,
      serverCard: () => serverCard(settings.publicUrl ?? (isLoopbackHost(settings.host) ? http?.url : undefined)),
      onError: (err) => log.warn({ err: err.message }, 'http error'),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'EADDRINUSE'
        ? `port ${settings.port} is already in use (use --port)`
        : e.code === 'EADDRNOTAVAIL'
          ? `cannot bind ${settings.host} (use --host)`
          : e.message;
    throw new Error(`cannot serve HTTP on ${settings.host}:${settings.port}: ${why}`);
  }
  drain.track(http.server);
  const server = http;
  // Installed before the banner: a signal right after start-up drains instead of killing.
  stopOnSignals(async (signal) => {
    log.info({ signal, in_flight: drain.inFlight(), grace_seconds: settings.shutdownGraceSeconds }, 'shutting down: finishing the requests in flight');
    const cut = await drain.drain(settings.shutdownGraceSeconds * 1000);
    if (cut) log.warn({ cut }, 'shutdown grace over: requests still running are cut');
    await Promise.all([server.close(), app.close()]);
  });
  process.stderr.write(
    [
      `kubeflow-mcp ${await app.describe()}`,
      `MCP endpoint (Streamable HTTP): ${http.url}${settings.auth.mode !== 'none' ? ` (auth: ${settings.auth.mode})` : ''}`,
      'Connect a client:',
      `  Claude Code:  claude mcp add --transport http kubeflow ${settings.publicUrl ?? http.url}`,
      `  VS Code:      {"servers": {"kubeflow": {"type": "http", "url": "${settings.publicUrl ?? http.url}"}}}  (.vscode/mcp.json)`,
      `  Cursor:       {"mcpServers": {"kubeflow": {"url": "${settings.publicUrl ?? http.url}"}}}  (~/.cursor/mcp.json)`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
}

async function httpAuth(s: Settings): Promise<HttpAuth> {
  const { gatewayAuth, noAuth, oauthAuth } = await import('../server/httpAuth.js');
  if (s.auth.mode === 'gateway') return gatewayAuth(s.auth.gateway);
  if (s.auth.mode === 'oauth' && s.auth.oauth) {
    const { discoverJwksUrl, jwtVerifier } = await import('../auth/oauth.js');
    const o = s.auth.oauth;
    const resourceUrl = new URL(s.publicUrl ?? `http://${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}/mcp`);
    const jwksUrl = o.jwksUrl ?? (await discoverJwksUrl(o.issuer));
    const verifier = jwtVerifier({
      issuer: o.issuer,
      audience: o.audience ?? resourceUrl.toString(),
      jwksUrl,
      userClaim: o.userClaim,
      groupsClaim: o.groupsClaim,
    });
    return oauthAuth({ verifier, issuer: o.issuer, resourceUrl, requiredScopes: o.requiredScopes });
  }
  return noAuth();
}
