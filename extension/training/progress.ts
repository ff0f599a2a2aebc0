/**
 * Progress of running jobs, read from their merged logs: the view subscribes to the daemon's capture of each
 * running job (the same capture the log documents read), feeds every line to a tracker per replica, and shows the
 * first replica in rank order that reports anything (master-0, node-0, worker-0). When a job ends, its subscription
 * goes, and the capture stops following unless a log document still shows it. The last progress stays.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { captureId } from '../../companion-daemon/src/logs/replicas';
import * as P from '../../companion-daemon/src/protocol';
import { ProgressTracker, type Progress } from '../../core/training/progress';
import type { JobSummary } from '../../core/training/state';
import { config } from '../config';
import type { DaemonClient } from '../daemon/client';
import { SCHEME, sourceOf } from '../logs/documents';

/** At most this many jobs are followed for progress at once (each is a log stream per replica). */
const MAX_FOLLOWED = 8;
const BACKLOG = 400;

interface Followed {
  source: P.LogSource;
  subscription: string;
  trackers: Map<string, ProgressTracker>;
}

export function jobSource(s: Pick<JobSummary, 'kind' | 'name' | 'namespace'>): P.LogSource {
  const context = config.context();
  return { kind: 'job', ...(context ? { context } : {}), namespace: s.namespace, jobKind: s.kind as P.JobKind, name: s.name };
}

export class JobProgress implements vscode.Disposable {
  private followed = new Map<string, Followed>();
  private last = new Map<string, Progress>();
  private readonly subs: vscode.Disposable[] = [];
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly daemon: DaemonClient) {
    this.subs.push(
      daemon.onNotification(P.didAppendLogs, (p) => this.append(p.subscription, p.lines)),
      daemon.onReconnect(async (c) => {
        for (const f of this.followed.values()) {
          f.subscription = randomUUID();
          f.trackers.clear();
          const r = await c.sendRequest(P.subscribeLogs, { source: f.source, backlog: BACKLOG, subscription: f.subscription });
          this.feed(f, r.lines);
        }
      }),
    );
  }

  /** The progress of a job (by uid), live or as it was last seen. */
  get(uid: string): Progress | undefined {
    return this.last.get(uid);
  }

  /** Follows the running jobs (newest first, up to a limit) and lets go of the rest. */
  track(jobs: JobSummary[]): void {
    const want = jobs.filter((j) => j.phase === 'Running' || j.phase === 'Restarting').slice(0, MAX_FOLLOWED);
    const keep = new Set(want.map((j) => j.uid));
    for (const [uid, f] of this.followed) {
      if (keep.has(uid)) continue;
      this.followed.delete(uid);
      void this.daemon.request(P.unsubscribeLogs, { subscription: f.subscription }).catch(() => undefined);
      const ended = jobs.find((j) => j.uid === uid)?.terminal ?? true;
      if (ended && !this.shownInEditor(f.source)) void this.daemon.request(P.stopCapture, { id: captureId(f.source) }).catch(() => undefined);
    }
    for (const j of want) {
      if (this.followed.has(j.uid)) continue;
      const f: Followed = { source: jobSource(j), subscription: randomUUID(), trackers: new Map() };
      this.followed.set(j.uid, f);
      void this.daemon
        .request(P.subscribeLogs, { source: f.source, backlog: BACKLOG, subscription: f.subscription })
        .then((r) => this.feed(f, r.lines))
        .catch(() => this.followed.delete(j.uid));
    }
    const uids = new Set(jobs.map((j) => j.uid));
    for (const uid of [...this.last.keys()]) if (!uids.has(uid)) this.last.delete(uid);
  }

  dispose(): void {
    for (const f of this.followed.values()) void this.daemon.request(P.unsubscribeLogs, { subscription: f.subscription }).catch(() => undefined);
    this.followed.clear();
    this.subs.forEach((s) => s.dispose());
    this._onDidChange.dispose();
    clearTimeout(this.timer);
  }

  private shownInEditor(source: P.LogSource): boolean {
    const id = captureId(source);
    return vscode.workspace.textDocuments.some((d) => {
      if (d.uri.scheme !== SCHEME) return false;
      try {
        return captureId(sourceOf(d.uri).source) === id;
      } catch {
        return false;
      }
    });
  }

  private append(subscription: string, lines: P.LogLine[]): void {
    for (const f of this.followed.values()) if (f.subscription === subscription) this.feed(f, lines);
  }

  private feed(f: Followed, lines: P.LogLine[]): void {
    let changed = false;
    for (const l of lines) {
      let t = f.trackers.get(l.replica);
      if (!t) f.trackers.set(l.replica, (t = new ProgressTracker()));
      changed = t.feed(l.text) || changed;
    }
    if (!changed) return;
    const uid = [...this.followed].find(([, x]) => x === f)?.[0];
    if (!uid) return;
    const primary = [...f.trackers.keys()].sort(byRank).map((k) => f.trackers.get(k)!.get()).find((p) => p.percent !== undefined || p.epoch !== undefined || p.step !== undefined || p.loss !== undefined);
    if (primary) this.last.set(uid, primary);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this._onDidChange.fire();
    }, 300);
  }
}

/** Whose progress stands for the job: the coordinator, then trainer nodes and workers by rank; initializers last. */
function byRank(a: string, b: string): number {
  const rank = (t: string): number => (/^(master|launcher|chief|coordinator)/.test(t) ? 0 : /^node/.test(t) ? 1 : /^worker/.test(t) ? 2 : 3);
  return rank(a) - rank(b) || a.localeCompare(b, undefined, { numeric: true });
}
