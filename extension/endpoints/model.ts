/**
 * The KServe InferenceServices of the namespace (serving.kserve.io/v1beta1), watched through the daemon and read by
 * `core/kserve/state.ts`. A cluster without KServe is a state the view explains, found by discovery before any list.
 * A service that becomes Ready, or stops being ready, while watched fires `onDidTransition`.
 */
import * as vscode from 'vscode';
import { ISVC_GROUP, ISVC_PLURAL, ISVC_VERSION, type InferenceServiceObject } from '../../core/kserve/build';
import { summarizeInferenceService, type IsvcPhase, type IsvcSummary } from '../../core/kserve/state';
import { apiPath } from '../cluster/kube';
import { describe, WatchedList } from '../views/watchedList';

export interface EndpointEntry {
  summary: IsvcSummary;
  object: InferenceServiceObject;
}

export const ISVC = { group: ISVC_GROUP, version: ISVC_VERSION, plural: ISVC_PLURAL };

export function isvcPath(namespace: string, name?: string): string {
  return apiPath({ ...ISVC, namespace, ...(name ? { name } : {}) });
}

export class EndpointsModel extends WatchedList {
  private entries: EndpointEntry[] = [];
  private phases = new Map<string, IsvcPhase>();
  private readonly _onDidTransition = new vscode.EventEmitter<{ entry: EndpointEntry; from: IsvcPhase }>();
  readonly onDidTransition = this._onDidTransition.event;

  list(): EndpointEntry[] {
    return this.entries;
  }

  find(name: string, namespace = this.namespace): EndpointEntry | undefined {
    return this.entries.find((e) => e.summary.name === name && e.summary.namespace === namespace);
  }

  /** The services that serve a registry version (the deploy labels them). */
  servingVersion(modelVersionId: string): EndpointEntry[] {
    return this.entries.filter((e) => e.summary.registry?.modelVersionId === modelVersionId);
  }

  /** Starts if needed and resolves once the first list arrived (or failed), or after `ms`. */
  whenLoaded(ms: number): Promise<void> {
    this.start();
    if (this.state.kind !== 'loading') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const sub = this.onDidChange(() => this.state.kind !== 'loading' && done());
      function done(): void {
        clearTimeout(timer);
        sub.dispose();
        resolve();
      }
    });
  }

  override dispose(): void {
    super.dispose();
    this._onDidTransition.dispose();
  }

  protected clear(): void {
    this.entries = [];
    this.phases.clear();
  }

  protected async load(gen: number): Promise<void> {
    if (!(await this.served(gen, `${ISVC_GROUP}/${ISVC_VERSION}`, ISVC_PLURAL, 'endpoints'))) return;
    this.watches.push(this.kube.watch<InferenceServiceObject>(isvcPath(this.namespace), (items) => {
      if (!this.current(gen)) return;
      this.state = { kind: 'ready' };
      this.update(items);
    }, (message) => {
      if (this.current(gen)) this.setState({ kind: 'error', message });
    }));
  }

  private update(items: InferenceServiceObject[]): void {
    const entries: EndpointEntry[] = [];
    for (const object of items) {
      try {
        entries.push({ summary: summarizeInferenceService(object), object });
      } catch (err) {
        this.log.warn(`endpoints: cannot read InferenceService ${object.metadata?.name}: ${describe(err)}`);
      }
    }
    entries.sort((a, b) => a.summary.name.localeCompare(b.summary.name));
    const seen = new Set<string>();
    for (const e of entries) {
      seen.add(e.summary.uid);
      const before = this.phases.get(e.summary.uid);
      this.phases.set(e.summary.uid, e.summary.phase);
      if (before && before !== e.summary.phase && (e.summary.phase === 'Ready' || before === 'Ready' || e.summary.phase === 'Failed')) this._onDidTransition.fire({ entry: e, from: before });
    }
    for (const uid of [...this.phases.keys()]) if (!seen.has(uid)) this.phases.delete(uid);
    this.entries = entries;
    this._onDidChange.fire();
  }
}
