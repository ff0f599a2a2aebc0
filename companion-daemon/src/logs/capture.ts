/**
 * The capture of one log source: watches its pods, runs a ContainerFollower per container (new replicas join as
 * they appear), tags every line with its replica, and merges all of them into one stream that goes to disk and to
 * the subscribed clients, in batches.
 */
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import path from 'node:path';
import { toDaemonError } from '../kube/errors';
import { ResilientInformer } from '../kube/informer';
import type { CaptureInfo, LogLine, LogSource, ReplicaInfo } from '../protocol';
import { CaptureFile } from './file';
import { ContainerFollower } from './follower';
import { compareTags, describeSource, podSelectorFor, replicaTag } from './replicas';

export interface CaptureDeps {
  kubeConfig: (context?: string) => KubeConfig;
  log: (m: string) => void;
  /** New lines, in order, for the subscribers. */
  lines: (lines: LogLine[]) => void;
  /** Membership or state changed. */
  changed: (info: CaptureInfo) => void;
}

const FLUSH_MS = 50;
/**
 * A batch goes out at this many lines even before FLUSH_MS: a burst's lines are then garbage before the young
 * generation's next collections (which would promote them to the old one, kept until a full GC: ~150 MB of heap
 * after 160,000 lines in a few seconds), and each notification stays small.
 */
const MAX_BATCH = 512;

export class Capture {
  readonly file: CaptureFile;
  private informer: ResilientInformer<V1Pod> | undefined;
  private followers = new Map<string, ContainerFollower>();
  private pending: LogLine[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private changeTimer: NodeJS.Timeout | undefined;
  private watchError: string | undefined;
  /** Where an earlier daemon's followers stopped, per `pod/container`; read when following starts. */
  private resume: Map<string, Array<{ time: string; text: string }>> | undefined;
  following = false;

  constructor(
    readonly id: string,
    readonly source: LogSource,
    dir: string,
    private readonly deps: CaptureDeps,
  ) {
    this.file = new CaptureFile(path.join(dir, `${id}.jsonl`));
  }

  info(): CaptureInfo {
    const replicas: ReplicaInfo[] = [...this.followers.values()].map((f) => f.info()).sort((a, b) => compareTags(a.replica, b.replica) || a.container.localeCompare(b.container));
    return {
      id: this.id,
      source: this.source,
      file: this.file.file,
      lines: this.file.lines,
      bytes: this.file.bytes,
      replicas,
      following: this.following,
      ...(this.watchError ? { error: this.watchError } : {}),
    };
  }

  async follow(): Promise<void> {
    if (this.following) return;
    this.following = true;
    this.flush();
    this.resume = this.file.resumePoints();
    const s = this.source;
    const kc = this.deps.kubeConfig(s.context);
    const core = kc.makeApiClient(CoreV1Api);
    const q = podSelectorFor(s);
    this.informer = new ResilientInformer<V1Pod>({
      kc,
      path: `/api/v1/namespaces/${s.namespace}/pods`,
      list: () => core.listNamespacedPod({ namespace: s.namespace, labelSelector: q.labelSelector, fieldSelector: q.fieldSelector }),
      labelSelector: q.labelSelector,
      fieldSelector: q.fieldSelector,
      onChange: (pods) => {
        this.watchError = undefined;
        this.onPods(pods);
      },
      onError: (err) => {
        this.watchError = toDaemonError(err, `Watching pods of ${describeSource(s)}`).message;
        this.deps.log(this.watchError);
        this.changed();
      },
    });
    void this.informer.start();
  }

  stop(): void {
    this.following = false;
    this.informer?.stop();
    this.informer = undefined;
    for (const f of this.followers.values()) f.stop();
    this.flush();
    this.changed();
  }

  dispose(): void {
    this.stop();
    this.file.close();
  }

  private onPods(pods: readonly V1Pod[]): void {
    const present = new Set<string>();
    for (const pod of pods) {
      const uid = pod.metadata?.uid ?? pod.metadata?.name ?? '';
      for (const c of pod.spec?.containers ?? []) {
        const key = `${uid}/${c.name}`;
        present.add(key);
        const existing = this.followers.get(key);
        if (existing && !existing.isStopped) {
          existing.update(pod);
          continue;
        }
        const tag = replicaTag(pod);
        const name = pod.metadata?.name ?? '';
        const resume = this.resume?.get(`${name}/${c.name}`);
        this.resume?.delete(`${name}/${c.name}`);
        const f = new ContainerFollower(pod, c.name, tag, {
          kubeConfig: () => this.deps.kubeConfig(this.source.context),
          line: (time, text) => this.push({ replica: tag, pod: name, container: c.name, time, text }),
          changed: () => this.changed(),
          log: this.deps.log,
        }, resume);
        this.followers.set(key, f);
        f.start();
        this.changed();
      }
    }
    // Deleted pods: their followers finish what the API still serves and stop; the replica stays listed.
    for (const [key, f] of this.followers) {
      if (!present.has(key)) f.markGone();
    }
    this.changed();
  }

  private push(line: LogLine): void {
    if (this.pending.push(line) >= MAX_BATCH) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.file.append(batch);
    this.deps.lines(batch);
  }

  private changed(): void {
    this.changeTimer ??= setTimeout(() => {
      this.changeTimer = undefined;
      this.deps.changed(this.info());
    }, 100);
  }
}
