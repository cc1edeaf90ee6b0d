/**
 * Logs go to stderr as JSON lines: stdout belongs to JSON-RPC when serving stdio.
 */
import { pino } from 'pino';

export const log = pino({ name: 'kubeflow-mcp', level: process.env.KUBEFLOW_MCP_LOG_LEVEL ?? 'info' }, pino.destination(2));
