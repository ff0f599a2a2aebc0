/**
 * The extension's link to the companion daemon. Connects on first use (starting the daemon if none runs), keeps one
 * connection for the window, reconnects (restarting a dead daemon) with backoff when it drops, and re-sends the
 * log subscriptions the window holds. Health is a union the status bar and views render.
 */
import * as vscode from 'vscode';
import { ResponseError, type MessageConnection, type NotificationType, type RequestType, type RequestType0 } from 'vscode-jsonrpc';
import { connectDaemon, type DaemonConnection } from '../../companion-daemon/src/client';
import { resolveKubeconfigSet } from '../../companion-daemon/src/paths';
import * as P from '../../companion-daemon/src/protocol';
import { PACKAGE_VERSION } from '../../companion-daemon/src/version';
import { config } from '../config';
import type { Log } from '../log';

export type DaemonHealth =
  | { kind: 'stopped' }
  | { kind: 'starting' }
  | { kind: 'ready'; pid: number; version: string }
  | { kind: 'failed'; message: string };

type Handler = { type: NotificationType<unknown>; fn: (p: unknown) => void };

export class DaemonClient implements vscode.Disposable {
  private conn: DaemonConnection | undefined;
  private connecting: Promise<DaemonConnection> | undefined;
  private handlers: Handler[] = [];
  private reconnects: Array<(c: MessageConnection) => Promise<void>> = [];
  private disposed = false;
  private retry = 0;
  private readonly _onDidChangeHealth = new vscode.EventEmitter<DaemonHealth>();
  readonly onDidChangeHealth = this._onDidChangeHealth.event;
  health: DaemonHealth = { kind: 'stopped' };

  constructor(
    private readonly extension: vscode.ExtensionContext,
    private readonly log: Log,
  ) {}

  /** The kubeconfig file list this window's daemon serves. */
  kubeconfig(): string {
    return resolveKubeconfigSet(config.kubeconfig() || undefined);
  }

  async request<R>(type: RequestType0<R, void>): Promise<R>;
  async request<P, R>(type: RequestType<P, R, void>, params: P): Promise<R>;
  async request(type: RequestType0<unknown, void> | RequestType<unknown, unknown, void>, params?: unknown): Promise<unknown> {
    const c = await this.connection();
    return params === undefined ? c.connection.sendRequest(type as RequestType0<unknown, void>) : c.connection.sendRequest(type as RequestType<unknown, unknown, void>, params);
  }

  /**
   * Registers a notification handler that survives reconnects. Several handlers of one notification all run
   * (a JSON-RPC connection keeps one handler per method, so one dispatcher per method calls them).
   */
  onNotification<T>(type: NotificationType<T>, fn: (p: T) => void): vscode.Disposable {
    const h = { type, fn } as Handler;
    this.handlers.push(h);
    if (this.conn) this.dispatch(this.conn, type as NotificationType<unknown>);
    return new vscode.Disposable(() => (this.handlers = this.handlers.filter((x) => x !== h)));
  }

  private readonly dispatched = new WeakMap<DaemonConnection, Set<string>>();
  private dispatch(c: DaemonConnection, type: NotificationType<unknown>): void {
    let methods = this.dispatched.get(c);
    if (!methods) this.dispatched.set(c, (methods = new Set()));
    if (methods.has(type.method)) return;
    methods.add(type.method);
    c.connection.onNotification(type, (p: unknown) => {
      for (const h of [...this.handlers]) if (h.type.method === type.method) h.fn(p);
    });
  }

  /** Runs `fn` now if connected and again after every reconnect (to re-subscribe). */
  onReconnect(fn: (c: MessageConnection) => Promise<void>): vscode.Disposable {
    this.reconnects.push(fn);
    return new vscode.Disposable(() => (this.reconnects = this.reconnects.filter((x) => x !== fn)));
  }

  /** Connects if needed. Concurrent callers share one attempt. */
  connection(): Promise<DaemonConnection> {
    if (this.conn) return Promise.resolve(this.conn);
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** Stops the daemon (it brings its forwards back next time) and reconnects to a fresh one. */
  async restart(): Promise<void> {
    const c = this.conn;
    this.conn = undefined;
    if (c) {
      await c.connection.sendRequest(P.shutdown).catch(() => undefined);
      c.dispose();
    }
    await this.connection();
  }

  dispose(): void {
    this.disposed = true;
    this.conn?.dispose();
    this._onDidChangeHealth.dispose();
  }

  private setHealth(h: DaemonHealth): void {
    this.health = h;
    this._onDidChangeHealth.fire(h);
  }

  /**
   * Connects only when a daemon of this version runs already, starting none: at activation after a reload, so the
   * forwards of the daemon (the status-bar count) show before any Kubeflow view opens. Resolves whether it did.
   */
  async attachIfRunning(): Promise<boolean> {
    if (this.conn) return true;
    if (!this.connecting) {
      const c = await connectDaemon({ kubeconfig: this.kubeconfig(), client: `vscode ${vscode.version}`, daemonScript: '', start: false, timeoutMs: 3000 }).catch(() => undefined);
      if (!c) return false;
      const current = c.hello.protocolVersion === P.PROTOCOL_VERSION && c.hello.daemonVersion === PACKAGE_VERSION;
      c.dispose();
      // Another version is replaced on first real use, as usual; nothing to show from it now.
      if (!current || this.conn) return !!this.conn;
    }
    return this.connection().then(() => true, () => false);
  }

  private async connect(): Promise<DaemonConnection> {
    this.setHealth({ kind: 'starting' });
    try {
      const c = await connectDaemon({
        kubeconfig: this.kubeconfig(),
        client: `vscode ${vscode.version}`,
        daemonScript: this.extension.asAbsolutePath('dist/companion-daemon.js'),
        execPath: process.execPath,
      });
      this.retry = 0;
      this.conn = c;
      for (const h of this.handlers) this.dispatch(c, h.type);
      c.connection.onClose(() => this.lost(c));
      this.log.info(`companion daemon ${c.hello.daemonVersion} pid ${c.hello.pid} ${c.started ? 'started' : 'attached'} (${c.paths.socket})`);
      this.setHealth({ kind: 'ready', pid: c.hello.pid, version: c.hello.daemonVersion });
      for (const fn of this.reconnects) await fn(c.connection).catch((e: unknown) => this.log.warn(`re-subscribe failed: ${describeError(e)}`));
      return c;
    } catch (err) {
      const message = describeError(err);
      this.log.error(`companion daemon: ${message}`);
      this.setHealth({ kind: 'failed', message });
      throw err;
    }
  }

  /** The daemon went away (crash, kill, restart): reconnect with backoff, which starts a new one. */
  private lost(c: DaemonConnection): void {
    if (this.conn !== c || this.disposed) return;
    this.conn = undefined;
    c.dispose();
    this.log.warn('companion daemon connection lost; reconnecting');
    this.setHealth({ kind: 'starting' });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = Math.min(500 * 2 ** this.retry++, 15_000) * (0.5 + Math.random() / 2);
    setTimeout(() => {
      if (!this.disposed && !this.conn) void this.connection().catch(() => this.scheduleReconnect());
    }, delay);
  }
}

/** One sentence for a daemon error: its message plus the reason code the daemon attached. */
export function describeError(err: unknown): string {
  if (err instanceof ResponseError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
