/**
 * Katib Experiments and Trials of the namespace (kubeflow.org/v1beta1), watched through the daemon. Summaries come
 * from `core/katib/state.ts`; an experiment that reaches Succeeded or Failed while watched fires `onDidEnd`.
 * A cluster without Katib is a state the view explains, found by discovery before any list call.
 */
import { summarizeExperiment, summarizeTrial, sortTrials, experimentOf, type ExperimentSummary, type TrialSummary } from '../../core/katib/state';
import type { JobObject } from '../../core/training/objects';
import { apiPath } from '../cluster/kube';
import { describe, EndTracker, WatchedList } from '../views/watchedList';

export const KATIB = { group: 'kubeflow.org', version: 'v1beta1' };

export interface ExperimentEntry {
  summary: ExperimentSummary;
  object: JobObject;
  trials: Array<{ summary: TrialSummary; object: JobObject }>;
}

export class KatibModel extends WatchedList {
  problems = new Map<string, string>();
  private experiments: JobObject[] = [];
  private trials: JobObject[] = [];
  private entries: ExperimentEntry[] = [];
  private readonly ends = new EndTracker<ExperimentEntry>();
  readonly onDidEnd = this.ends.onDidEnd;

  list(): ExperimentEntry[] {
    return this.entries;
  }

  find(name: string): ExperimentEntry | undefined {
    return this.entries.find((e) => e.summary.name === name);
  }

  override dispose(): void {
    super.dispose();
    this.ends.dispose();
  }

  protected clear(): void {
    this.experiments = [];
    this.trials = [];
    this.entries = [];
    this.ends.clear();
    this.problems.clear();
  }

  protected async load(gen: number): Promise<void> {
    if (!(await this.served(gen, `${KATIB.group}/${KATIB.version}`, 'experiments'))) return;
    this.state = { kind: 'ready' };
    const ns = this.namespace;
    const watch = (plural: 'experiments' | 'trials', set: (items: JobObject[]) => void) =>
      this.kube.watch<JobObject>(apiPath({ ...KATIB, plural, namespace: ns }), (items) => {
        if (!this.current(gen)) return;
        this.problems.delete(plural);
        set(items);
        this.changed();
      }, (message) => {
        if (!this.current(gen)) return;
        this.problems.set(plural, message);
        this.log.warn(`katib ${plural}: ${message}`);
        this.changed();
      });
    this.watches.push(
      watch('experiments', (items) => (this.experiments = items)),
      watch('trials', (items) => (this.trials = items)),
    );
  }

  protected override recompute(): void {
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
    this.ends.update(entries);
    this.entries = entries;
    this._onDidChange.fire();
  }
}
