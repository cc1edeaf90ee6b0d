/**
 * Requested packages go into a per-job venv with pip. Offline here: an unreachable index fails
 * with pip's own words, and a wheel built by the test installs without any index.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, custom, launch, newBackend, tempDir } from './helpers.js';

afterAll(cleanupAll);

const UNREACHABLE_INDEX = 'http://127.0.0.1:9/simple';

/** A minimal pure-Python wheel (METADATA, WHEEL, RECORD) built with the standard library only. */
function buildWheel(dir: string): string {
  const script = `
import base64, hashlib, os, sys, zipfile
name, version, out = "kfmcp_demo", "0.1", sys.argv[1]
files = {
    f"{name}/__init__.py": b"VALUE = 42\\n",
    f"{name}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n".encode(),
    f"{name}-{version}.dist-info/WHEEL": b"Wheel-Version: 1.0\\nGenerator: kubeflow-mcp-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = []
path = os.path.join(out, f"{name}-{version}-py3-none-any.whl")
with zipfile.ZipFile(path, "w") as z:
    for member, data in files.items():
        z.writestr(member, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{member},sha256={digest},{len(data)}")
    record.append(f"{name}-{version}.dist-info/RECORD,,")
    z.writestr(f"{name}-{version}.dist-info/RECORD", "\\n".join(record) + "\\n")
print(path)
`;
  return execFileSync('python3', ['-c', script, dir], { encoding: 'utf8' }).trim();
}

describe('packages', () => {
  const backend = newBackend();

  it('an unreachable index fails the job with a clear reason and the tail of pip output', async () => {
    const name = await launch(
      backend,
      custom('def train():\n    print("never")\n', { packages: ['kfmcp-no-such-package==1.0'], pipIndexUrls: [UNREACHABLE_INDEX] }),
    );
    const res = await backend.waitFor('default', name, { statuses: ['Complete'], timeoutSeconds: 60 });
    expect(res.job.status).toBe('Failed');
    const failed = res.job.conditions.at(-1)!;
    expect(failed).toMatchObject({ type: 'Failed', reason: 'PackageInstallFailed' });
    expect(failed.message).toContain('pip install failed (exit code 1)');
    expect(failed.message).toContain('ERROR: Failed to install Python packages: kfmcp-no-such-package==1.0');
    expect(failed.message).toMatch(/No matching distribution found for kfmcp-no-such-package|Connection refused/);
    const logs = (await backend.logs('default', name, { step: 'node-0', tail: 100 })).lines;
    expect(logs[0]).toBe('Installing Python packages: kfmcp-no-such-package==1.0');
    expect(logs).not.toContain('never');
  });

  it('installs a local wheel into a per-job venv, offline (the index points at nothing)', async () => {
    const wheel = buildWheel(tempDir('kfmcp-wheel-'));
    const source = `
def train():
    import os, sys
    import kfmcp_demo
    print("value", kfmcp_demo.VALUE)
    print("venv", os.environ.get("VIRTUAL_ENV") == sys.prefix, "job venv", sys.prefix.endswith("/venv"))
`;
    const name = await launch(backend, custom(source, { packages: [wheel], pipIndexUrls: [UNREACHABLE_INDEX] }));
    const res = await backend.waitFor('default', name, { statuses: ['Complete'], timeoutSeconds: 60 });
    const logs = (await backend.logs('default', name, { step: 'node-0', tail: 100 })).lines;
    expect(res.reached, logs.join('\n')).toBe(true);
    expect(logs).toEqual([`Installing Python packages: ${wheel}`, `Successfully installed Python packages: ${wheel}`, 'value 42', 'venv True job venv True']);
    // The system Python is untouched.
    expect(() => execFileSync('python3', ['-c', 'import kfmcp_demo'], { stdio: 'ignore' })).toThrow();
    expect(path.isAbsolute(wheel)).toBe(true);
  });
});
