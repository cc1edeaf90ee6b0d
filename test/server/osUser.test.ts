import { describe, expect, it, vi } from 'vitest';

// A container user without a passwd entry: os.userInfo() throws (uv_os_get_passwd ENOENT).
vi.mock('node:os', async (importOriginal) => ({
  ...(await importOriginal<typeof import('node:os')>()),
  userInfo: () => {
    throw Object.assign(new Error('A system error occurred: uv_os_get_passwd returned ENOENT'), { code: 'ERR_SYSTEM_ERROR' });
  },
}));

describe('osUserName', () => {
  it('falls back to $USER, then the numeric uid, when the user has no passwd entry', async () => {
    const { osUserName } = await import('../../src/osUser.js');
    const saved = process.env.USER;
    try {
      process.env.USER = 'builder';
      expect(osUserName()).toBe('builder');
      delete process.env.USER;
      expect(osUserName()).toBe(`uid-${process.getuid!()}`);
    } finally {
      if (saved === undefined) delete process.env.USER;
      else process.env.USER = saved;
    }
  });

  it('lets the server start: createApp on the local backend does not throw', async () => {
    const { resolveSettings } = await import('../../src/config/settings.js');
    const { createApp } = await import('../../src/server/app.js');
    const { ALL_TOOLS } = await import('../../src/tools/registry.js');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const store = mkdtempSync(path.join(tmpdir(), 'kmcp-osuser-'));
    const home = process.env.HOME;
    process.env.HOME = store; // no ~/.kubeflow-mcp.yaml here
    try {
      const settings = resolveSettings({ backend: 'local', clients: ['trainer'], storeDir: path.join(store, 'jobs') }, ALL_TOOLS);
      const app = await createApp(settings);
      expect(await app.describe()).toContain('local');
      await app.close();
    } finally {
      process.env.HOME = home;
    }
  });
});
