/** A missing kubeconfig is named before @kubernetes/client-node is loaded (it costs ~1 s and 50 MiB). */
import { vi, describe, expect, it } from 'vitest';
import { KubeConfigError, loadKubeConnection } from '../../src/kube/connection.js';

vi.mock('@kubernetes/client-node', () => {
  throw new Error('@kubernetes/client-node was imported');
});

describe('loadKubeConnection', () => {
  it.each([[['/nonexistent/kubeconfig']], [['/nonexistent/a', '/nonexistent/b']]])('checks %j exist before importing client-node', async (paths) => {
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = paths.join(':');
    try {
      const err = await loadKubeConnection().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeConfigError);
      expect((err as Error).message).toBe(`kubeconfig file not found: ${paths[0]}`);
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });
});
