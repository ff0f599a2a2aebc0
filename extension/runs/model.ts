// The runs the editor knows about: the namespace's experiments, runs (newest first, with the view's filters) and
// recurring runs, read while the Runs view is visible (every 15 s while something runs); and the runs it follows —
// those submitted or opened here — polled until they end, kept across reloads, each end reported once.
import * as vscode from 'vscode';
import { listAll } from '../../core/kfp/client';
import { eq, oneOf, substring } from '../../core/kfp/filter';
import { isTerminal, type Experiment, type Predicate, type RecurringRun, type Run, type RuntimeState } from '../../core/kfp/types';
import type { Log } from '../log';
import type { PipelinesApi } from './api';
import { pipelineSettings } from './settings';

const FOLLOWED_KEY = 'kubeflow.followedRuns';
const LIST_EVERY_MS = 15_000;

export interface RunFilter {
  text?: string;
  states?: RuntimeState[];
  archived?: boolean;
}

export type ModelState = { kind: 'idle' } | { kind: 'loading' } | { kind: 'ready' } | { kind: 'error'; message: string };

export class RunsModel implements vscode.Disposable {
  state: ModelState = { kind: 'idle' };
  experiments: Experiment[] = [];
  runs: Run[] = [];
  recurring: RecurringRun[] = [];
  /** More runs match than were read. */
  truncated = false;
  filter: RunFilter = {};
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly ended = new vscode.EventEmitter<Run>();
  /** A followed run reached a final state. */
  readonly onDidEnd = this.ended.event;
  private readonly followedChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeFollowed = this.followedChanged.event;
  private listTimer: NodeJS.Timeout | undefined;
  private followTimer: NodeJS.Timeout | undefined;
  private listing: Promise<void> | undefined;
  private wantList = false;
  private readAt = 0;
  /** Followed runs: id → last state seen. */
  private readonly followed = new Map<string, { state?: RuntimeState; name?: string }>();
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly api: PipelinesApi,
    private readonly state_: vscode.Memento,
    private readonly log: Log,
  ) {
    for (const [id, v] of Object.entries(state_.get<Record<string, { name?: string }>>(FOLLOWED_KEY, {}))) this.followed.set(id, { ...(v.name ? { name: v.name } : {}) });
    this.subs.push(
      this.changed,
      this.ended,
      this.followedChanged,
      api.onDidChange(() => {
        this.state = { kind: 'idle' };
        if (this.wantList) void this.refresh();
      }),
    );
    // Runs followed before a reload are polled again once this window talks to KFP (not at start-up).
  }

  /** The view is visible: keep the lists fresh. */
  setVisible(visible: boolean): void {
    this.wantList = visible;
    if (visible && (this.state.kind === 'idle' || Date.now() - this.readAt > 5000)) void this.refresh();
    if (visible) this.scheduleList();
    else if (this.listTimer) {
      clearTimeout(this.listTimer);
      this.listTimer = undefined;
    }
  }

  refresh(): Promise<void> {
    this.listing ??= this.read().finally(() => {
      this.listing = undefined;
      this.scheduleList();
    });
    return this.listing;
  }

  setFilter(f: RunFilter): void {
    this.filter = f;
    void this.refresh();
  }

  private scheduleList(): void {
    if (this.listTimer) clearTimeout(this.listTimer);
    this.listTimer = undefined;
    if (!this.wantList) return;
    const active = this.runs.some((r) => !isTerminal(r.state));
    this.listTimer = setTimeout(() => void this.refresh(), active ? LIST_EVERY_MS : LIST_EVERY_MS * 4);
  }

  private async read(): Promise<void> {
    if (this.state.kind !== 'ready') {
      this.state = { kind: 'loading' };
      this.changed.fire();
    }
    try {
      const client = await this.api.client();
      const predicates: Predicate[] = [eq('storage_state', this.filter.archived ? 'ARCHIVED' : 'AVAILABLE')];
      if (this.filter.text) predicates.push(substring('display_name', this.filter.text));
      if (this.filter.states?.length) predicates.push(oneOf('state', this.filter.states));
      const [experiments, runs, recurring] = await Promise.all([
        listAll((o) => client.listExperiments(o), { sort: { field: 'created_at', desc: true } }, 500),
        client.listRuns({ filter: predicates, sort: { field: 'created_at', desc: true }, pageSize: 200 }),
        listAll((o) => client.listRecurringRuns(o), { sort: { field: 'created_at', desc: true } }, 200).catch((err: unknown) => {
          this.log.warn(`recurring runs: ${this.api.explain(err)}`);
          return [] as RecurringRun[];
        }),
      ]);
      this.experiments = experiments;
      this.runs = runs.items;
      this.truncated = Boolean(runs.nextPageToken);
      this.recurring = recurring;
      this.state = { kind: 'ready' };
      this.readAt = Date.now();
      for (const r of runs.items) this.noteState(r);
      this.scheduleFollow(pipelineSettings.refreshSeconds() * 1000);
    } catch (err) {
      this.state = { kind: 'error', message: this.api.explain(err) };
    }
    this.changed.fire();
  }

  // --- followed runs

  follow(run: Run): void {
    if (!run.run_id || isTerminal(run.state)) return;
    this.followed.set(run.run_id, { ...(run.state ? { state: run.state } : {}), ...(run.display_name ? { name: run.display_name } : {}) });
    void this.saveFollowed();
    this.followedChanged.fire();
    this.scheduleFollow(pipelineSettings.refreshSeconds() * 1000);
  }

  /** How many followed runs have not ended. */
  activeFollowed(): number {
    return this.followed.size;
  }

  /** A run read anywhere (the view, a run panel): a followed run that ended is reported. True when it ended. */
  noteState(run: Run): boolean {
    this.scheduleFollow(pipelineSettings.refreshSeconds() * 1000);
    const id = run.run_id;
    // The list shows what was read last, wherever it was read (a run view refreshes more often).
    const i = id ? this.runs.findIndex((r) => r.run_id === id) : -1;
    if (i >= 0 && (this.runs[i]!.state !== run.state || this.runs[i]!.finished_at !== run.finished_at)) {
      const { run_details: _details, ...rest } = run;
      this.runs[i] = rest;
      this.changed.fire();
    }
    const f = id ? this.followed.get(id) : undefined;
    if (!id || !f) return false;
    f.state = run.state;
    if (!isTerminal(run.state)) return false;
    this.followed.delete(id);
    void this.saveFollowed();
    this.followedChanged.fire();
    this.ended.fire(run);
    return true;
  }

  private scheduleFollow(ms: number): void {
    if (this.followTimer || this.followed.size === 0) return;
    this.followTimer = setTimeout(() => {
      this.followTimer = undefined;
      void this.pollFollowed().finally(() => this.scheduleFollow(pipelineSettings.refreshSeconds() * 1000));
    }, ms);
  }

  private async pollFollowed(): Promise<void> {
    if (this.followed.size === 0) return;
    let client;
    try {
      client = await this.api.client();
    } catch {
      return;
    }
    let ended = false;
    for (const id of [...this.followed.keys()]) {
      try {
        if (this.noteState(await client.getRun(id))) ended = true;
      } catch (err) {
        // A run deleted elsewhere is not followed any more.
        if ((err as { status?: number }).status === 404) {
          this.followed.delete(id);
          void this.saveFollowed();
          this.followedChanged.fire();
        }
      }
    }
    if (ended && this.wantList) void this.refresh();
  }

  private async saveFollowed(): Promise<void> {
    const out: Record<string, { name?: string }> = {};
    for (const [id, v] of this.followed) out[id] = v.name ? { name: v.name } : {};
    await this.state_.update(FOLLOWED_KEY, out);
  }

  experimentName(id: string | undefined): string | undefined {
    return id ? this.experiments.find((e) => e.experiment_id === id)?.display_name : undefined;
  }

  dispose(): void {
    if (this.listTimer) clearTimeout(this.listTimer);
    if (this.followTimer) clearTimeout(this.followTimer);
    this.subs.forEach((s) => s.dispose());
  }
}
