// Loaded with `node --import`: reports on stderr each watched package the process imports
// (import-trace-hooks.mjs), so tests can check which start-ups load OpenTelemetry, prom-client or
// the HTTP serving code at all.
import { register } from 'node:module';

register('./import-trace-hooks.mjs', import.meta.url);
