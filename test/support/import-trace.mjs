// Loaded with `node --import`: reports on stderr each telemetry package the process imports, so
// tests can check which start-ups load OpenTelemetry or prom-client at all.
import { register } from 'node:module';

register('./import-trace-hooks.mjs', import.meta.url);
