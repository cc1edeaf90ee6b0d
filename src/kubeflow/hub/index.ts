/** Kubeflow Hub: the Model Registry REST client (the SDK's kubeflow.hub, no MCP types). */
export * from './access.js';
export * from './client.js';
export * from './errors.js';
export { API_PATH, DEFAULT_TIMEOUT_MS, registryApiBase } from './http.js';
export * from './modelUri.js';
export * from './properties.js';
export type { RegisterModelOptions, RegisterOutcome, RegisterResult } from './register.js';
export * from './types.js';
