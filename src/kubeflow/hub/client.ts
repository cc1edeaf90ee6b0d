/**
 * ModelRegistryClient: the SDK's kubeflow.hub client over the Model Registry REST API v1alpha3,
 * with plain views, paging handed to the caller (the SDK walks every page), a lookup fallback for
 * artifacts, a probe for auto-detection and a register_model that leaves nothing half-registered
 * (register.ts).
 */
import type { RegistryAccessCheck } from './access.js';
import { RegistryApi } from './api.js';
import { HubError } from './errors.js';
import { RegistryHttp } from './http.js';
import { registerModel, type RegisterModelOptions, type RegisterResult } from './register.js';
import type { ArtifactView, ModelVersion, ModelView, Page, PageOptions, RegisteredModel, VersionView } from './types.js';
import { artifactView, modelView, versionView } from './views.js';

export interface ModelRegistryClientOptions {
  /** e.g. http://model-registry-service.kubeflow:8080 */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Default author of versions and owner of new models (the SDK's `author`). */
  author?: string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
  /** Checks the caller's right before each request when the server acts for someone (access.ts). */
  authorize?: RegistryAccessCheck;
}

export interface ProbeResult {
  ok: boolean;
  apiBase: string;
  /** Why the registry is not usable (unreachable, unauthorized, not a registry, ...). */
  error?: { code: string; message: string; hint: string; status: number };
}

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

export class ModelRegistryClient {
  private readonly api: RegistryApi;
  private readonly author?: string;

  constructor(opts: ModelRegistryClientOptions) {
    this.api = new RegistryApi(new RegistryHttp(opts));
    this.author = opts.author;
  }

  /** The effective API base URL (after the SDK's port defaulting). */
  get apiBase(): string {
    return this.api.http.apiBase;
  }

  /** One cheap call the SDK also makes on construction: GET /registered_models?pageSize=1. */
  async probe(opts: { signal?: AbortSignal } = {}): Promise<ProbeResult> {
    try {
      const list = await this.api.listModels({ pageSize: 1, sortOrder: 'ASC' }, opts.signal);
      if (!list || !Array.isArray(list.items)) {
        return {
          ok: false,
          apiBase: this.apiBase,
          error: {
            code: 'invalid_response',
            message: 'the answer is not a RegisteredModelList',
            hint: `check that ${this.apiBase} is a Model Registry`,
            status: 200,
          },
        };
      }
      return { ok: true, apiBase: this.apiBase };
    } catch (err) {
      if (err instanceof HubError)
        return { ok: false, apiBase: this.apiBase, error: { code: err.code, message: err.message, hint: err.hint, status: err.status } };
      throw err;
    }
  }

  registerModel(name: string, uri: string, opts: RegisterModelOptions): Promise<RegisterResult> {
    return registerModel(this.api, name, uri, opts, { author: this.author });
  }

  async listModels(opts: PageOptions = {}): Promise<Page<ModelView>> {
    const list = await this.api.listModels(pageQuery(opts), opts.signal);
    return page(list.items, list.nextPageToken, modelView);
  }

  async getModel(name: string, opts: { signal?: AbortSignal } = {}): Promise<ModelView> {
    return modelView(await this.model(name, opts.signal));
  }

  async listModelVersions(name: string, opts: PageOptions = {}): Promise<Page<VersionView>> {
    const model = await this.model(name, opts.signal);
    const list = await this.api.listVersions(model.id!, pageQuery(opts), opts.signal);
    return page(list.items, list.nextPageToken, versionView);
  }

  async getModelVersion(name: string, version: string, opts: { signal?: AbortSignal } = {}): Promise<VersionView> {
    return versionView(await this.version(name, version, opts.signal));
  }

  /** The version's model artifact: named after the model (as the SDK looks it up), else the first listed. */
  async getModelArtifact(name: string, version: string, opts: { signal?: AbortSignal } = {}): Promise<ArtifactView> {
    const v = await this.version(name, version, opts.signal);
    const artifact = await this.api.versionArtifact(name, v.id!, opts.signal);
    if (!artifact) {
      throw new HubError(
        'not_found',
        `version '${version}' of model '${name}' has no model artifact`,
        'register the model again with its URI (registration completes a version that lacks one)',
        404,
        'version',
      );
    }
    return artifactView(artifact);
  }

  // -------------------------------------------------------------------------------------------

  private async model(name: string, signal?: AbortSignal): Promise<RegisteredModel> {
    const model = await this.api.findModel(requireName(name, 'name', 'model name'), signal);
    if (!model?.id)
      throw new HubError('not_found', `model '${name}' not found`, 'list the models to see the exact names (names are case-sensitive)', 404, 'name');
    return model;
  }

  private async version(name: string, version: string, signal?: AbortSignal): Promise<ModelVersion> {
    const model = await this.model(name, signal);
    const v = await this.api.findVersion(model.id!, requireName(version, 'version', 'version name'), signal);
    if (!v?.id)
      throw new HubError('not_found', `model '${name}' has no version '${version}'`, `list the versions of '${name}' to see what exists`, 404, 'version');
    return v;
  }
}

function requireName(value: string, field: string, what: string): string {
  if (typeof value !== 'string' || value === '' || !/^[\x20-\x7E]+$/.test(value)) {
    throw new HubError('invalid_argument', `${what} must be non-empty printable ASCII, got ${JSON.stringify(value)}`, `pass the exact ${what}`, 0, field);
  }
  return value;
}

function pageQuery(opts: PageOptions): Record<string, string> {
  const size = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new HubError('invalid_argument', `pageSize must be between 1 and ${MAX_PAGE_SIZE}, got ${size}`, `use e.g. ${DEFAULT_PAGE_SIZE}`, 0, 'pageSize');
  }
  return {
    pageSize: String(size),
    sortOrder: opts.sortOrder ?? 'ASC',
    ...(opts.orderBy ? { orderBy: opts.orderBy } : {}),
    ...(opts.nextPageToken ? { nextPageToken: opts.nextPageToken } : {}),
  };
}

function page<W, V>(items: W[] | undefined, token: string | undefined, view: (w: W) => V): Page<V> {
  return { items: (items ?? []).map(view), ...(token ? { nextPageToken: token } : {}) };
}
