/**
 * Follows one container of one pod for as long as it lives: resumes a dropped stream where it stopped (no lost and
 * no repeated lines, see LineDeduper), picks up the tail of a crashed container with `previous=true` before
 * following its restart, and ends when the pod is finished or gone.
 */
import type { KubeConfig, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { toDaemonError } from '../kube/errors';
import type { ReplicaInfo } from '../protocol';
import { LineDeduper, LogHttpError, streamLogLines } from './stream';

export interface FollowerDeps {
  kubeConfig: () => KubeConfig;
  /** A kept line (deduplicated), in order. */
  line: (time: string, text: string) => void;
  changed: () => void;
  log: (m: string) => void;
}

const TERMINAL = new Set(['Succeeded', 'Failed']);

export class ContainerFollower {
  private pod: V1Pod;
  private gone = false;
  private stopped = false;
  private abort = new AbortController();
  private wake: (() => void) | undefined;
  private readonly dedup = new LineDeduper();
  stream: ReplicaInfo['stream'] = 'waiting';
  error: string | undefined;

  constructor(
    pod: V1Pod,
    readonly container: string,
    readonly replica: string,
    private readonly deps: FollowerDeps,
    /** The last second an earlier daemon kept of this container, to resume after. */
    resume?: ReadonlyArray<{ time: string; text: string }>,
  ) {
    this.pod = pod;
    if (resume) this.dedup.restore(resume);
  }

  start(): void {
    void this.loop();
  }

  /** A newer version of the pod from the watch. */
  update(pod: V1Pod): void {
    this.pod = pod;
    this.wake?.();
  }

  /** The pod was deleted: finish what the API still serves, then stop. */
  markGone(): void {
    this.gone = true;
    this.wake?.();
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    this.wake?.();
  }

  /** Stopped by `stop()` (the capture stopped following); a new follower takes over when it follows again. */
  get isStopped(): boolean {
    return this.stopped;
  }

  info(): ReplicaInfo {
    const st = this.status();
    return {
      replica: this.replica,
      pod: this.pod.metadata?.name ?? '',
      container: this.container,
      phase: this.gone ? 'Deleted' : (this.pod.status?.phase ?? 'Unknown'),
      restarts: st?.restartCount ?? 0,
      stream: this.stream,
      ...(this.error ? { error: this.error } : {}),
    };
  }

  private status(): V1ContainerStatus | undefined {
    return this.pod.status?.containerStatuses?.find((c) => c.name === this.container);
  }

  private started(): boolean {
    const st = this.status();
    return Boolean(st?.state?.running || st?.state?.terminated || (st?.restartCount ?? 0) > 0);
  }

  private finished(): boolean {
    return this.gone || TERMINAL.has(this.pod.status?.phase ?? '');
  }

  private setStream(s: ReplicaInfo['stream'], error?: string): void {
    if (s === this.stream && error === this.error) return;
    this.stream = s;
    this.error = error;
    this.deps.changed();
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      if (!this.started()) {
        if (this.finished()) break;
        this.setStream('waiting');
        await this.sleepUntilUpdate();
        continue;
      }
      const restartsBefore = this.status()?.restartCount ?? 0;
      this.setStream('following');
      try {
        await this.fetch({ follow: true });
        failures = 0;
      } catch (err) {
        if (this.stopped) break;
        failures++;
        const e = err instanceof LogHttpError && err.code === 400 ? undefined : toDaemonError(err, `Logs of ${this.replica}`);
        if (e) this.deps.log(`logs ${this.pod.metadata?.name}/${this.container}: ${e.message}`);
        if (e && (e.reason === 'Forbidden' || e.reason === 'Unauthorized')) {
          this.setStream('error', e.message);
          return;
        }
        // Cut or refused: retry with jittered backoff (the pod watch may tell us it is gone meanwhile).
        await this.sleepUntilUpdate(Math.min(250 * 2 ** failures, 10_000) * (0.5 + Math.random() / 2));
        continue;
      }
      // The stream ended. Give the watch a moment to report why (container ended, restarted, pod deleted).
      await this.sleepUntilUpdate(1000, () => this.finished() || (this.status()?.restartCount ?? 0) > restartsBefore || !this.status()?.state?.running);
      if ((this.status()?.restartCount ?? 0) > restartsBefore) {
        // The container restarted: collect what the old instance wrote after our last line, then follow the new one.
        await this.fetch({ follow: false, previous: true }).catch(() => undefined);
        continue;
      }
      if (this.finished() || this.status()?.state?.terminated) {
        await this.fetch({ follow: false }).catch(() => undefined);
        break;
      }
    }
    this.dedup.forget();
    this.setStream('done');
  }

  private async fetch(o: { follow: boolean; previous?: boolean }): Promise<void> {
    this.abort = new AbortController();
    await streamLogLines(
      this.deps.kubeConfig(),
      {
        namespace: this.pod.metadata!.namespace!,
        pod: this.pod.metadata!.name!,
        container: this.container,
        follow: o.follow,
        previous: o.previous,
        sinceTime: this.dedup.resumeFrom(),
      },
      (time, text) => {
        if (this.dedup.accept(time, text)) this.deps.line(time, text);
      },
      this.abort.signal,
    );
  }

  /** Waits for the next pod update (or `ms`), optionally until `until()` holds. */
  private async sleepUntilUpdate(ms = 0, until?: () => boolean): Promise<void> {
    const deadline = ms ? Date.now() + ms : Infinity;
    do {
      if (this.stopped) return;
      await new Promise<void>((resolve) => {
        const t = ms ? setTimeout(resolve, Math.max(0, deadline - Date.now())) : undefined;
        this.wake = () => {
          if (t) clearTimeout(t);
          this.wake = undefined;
          resolve();
        };
      });
    } while (until && !until() && Date.now() < deadline);
  }
}
