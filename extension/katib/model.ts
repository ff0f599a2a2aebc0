/**
 * Katib Experiments and Trials of the namespace (kubeflow.org/v1beta1), watched through the daemon. Summaries come
 * from `core/katib/state.ts`; an experiment that reaches Succeeded or Failed while watched fires `onDidEnd`.
 * A cluster without Katib is a state the view explains, found by discovery before any list call.
 */
import * as vscode from 'vscode';
import { summarizeExperiment, summarizeTrial, sortTrials, experimentOf, type ExperimentSummary, type TrialSummary } from '../../core/katib/state';
import type { JobObject } from '../../core/training/objects';
import { apiPath, type Kube } from '../cluster/kube';
import type { Log } from '../log';
import { describe, discover, type ModelState } from '../training/model';
import { currentNamespace } from '../training/namespace';

export const KATIB = { group: 'kubeflow.org', version: 'v1beta1' };

export interface ExperimentEntry {
  summary: ExperimentSummary;
  object: JobObject;
  trials: Array<{ summary: TrialSummary; object: JobObject }>;
}

export class KatibModel implements vscode.Disposable {
  state: ModelState | { kind: 'not-installed' } = { kind: 'idle' };
  namespace = '';
  problems = new Map<string, string>();
  private experiments: JobObject[] = [];
  private trials: JobObject[] = [];
  private entries: ExperimentEntry[] = [];
  private phases = new Map<string, string>();
  private watches: vscode.Disposable[] = [];
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidEnd = new vscode.EventEmitter<ExperimentEntry>();
  readonly onDidEnd = this._onDidEnd.event;

  constructor(
    private readonly kube: Kube,
    private readonly log: Log,
  ) {}

  list(): ExperimentEntry[] {
    return this.entries;
  }

  find(name: string): ExperimentEntry | undefined {
    return this.entries.find((e) => e.summary.name === name);
  }

  start(): void {
    if (this.state.kind === 'idle') void this.load();
  }

  restart(): void {
    this.stop();
    this.state = { kind: 'idle' };
    this.start();
  }

  dispose(): void {
    this.stop();
    this._onDidChange.dispose();
    this._onDidEnd.dispose();
  }

  private stop(): void {
    this.generation++;
    this.watches.forEach((w) => w.dispose());
    this.watches = [];
    this.experiments = [];
    this.trials = [];
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
    try {
      const gv = `${KATIB.group}/${KATIB.version}`;
      const plurals = (await discover(this.kube, [gv]))[gv];
      if (gen !== this.generation) return;
      if (!plurals?.includes('experiments')) {
        this.state = { kind: 'not-installed' };
        this._onDidChange.fire();
        return;
      }
    } catch (err) {
      if (gen !== this.generation) return;
      this.state = { kind: 'error', message: describe(err) };
      this._onDidChange.fire();
      return;
    }
    this.state = { kind: 'ready' };
    const ns = this.namespace;
    const watch = (plural: 'experiments' | 'trials', set: (items: JobObject[]) => void) =>
      this.kube.watch<JobObject>(apiPath({ ...KATIB, plural, namespace: ns }), (items) => {
        if (gen !== this.generation) return;
        this.problems.delete(plural);
        set(items);
        this.changed();
      }, (message) => {
        if (gen !== this.generation) return;
        this.problems.set(plural, message);
        this.log.warn(`katib ${plural}: ${message}`);
        this.changed();
      });
    this.watches.push(
      watch('experiments', (items) => (this.experiments = items)),
      watch('trials', (items) => (this.trials = items)),
    );
  }

  private changed(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.recompute();
    }, 100);
  }

  private recompute(): void {
    const byExperiment = new Map<string, JobObject[]>();
    for (const t of this.trials) {
      const e = experimentOf(t);
      if (e) byExperiment.set(e, [...(byExperiment.get(e) ?? []), t]);
    }
    const entries: ExperimentEntry[] = [];
    for (const object of this.experiments) {
      try {
        const summary = summarizeExperiment(object);
        const trials = (byExperiment.get(object.metadata.name) ?? []).map((t) => ({ summary: summarizeTrial(t, object), object: t }));
        const order = sortTrials(trials.map((t) => t.summary), summary.objective.type);
        trials.sort((a, b) => order.indexOf(a.summary) - order.indexOf(b.summary));
        entries.push({ summary, object, trials });
      } catch (err) {
        this.log.warn(`katib: cannot read experiment ${object.metadata?.name}: ${describe(err)}`);
      }
    }
    entries.sort((a, b) => (Date.parse(b.object.metadata.creationTimestamp ?? '') || 0) - (Date.parse(a.object.metadata.creationTimestamp ?? '') || 0));
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
