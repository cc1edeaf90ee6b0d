/**
 * The registry endpoints the client uses (docs/wire/hub.md#endpoints), one method each. Find endpoints answer
 * 404 when nothing matches; here that is `undefined`, every other failure is a HubError.
 */
import { HubError } from './errors.js';
import type { RegistryHttp, Query } from './http.js';
import type { ListResponse, ModelArtifact, ModelVersion, RegisteredModel } from './types.js';

type Signal = AbortSignal | undefined;

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof HubError && err.status === 404) return undefined;
    throw err;
  }
}

const id = (s: string) => encodeURIComponent(s);

export class RegistryApi {
  constructor(readonly http: RegistryHttp) {}

  findModel(name: string, signal: Signal): Promise<RegisteredModel | undefined> {
    return orUndefined(this.http.request<RegisteredModel>('GET', '/registered_model', { query: { name }, signal }));
  }

  createModel(body: RegisteredModel, signal: Signal): Promise<RegisteredModel> {
    return this.http.request<RegisteredModel>('POST', '/registered_models', { body, signal });
  }

  patchModel(modelId: string, body: Partial<RegisteredModel>, signal: Signal): Promise<RegisteredModel> {
    return this.http.request<RegisteredModel>('PATCH', `/registered_models/${id(modelId)}`, { body, signal });
  }

  listModels(query: Query, signal: Signal): Promise<ListResponse<RegisteredModel>> {
    return this.http.request<ListResponse<RegisteredModel>>('GET', '/registered_models', { query, signal });
  }

  findVersion(modelId: string, name: string, signal: Signal): Promise<ModelVersion | undefined> {
    return orUndefined(this.http.request<ModelVersion>('GET', '/model_version', { query: { name, parentResourceId: modelId }, signal }));
  }

  createVersion(body: ModelVersion, signal: Signal): Promise<ModelVersion> {
    return this.http.request<ModelVersion>('POST', '/model_versions', { body, signal });
  }

  patchVersion(versionId: string, body: Partial<ModelVersion>, signal: Signal): Promise<ModelVersion> {
    return this.http.request<ModelVersion>('PATCH', `/model_versions/${id(versionId)}`, { body, signal });
  }

  listVersions(modelId: string, query: Query, signal: Signal): Promise<ListResponse<ModelVersion>> {
    return this.http.request<ListResponse<ModelVersion>>('GET', `/registered_models/${id(modelId)}/versions`, { query, signal });
  }

  findModelArtifact(name: string, versionId: string, signal: Signal): Promise<ModelArtifact | undefined> {
    return orUndefined(this.http.request<ModelArtifact>('GET', '/model_artifact', { query: { name, parentResourceId: versionId }, signal }));
  }

  listVersionArtifacts(versionId: string, query: Query, signal: Signal): Promise<ListResponse<ModelArtifact>> {
    return this.http.request<ListResponse<ModelArtifact>>('GET', `/model_versions/${id(versionId)}/artifacts`, { query, signal });
  }

  upsertArtifact(versionId: string, body: ModelArtifact, signal: Signal): Promise<ModelArtifact> {
    return this.http.request<ModelArtifact>('POST', `/model_versions/${id(versionId)}/artifacts`, { body, signal });
  }

  patchArtifact(artifactId: string, body: Partial<ModelArtifact>, signal: Signal): Promise<ModelArtifact> {
    return this.http.request<ModelArtifact>('PATCH', `/model_artifacts/${id(artifactId)}`, { body, signal });
  }

  /** The version's model artifact: by the SDK's naming (artifact named after the model), else the first one listed. */
  async versionArtifact(modelName: string, versionId: string, signal: Signal): Promise<ModelArtifact | undefined> {
    const named = await this.findModelArtifact(modelName, versionId, signal);
    if (named) return named;
    const list = await this.listVersionArtifacts(versionId, { artifactType: 'model-artifact', pageSize: 1, orderBy: 'ID', sortOrder: 'ASC' }, signal);
    return list.items.find((a) => a.artifactType === 'model-artifact' || a.artifactType === undefined);
  }
}
