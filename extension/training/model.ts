/**
 * The training jobs of the namespace, kept current through the daemon: which kinds the cluster serves (discovery,
 * once per start), a watch per served kind, the training pods (operator labels and JobSet labels) and the warning
 * events (pending reasons). Summaries are derived by `core/training/state.ts`; a job that reaches Succeeded or
 * Failed while watched fires `onDidEnd`. Starts on first use, never at activation.
 */
import { DISCOVERY_GROUP_VERSIONS, resolveKinds, type KindInfo, type TrainingKind } from '../../core/training/kinds';
import type { JobObject, KubeEvent, Pod } from '../../core/training/objects';
import { summarizeJob, type JobSummary } from '../../core/training/state';
import { apiPath } from '../cluster/kube';
import { describe, discover, EndTracker, WatchedList } from '../views/watchedList';

export interface JobEntry {
  summary: JobSummary;
  object: JobObject;
  info: KindInfo;
}

export class TrainingModel extends WatchedList {
  installed: KindInfo[] = [];
  missing: TrainingKind[] = [];
  /** Watches that failed (RBAC on pods or events): shown, not fatal. */
  readonly problems = new Map<string, string>();
  private objects = new Map<TrainingKind, JobObject[]>();
  private pods = { operator: [] as Pod[], jobset: [] as Pod[] };
  private events: KubeEvent[] = [];
  private entries: JobEntry[] = [];
  private readonly ends = new EndTracker<JobEntry>();
  /** A watched job went from not finished to Succeeded or Failed. */
  readonly onDidEnd = this.ends.onDidEnd;

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

  override dispose(): void {
    super.dispose();
    this.ends.dispose();
  }

  protected clear(): void {
    this.objects.clear();
    this.pods = { operator: [], jobset: [] };
    this.events = [];
    this.entries = [];
    this.ends.clear();
    this.problems.clear();
  }

  protected async load(gen: number): Promise<void> {
    let discovery: Record<string, string[] | null>;
    try {
      discovery = await discover(this.kube, DISCOVERY_GROUP_VERSIONS);
    } catch (err) {
      if (!this.current(gen)) return;
      this.setState({ kind: 'error', message: describe(err) });
      this.log.warn(`training jobs: ${describe(err)}`);
      return;
    }
    if (!this.current(gen)) return;
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
      if (!this.current(gen)) return;
      this.problems.set(key, message);
      this.changed();
    };
    for (const info of installed) {
      this.watches.push(
        this.kube.watch<JobObject>(apiPath({ group: info.group, version: info.version, plural: info.plural, namespace: ns }), (items) => {
          if (!this.current(gen)) return;
          this.problems.delete(info.kind);
          this.objects.set(info.kind, items);
          this.changed();
        }, onError(info.kind)),
      );
    }
    const podsPath = apiPath({ version: 'v1', plural: 'pods', namespace: ns });
    this.watches.push(
      this.kube.watch<Pod>(podsPath, (items) => {
        if (!this.current(gen)) return;
        this.problems.delete('pods');
        this.pods.operator = items;
        this.changed();
      }, onError('pods'), { labelSelector: 'training.kubeflow.org/job-name' }),
    );
    if (installed.some((k) => k.kind === 'TrainJob')) {
      this.watches.push(
        this.kube.watch<Pod>(podsPath, (items) => {
          if (!this.current(gen)) return;
          this.pods.jobset = items;
          this.changed();
        }, onError('pods'), { labelSelector: 'jobset.sigs.k8s.io/jobset-name' }),
      );
    }
    this.watches.push(
      this.kube.watch<KubeEvent>(apiPath({ version: 'v1', plural: 'events', namespace: ns }), (items) => {
        if (!this.current(gen)) return;
        this.problems.delete('events');
        this.events = items;
        this.changed();
      }, onError('events'), { fieldSelector: 'type=Warning' }),
    );
  }

  protected override recompute(): void {
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
    this.ends.update(entries);
    this.entries = entries;
    this._onDidChange.fire();
  }
}
