// Module resolve hook (runs on the loader thread): prints `imported: <name>` for what is watched:
// the telemetry packages and what a stdio start-up should not load (the lezer grammar, and the
// HTTP serving code, which the bundle keeps in its own chunk dist/lib/http-<hash>.js: scripts/build.mjs).
const WATCHED = /^(prom-client|@opentelemetry\/[a-z-]+|@lezer\/python)$/;
const HTTP_CHUNK = /^\.\/http-[A-Z0-9]+\.js$/;

export async function resolve(specifier, context, next) {
  if (WATCHED.test(specifier)) process.stderr.write(`imported: ${specifier}\n`);
  else if (HTTP_CHUNK.test(specifier)) process.stderr.write('imported: src/server/http.ts\n');
  return next(specifier, context);
}
