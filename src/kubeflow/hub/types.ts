/**
 * Model Registry REST v1alpha3 shapes (the fields we send or read; OpenAPI document
 * api/openapi/model-registry.yaml) and the views the client returns. See docs/wire/hub.md.
 */

export type MetadataValue =
  | { metadataType: 'MetadataStringValue'; string_value: string }
  | { metadataType: 'MetadataIntValue'; int_value: string }
  | { metadataType: 'MetadataDoubleValue'; double_value: number }
  | { metadataType: 'MetadataBoolValue'; bool_value: boolean }
  | { metadataType: 'MetadataStructValue'; struct_value: string }
  | { metadataType: 'MetadataProtoValue'; type: string; proto_value: string };

export type CustomProperties = Record<string, MetadataValue>;

interface BaseResource {
  id?: string;
  name?: string;
  description?: string;
  externalId?: string;
  customProperties?: CustomProperties;
  /** Milliseconds since the epoch, as a decimal string. */
  createTimeSinceEpoch?: string;
  lastUpdateTimeSinceEpoch?: string;
}

type ModelState = 'LIVE' | 'ARCHIVED';
type ArtifactState = 'UNKNOWN' | 'PENDING' | 'LIVE' | 'MARKED_FOR_DELETION' | 'DELETED' | 'ABANDONED' | 'REFERENCE';

export interface RegisteredModel extends BaseResource {
  owner?: string;
  state?: ModelState;
}

export interface ModelVersion extends BaseResource {
  registeredModelId?: string;
  author?: string;
  state?: ModelState;
}

export interface ModelArtifact extends BaseResource {
  artifactType?: string;
  uri?: string;
  state?: ArtifactState;
  modelFormatName?: string;
  modelFormatVersion?: string;
  storageKey?: string;
  storagePath?: string;
  serviceAccountName?: string;
}

export interface ListResponse<T> {
  items: T[];
  nextPageToken: string;
  pageSize: number;
  size: number;
}

// ---------------------------------------------------------------------------------------------
// Views

export type PropertyValue = string | number | boolean;

interface ViewBase {
  id: string;
  /** Custom properties of the four plain kinds (string, int, double, bool). */
  properties: Record<string, PropertyValue>;
  /** Names of struct/proto properties, which views leave out (as the SDK does). */
  droppedProperties?: string[];
  /** ISO 8601. */
  createTime?: string;
  updateTime?: string;
  description?: string;
  externalId?: string;
}

export interface ModelView extends ViewBase {
  name: string;
  owner?: string;
  state: ModelState;
}

export interface VersionView extends ViewBase {
  name: string;
  modelId: string;
  author?: string;
  state: ModelState;
}

export interface ArtifactView
  extends ViewBase, Pick<ModelArtifact, 'uri' | 'state' | 'modelFormatName' | 'modelFormatVersion' | 'storageKey' | 'storagePath' | 'serviceAccountName'> {
  name?: string;
}

export interface Page<T> {
  items: T[];
  /** Pass back as nextPageToken for the next page; absent on the last page. */
  nextPageToken?: string;
}

export interface PageOptions {
  /** Default 100 (the registry's own default is "everything"). */
  pageSize?: number;
  nextPageToken?: string;
  orderBy?: 'CREATE_TIME' | 'LAST_UPDATE_TIME' | 'ID';
  sortOrder?: 'ASC' | 'DESC';
  signal?: AbortSignal;
}
