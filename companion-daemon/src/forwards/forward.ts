/**
 * One port-forward: a local TCP listener on 127.0.0.1 whose connections are tunnelled to whichever pod currently
 * backs the target. A pod watch re-resolves the target whenever pods change, so a deleted, restarted or
 * rescheduled pod is followed on the same local port with no action from anyone; connections that arrive while no
 * pod runs wait for one instead of failing.
 */
import { CoreV1Api, type KubeConfig, type V1Pod, type V1Service } from '@kubernetes/client-node';
import net from 'node:net';
import { checkAuth } from '../kube/config';
import { DaemonError, toDaemonError } from '../kube/errors';
import { ResilientInformer } from '../kube/informer';
import { ErrorCode, type ForwardInfo, type ForwardState, type ForwardTarget } from '../protocol';
import { admit } from './gate';
import { PodGoneError, PodLink } from './link';
import { describeTarget, pickPod, podQuery, resolvePodPort, urlPath, waitingReason } from './resolve';

export interface ForwardDeps {
  kubeConfig: (context?: string) => KubeConfig;
  log: (msg: string) => void;
  onChange: (info: ForwardInfo) => void;
  /** When set, connections must carry this per-forward secret (`gate.ts`). */
  secret?: string;
}

/** How long a connection waits for a pod before it is dropped. */
const CONNECT_WAIT_MS = 90_000;

interface PodTarget {
  pod: string;
  uid: string;
  podPort: number;
}

export class Forward {
  private server: net.Server | undefined;
  private informer: ResilientInformer<V1Pod> | undefined;
  private service: V1Service | undefined;
  private current: PodTarget | undefined;
  private waiters = new Set<() => void>();
  private sockets = new Set<net.Socket>();
  private counters = { bytesIn: 0, bytesOut: 0 };
  private state: ForwardState = { state: 'connecting' };
  private changeTimer: NodeJS.Timeout | undefined;
  /** The way to the current pod, opened ahead of the next connection. */
  private link: PodLink | undefined;
  /** Links that take no more connections but still carry some, until their pod no longer exists. */
  private readonly retired = new Set<PodLink>();
  /** Pods a dial found going away before the watch said so: not picked again (pruned to the pods the watch lists). */
  private readonly gone = new Set<string>();
  private pods: readonly V1Pod[] = [];
  localPort: number;

  constructor(
    readonly id: string,
    readonly target: ForwardTarget,
    localPort: number,
    readonly createdAt: string,
    private readonly deps: ForwardDeps,
  ) {
    this.localPort = localPort;
  }

  info(): ForwardInfo {
    return {
      id: this.id,
      target: this.target,
      localPort: this.localPort,
      url: `http://127.0.0.1:${this.localPort}${urlPath(this.target)}`,
      status: this.state,
      connections: this.sockets.size,
      bytesIn: this.counters.bytesIn,
      bytesOut: this.counters.bytesOut,
      createdAt: this.createdAt,
      ...(this.deps.secret ? { secret: this.deps.secret } : {}),
    };
  }

  /** Listens on the local port, then resolves the target in the background. */
  async start(): Promise<void> {
    this.server = await listen(this.localPort, (s) => this.accept(s));
    this.localPort = (this.server.address() as net.AddressInfo).port;
    this.deps.log(`forward ${this.id}: 127.0.0.1:${this.localPort} → ${describeTarget(this.target)}`);
    this.setState({ state: 'connecting' });
    void this.watch();
  }

  stop(): void {
    this.dropLink();
    this.informer?.stop();
    this.informer = undefined;
    this.server?.close();
    for (const s of this.sockets) s.destroy();
    for (const w of this.waiters) w();
    this.waiters.clear();
    this.setState({ state: 'stopped' });
  }

  /** Drops open connections and resolves the target again now. */
  restart(): void {
    this.dropLink();
    for (const s of this.sockets) s.destroy();
    this.informer?.stop();
    this.current = undefined;
    this.setState({ state: 'connecting' });
    void this.watch();
  }

  private async watch(): Promise<void> {
    const t = this.target;
    let kc: KubeConfig;
    try {
      kc = this.deps.kubeConfig(t.context);
      await checkAuth(kc);
      const core = kc.makeApiClient(CoreV1Api);
      if (t.kind === 'service') this.service = await core.readNamespacedService({ name: t.name, namespace: t.namespace });
      const q = podQuery(t, this.service);
      const informer = new ResilientInformer<V1Pod>({
        kc,
        path: `/api/v1/namespaces/${t.namespace}/pods`,
        list: () => core.listNamespacedPod({ namespace: t.namespace, labelSelector: q.labelSelector, fieldSelector: q.fieldSelector }),
        labelSelector: q.labelSelector,
        fieldSelector: q.fieldSelector,
        onChange: (pods) => this.onPods(pods),
        onError: (err, retryInMs) => {
          const e = toDaemonError(err, `Watching pods of ${describeTarget(t)}`);
          this.setState({ state: 'error', reason: e.message, code: e.code, retryInMs });
        },
      });
      this.informer?.stop();
      this.informer = informer;
      await informer.start();
    } catch (err) {
      const e = err instanceof DaemonError ? err : toDaemonError(err, describeTarget(t));
      this.setState({ state: 'error', reason: e.message, code: e.code });
      // Configuration errors need the user; others are retried by the informer. Retry the rest here.
      if (e.code !== ErrorCode.Kubeconfig && this.state.state !== 'stopped') {
        setTimeout(() => this.state.state === 'error' && this.informer === undefined && void this.watch(), 5000).unref();
      }
    }
  }

  private onPods(all: readonly V1Pod[]): void {
    if (this.state.state === 'stopped') return;
    this.pods = all;
    const uids = new Set(all.map((p) => p.metadata?.uid ?? ''));
    for (const uid of this.gone) if (!uids.has(uid)) this.gone.delete(uid);
    this.dropLinksToDeletedPods(uids);
    const pods = all.filter((p) => !this.gone.has(p.metadata?.uid ?? ''));
    const pod = pickPod(pods);
    if (!pod) {
      this.current = undefined;
      this.retireLink();
      this.setState({ state: 'waiting-for-pod', reason: waitingReason(this.target, pods) });
      return;
    }
    try {
      const podPort = resolvePodPort(this.target, pod, this.service);
      const name = pod.metadata!.name!;
      const uid = pod.metadata!.uid ?? '';
      const changed = this.current?.pod !== name || this.current.uid !== uid || this.current.podPort !== podPort;
      if (changed) this.deps.log(`forward ${this.id}: now to pod ${name}:${podPort}`);
      this.current = { pod: name, uid, podPort };
      this.setState({ state: 'ready', pod: name, podPort });
      if (changed) {
        // A new pod (even under the same name) needs a new link; connections to the old pod end with it.
        this.retireLink();
        this.linkTo(this.current).warm();
      }
      for (const w of this.waiters) w();
      this.waiters.clear();
    } catch (err) {
      this.current = undefined;
      this.setState({ state: 'error', reason: (err as Error).message, code: ErrorCode.BadRequest });
    }
  }

  private async accept(socket: net.Socket): Promise<void> {
    socket.setNoDelay(true);
    socket.pause();
    this.sockets.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.changed();
    });
    socket.on('error', () => socket.destroy());
    this.changed();
    if (this.deps.secret && !(await admit(socket, this.deps.secret))) return;
    // A connection that arrives while the pod is being replaced waits for the new one (up to CONNECT_WAIT_MS),
    // and gets a second try if the tunnel to a pod that just went away fails.
    let podsGone = 0;
    for (let attempt = 0; attempt < 2 && !socket.destroyed; attempt++) {
      const target = await this.waitForPod(socket);
      if (!target || socket.destroyed) break;
      try {
        await this.linkTo(target).attach(socket, this.counters);
        return;
      } catch (err) {
        if (err instanceof PodGoneError) {
          // The dial found the pod going away before the watch said so: wait for the next pod, as if the watch had.
          this.podGone(err);
          if (++podsGone <= 3) attempt--; // not a failed try
          continue;
        }
        const e = toDaemonError(err, `Port-forward to pod ${target.pod}`);
        this.deps.log(`forward ${this.id}: ${e.message}`);
        if (e.code === ErrorCode.Forbidden || e.code === ErrorCode.Unauthorized) {
          this.setState({ state: 'error', reason: e.message, code: e.code });
          break;
        }
        // The pod may be gone: let the watch catch up before the second try.
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    socket.destroy();
  }

  private podGone(err: PodGoneError): void {
    this.deps.log(`forward ${this.id}: ${err.message}; waiting for the next pod`);
    this.gone.add(err.uid);
    if (this.current?.uid === err.uid) this.onPods(this.pods);
  }

  /**
   * Connections to a pod that no longer exists end now, with the link that carries them. Its kubelet may never end
   * them: it ends a pod's streams once, when the pod goes, and a stream opened around that moment can outlive it.
   * The client's next connection then goes to the next pod. A pod that is only terminating keeps its connections
   * (graceful shutdown); it takes no new ones.
   */
  private dropLinksToDeletedPods(uids: ReadonlySet<string>): void {
    for (const l of this.retired) {
      if (uids.has(l.uid)) continue;
      l.close();
      this.retired.delete(l);
    }
    if (this.link && !uids.has(this.link.uid)) {
      this.link.close();
      this.link = undefined;
    }
  }

  /** The link to `target`: the current one if it goes there, else a new one that replaces it. */
  private linkTo(target: PodTarget): PodLink {
    const l = this.link;
    if (l && l.pod === target.pod && l.uid === target.uid && l.port === target.podPort) return l;
    if (l) this.retire(l);
    const kc = this.deps.kubeConfig(this.target.context);
    const link = new PodLink(kc, this.target.namespace, target.pod, target.uid, target.podPort, (m) => this.deps.log(`forward ${this.id}: pod ${target.pod}: ${m}`));
    this.link = link;
    return link;
  }

  /** Closes the links and their connections. */
  private dropLink(): void {
    this.link?.close();
    this.link = undefined;
    for (const l of this.retired) l.close();
    this.retired.clear();
  }

  /** New connections go elsewhere; the ones under way go on until the pod side or the client ends them, or the pod is deleted. */
  private retireLink(): void {
    if (this.link) this.retire(this.link);
    this.link = undefined;
  }

  private retire(l: PodLink): void {
    l.closeWhenIdle();
    this.retired.add(l);
  }

  private waitForPod(socket: net.Socket): Promise<PodTarget | undefined> {
    if (this.current) return Promise.resolve(this.current);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve(this.current);
      };
      const timer = setTimeout(done, CONNECT_WAIT_MS);
      socket.once('close', done);
      this.waiters.add(done);
    });
  }

  private setState(s: ForwardState): void {
    if (this.state.state === 'stopped' && s.state !== 'stopped') return;
    const changed = JSON.stringify(s) !== JSON.stringify(this.state);
    this.state = s;
    if (changed) this.deps.onChange(this.info());
  }

  /** Counter changes are sent at most every 500 ms. */
  private changed(): void {
    if (this.changeTimer) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      if (this.state.state !== 'stopped') this.deps.onChange(this.info());
    }, 500);
    this.changeTimer.unref();
  }
}

function listen(port: number, onConnection: (s: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ noDelay: true }, onConnection);
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(new DaemonError(ErrorCode.PortInUse, `Local port ${port} is already in use by another program. Pick another port or leave it empty for a free one.`, 'PortInUse'));
      } else {
        reject(toDaemonError(err, `Listening on 127.0.0.1:${port}`));
      }
    });
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
