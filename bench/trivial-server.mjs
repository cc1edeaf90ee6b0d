// The yardstick for the start-up bench: the same MCP SDK and transport as kubeflow-mcp, one tool,
// nothing else. Its start -> first tools/list time is what a server cannot beat on this machine.
import { Server } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

const tools = [{ name: 'ping', description: 'answers pong', inputSchema: { type: 'object', properties: {} } }];
serveStdio(() => {
  const server = new Server({ name: 'trivial', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', async () => ({ tools }));
  server.setRequestHandler('tools/call', async () => ({ content: [{ type: 'text', text: 'pong' }] }));
  return server;
});
process.stdin.once('end', () => process.exit(0));
