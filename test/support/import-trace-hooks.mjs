// Module resolve hook (runs on the loader thread): prints `imported: <specifier>` for the watched
// packages: telemetry, and what a stdio start-up should not load (HTTP serving, the lezer grammar).
const WATCHED = /^(prom-client|@opentelemetry\/[a-z-]+|@modelcontextprotocol\/node|@lezer\/python)$/;

export async function resolve(specifier, context, next) {
  if (WATCHED.test(specifier)) process.stderr.write(`imported: ${specifier}\n`);
  return next(specifier, context);
}
