/**
 * What the Models view shows, read from the selected registry on demand: registered models (a page at a time, newest
 * update first, narrowed by the search filter), a model's versions and a version's artifacts when they are expanded.
 * A registry that is unreachable or not installed is a state with the reason, not an exception. A server that
 * refuses `filterQuery` (older than v0.3) gets the filter applied here instead.
 */
import * as vscode from 'vscode';
import { ModelRegistryClient, RegistryDatabaseError } from '../../core/modelRegistry/client';
import { describeFilter, modelFilterQuery, type ModelFilter } from '../../core/modelRegistry/filter';
import { ApiError, UnreachableError } from '../../core/http/transport';
import type { Artifact, ListPage, ModelVersion, RegisteredModel } from '../../core/modelRegistry/types';
import type { Log } from '../log';
import type { Registries, RegistryConfig } from './registries';

const MODELS_PAGE = 50;
const VERSIONS_PAGE = 50;

export type RegistryState =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'ready' }
  /** `unreachable`: nothing answered (not installed, no pod, forward refused); else the API said no. */
  | { kind: 'error'; message: string; unreachable: boolean };

export interface Paged<T> {
  items: T[];
  /** More on the server. */
  next?: string;
  error?: string;
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class ModelsModel implements vscode.Disposable {
  state: RegistryState = { kind: 'idle' };
  registry: RegistryConfig;
  filter: ModelFilter = {};
  models: Paged<RegisteredModel> = { items: [] };
  private versions = new Map<string, Promise<Paged<ModelVersion>>>();
  private artifacts = new Map<string, Promise<Paged<Artifact>>>();
  /** false once the server refused a filterQuery. */
  private serverFilters = true;
  private generation = 0;
  private readonly _onDidChange = new vscode.EventEmitter<{ modelId?: string; versionId?: string } | undefined>();
  /** Something changed: everything (undefined), or one model's versions / one version's artifacts. */
  readonly onDidChange = this._onDidChange.event;
  private readonly subs: vscode.Disposable[];

  constructor(
    readonly registries: Registries,
    private readonly log: Log,
  ) {
    this.registry = registries.current();
    this.subs = [registries.onDidChange(() => this.restart())];
  }

  client(): ModelRegistryClient {
    return this.registries.client(this.registry);
  }

  start(): void {
    if (this.state.kind === 'idle') void this.load();
  }

  restart(): void {
    this.generation++;
    this.registry = this.registries.current();
    this.state = { kind: 'idle' };
    this.models = { items: [] };
    this.versions.clear();
    this.artifacts.clear();
    this.serverFilters = true;
    this._onDidChange.fire(undefined);
    this.start();
  }

  setFilter(f: ModelFilter): void {
    this.filter = f;
    this.restart();
  }

  filterText(): string | undefined {
    return describeFilter(this.filter);
  }

  /** Reads the first page of models (or the next one with `more`). */
  async load(more = false): Promise<void> {
    const gen = this.generation;
    if (!more) {
      this.state = { kind: 'loading' };
      this._onDidChange.fire(undefined);
    }
    try {
      const page = await this.modelsPage(more ? this.models.next : undefined);
      if (gen !== this.generation) return;
      this.models = { items: more ? [...this.models.items, ...page.items] : page.items, ...(page.nextPageToken ? { next: page.nextPageToken } : {}) };
      this.state = { kind: 'ready' };
      this.log.info(`model registry ${this.registry.label}: ${this.models.items.length} models${this.models.next ? ' (more on the server)' : ''}`);
    } catch (err) {
      if (gen !== this.generation) return;
      this.state = { kind: 'error', message: describe(err), unreachable: err instanceof UnreachableError };
      this.log.warn(`model registry ${this.registry.label}: ${this.state.message}`);
    }
    this._onDidChange.fire(undefined);
  }

  private async modelsPage(token: string | undefined): Promise<ListPage<RegisteredModel>> {
    const base = { pageSize: MODELS_PAGE, orderBy: 'LAST_UPDATE_TIME' as const, sortOrder: 'DESC' as const, ...(token ? { nextPageToken: token } : {}) };
    const filterQuery = this.serverFilters ? modelFilterQuery(this.filter) : undefined;
    try {
      return await this.client().listRegisteredModels({ ...base, ...(filterQuery ? { filterQuery } : {}) });
    } catch (err) {
      // Registries before v0.3 do not know filterQuery; filter here instead (only the raw query cannot be honoured).
      // a database that refuses also answers 400 (RegistryDatabaseError): that is not a registry without filters
      if (!(err instanceof ApiError && !(err instanceof RegistryDatabaseError) && err.status === 400 && filterQuery && !this.filter.query)) throw err;
      this.serverFilters = false;
      this.log.info(`model registry ${this.registry.label} refused filterQuery (${err.message}); filtering in the editor`);
    }
    const page = await this.client().listRegisteredModels(base);
    const text = this.filter.text?.trim().toLowerCase();
    return { ...page, items: page.items.filter((m) => (this.filter.archived || m.state !== 'ARCHIVED') && (!text || m.name.toLowerCase().includes(text))) };
  }

  versionsOf(modelId: string): Promise<Paged<ModelVersion>> {
    let p = this.versions.get(modelId);
    if (!p) {
      p = this.fetchVersions(modelId);
      this.versions.set(modelId, p);
    }
    return p;
  }

  private async fetchVersions(modelId: string, prev?: Paged<ModelVersion>): Promise<Paged<ModelVersion>> {
    try {
      const page = await this.client().listVersions(modelId, { pageSize: VERSIONS_PAGE, orderBy: 'CREATE_TIME', sortOrder: 'DESC', ...(prev?.next ? { nextPageToken: prev.next } : {}) });
      // Archived versions stay listed (marked), so they can be restored.
      return { items: [...(prev?.items ?? []), ...page.items], ...(page.nextPageToken ? { next: page.nextPageToken } : {}) };
    } catch (err) {
      return { items: prev?.items ?? [], error: describe(err) };
    }
  }

  /** The next page of a model's versions. */
  async moreVersions(modelId: string): Promise<void> {
    const prev = await this.versionsOf(modelId);
    this.versions.set(modelId, this.fetchVersions(modelId, prev));
    this._onDidChange.fire({ modelId });
  }

  artifactsOf(versionId: string): Promise<Paged<Artifact>> {
    let p = this.artifacts.get(versionId);
    if (!p) {
      p = this.client().all((o) => this.client().listVersionArtifacts(versionId, o), { pageSize: 100 }, 500)
        .then((items) => ({ items }), (err: unknown) => ({ items: [], error: describe(err) }));
      this.artifacts.set(versionId, p);
    }
    return p;
  }

  /** Forget a model's versions (after a new version or a state change) and redraw it. */
  invalidateModel(modelId: string): void {
    this.versions.delete(modelId);
    this._onDidChange.fire({ modelId });
  }

  invalidateVersion(versionId: string): void {
    this.artifacts.delete(versionId);
    this._onDidChange.fire({ versionId });
  }

  /** Replace one model in the list (after archive/restore) without reloading the rest. */
  replaceModel(m: RegisteredModel): void {
    const i = this.models.items.findIndex((x) => x.id === m.id);
    if (i >= 0) {
      if (m.state === 'ARCHIVED' && !this.filter.archived) this.models.items.splice(i, 1);
      else this.models.items[i] = m;
    } else if (m.state !== 'ARCHIVED' || this.filter.archived) this.models.items.unshift(m);
    this._onDidChange.fire(undefined);
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
    this._onDidChange.dispose();
  }
}
