/**
 * register_model without half-registered results (docs/wire/hub.md#register_model). The SDK runs three calls (model, version,
 * artifact) and stops at the first failure, leaving e.g. a LIVE version without an artifact. Here:
 *
 *  - Everything is looked up first; nothing is written when the request conflicts with what exists.
 *  - Re-running with the same inputs converges: an existing model is reused; an existing version
 *    whose artifact has the same URI (and format, when given) is "already registered" (returned,
 *    not an error); a version without an artifact is completed; a different URI is a conflict.
 *    ARCHIVED models/versions met on the way are made LIVE again (they are what an earlier failed
 *    attempt leaves behind, see below).
 *  - When a step fails, what this call created or revived is archived again (PATCH state
 *    ARCHIVED; the API has no DELETE), newest first; an artifact whose creation may have happened
 *    despite the error (timeouts, 5xx) is looked up and set ABANDONED. So afterwards either the
 *    whole model/version/artifact is LIVE or nothing new is.
 */
import type { RegistryApi } from './api.js';
import { HubError } from './errors.js';
import { encodeProperties } from './properties.js';
import type { ArtifactView, ModelArtifact, ModelVersion, ModelView, PropertyValue, RegisteredModel, VersionView } from './types.js';
import { artifactView, modelView, versionView } from './views.js';

export interface RegisterModelOptions {
  version: string;
  modelFormatName?: string;
  modelFormatVersion?: string;
  /** Version author; default the client's author. */
  author?: string;
  /** Owner of a newly created model; default the client's author. */
  owner?: string;
  /** Version description (the SDK's version_description). */
  description?: string;
  /** Version custom properties. */
  metadata?: Record<string, PropertyValue>;
  /** Where a serving runtime finds the credentials: Secret name (storageKey), path in it, service account. */
  storage?: { key?: string; path?: string; serviceAccountName?: string };
  signal?: AbortSignal;
}

type RegisterOutcome = 'registered' | 'already_registered' | 'completed';

export interface RegisterResult {
  /** registered: new version; already_registered: identical version existed; completed: an existing version got its artifact. */
  outcome: RegisterOutcome;
  model: ModelView;
  version: VersionView;
  artifact: ArtifactView;
  created: { model: boolean; version: boolean; artifact: boolean };
  notes: string[];
}

/** What this call changed, so a failure can undo it. */
interface Journal {
  model?: { entity: RegisteredModel; how: 'created' | 'revived' };
  version?: { entity: ModelVersion; how: 'created' | 'revived' };
  /** An ABANDONED artifact (left by an earlier failed attempt) this call reused. */
  artifact?: { entity: ModelArtifact };
  /** Creates that failed in a way that may still have stored the object (timeouts, 5xx). */
  inDoubt?: { kind: 'model' } | { kind: 'version'; modelId: string; version: string } | { kind: 'artifact'; versionId: string };
}

const PRINTABLE = /^[\x20-\x7E]+$/;
/** Artifact states that mean "not really there": registration may take the artifact over. */
const REUSABLE = new Set(['ABANDONED', 'DELETED', 'MARKED_FOR_DELETION']);

function checkText(value: unknown, field: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 255 || !PRINTABLE.test(value)) {
    throw new HubError(
      'invalid_argument',
      `${what} must be 1-255 printable ASCII characters, got ${JSON.stringify(value)}`,
      `the registry looks ${what}s up by exact name; use letters, digits and punctuation`,
      0,
      field,
    );
  }
  return value;
}

function checkUri(uri: unknown): string {
  if (typeof uri !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(uri) || uri.length > 2048) {
    throw new HubError(
      'invalid_argument',
      `model URI ${JSON.stringify(uri)} is not a URI with a scheme`,
      'pass where the model is stored, e.g. s3://bucket/models/m1, pvc://<claim>/output, oci://registry/repo:tag or hf://org/name',
      0,
      'uri',
    );
  }
  return uri;
}

/** A failure whose outcome is unknown: the server may have stored the object before failing. */
const inDoubt = (err: unknown): boolean => err instanceof HubError && (err.status === 0 || err.status >= 500) && err.code !== 'cancelled';

export async function registerModel(
  api: RegistryApi,
  name: string,
  uri: string,
  opts: RegisterModelOptions,
  defaults: { author?: string },
): Promise<RegisterResult> {
  checkText(name, 'name', 'model name');
  checkText(opts.version, 'version', 'version name');
  checkUri(uri);
  const customProperties = encodeProperties(opts.metadata ?? {});
  const signal = opts.signal;
  const notes: string[] = [];

  // Read everything first: a conflict must not write anything.
  let model = await api.findModel(name, signal);
  let version = model?.id ? await api.findVersion(model.id, opts.version, signal) : undefined;
  const found = version?.id ? await api.versionArtifact(name, version.id, signal) : undefined;
  // An artifact an earlier failed attempt abandoned is ours to reuse; any other one must match.
  const abandoned = found && REUSABLE.has(found.state ?? '') ? found : undefined;
  const existing = abandoned ? undefined : found;
  if (existing) checkSame(existing, uri, opts, name);

  const journal: Journal = {};
  try {
    if (!model) {
      model = await doubtful(journal, { kind: 'model' }, () => api.createModel({ name, owner: opts.owner ?? defaults.author, state: 'LIVE' }, signal));
      journal.model = { entity: model, how: 'created' };
    } else if (model.state === 'ARCHIVED') {
      // Journal first: if the PATCH fails after it was applied, the rollback still archives it.
      journal.model = { entity: model, how: 'revived' };
      model = await api.patchModel(model.id!, { state: 'LIVE' }, signal);
      notes.push(`model '${name}' was ARCHIVED and is LIVE again`);
    }
    if (!version) {
      const body: ModelVersion = {
        registeredModelId: model.id!,
        name: opts.version,
        author: opts.author ?? defaults.author,
        description: opts.description,
        state: 'LIVE',
        ...(Object.keys(customProperties).length > 0 ? { customProperties } : {}),
      };
      version = await doubtful(journal, { kind: 'version', modelId: model.id!, version: opts.version }, () => api.createVersion(body, signal));
      journal.version = { entity: version, how: 'created' };
    } else if (version.state === 'ARCHIVED') {
      journal.version = { entity: version, how: 'revived' };
      version = await api.patchVersion(version.id!, { state: 'LIVE' }, signal);
      notes.push(`version '${opts.version}' was ARCHIVED and is LIVE again`);
    }
    let artifact = existing;
    if (abandoned) {
      journal.artifact = { entity: abandoned };
      artifact = await api.upsertArtifact(version.id!, { ...artifactBody(name, uri, opts), id: abandoned.id }, signal);
      notes.push(`reused artifact ${abandoned.id}, abandoned by an earlier attempt`);
    } else if (!artifact) {
      const versionId = version.id!;
      artifact = await doubtful(journal, { kind: 'artifact', versionId }, () => api.upsertArtifact(versionId, artifactBody(name, uri, opts), signal));
    } else if (opts.metadata || opts.description) {
      notes.push('the version existed already; its description and metadata were left as they are');
    }
    return {
      outcome: existing ? 'already_registered' : journal.version?.how === 'created' ? 'registered' : 'completed',
      model: modelView(model),
      version: versionView(version),
      artifact: artifactView(artifact),
      created: { model: journal.model?.how === 'created', version: journal.version?.how === 'created', artifact: !existing && !abandoned },
      notes,
    };
  } catch (err) {
    throw await rollBack(api, journal, name, err);
  }
}

/** Runs a create; when it fails with an unknown outcome, notes what may exist now. */
async function doubtful<T>(journal: Journal, what: NonNullable<Journal['inDoubt']>, create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (err) {
    if (inDoubt(err)) journal.inDoubt = what;
    throw err;
  }
}

function artifactBody(name: string, uri: string, opts: RegisterModelOptions): ModelArtifact {
  // As the SDK: the artifact is named after the model; nulls are left out; state UNKNOWN.
  return {
    artifactType: 'model-artifact',
    name,
    uri,
    ...(opts.modelFormatName !== undefined ? { modelFormatName: opts.modelFormatName } : {}),
    ...(opts.modelFormatVersion !== undefined ? { modelFormatVersion: opts.modelFormatVersion } : {}),
    ...(opts.storage?.key !== undefined ? { storageKey: opts.storage.key } : {}),
    ...(opts.storage?.path !== undefined ? { storagePath: opts.storage.path } : {}),
    ...(opts.storage?.serviceAccountName !== undefined ? { serviceAccountName: opts.storage.serviceAccountName } : {}),
    state: 'UNKNOWN',
  };
}

function checkSame(a: ModelArtifact, uri: string, opts: RegisterModelOptions, name: string): void {
  const differences: string[] = [];
  if (a.uri !== uri) differences.push(`uri ${a.uri ?? '(none)'}`);
  if (opts.modelFormatName !== undefined && a.modelFormatName !== opts.modelFormatName) differences.push(`format ${a.modelFormatName ?? '(none)'}`);
  if (opts.modelFormatVersion !== undefined && a.modelFormatVersion !== opts.modelFormatVersion)
    differences.push(`format version ${a.modelFormatVersion ?? '(none)'}`);
  if (differences.length > 0) {
    throw new HubError(
      'conflict',
      `version '${opts.version}' of model '${name}' is already registered with ${differences.join(', ')}`,
      'register under a new version name, or pass the same uri/format to get the existing registration back',
      409,
      'version',
    );
  }
}

/** Undo what this call wrote, newest first; the original error is returned with what happened. */
async function rollBack(api: RegistryApi, journal: Journal, name: string, err: unknown): Promise<unknown> {
  const undone: string[] = [];
  const failed: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      undone.push(what);
    } catch (e) {
      failed.push(`${what} (${e instanceof Error ? e.message : String(e)})`);
    }
  };
  // Cleanup must run even when the caller's signal caused the failure: no signal here.
  if (journal.artifact?.entity.id) {
    const a = journal.artifact.entity;
    await attempt(`marked artifact ${a.id} ABANDONED again`, () => api.patchArtifact(a.id!, { artifactType: 'model-artifact', state: 'ABANDONED' }, undefined));
  }
  const doubt = journal.inDoubt;
  if (doubt?.kind === 'artifact') {
    const stored = await api.findModelArtifact(name, doubt.versionId, undefined).catch(() => undefined);
    if (stored?.id)
      await attempt(`marked artifact ${stored.id} ABANDONED`, () =>
        api.patchArtifact(stored.id!, { artifactType: 'model-artifact', state: 'ABANDONED' }, undefined),
      );
  } else if (doubt?.kind === 'version') {
    const stored = await api.findVersion(doubt.modelId, doubt.version, undefined).catch(() => undefined);
    if (stored?.id) journal.version = { entity: stored, how: 'created' };
  } else if (doubt?.kind === 'model') {
    const stored = await api.findModel(name, undefined).catch(() => undefined);
    if (stored?.id) journal.model = { entity: stored, how: 'created' };
  }
  if (journal.version) {
    const v = journal.version.entity;
    await attempt(`archived version '${v.name}' ${journal.version.how === 'created' ? 'created' : 'revived'} by this call`, () =>
      api.patchVersion(v.id!, { state: 'ARCHIVED' }, undefined),
    );
  }
  if (journal.model) {
    const m = journal.model.entity;
    await attempt(`archived model '${m.name}' ${journal.model.how === 'created' ? 'created' : 'revived'} by this call`, () =>
      api.patchModel(m.id!, { state: 'ARCHIVED' }, undefined),
    );
  }
  if (!(err instanceof HubError) || (undone.length === 0 && failed.length === 0)) return err;
  const message = `${err.message}; rolled back: ${undone.length ? undone.join(', ') : 'nothing'}${failed.length ? `; could NOT roll back: ${failed.join(', ')}` : ''}`;
  const hint = failed.length
    ? `${err.hint}. Some objects stayed LIVE: archive them in the registry UI, or run the same registration again once the registry works (it converges)`
    : `${err.hint}. Nothing new is LIVE; running the same registration again resumes it`;
  return new HubError(err.code, message, hint, err.status, err.field);
}
