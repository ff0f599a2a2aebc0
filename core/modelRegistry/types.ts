/**
 * The entities of the Kubeflow Model Registry REST API v1alpha3 (`api/openapi/model-registry.yaml`, v0.3.x) that the
 * editor reads and writes. Field names and enums are the spec's; ids and epoch times are strings (int64 in JSON).
 */

/** A custom property value: a tagged union on `metadataType`. */
export type MetadataValue =
  | { metadataType: 'MetadataStringValue'; string_value: string }
  | { metadataType: 'MetadataDoubleValue'; double_value: number }
  | { metadataType: 'MetadataIntValue'; int_value: string }
  | { metadataType: 'MetadataBoolValue'; bool_value: boolean }
  | { metadataType: 'MetadataStructValue'; struct_value: string }
  | { metadataType: 'MetadataProtoValue'; type: string; proto_value: string };

export type CustomProperties = Record<string, MetadataValue>;

export type RegisteredModelState = 'LIVE' | 'ARCHIVED';
export type ModelVersionState = 'LIVE' | 'ARCHIVED';
export type ArtifactState = 'UNKNOWN' | 'PENDING' | 'LIVE' | 'MARKED_FOR_DELETION' | 'DELETED' | 'ABANDONED' | 'REFERENCE';
export type InferenceServiceState = 'DEPLOYED' | 'UNDEPLOYED';
export type OrderByField = 'CREATE_TIME' | 'LAST_UPDATE_TIME' | 'ID';
export type SortOrder = 'ASC' | 'DESC';
export type ArtifactType = 'model-artifact' | 'doc-artifact' | 'dataset-artifact' | 'metric' | 'parameter';

/** Fields every stored resource has. */
export interface BaseResource {
  id: string;
  name?: string;
  description?: string;
  externalId?: string;
  customProperties?: CustomProperties;
  /** Milliseconds since the epoch, as a string. */
  createTimeSinceEpoch?: string;
  lastUpdateTimeSinceEpoch?: string;
}

export interface RegisteredModel extends BaseResource {
  name: string;
  owner?: string;
  state?: RegisteredModelState;
  readme?: string;
  maturity?: string;
  language?: string[];
  tasks?: string[];
  provider?: string;
  logo?: string;
  license?: string;
  licenseLink?: string;
  libraryName?: string;
}

export interface ModelVersion extends BaseResource {
  name: string;
  registeredModelId: string;
  state?: ModelVersionState;
  author?: string;
}

/** What a model artifact says about the model: format, where it is stored, where it came from. */
export interface ModelArtifactFields {
  uri?: string;
  state?: ArtifactState;
  modelFormatName?: string;
  modelFormatVersion?: string;
  storageKey?: string;
  storagePath?: string;
  serviceAccountName?: string;
  modelSourceKind?: string;
  modelSourceClass?: string;
  modelSourceGroup?: string;
  modelSourceId?: string;
  modelSourceName?: string;
}

export interface ModelArtifact extends BaseResource, ModelArtifactFields {
  artifactType: 'model-artifact';
  experimentId?: string;
  experimentRunId?: string;
}

/** Another kind of artifact attached to a version (documents, datasets, metrics, parameters): shown, not edited. */
export interface OtherArtifact extends BaseResource {
  artifactType: Exclude<ArtifactType, 'model-artifact'>;
  uri?: string;
  state?: ArtifactState;
  value?: unknown;
  experimentId?: string;
  experimentRunId?: string;
}

export type Artifact = ModelArtifact | OtherArtifact;

export interface ServingEnvironment extends BaseResource {
  name: string;
}

export interface InferenceService extends BaseResource {
  registeredModelId: string;
  servingEnvironmentId: string;
  modelVersionId?: string;
  runtime?: string;
  desiredState?: InferenceServiceState;
}

/** One page of a list. `nextPageToken` is empty on the last page. */
export interface ListPage<T> {
  items: T[];
  nextPageToken: string;
  pageSize: number;
  size: number;
}

export interface ListOptions {
  /** Entities per page (the server's default is 20 in v0.3). */
  pageSize?: number;
  nextPageToken?: string;
  orderBy?: OrderByField;
  sortOrder?: SortOrder;
  /** SQL-like filter, e.g. `name ILIKE '%mnist%' AND state = 'LIVE'` (see `filter.ts`). */
  filterQuery?: string;
}

// --- what the editor sends

export interface RegisteredModelCreate {
  name: string;
  description?: string;
  owner?: string;
  externalId?: string;
  customProperties?: CustomProperties;
  state?: RegisteredModelState;
}
export type RegisteredModelUpdate = Partial<Omit<RegisteredModelCreate, 'name'>>;

export interface ModelVersionCreate {
  name: string;
  registeredModelId: string;
  description?: string;
  author?: string;
  externalId?: string;
  customProperties?: CustomProperties;
  state?: ModelVersionState;
}
export type ModelVersionUpdate = Partial<Omit<ModelVersionCreate, 'name' | 'registeredModelId'>>;

export interface ModelArtifactCreate extends ModelArtifactFields {
  artifactType: 'model-artifact';
  name?: string;
  description?: string;
  externalId?: string;
  customProperties?: CustomProperties;
}
export type ModelArtifactUpdate = Partial<Omit<ModelArtifactCreate, 'name'>>;

export interface ServingEnvironmentCreate {
  name: string;
  description?: string;
  externalId?: string;
  customProperties?: CustomProperties;
}

export interface InferenceServiceCreate {
  registeredModelId: string;
  servingEnvironmentId: string;
  name?: string;
  description?: string;
  modelVersionId?: string;
  runtime?: string;
  desiredState?: InferenceServiceState;
  externalId?: string;
  customProperties?: CustomProperties;
}
export type InferenceServiceUpdate = Partial<Omit<InferenceServiceCreate, 'registeredModelId' | 'servingEnvironmentId' | 'name'>>;
