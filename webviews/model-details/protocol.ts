// Messages between the model details panel and the extension. Browser-safe; the host
// (extension/models/details.ts) imports it with `import type`. Every string is registry or cluster data: the page
// shows it as text only.

export interface PropertyRow {
  key: string;
  value: string;
  /** string, double, int, bool, struct, proto */
  type: string;
}

export interface ArtifactRow {
  id: string;
  name: string;
  artifactType: string;
  state?: string;
  uri?: string;
  format?: string;
  storage?: string;
  serviceAccountName?: string;
  description?: string;
  properties: PropertyRow[];
}

export interface VersionRow {
  id: string;
  name: string;
  state: string;
  author?: string;
  created?: string;
  /** The format and URI of its model artifact, when the panel knows them. */
  format?: string;
  uri?: string;
  labels: string[];
}

export interface LineageRow {
  text: string;
  /** What clicking it does; absent: plain text. */
  action?: 'openPipelineRun' | 'openKatibTrial' | 'copy';
  /** Passed back with the action (a run id, `experiment/trial`). */
  ref?: string;
}

export interface DeploymentRow {
  name: string;
  namespace: string;
  phase: string;
  url?: string;
  traffic?: string;
}

export interface DetailsData {
  kind: 'model' | 'version';
  registry: string;
  model: {
    id: string;
    name: string;
    state: string;
    owner?: string;
    description?: string;
    created?: string;
    updated?: string;
    labels: string[];
    properties: PropertyRow[];
  };
  /** kind 'version'. */
  version?: {
    id: string;
    name: string;
    state: string;
    author?: string;
    description?: string;
    created?: string;
    updated?: string;
    labels: string[];
    properties: PropertyRow[];
  };
  /** kind 'model': its versions, newest first. */
  versions: VersionRow[];
  /** kind 'version': its artifacts. */
  artifacts: ArtifactRow[];
  lineage: LineageRow[];
  /** InferenceServices of the namespace that serve this version (or any version of this model). */
  deployments: DeploymentRow[];
  /** The version has a model artifact with a URI: it can be deployed. */
  deployable: boolean;
}

/** Extension → webview. */
export type ToDetails =
  | { type: 'data'; data: DetailsData }
  | { type: 'busy'; message: string }
  | { type: 'error'; message: string };

export type DetailsAction =
  | 'refresh'
  | 'deploy'
  | 'copyUri'
  | 'archive'
  | 'restore'
  | 'registerVersion'
  | 'openVersion'
  | 'openLineage'
  | 'openEndpoint';

/** Webview → extension. */
export type FromDetails =
  | { type: 'ready' }
  | { type: 'action'; action: DetailsAction; /** A version id, artifact id, lineage ref or endpoint name. */ ref?: string; /** For lineage rows. */ lineage?: LineageRow['action'] };

/** What the webview keeps across reloads. */
export interface DetailsViewState {
  tab: string;
}
