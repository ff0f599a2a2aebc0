/**
 * A list+watch of objects that never stops by itself: client-node's ListWatch relists on 410 Gone but stops on any
 * other error, so this owner restarts it with jittered exponential backoff and reports the error meanwhile.
 */
import { KubeConfig, ListWatch, Watch, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { backOff } from 'exponential-backoff';

export interface ResilientInformerOptions<T extends KubernetesObject> {
  kc: KubeConfig;
  /** The watch path, e.g. `/api/v1/namespaces/ns/pods`. */
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  fieldSelector?: string;
  /** Called after every add, update or delete with the full current set. */
  onChange: (objects: readonly T[]) => void;
  /** Called when the watch fails; it is retried after `retryInMs`. */
  onError: (err: unknown, retryInMs: number) => void;
  /** The backoff cap. */
  maxDelayMs?: number;
}

export class ResilientInformer<T extends KubernetesObject> {
  private lw: ListWatch<T> | undefined;
  private stopped = false;
  private restarting = false;

  constructor(private readonly opts: ResilientInformerOptions<T>) {}

  /** Resolves after the first successful list; until then failures go to onError and are retried. */
  start(): Promise<void> {
    this.stopped = false;
    return this.run();
  }

  stop(): void {
    this.stopped = true;
    void this.lw?.stop();
    this.lw = undefined;
  }

  list(): readonly T[] {
    return this.lw?.list() ?? [];
  }

  private run(): Promise<void> {
    const { kc, path, list, labelSelector, fieldSelector } = this.opts;
    const maxDelay = this.opts.maxDelayMs ?? 15_000;
    return backOff(
      async () => {
        if (this.stopped) return;
        void this.lw?.stop();
        const lw = new ListWatch<T>(path, new Watch(kc), list, false, labelSelector, fieldSelector);
        let listed = false;
        let listError: unknown;
        const emit = (): void => {
          if (this.lw === lw && listed && !this.stopped) this.opts.onChange(lw.list());
        };
        lw.on('add', emit);
        lw.on('update', emit);
        lw.on('delete', emit);
        lw.on('error', (err) => {
          if (!listed) {
            listError = err; // reported by the backoff loop below
            return;
          }
          if (this.lw !== lw || this.stopped) return;
          this.opts.onError(err, 0);
          this.restart();
        });
        this.lw = lw;
        await lw.start();
        // ListWatch reports a failed list through 'error' and resolves start() anyway.
        if (listError !== undefined) throw listError;
        listed = true;
        emit();
      },
      {
        jitter: 'full',
        startingDelay: 250,
        maxDelay,
        numOfAttempts: Number.MAX_SAFE_INTEGER,
        retry: (err, next) => {
          if (this.stopped) return false;
          this.opts.onError(err, Math.min(250 * 2 ** next, maxDelay));
          return true;
        },
      },
    );
  }

  /** Restart after a watch error, once at a time. */
  private restart(): void {
    if (this.restarting || this.stopped) return;
    this.restarting = true;
    setTimeout(() => {
      this.restarting = false;
      if (!this.stopped) void this.run().catch(() => undefined);
    }, 250 + Math.random() * 500);
  }
}
