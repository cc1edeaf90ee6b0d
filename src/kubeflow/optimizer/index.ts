/** Katib v1beta1 hyperparameter optimisation, the SDK's OptimizerClient equivalent (no MCP types). */
export * from './algorithms.js';
export * from './client.js';
export * from './constants.js';
export * from './errors.js';
export * from './events.js';
export * from './experiment.js';
export * from './search.js';
export * from './status.js';
export * from './trialLogs.js';
export * from './types.js';
export * from './wait.js';
