/**
 * The shared life of a namespaced list watched through the daemon (`Kube.watch`): idle until first shown, a state the
 * view explains (loading, error, not installed), the namespace it was read in, a generation so callbacks of a
 * replaced watch are dropped, restart on refresh or another context, and recomputes coalesced while watches fire.
 * Each list (training jobs, Katib, endpoints) subclasses it and owns what it watches and how it summarises.
 */
import * as vscode from 'vscode';
import { ResponseError } from 'vscode-jsonrpc';
import * as P from '../../companion-daemon/src/protocol';
import { pluralsOf } from '../../core/training/kinds';
import type { Kube } from '../cluster/kube';
import type { Log } from '../log';
import { currentNamespace } from '../training/namespace';

export type ModelState = { kind: 'idle' } | { kind: 'loading' } | { kind: 'ready' } | { kind: 'error'; message: string };
export type ListState = ModelState | { kind: 'not-installed' };

export abstract class WatchedList implements vscode.Disposable {
  state: ListState = { kind: 'idle' };
  namespace = '';
  protected watches: vscode.Disposable[] = [];
  protected generation = 0;
  private timer: NodeJS.Timeout | undefined;
  protected readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;

  constructor(
    protected readonly kube: Kube,
    protected readonly log: Log,
  ) {}

  /** Starts watching if not yet (idempotent). */
  start(): void {
    if (this.state.kind === 'idle') void this.begin();
  }

  /** Drops everything and starts again (refresh, another context or namespace). */
  restart(): void {
    this.stop();
    this.state = { kind: 'idle' };
    this.start();
  }

  dispose(): void {
    this.stop();
    this._onDidChange.dispose();
  }

  /** Reads the list afresh; `gen` identifies this load (see `current`). */
  protected abstract load(gen: number): Promise<void>;
  /** Forgets what the watches delivered. */
  protected abstract clear(): void;
  /** Recomputes the summaries from what the watches delivered, then fires `onDidChange`. */
  protected recompute(): void {
    this._onDidChange.fire();
  }

  /** Whether `gen` is still the current load (a restart makes older callbacks stale). */
  protected current(gen: number): boolean {
    return gen === this.generation;
  }

  protected setState(state: ListState): void {
    this.state = state;
    this._onDidChange.fire();
  }

  /**
   * Whether the cluster serves `plural` in `groupVersion` (discovery). When not, or when discovery fails, the state
   * says so (logged as `warn` when given) and the answer is false; also false when `gen` went stale meanwhile.
   */
  protected async served(gen: number, groupVersion: string, plural: string, warn?: string): Promise<boolean> {
    try {
      const plurals = (await discover(this.kube, [groupVersion]))[groupVersion];
      if (!this.current(gen)) return false;
      if (plurals?.includes(plural)) return true;
      this.setState({ kind: 'not-installed' });
    } catch (err) {
      if (!this.current(gen)) return false;
      this.setState({ kind: 'error', message: describe(err) });
      if (warn) this.log.warn(`${warn}: ${describe(err)}`);
    }
    return false;
  }

  /** Recomputes, coalesced (pods of a big job change many times a second while it starts). */
  protected changed(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.recompute();
    }, 100);
  }

  private stop(): void {
    this.generation++;
    this.watches.forEach((w) => w.dispose());
    this.watches = [];
    clearTimeout(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private async begin(): Promise<void> {
    const gen = ++this.generation;
    this.namespace = currentNamespace();
    this.setState({ kind: 'loading' });
    await this.load(gen);
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

/** What an end tracker needs of a listed item: a stable id, its phase, and whether that phase is final. */
export interface Ending {
  summary: { uid: string; phase: string; terminal: boolean };
}

/**
 * Fires `onDidEnd` for an item that was seen not finished and is now Succeeded or Failed (a job, an experiment), so a
 * notification is raised once per end the window watched happen, never for items that were already done.
 */
export class EndTracker<E extends Ending> implements vscode.Disposable {
  private phases = new Map<string, string>();
  private readonly _onDidEnd = new vscode.EventEmitter<E>();
  readonly onDidEnd = this._onDidEnd.event;

  /** The list as recomputed now; forgets items that are gone. */
  update(entries: readonly E[]): void {
    const seen = new Set<string>();
    for (const e of entries) {
      const before = this.phases.get(e.summary.uid);
      seen.add(e.summary.uid);
      this.phases.set(e.summary.uid, e.summary.phase);
      if (before !== undefined && before !== 'Succeeded' && before !== 'Failed' && e.summary.terminal) this._onDidEnd.fire(e);
    }
    for (const uid of [...this.phases.keys()]) if (!seen.has(uid)) this.phases.delete(uid);
  }

  clear(): void {
    this.phases.clear();
  }

  dispose(): void {
    this._onDidEnd.dispose();
  }
}
