/**
 * The YAML parser, loaded on first use: most start-ups read no YAML at all (no config file, no
 * --kubeconfig), and loading it costs tens of milliseconds before the first tools/list.
 */
import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');
let loaded: Yaml | undefined;

export function yaml(): Yaml {
  return (loaded ??= createRequire(import.meta.url)('yaml') as Yaml);
}
