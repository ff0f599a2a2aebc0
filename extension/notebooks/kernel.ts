/**
 * The kernel of one local notebook on one notebook server: reached through the daemon forward, started or rejoined
 * as a Jupyter session for the notebook's path (so its working directory is the notebook's folder on the volume),
 * kept across forward drops (`reconnect()` as soon as the forward is ready again) and window reloads (same clientId),
 * and when it dies or its server restarts, the cells that were running end with a message instead of hanging.
 */
import type { Kernel, Session } from '@jupyterlab/services';
import * as vscode from 'vscode';
import * as P from '../../companion-daemon/src/protocol';
import type { Log } from '../log';
import type { CellRun } from './execute';
import type { ServerForwards } from './forward';
import { JupyterError, JupyterServerClient, explain, jupyterSettings, resumeKernel, openSession, probeServer, type KernelSpecs, type ServerAuth, type SessionRef } from './jupyter';
import { serverKey, type ServerRef } from './servers';

/** One `@jupyterlab/services` client per server and forward URL, shared by the notebooks on that server. */
export class ServerClients implements vscode.Disposable {
  private clients = new Map<string, { url: string; client: JupyterServerClient; specs?: KernelSpecs }>();

  constructor(
    readonly forwards: ServerForwards,
    private readonly auth: (server: ServerRef) => Promise<ServerAuth>,
  ) {}

  /** The forward (started if needed) and a client whose server answered without a login. */
  async get(server: ServerRef): Promise<{ client: JupyterServerClient; specs: KernelSpecs }> {
    const info = await this.forwards.ensure(server);
    const key = serverKey(server);
    let entry = this.clients.get(key);
    const url = `${info.url}#${info.secret ?? ''}`;
    if (!entry || entry.url !== url) {
      entry?.client.dispose();
      const auth = await this.auth(server);
      entry = { url, client: new JupyterServerClient(jupyterSettings(info.url, { ...auth, headers: { ...auth.headers, ...P.forwardHeaders(info) } }), server.name) };
      this.clients.set(key, entry);
    }
    if (!entry.specs) {
      try {
        entry.specs = await probeServer(entry.client.settings, server.name);
      } catch (err) {
        throw await this.cause(server, err);
      }
    }
    return { client: entry.client, specs: entry.specs };
  }

  /** Forgets a server's client (after a token change, or when the server restarted with other kernel specs). */
  reset(server: ServerRef): void {
    const key = serverKey(server);
    this.clients.get(key)?.client.dispose();
    this.clients.delete(key);
  }

  /** A failed request through the forward: the forward's own problem (RBAC) when it has one, else the Jupyter error. */
  async cause(server: ServerRef, err: unknown): Promise<Error> {
    const e = explain(err, server.name);
    if (e.problem === 'unreachable') {
      await new Promise((r) => setTimeout(r, 300));
      await this.forwards.refresh(server);
      const p = this.forwards.problem(server);
      if (p) return p;
    }
    return e;
  }

  dispose(): void {
    for (const e of this.clients.values()) e.client.dispose();
    this.clients.clear();
  }
}

/** How long running cells wait for a server whose pod went away before they end with a message. */
const POD_GONE_MS = 30_000;
/** Seconds of reconnect attempts (one a second) before a kernel that stays unreachable ends its cells. */
const PUMP_TICKS = 300;

export class NotebookKernel implements vscode.Disposable {
  private kernel: Kernel.IKernelConnection | undefined;
  private session: Session.ISessionConnection | undefined;
  private opening: Promise<Kernel.IKernelConnection> | undefined;
  /** Runs in flight, in order; a dying kernel ends them all. */
  readonly runs = new Set<CellRun>();
  private readonly subs: vscode.Disposable[] = [];
  private restarting = false;
  private pumping = false;
  private verifying = false;
  private disposed = false;
  private readonly _onDidChangeStatus = new vscode.EventEmitter<string>();
  readonly onDidChangeStatus = this._onDidChangeStatus.event;

  constructor(
    readonly server: ServerRef,
    readonly ref: SessionRef,
    private readonly clients: ServerClients,
    private readonly log: Log,
    private readonly save: (ref: SessionRef) => void,
    /** How long running cells wait for a pod while the server has none (tests shorten it). */
    private readonly podGoneMs = POD_GONE_MS,
  ) {
    this.subs.push(clients.forwards.onDidBecomeReady((info) => {
      if (!clients.forwards.forServer(server)(info) || !this.kernel || this.kernel.isDisposed) return;
      // The tunnel is back (new pod, restarted daemon): reconnect now instead of after the library's 10–30 s probe.
      this.log.info(`notebooks: forward to ${server.name} ready again (pod ${info.status.state === 'ready' ? info.status.pod : '?'})`);
      void this.verify(this.kernel);
    }));
  }

  get status(): string {
    return this.kernel?.status ?? 'unknown';
  }

  get connection(): Kernel.IKernelConnection | undefined {
    return this.kernel && !this.kernel.isDisposed ? this.kernel : undefined;
  }

  /** The connected kernel: rejoined when it still runs, else a new session. Concurrent callers share one attempt. */
  ensure(): Promise<Kernel.IKernelConnection> {
    const k = this.connection;
    if (k && k.status !== 'dead') return Promise.resolve(k);
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async open(): Promise<Kernel.IKernelConnection> {
    const t0 = Date.now();
    const { client } = await this.clients.get(this.server);
    let opened;
    try {
      opened = await openSession(client, this.ref);
    } catch (err) {
      throw err instanceof JupyterError && err.problem !== 'unreachable' ? err : await this.clients.cause(this.server, err);
    }
    if (this.disposed) {
      opened.kernel.dispose();
      throw new vscode.CancellationError();
    }
    const kernel = opened.kernel;
    this.session?.dispose();
    this.session = opened.session;
    this.kernel = kernel;
    this.ref.sessionId = opened.session.id;
    this.ref.kernelId = kernel.id;
    this.save(this.ref);
    kernel.statusChanged.connect(this.onStatus, this);
    kernel.connectionStatusChanged.connect((_k, s) => {
      this.log.debug(`notebooks: ${this.server.name} kernel ${kernel.id} connection ${s}`);
      // 'disconnected' (the server closed the socket as it shut down; the library will not retry) is checked too.
      if (s !== 'connected' && !kernel.isDisposed) this.pump(kernel);
    });
    // The library disposes a connection whose session disappeared from the server (its poll): the kernel is gone.
    kernel.disposed.connect(() => {
      if (kernel === this.kernel && !this.disposed) this.lost(kernel);
    });
    this.log.info(`notebooks: ${opened.reattached ? 'rejoined' : 'started'} kernel ${kernel.name} ${kernel.id} on ${this.server.name} for ${this.ref.path} in ${Date.now() - t0} ms`);
    return kernel;
  }

  /**
   * While the kernel's socket is down and the forward says ready, reconnect every 2 s: a WebSocket attempt that failed
   * (server still starting in a new pod, daemon restarting) would otherwise wait for the library's 10–30 s probe.
   * While the server has no pod (stopped, deleted) the running cells wait podGoneMs (30 s) for it, then end with a message;
   * and they end when the kernel stays unreachable for good, instead of hanging.
   */
  private pump(kernel: Kernel.IKernelConnection): void {
    if (this.pumping) return;
    this.pumping = true;
    let ticks = 0;
    let podGoneSince = 0;
    const timer = setInterval(() => {
      const status = this.clients.forwards.info(this.server)?.status;
      if (kernel !== this.kernel || kernel.isDisposed || kernel.connectionStatus === 'connected' || ++ticks > PUMP_TICKS) {
        clearInterval(timer);
        this.pumping = false;
        if (ticks > PUMP_TICKS && kernel === this.kernel && !kernel.isDisposed && kernel.connectionStatus !== 'connected') {
          this.failRuns('KernelUnreachable', `The kernel on ${this.server.name} has been unreachable for ${PUMP_TICKS / 60} minutes: the cell was ended. Run it again when the server answers.`);
        }
        return;
      }
      if (status?.state === 'waiting-for-pod') {
        podGoneSince ||= Date.now();
        if (Date.now() - podGoneSince >= this.podGoneMs && this.runs.size) {
          this.failRuns('PodGone', `The notebook server ${this.server.name} has had no running pod for ${Math.round(this.podGoneMs / 1000)} s (${status.reason}): the cell was ended. If the server comes back with its kernel, the kernel's variables are kept.`);
          podGoneSince = Date.now();
        }
      } else podGoneSince = 0;
      if (status?.state === 'ready' && ticks % 2 === 0) void this.verify(kernel);
    }, 1000);
  }

  /**
   * After the tunnel came back: if the server still has the kernel, reconnect (same clientId: buffered output is
   * replayed); if it answers that the kernel is gone (server restarted, kernel culled), the kernel is dead now. The
   * library alone would retry the socket for minutes and never say so.
   */
  private async verify(kernel: Kernel.IKernelConnection): Promise<void> {
    if (this.verifying || kernel !== this.kernel || kernel.isDisposed) return;
    this.verifying = true;
    try {
      const { client } = await this.clients.get(this.server);
      if (kernel !== this.kernel) return;
      const r = await resumeKernel(client, kernel, (m) => this.log.info(`notebooks: ${m}`)).catch((e: unknown) => {
        this.log.warn(`notebooks: reconnect to ${this.server.name}: ${(e as Error).message}`);
        return undefined;
      });
      if (r === 'gone') this.log.warn(`notebooks: ${this.server.name} no longer has kernel ${kernel.id}`);
    } catch (err) {
      this.log.debug(`notebooks: checking kernel ${kernel.id} on ${this.server.name}: ${(err as Error).message}`);
    } finally {
      this.verifying = false;
    }
  }

  private onStatus(k: Kernel.IKernelConnection, status: Kernel.Status): void {
    this._onDidChangeStatus.fire(status);
    if (k !== this.kernel) return;
    if (status === 'dead') {
      this.lost(k);
    } else if (status === 'autorestarting') {
      this.failRuns('KernelDied', `The kernel on ${this.server.name} died (out of memory?) and the server restarted it. Its variables are lost.`);
    } else if (status === 'restarting' && !this.restarting) {
      this.failRuns('KernelRestarted', 'The kernel was restarted.');
    }
  }

  /**
   * Whether the kernel is lost within `ms`: its socket drops, it dies, or the forward's pod goes away. A run that ended
   * with a KeyboardInterrupt nobody asked for is then explained: the server shut the kernel down with its pod.
   */
  lostWithin(ms: number): Promise<boolean> {
    const k = this.kernel;
    if (!k) return Promise.resolve(true);
    const lost = () => k.isDisposed || k.connectionStatus !== 'connected' || k.status === 'dead' || this.clients.forwards.info(this.server)?.status.state !== 'ready';
    if (lost()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t0 = Date.now();
      const timer = setInterval(() => {
        if (lost() || Date.now() - t0 > ms) {
          clearInterval(timer);
          resolve(lost());
        }
      }, 100);
    });
  }

  /** The kernel is gone for good: runs end with a message, the next run starts a new session. */
  private lost(k: Kernel.IKernelConnection): void {
    if (k !== this.kernel) return;
    this.kernel = undefined;
    this.ref.sessionId = undefined;
    this.ref.kernelId = undefined;
    this.save(this.ref);
    this.failRuns('KernelDied', `The kernel on ${this.server.name} is gone (it died, was culled, or the notebook server's pod restarted). Its variables are lost; run the cell again to start a new kernel.`);
    this.log.warn(`notebooks: kernel ${k.id} on ${this.server.name} is gone`);
    const session = this.session;
    this.session = undefined;
    session?.dispose();
  }

  failRuns(name: string, message: string): void {
    for (const run of [...this.runs]) void run.fail(name, message);
  }

  async interrupt(): Promise<void> {
    const k = this.connection;
    if (k) await k.interrupt();
  }

  async restart(): Promise<void> {
    const k = await this.ensure();
    this.restarting = true;
    try {
      this.failRuns('KernelRestarted', 'The kernel was restarted.');
      await k.restart();
    } finally {
      this.restarting = false;
    }
  }

  /** Stops the kernel on the server (the notebook closed for good, or the user picked another server). */
  async shutdown(): Promise<void> {
    const k = this.connection;
    if (k) await k.shutdown().catch(() => undefined);
    this.dispose();
  }

  /** Drops this window's connection; the kernel keeps running on the server (a reload rejoins it). */
  dispose(): void {
    this.disposed = true;
    this.subs.forEach((s) => s.dispose());
    this.session?.dispose();
    this.kernel?.dispose();
    this.session = undefined;
    this.kernel = undefined;
    this._onDidChangeStatus.dispose();
  }
}
