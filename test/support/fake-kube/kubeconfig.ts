/** Kubeconfig files pointing at the fake server (plain http, bearer token). */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeconfigOptions } from './types.js';

export function renderKubeconfig(url: string, defaultToken: string, opts: KubeconfigOptions = {}): string {
  const context = opts.context ?? 'fake-kube';
  const token = opts.token ?? defaultToken;
  const userName = `${context}-user`;
  const ctx: Record<string, string> = { cluster: 'fake-kube', user: userName };
  // Omitted namespace on purpose when not given: clients must fall back to "default" themselves.
  if (opts.namespace !== undefined) ctx.namespace = opts.namespace;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // insecure-skip-tls-verify: @kubernetes/client-node refuses plain http without it.
    clusters: [{ name: 'fake-kube', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    contexts: [{ name: context, context: ctx }],
    'current-context': context,
    users: [{ name: userName, user: { token } }],
    preferences: {},
  });
}

export function writeKubeconfigFile(dir: string, text: string, context = 'fake-kube'): string {
  mkdirSync(dir, { recursive: true });
  // Never overwrite: tests often write several configs (different tokens) into one temp dir.
  let path = join(dir, `kubeconfig-${context}.yaml`);
  for (let i = 2; existsSync(path); i++) path = join(dir, `kubeconfig-${context}-${i}.yaml`);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}
