/**
 * Start-up checks of the local backend: it runs every caller's jobs as the server's own OS user,
 * so a multi-user auth mode is refused with it unless the operator says so explicitly.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/file.js';
import { resolveSettings } from '../../src/config/settings.js';
import { createApp } from '../../src/server/app.js';
import { ALL_TOOLS } from '../../src/tools/registry.js';
import { tempDir } from './helpers.js';

describe('the local backend with several users', () => {
  it.each(['gateway', 'oauth'] as const)('refuses --auth %s with --backend local, saying why', (auth) => {
    const flags = { storeDir: tempDir(), backend: 'local' as const, auth, oauthIssuer: 'https://issuer.example' };
    expect(() => resolveSettings({ ...flags }, ALL_TOOLS)).toThrow(ConfigError);
    expect(() => resolveSettings({ ...flags }, ALL_TOOLS)).toThrow(/runs every caller's jobs as this server's OS user.*--local-multi-user/);
    expect(resolveSettings({ ...flags, localMultiUser: true }, ALL_TOOLS)).toMatchObject({ backend: 'local', localMultiUser: true, auth: { mode: auth } });
  });

  it('allows a single user (no auth) and the Kubernetes backend with auth', () => {
    expect(resolveSettings({ backend: 'local' }, ALL_TOOLS).backend).toBe('local');
    expect(resolveSettings({ backend: 'kubernetes', auth: 'gateway' }, ALL_TOOLS).auth.mode).toBe('gateway');
  });

  it('auto mode falling back to local with --auth gateway serves no local jobs, and says why', async () => {
    const settings = resolveSettings({ backend: 'auto', auth: 'gateway', storeDir: tempDir(), kubeconfig: undefined, clients: ['trainer'] }, ALL_TOOLS);
    const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME, KUBERNETES_SERVICE_HOST: process.env.KUBERNETES_SERVICE_HOST };
    process.env.KUBECONFIG = '/nonexistent-kubeconfig';
    process.env.HOME = tempDir();
    delete process.env.KUBERNETES_SERVICE_HOST;
    try {
      const app = await createApp(settings);
      await app.ready;
      expect(await app.describe()).toMatch(/The local backend was not started.*--local-multi-user/s);
      await app.close();
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  });

  it('the log cap is a flag and a config key', () => {
    expect(resolveSettings({ backend: 'local', localMaxLogMb: 8 }, ALL_TOOLS).localMaxLogMb).toBe(8);
  });
});
