/**
 * The way from a forward's local connections to one pod port, through the Kubernetes API.
 *
 * The first WebSocket offers both port-forward protocols and the API server picks:
 * - `SPDY/3.1+portforward.k8s.io` (Kubernetes 1.30+, what kubectl uses): one session carries every connection as
 *   stream pairs; it is opened as soon as the pod is known, with a stream pair ready for the next connection, so a
 *   connection costs no handshake, and reopened when it closes (idle timeout, network cut, pod gone);
 * - `v4.channel.k8s.io` (older servers): one WebSocket per connection, with one opened ahead of the next connection
 *   the way the session is.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type net from 'node:net';
import { httpStatus } from '../kube/errors';
import { dialPortForward } from './dial';
import { isRunning } from './resolve';
import { SPDY_TUNNELING_PROTOCOL, SpdySession, type TunnelCounters } from './session';
import { v4Tunnel, V4_PROTOCOL, type Tunnel } from './tunnel';

/** A spare v4 tunnel older than this is replaced rather than used (the pod side may have dropped it silently). */
const SPARE_MAX_AGE_MS = 5 * 60_000;
/** How long after a connection takes the spare (stream pair or v4 tunnel) the next one is opened. */
const SPARE_DELAY_MS = 60;

type Opened = { session: SpdySession } | { tunnel: Tunnel };

/**
 * The pod a link was made for is no longer running (deleted, being deleted, replaced under its name, stopped), found
 * when dialling it: the forward's pod watch may not have said so yet.
 */
export class PodGoneError extends Error {
  constructor(readonly pod: string, readonly uid: string, readonly reason: string) {
    super(`pod ${pod} ${reason}`);
  }
}

export class PodLink {
  /** The connection opened ahead: the shared session, or the spare v4 tunnel. */
  private pending: Promise<Opened> | undefined;
  /** Set once the API server answered with v4: it does not tunnel SPDY, so later dials offer v4 only. */
  private v4Only = false;
  private closed = false;
  /** The v4 tunnels attached to clients and the sessions opened (also those retired), so that close() ends them too. */
  private readonly tunnels = new Set<Tunnel>();
  private readonly sessions = new Set<SpdySession>();

  constructor(
    private readonly kc: KubeConfig,
    readonly namespace: string,
    readonly pod: string,
    readonly uid: string,
    readonly port: number,
    private readonly onError: (message: string) => void,
  ) {}

  /** Opens the connection to the pod ahead of the next client. A failure shows when a client connects. */
  warm(): void {
    if (this.closed || this.pending) return;
    const p = this.dial();
    this.pending = p;
    p.then(
      (o) => 'session' in o && o.session.prepare(this.port),
      () => {
        if (this.pending === p) this.pending = undefined;
      },
    );
  }

  /** Tunnels `socket` to the pod port. Rejects if no WebSocket to the pod could be opened. */
  async attach(socket: net.Socket, counters: TunnelCounters): Promise<void> {
    const o = await this.take();
    if ('session' in o) {
      if (!socket.destroyed) o.session.attach(socket, this.port, counters);
    } else if (socket.destroyed) {
      o.tunnel.close();
    } else {
      const t = o.tunnel;
      this.tunnels.add(t);
      socket.once('close', () => this.tunnels.delete(t));
      t.attach(socket, counters);
    }
    // Open the next spare (stream pair or tunnel) a little later: the pod side dials the port meanwhile, which
    // would delay this connection's first bytes.
    setTimeout(() => ('session' in o ? o.session.prepare(this.port) : this.warm()), SPARE_DELAY_MS).unref();
  }

  /** Closes the link and every connection it carries. */
  close(): void {
    this.retire((session) => session.close());
    for (const t of this.tunnels) t.close();
    this.tunnels.clear();
    for (const session of this.sessions) session.close();
    this.sessions.clear();
  }

  /** Takes no more connections; the ones it carries go on until either side ends them. */
  closeWhenIdle(): void {
    this.retire((session) => session.closeWhenIdle());
  }

  private retire(end: (session: SpdySession) => void): void {
    this.closed = true;
    const p = this.pending;
    this.pending = undefined;
    void p?.then((o) => ('session' in o ? end(o.session) : o.tunnel.close()), () => undefined);
  }

  /** The open session (shared), the spare tunnel (taken) if still good, else what a new dial gives. */
  private async take(): Promise<Opened> {
    let dialed = false;
    for (;;) {
      let p = this.pending;
      if (!p) {
        if (this.v4Only || dialed) return this.dial();
        // Connections that arrive meanwhile share this dial.
        this.warm();
        p = this.pending;
        dialed = true;
        if (!p) throw new Error('the forward moved on');
      }
      let o: Opened;
      try {
        o = await p;
      } catch (e) {
        if (dialed) throw e;
        continue;
      }
      if ('session' in o && o.session.isOpen()) return o;
      if (this.pending !== p) continue; // another connection took it: look again
      this.pending = undefined;
      if ('session' in o) {
        o.session.closeWhenIdle();
        continue;
      }
      if (o.tunnel.isOpen() && Date.now() - o.tunnel.openedAt < SPARE_MAX_AGE_MS) return o;
      o.tunnel.close();
    }
  }

  /**
   * Dials the pod, and reads it at the same time (no extra wait): a connection must not be tunnelled to a pod that is
   * going away. A kubelet ends a deleted pod's streams once; a stream opened after that, by a client that reconnected
   * before the pod watch delivered the deletion, is never ended and hangs (issue 21).
   */
  private async dial(): Promise<Opened> {
    const protocols = this.v4Only ? [V4_PROTOCOL] : [SPDY_TUNNELING_PROTOCOL, V4_PROTOCOL];
    const [problem, dialed] = await Promise.allSettled([this.podProblem(), dialPortForward(this.kc, this.namespace, this.pod, this.port, protocols)]);
    const gone = problem.status === 'fulfilled' ? problem.value : undefined;
    if (gone) {
      if (dialed.status === 'fulfilled') dialed.value.ws.close();
      throw new PodGoneError(this.pod, this.uid, gone);
    }
    if (dialed.status === 'rejected') throw dialed.reason;
    const { ws, protocol } = dialed.value;
    if (this.closed) {
      ws.close();
      throw new Error('the forward moved on');
    }
    if (protocol !== SPDY_TUNNELING_PROTOCOL) this.v4Only = true;
    let opened: Opened;
    if (protocol === SPDY_TUNNELING_PROTOCOL) {
      const session = new SpdySession(ws, this.onError);
      this.sessions.add(session);
      ws.once('close', () => this.sessions.delete(session));
      opened = { session };
    } else {
      opened = { tunnel: v4Tunnel(ws, this.onError) };
    }
    ws.resume(); // dialPortForward paused it until a handler listens
    return opened;
  }

  /** Why the pod is not the running pod this link is for, or undefined (also when it cannot be read: the dial decides). */
  private async podProblem(): Promise<string | undefined> {
    try {
      const pod = await this.kc.makeApiClient(CoreV1Api).readNamespacedPod({ name: this.pod, namespace: this.namespace });
      if (this.uid && pod.metadata?.uid !== this.uid) return 'was replaced by a new pod of that name';
      if (pod.metadata?.deletionTimestamp) return 'is being deleted';
      return isRunning(pod) ? undefined : `is ${pod.status?.phase ?? 'not running'}`;
    } catch (err) {
      return httpStatus(err) === 404 ? 'was deleted' : undefined;
    }
  }
}
