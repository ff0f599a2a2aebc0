/**
 * The KServe InferenceServices of the namespace (serving.kserve.io/v1beta1), watched through the daemon and read by
 * `core/kserve/state.ts`. A cluster without KServe is a state the view explains, found by discovery before any list.
 * A service that becomes Ready, or stops being ready, while watched fires `onDidTransition`.
 */
import * as vscode from 'vscode';
import { ISVC_GROUP, ISVC_PLURAL, ISVC_VERSION, type InferenceServiceObject } from '../../core/kserve/build';
import { summarizeInferenceService, type IsvcPhase, type IsvcSummary } from '../../core/kserve/state';
import { apiPath, type Kube } from '../cluster/kube';
import type { Log } from '../log';
import { describe, discover, type ModelState } from '../training/model';
import { currentNamespace } from '../training/namespace';

export interface EndpointEntry {
  summary: IsvcSummary;
  object: InferenceServiceObject;
}

export const ISVC = { group: ISVC_GROUP, version: ISVC_VERSION, plural: ISVC_PLURAL };

export function isvcPath(namespace: string, name?: string): string {
  return apiPath({ ...ISVC, namespace, ...(name ? { name } : {}) });
}

export class EndpointsModel implements vscode.Disposable {
  state: ModelState | { kind: 'not-installed' } = { kind: 'idle' };
  namespace = '';
  private entries: EndpointEntry[] = [];
  private phases = new Map<string, IsvcPhase>();
  private watch: vscode.Disposable | undefined;
  private generation = 0;
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidTransition = new vscode.EventEmitter<{ entry: EndpointEntry; from: IsvcPhase }>();
  readonly onDidTransition = this._onDidTransition.event;

  constructor(
    private readonly kube: Kube,
    private readonly log: Log,
  ) {}

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

  start(): void {
    if (this.state.kind === 'idle') void this.load();
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

  restart(): void {
    this.stop();
    this.state = { kind: 'idle' };
    this.start();
  }

  dispose(): void {
    this.stop();
    this._onDidChange.dispose();
    this._onDidTransition.dispose();
  }

  private stop(): void {
    this.generation++;
    this.watch?.dispose();
    this.watch = undefined;
    this.entries = [];
    this.phases.clear();
  }

  private async load(): Promise<void> {
    const gen = ++this.generation;
    this.state = { kind: 'loading' };
    this.namespace = currentNamespace();
    this._onDidChange.fire();
    try {
      const served = await discover(this.kube, [`${ISVC_GROUP}/${ISVC_VERSION}`]);
      if (gen !== this.generation) return;
      if (!served[`${ISVC_GROUP}/${ISVC_VERSION}`]?.includes(ISVC_PLURAL)) {
        this.state = { kind: 'not-installed' };
        this._onDidChange.fire();
        return;
      }
    } catch (err) {
      if (gen !== this.generation) return;
      this.state = { kind: 'error', message: describe(err) };
      this.log.warn(`endpoints: ${this.state.message}`);
      this._onDidChange.fire();
      return;
    }
    this.watch = this.kube.watch<InferenceServiceObject>(isvcPath(this.namespace), (items) => {
      if (gen !== this.generation) return;
      this.state = { kind: 'ready' };
      this.update(items);
    }, (message) => {
      if (gen !== this.generation) return;
      this.state = { kind: 'error', message };
      this._onDidChange.fire();
    });
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
