/**
 * A corpus of planted credentials must never come back out: not in tool results, training logs,
 * events, errors or audit lines; and credentials are refused as tool arguments.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSecrets, redact, redactText } from '../../src/audit/secrets.js';
import type { Identity } from '../../src/auth/identity.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube/index.js';
import { callTool, inProcess, type InProcess } from '../support/inprocess.js';

/** value -> where it may legitimately appear around it in text. */
export const PLANTED: Record<string, string> = {
  hf: 'hf_kQ3vZ8pLmN2xR7tY1uW4sE6aD9fG0hJ5kL',
  awsId: 'AKIAZ7QX4P2MNB6VD3KL',
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKY',
  github: 'ghp_1A2b3C4d5E6f7G8h9I0jK1lM2nO3pQ4rS5tU6v',
  githubPat: 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX',
  openai: 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7c',
  anthropic: 'sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg',
  slack: 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrSt',
  google: 'AIzaSyD3f4G5h6J7k8L9z0X1c2V3b4N5m6Q7w8E',
  jwt: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6OTk5OTk5OTk5OX0.c2lnbmF0dXJlLXBhcnQtb2YtdGhlLXRva2Vu',
  pem: '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7V8k3xPq\nb2x5ZWQ9dHJ1ZQ==\n-----END RSA PRIVATE KEY-----',
  bearer: 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA',
  urlPassword: 'S3cr3tPassw0rd',
  password: 'correct-horse-battery',
  azure: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
  wandb: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  // kubeconfig client-key-data: a PEM key, base64-encoded (three PEM flavours, three alignments of "PRIVATE KEY").
  pemBase64: Buffer.from('-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7V8k3xPq\n-----END RSA PRIVATE KEY-----\n').toString('base64'),
  pemBase64Ec: Buffer.from('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oDpVWMXSmIo+\n-----END EC PRIVATE KEY-----\n').toString(
    'base64',
  ),
  pemBase64Pkcs8: Buffer.from(
    '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n',
  ).toString('base64'),
  pgp: '-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBGN0ZXN0a2V5bWF0ZXJpYWwxMjM0NTY3ODkwYWJj\n=Zm9v\n-----END PGP PRIVATE KEY BLOCK-----',
  gitlab: 'glpat-Xy7pQ2vR9sT4uW6zA1bC',
};

const IN_CONTEXT: Record<string, string> = {
  ...PLANTED,
  awsSecret: `aws_secret_access_key = ${PLANTED.awsSecret}`,
  bearer: `Authorization: Bearer ${PLANTED.bearer}`,
  urlPassword: `https://trainer:${PLANTED.urlPassword}@minio.example.com/bucket`,
  password: `password=${PLANTED.password}`,
  azure: `DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${PLANTED.azure}`,
  wandb: `WANDB_API_KEY=${PLANTED.wandb}`,
};

function leaks(text: string): string[] {
  return Object.entries(PLANTED)
    .filter(([, v]) => text.includes(v) || (v.includes('\n') && text.includes(v.split('\n')[1]!)))
    .map(([k]) => k);
}

describe('redaction', () => {
  it.each(Object.entries(IN_CONTEXT))('removes a %s credential', (_k, text) => {
    const out = redactText(`line before\n${text} trailing words\nline after`);
    expect(leaks(out)).toEqual([]);
    expect(out).toContain('[REDACTED:');
    expect(out).toContain('line before');
    expect(out).toContain('line after');
  });

  it('keeps ordinary training output and code intact', () => {
    const plain = [
      'epoch=3 loss=0.412 lr=2e-05 step 1200/5000',
      'Saved checkpoint to /workspace/output/epoch_3',
      'image: ghcr.io/kubeflow/trainer/torchtune-trainer:v2.3.0',
      'job a3f9c1b2d4e5 uid 0b5e7f4c-3a51-4f42-9b1e-8f0c2d6a7e91 commit 9fceb02d0ae598e95dc970b74767f19372d61af8',
      'password = os.environ["DB_PASSWORD"]',
      'tokenizer.path=/workspace/model/original/tokenizer.model',
    ].join('\n');
    expect(redactText(plain).split('\n').slice(0, 4)).toEqual(plain.split('\n').slice(0, 4));
    expect(redactText(plain)).toContain('tokenizer.path=/workspace/model/original/tokenizer.model');
  });

  it('redacts deeply inside structured results, keeping keys', () => {
    expect(redact({ a: [{ b: `x ${PLANTED.hf}` }], [PLANTED.github!.slice(0, 3)]: 1 })).toEqual({ a: [{ b: 'x [REDACTED:Hugging Face token]' }], ghp: 1 });
  });

  it('redacts keys that are themselves credentials', () => {
    const out = redact({ env: { [PLANTED.hf!]: 'x', [PLANTED.gitlab!]: 'y', EPOCHS: '3' } });
    expect(leaks(JSON.stringify(out))).toEqual([]);
    expect(out.env.EPOCHS).toBe('3');
  });

  it('keeps the server hints that show the Secret reference syntax, and references themselves', () => {
    for (const text of [
      'Put it in a Kubernetes Secret and reference it: env values "secret:<secret-name>/<key>", or the model_secret parameter.',
      'HF_TOKEN: secret:hf-creds/token',
      'env HF_TOKEN=secret:hf-creds/token.',
    ]) {
      expect(redactText(text)).toBe(text);
    }
  });

  it('still redacts a real credential after "secret:"', () => {
    for (const text of ['secret:hunter2pass', 'secret: hunter2/abcd', 'secret:Passw0rd/Hunter', `secret:${PLANTED.hf}`, 'secret="hunter2/abcd"']) {
      expect(redactText(text), text).toContain('[REDACTED:');
    }
  });

  it('does not mistake ordinary base64 for a key', () => {
    const cert = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUJ\n-----END CERTIFICATE-----\n').toString('base64');
    const random = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256)).toString('base64');
    const text = `certificate-authority-data: ${cert}\nclient-certificate-data: ${cert}\ndata: ${random}`;
    expect(redactText(text)).toBe(text);
    expect(findSecrets({ code: text })).toEqual([]);
  });
});

describe('credentials as arguments', () => {
  // Heuristic-only formats (a bare password, "Bearer x") are redacted from output but too loose to refuse on.
  it.each(Object.entries(IN_CONTEXT).filter(([k]) => !['bearer', 'urlPassword', 'password'].includes(k)))(
    'a %s anywhere in the arguments is found',
    (_k, value) => {
      expect(findSecrets({ code: `x = ${JSON.stringify(value)}` }).length).toBe(1);
      expect(findSecrets({ command: ['sh', '-c', `echo '${value}'`] })[0]?.path).toBe('command[2]');
    },
  );

  it('credential-named env entries need a Secret reference', () => {
    expect(findSecrets({ env: { HF_TOKEN: 'abc' } })).toEqual([{ path: 'env.HF_TOKEN', kind: 'credential-named value (HF_TOKEN)' }]);
    expect(findSecrets({ env: { HF_TOKEN: 'secret:hf-creds/token', EPOCHS: '3' } })).toEqual([]);
    expect(findSecrets({ func_args: { api_key: 'abc' } })).toHaveLength(1);
    // Secret *names* are references, not credentials.
    expect(findSecrets({ model_secret: 'hf-creds', dataset_secret: 's3-secret' })).toEqual([]);
    expect(findSecrets({ code: 'token = os.environ["HF_TOKEN"]' })).toEqual([]);
  });

  it('credential-named entries are refused whatever their type and depth', () => {
    expect(findSecrets({ func_args: { api_key: 12345678 } })).toHaveLength(1);
    expect(findSecrets({ func_args: { HF_TOKEN: ['abc'] } })).toHaveLength(1);
    expect(findSecrets({ func_args: { cfg: { awsSecretAccessKey: { value: 'abc' } } } })).toHaveLength(1);
    expect(findSecrets({ options: { env: { HF_TOKEN: 'abc' } } })).toHaveLength(1);
    expect(findSecrets({ func_args: { use_token: true, HF_TOKEN: 'secret:hf/token', max_tokens: 10 } })).toEqual([]);
  });

  it('a credential used as a map key is found', () => {
    expect(findSecrets({ func_args: { [PLANTED.github!]: 1 } })).toHaveLength(1);
    expect(findSecrets({ env: { [PLANTED.gitlab!]: 'x' } })).toHaveLength(1);
  });
});

describe('planted secrets never come back out', () => {
  const NS = 'team-a';
  let kube: FakeKube;
  let srv: InProcess;
  const audit = path.join(mkdtempSync(path.join(tmpdir(), 'kfmcp-audit-')), 'audit.log');
  const alice: Identity = { user: 'alice', groups: [], source: 'gateway', impersonate: false };

  beforeAll(async () => {
    kube = await startFakeKube({
      namespaces: [NS],
      controller: { stepMs: 10, runSteps: 1, logs: () => ['starting', ...Object.values(IN_CONTEXT).flatMap((t) => t.split('\n')), 'loss=0.1'] },
    });
    kube.seedDefaultRuntimes();
    // A job created behind our back, with credentials in env and in a condition message.
    kube.store.create({
      apiVersion: 'trainer.kubeflow.org/v1alpha1',
      kind: 'TrainJob',
      metadata: { name: 'leaky', namespace: NS, annotations: { note: IN_CONTEXT.bearer } },
      spec: {
        runtimeRef: { name: 'torch-distributed' },
        trainer: { image: 'busybox', env: Object.entries(PLANTED).map(([k, v]) => ({ name: `X_${k.toUpperCase()}`, value: v })) },
      },
    });
    kube.store.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'leaky.1', namespace: NS },
      involvedObject: { kind: 'TrainJob', name: 'leaky', namespace: NS },
      reason: 'Leak',
      message: `pulling with ${IN_CONTEXT.urlPassword} and ${PLANTED.hf}`,
      type: 'Warning',
      firstTimestamp: new Date(Date.now() + 1000).toISOString(),
    });
    srv = await inProcess({
      kubeconfig: kube.writeKubeconfig(mkdtempSync(path.join(tmpdir(), 'kc-')), { namespace: NS }),
      persona: 'platform-admin',
      auditLog: audit,
    });
  });

  afterAll(async () => {
    await srv?.close();
    await kube?.close();
  });

  it('in results, logs, events, previews, errors and the audit log', async () => {
    const client = await srv.connect(alice);
    await callTool(client, 'wait_for_training', { name: 'leaky', timeout_seconds: 10 });
    const outputs = [
      await callTool(client, 'get_training_logs', { name: 'leaky', tail: 1000 }),
      await callTool(client, 'get_training_job', { name: 'leaky' }),
      await callTool(client, 'get_training_events', { name: 'leaky' }),
      await callTool(client, 'list_training_jobs'),
      await callTool(client, 'delete_training_job', { name: 'leaky' }),
      await callTool(client, 'run_container_training', {
        image: 'busybox',
        env: { TOKEN_FILE: '/var/run/token' },
        command: ['sh', '-c', `curl -H "Authorization: Bearer ${PLANTED.bearer}" ${IN_CONTEXT.urlPassword}`],
      }),
      await callTool(client, 'run_custom_training', { code: `def train():\n    key = "${PLANTED.openai}"\n` }),
      await callTool(client, 'get_runtime', { name: PLANTED.hf }),
      await callTool(client, 'list_training_jobs', { labels: `token=${PLANTED.github}` }),
    ];
    const logs = outputs[0]!;
    expect(logs.isError).toBe(false);
    expect(logs.data.lines.length).toBeGreaterThan(10);
    for (const o of outputs) {
      expect(leaks(o.text)).toEqual([]);
      expect(leaks(JSON.stringify(o.data))).toEqual([]);
    }
    expect(outputs[6]!.data.error.code).toBe('secret_in_arguments');

    // Hostile placements: credential-named entries of any type, credentials as map keys, in
    // unknown parameters, and in the request id. Each is refused; none may reach the audit line.
    const hostile = await srv.connect({ ...alice, requestId: `${PLANTED.jwt}\n{"audit":true,"user":"root"}` });
    const NUMBER = 987654321987654;
    // As map keys: the formats recognisable on their own (a bare password is just a word).
    const standalone = Object.keys(PLANTED)
      .filter((k) => IN_CONTEXT[k] === PLANTED[k])
      .map((k) => PLANTED[k]!);
    const asEnvName = standalone.filter((v) => /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(v));
    const refused = [
      await callTool(hostile, 'run_custom_training', {
        code: 'def train(**kw):\n    pass\n',
        func_args: { ...Object.fromEntries(Object.entries(PLANTED).map(([k, v]) => [`${k}_token`, v])), HF_TOKEN: NUMBER },
      }),
      await callTool(hostile, 'run_custom_training', {
        code: 'def train(**kw):\n    pass\n',
        func_args: { cfg: { awsSecretAccessKey: [PLANTED.awsSecret], nested: { api_key: { v: PLANTED.password } } } },
      }),
      await callTool(hostile, 'run_container_training', { image: 'busybox', env: Object.fromEntries(asEnvName.map((v) => [v, 'x'])) }),
      await callTool(hostile, 'run_custom_training', { code: 'def train(**kw):\n    pass\n', func_args: Object.fromEntries(standalone.map((v) => [v, 1])) }),
      await callTool(hostile, 'get_runtime', { name: 'torch-distributed', bogus: { password: PLANTED.password, all: Object.values(PLANTED) } }),
    ];
    expect(asEnvName.length).toBeGreaterThan(5);
    for (const o of refused) {
      expect(o.isError).toBe(true);
      expect(['secret_in_arguments', 'invalid_arguments']).toContain(o.data.error.code);
      expect(leaks(o.text)).toEqual([]);
      expect(leaks(JSON.stringify(o.data))).toEqual([]);
    }
    // The hint shows the reference syntax intact.
    expect(refused[0]!.data.error.hint).toContain('"secret:<secret-name>/<key>"');

    await srv.app.audit.close();
    const text = readFileSync(audit, 'utf8');
    expect(leaks(text)).toEqual([]);
    expect(text).not.toContain(String(NUMBER));
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBe(outputs.length + refused.length + 1);
    for (const line of lines) expect(JSON.parse(line).audit).toBe(true);
  });
});
