import { describe, expect, it } from 'vitest';
import { buildInitializer, datasetInitializer, modelInitializer, normaliseStorageUri } from '../../src/kubeflow/trainer/initializers.js';

describe('initializers', () => {
  it('HF model keeps the SDK default IGNORE_PATTERNS; HF dataset sends an empty env list', () => {
    // SDK 0.5.0: get_model_initializer(HuggingFaceModelInitializer('hf://Qwen/Qwen2.5-1.5B-Instruct'))
    expect(modelInitializer({ storageUri: 'hf://Qwen/Qwen2.5-1.5B-Instruct' })).toEqual({
      storageUri: 'hf://Qwen/Qwen2.5-1.5B-Instruct',
      env: [{ name: 'IGNORE_PATTERNS', value: '*.msgpack,*.h5,*.bin,*.pt,*.pth' }],
    });
    expect(datasetInitializer({ storageUri: 'hf://tatsu-lab/alpaca' })).toEqual({ storageUri: 'hf://tatsu-lab/alpaca', env: [] });
  });

  it('env order follows the SDK field order, then caller order', () => {
    // SDK 0.5.0 S3DatasetInitializer(..., ignore_patterns, endpoint, region, role_arn) env order.
    const d = datasetInitializer({
      storageUri: 's3://bucket/ds',
      ignorePatterns: ['*.tmp', '*.log'],
      env: { CUSTOM: 'x', ROLE_ARN: 'arn:x', REGION: 'eu', ENDPOINT: 'http://minio:9000' },
      secretName: 's3-creds',
    });
    expect(d).toEqual({
      storageUri: 's3://bucket/ds',
      env: [
        { name: 'IGNORE_PATTERNS', value: '*.tmp,*.log' },
        { name: 'ENDPOINT', value: 'http://minio:9000' },
        { name: 'REGION', value: 'eu' },
        { name: 'ROLE_ARN', value: 'arn:x' },
        { name: 'CUSTOM', value: 'x' },
      ],
      secretRef: { name: 's3-creds' },
    });
  });

  it('ignorePatterns: null omits it, [] sends it empty, a list overrides the model default', () => {
    expect(modelInitializer({ storageUri: 'hf://a/b', ignorePatterns: null }).env).toEqual([]);
    expect(modelInitializer({ storageUri: 'hf://a/b', ignorePatterns: [] }).env).toEqual([{ name: 'IGNORE_PATTERNS', value: '' }]);
    expect(modelInitializer({ storageUri: 'hf://a/b', ignorePatterns: ['*.bin'] }).env).toEqual([{ name: 'IGNORE_PATTERNS', value: '*.bin' }]);
  });

  it('credentials only through a Secret', () => {
    expect(modelInitializer({ storageUri: 'meta-llama/Llama-3.2-1B-Instruct', secretName: 'hf-token' })).toEqual({
      storageUri: 'hf://meta-llama/Llama-3.2-1B-Instruct',
      env: [{ name: 'IGNORE_PATTERNS', value: '*.msgpack,*.h5,*.bin,*.pt,*.pth' }],
      secretRef: { name: 'hf-token' },
    });
    for (const name of ['ACCESS_TOKEN', 'access_key_id', 'SECRET_ACCESS_KEY', 'HF_TOKEN']) {
      expect(() => modelInitializer({ storageUri: 'hf://a/b', env: { [name]: 'x' } })).toThrow(
        expect.objectContaining({ code: 'invalid_env', message: expect.stringContaining('plain env'), hint: expect.stringContaining('secretName') }),
      );
    }
    expect(() => modelInitializer({ storageUri: 'hf://a/b', secretName: 'Not_A_Secret' })).toThrow(/Secret name/);
    expect(() => modelInitializer({ storageUri: 'hf://a/b', env: { STORAGE_URI: 'x' } })).toThrow(/storageUri/);
  });

  it.each([
    ['hf://org/name', 'hf://org/name'],
    ['org/name', 'hf://org/name'],
    ['gpt2', 'hf://gpt2'],
    ['s3://bucket', 's3://bucket'],
    ['s3://bucket/a/b', 's3://bucket/a/b'],
    ['  hf://org/name ', 'hf://org/name'],
  ])('storage URI %s → %s', (input, want) => {
    expect(normaliseStorageUri(input).uri).toBe(want);
  });

  it.each(['gs://bucket/x', 'https://huggingface.co/org/name', 'cache://schema/table', 'hf://', 's3:///key', 'c:/x', '', 'org/na me'])(
    'rejects %j with a hint',
    (uri) => {
      expect(() => normaliseStorageUri(uri)).toThrow(expect.objectContaining({ code: 'invalid_storage_uri', hint: expect.stringContaining('hf://') }));
    },
  );

  it('buildInitializer: only the parts given, undefined when none', () => {
    expect(buildInitializer({})).toBeUndefined();
    expect(buildInitializer({ model: { storageUri: 'hf://a/b' } })).toEqual({ model: modelInitializer({ storageUri: 'hf://a/b' }) });
  });
});
