// Module resolve hook (runs on the loader thread): prints `imported: <specifier>` for the watched packages.
const WATCHED = /^(prom-client|@opentelemetry\/[a-z-]+)$/;

export async function resolve(specifier, context, next) {
  if (WATCHED.test(specifier)) process.stderr.write(`imported: ${specifier}\n`);
  return next(specifier, context);
}
