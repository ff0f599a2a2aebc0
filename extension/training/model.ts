/**
 * The training jobs of the namespace, kept current through the daemon: which kinds the cluster serves (discovery,
 * once per start), a watch per served kind, the training pods (operator labels and JobSet labels) and the warning
 * events (pending reasons). Summaries are derived by `core/training/state.ts`; a job that reaches Succeeded or
 * Failed while watched fires `onDidEnd`. Starts on first use, never at activation.
 */
import * as vscode from 'vscode';
import { ResponseError } from 'vscode-jsonrpc';
import * as P from '../../companion-daemon/src/protocol';
import { DISCOVERY_GROUP_VERSIONS, pluralsOf, resolveKinds, type KindInfo, type TrainingKind } from '../../core/training/kinds';
import type { JobObject, KubeEvent, Pod } from '../../core/training/objects';
import { summarizeJob, type JobPhase, type JobSummary } from '../../core/training/state';
import { apiPath, type Kube } from '../cluster/kube';
import type { Log } from '../log';
import { currentNamespace } from './namespace';

export type ModelState = { kind: 'idle' } | { kind: 'loading' } | { kind: 'ready' } | { kind: 'error'; message: string };

export interface JobEntry {
  summary: JobSummary;
  object: JobObject;
  info: KindInfo;
}

export class TrainingModel implements vscode.Disposable {
  state: ModelState = { kind: 'idle' };
  namespace = '';
  installed: KindInfo[] = [];
  missing: TrainingKind[] = [];
  /** Watches that failed (RBAC on pods or events): shown, not fatal. */
  readonly problems = new Map<string, string>();
  private objects = new Map<TrainingKind, JobObject[]>();
  private pods = { operator: [] as Pod[], jobset: [] as Pod[] };
  private events: KubeEvent[] = [];
  private entries: JobEntry[] = [];
  private phases = new Map<string, JobPhase>();
  private watches: vscode.Disposable[] = [];
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidEnd = new vscode.EventEmitter<JobEntry>();
  /** A watched job went from not finished to Succeeded or Failed. */
  readonly onDidEnd = this._onDidEnd.event;

  constructor(
    private readonly kube: Kube,
    private readonly log: Log,
  ) {}

  jobs(): JobEntry[] {
    return this.entries;
  }

  find(kind: string, name: string): JobEntry | undefined {
    return this.entries.find((e) => e.summary.kind === kind && e.summary.name === name);
  }

  /** Pods of the namespace that belong to training jobs. */
  allPods(): Pod[] {
    return [...this.pods.operator, ...this.pods.jobset];
  }

  /** Starts watching if not yet (idempotent). */
  start(): void {
    if (this.state.kind === 'idle') void this.load();
  }

  /** Drops everything and starts again (refresh, another context or namespace). */
  restart(): void {
    this.stopWatches();
    this.state = { kind: 'idle' };
    this.start();
  }

  dispose(): void {
    this.stopWatches();
    this._onDidChange.dispose();
    this._onDidEnd.dispose();
  }

  private stopWatches(): void {
    this.generation++;
    this.watches.forEach((w) => w.dispose());
    this.watches = [];
    this.objects.clear();
    this.pods = { operator: [], jobset: [] };
    this.events = [];
    this.entries = [];
    this.phases.clear();
    this.problems.clear();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async load(): Promise<void> {
    const gen = ++this.generation;
    this.state = { kind: 'loading' };
    this.namespace = currentNamespace();
    this._onDidChange.fire();
    let discovery: Record<string, string[] | null>;
    try {
      discovery = await discover(this.kube, DISCOVERY_GROUP_VERSIONS);
    } catch (err) {
      if (gen !== this.generation) return;
      this.state = { kind: 'error', message: describe(err) };
      this.log.warn(`training jobs: ${this.state.message}`);
      this._onDidChange.fire();
      return;
    }
    if (gen !== this.generation) return;
    const { installed, missing } = resolveKinds(discovery);
    this.installed = installed;
    this.missing = missing;
    this.state = { kind: 'ready' };
    this.log.info(`training jobs in ${this.namespace}: serving ${installed.map((k) => `${k.kind} (${k.group}/${k.version})`).join(', ') || 'no training kinds'}`);
    if (installed.length === 0) {
      this._onDidChange.fire();
      return;
    }
    const ns = this.namespace;
    const onError = (key: string) => (message: string) => {
      if (gen !== this.generation) return;
      this.problems.set(key, message);
      this.changed();
    };
    for (const info of installed) {
      this.watches.push(
        this.kube.watch<JobObject>(apiPath({ group: info.group, version: info.version, plural: info.plural, namespace: ns }), (items) => {
          if (gen !== this.generation) return;
          this.problems.delete(info.kind);
          this.objects.set(info.kind, items);
          this.changed();
        }, onError(info.kind)),
      );
    }
    const podsPath = apiPath({ version: 'v1', plural: 'pods', namespace: ns });
    this.watches.push(
      this.kube.watch<Pod>(podsPath, (items) => {
        if (gen !== this.generation) return;
        this.problems.delete('pods');
        this.pods.operator = items;
        this.changed();
      }, onError('pods'), { labelSelector: 'training.kubeflow.org/job-name' }),
    );
    if (installed.some((k) => k.kind === 'TrainJob')) {
      this.watches.push(
        this.kube.watch<Pod>(podsPath, (items) => {
          if (gen !== this.generation) return;
          this.pods.jobset = items;
          this.changed();
        }, onError('pods'), { labelSelector: 'jobset.sigs.k8s.io/jobset-name' }),
      );
    }
    this.watches.push(
      this.kube.watch<KubeEvent>(apiPath({ version: 'v1', plural: 'events', namespace: ns }), (items) => {
        if (gen !== this.generation) return;
        this.problems.delete('events');
        this.events = items;
        this.changed();
      }, onError('events'), { fieldSelector: 'type=Warning' }),
    );
  }

  /** Recomputes summaries, coalesced (pods of a big job change many times a second while it starts). */
  private changed(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.recompute();
    }, 100);
  }

  private recompute(): void {
    const pods = this.allPods();
    const entries: JobEntry[] = [];
    for (const info of this.installed) {
      for (const object of this.objects.get(info.kind) ?? []) {
        try {
          entries.push({ summary: summarizeJob(object, pods, this.events, info.kind), object, info });
        } catch (err) {
          this.log.warn(`training jobs: cannot read ${info.kind} ${object.metadata?.name}: ${describe(err)}`);
        }
      }
    }
    entries.sort((a, b) => (b.summary.createdAt ?? 0) - (a.summary.createdAt ?? 0) || a.summary.name.localeCompare(b.summary.name));
    const seen = new Set<string>();
    for (const e of entries) {
      const before = this.phases.get(e.summary.uid);
      seen.add(e.summary.uid);
      this.phases.set(e.summary.uid, e.summary.phase);
      if (before !== undefined && before !== 'Succeeded' && before !== 'Failed' && e.summary.terminal) this._onDidEnd.fire(e);
    }
    for (const uid of [...this.phases.keys()]) if (!seen.has(uid)) this.phases.delete(uid);
    this.entries = entries;
    this._onDidChange.fire();
  }
}

/** `groupVersion → plurals` for each group/version, `null` where it is not served (404). */
export async function discover(kube: Kube, groupVersions: string[]): Promise<Record<string, string[] | null>> {
  const out: Record<string, string[] | null> = {};
  await Promise.all(groupVersions.map(async (gv) => {
    try {
      out[gv] = pluralsOf(await kube.get(`/apis/${gv}`));
    } catch (err) {
      if (err instanceof ResponseError && err.code === P.ErrorCode.NotFound) out[gv] = null;
      else throw err;
    }
  }));
  return out;
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
