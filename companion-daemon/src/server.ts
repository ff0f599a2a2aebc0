/**
 * The daemon: a JSON-RPC server on a Unix socket that only its user can open. Every client (editor window, CLI)
 * gets the same forwards and log captures; notifications go to all of them.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  createMessageConnection,
  ResponseError,
  type CancellationToken,
  type MessageConnection,
  type NotificationType,
  type RequestType,
  type RequestType0,
} from 'vscode-jsonrpc/node';
import { KubeConfigs } from './kube/config';
import { DaemonError } from './kube/errors';
import { ForwardManager } from './forwards/manager';
import { guardFraming } from './framing';
import { clip } from './log';
import { LogManager } from './logs/manager';
import { kubeRest } from './kube/rest';
import { Watches } from './kube/watches';
import type { DaemonPaths } from './paths';
import * as P from './protocol';
import { Store } from './store';

import { PACKAGE_VERSION } from './version';

/** The version this daemon reports; tests override it to play an older daemon. */
export const DAEMON_VERSION: string = process.env.KFVS_DAEMON_VERSION_OVERRIDE || PACKAGE_VERSION;

export interface DaemonOptions {
  paths: DaemonPaths;
  log: (m: string) => void;
  /** Exit after this long with no client, no forward and no followed capture. 0 = never. */
  idleExitMs: number;
}

export class Daemon {
  private readonly started = Date.now();
  private readonly clients = new Map<MessageConnection, net.Socket>();
  private server: net.Server | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly kube: KubeConfigs;
  private readonly store: Store;
  readonly forwards: ForwardManager;
  readonly logs: LogManager;
  private readonly watches: Watches;

  constructor(private readonly opts: DaemonOptions) {
    this.kube = new KubeConfigs(opts.paths.kubeconfig);
    this.store = new Store(opts.paths.stateDir, opts.log);
    const kc = (context?: string) => this.kube.get(context);
    this.forwards = new ForwardManager(this.store, kc, opts.log, (info) => this.broadcast(P.didChangeForward, info));
    this.logs = new LogManager(this.store, opts.paths.stateDir, kc, opts.log, {
      append: (client, params) => client.sendNotification(P.didAppendLogs, params),
      capture: (info) => this.broadcast(P.didChangeCapture, info),
    });
    this.watches = new Watches(kc, (client, p) => void client.sendNotification(P.didChangeList, p).catch(() => undefined));
  }

  async listen(): Promise<void> {
    const { socket } = this.opts.paths;
    const server = net.createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // Only this user may connect: the directory is 0700 and the socket 0600 (umask covers the bind itself).
      const old = process.umask(0o177);
      server.listen(socket, () => {
        process.umask(old);
        resolve();
      });
    });
    fs.chmodSync(socket, 0o600);
    this.server = server;
    this.opts.log(`daemon ${DAEMON_VERSION} (protocol ${P.PROTOCOL_VERSION}) pid ${process.pid} listening on ${socket}`);
    await this.forwards.restore();
    await this.logs.restore();
    this.armIdleTimer();
  }

  async close(): Promise<void> {
    this.opts.log('daemon stopping');
    this.forwards.dispose();
    this.logs.dispose();
    this.watches.dispose();
    for (const [c, socket] of this.clients) {
      c.dispose();
      socket.destroy();
    }
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    try {
      fs.unlinkSync(this.opts.paths.socket);
    } catch {
      /* already gone */
    }
  }

  status(): P.DaemonStatus {
    return {
      pid: process.pid,
      daemonVersion: DAEMON_VERSION,
      protocolVersion: P.PROTOCOL_VERSION,
      uptimeMs: Date.now() - this.started,
      rssBytes: process.memoryUsage.rss(),
      kubeconfig: this.opts.paths.kubeconfig,
      currentContext: this.kube.currentContext(),
      stateDir: this.opts.paths.stateDir,
      clients: this.clients.size,
      forwards: this.forwards.list().length,
      captures: this.logs.list().length,
    };
  }

  private accept(socket: net.Socket): void {
    // A peer that does not speak the framing is dropped before vscode-jsonrpc buffers its bytes.
    guardFraming(socket, (reason) => {
      this.opts.log(`dropped a client connection: ${reason}`);
      socket.destroy();
    });
    const conn = createMessageConnection(socket, socket);
    this.clients.set(conn, socket);
    this.armIdleTimer();
    const handle = <Params, Result>(type: RequestType<Params, Result, void>, fn: (p: Params, token: CancellationToken) => Result | Promise<Result>) =>
      conn.onRequest(type, async (p: Params, token: CancellationToken) => {
        try {
          return await fn(p, token);
        } catch (err) {
          throw toResponse(err);
        }
      });
    const handle0 = <Result>(type: RequestType0<Result, void>, fn: (token: CancellationToken) => Result | Promise<Result>) =>
      conn.onRequest(type, async (token: CancellationToken) => {
        try {
          return await fn(token);
        } catch (err) {
          throw toResponse(err);
        }
      });

    handle(P.hello, (p) => {
      this.opts.log(`client connected: ${clip(p?.client ?? '?')} (protocol ${clip(p?.protocolVersion, 20)})`);
      return { protocolVersion: P.PROTOCOL_VERSION, daemonVersion: DAEMON_VERSION, pid: process.pid };
    });
    handle0(P.status, () => this.status());
    handle0(P.shutdown, () => {
      setTimeout(() => void this.close().then(() => process.exit(0)), 50);
    });
    handle(P.startForward, (p) => this.forwards.start(p));
    handle(P.stopForward, (p) => this.forwards.stop(p.id));
    handle(P.restartForward, (p) => this.forwards.restart(p.id));
    handle0(P.listForwards, () => this.forwards.list());
    handle(P.subscribeLogs, (p, token) => this.logs.subscribe(conn, p, token));
    handle(P.unsubscribeLogs, (p) => this.logs.unsubscribe(p.subscription));
    handle0(P.listCaptures, () => this.logs.list());
    handle(P.readLogs, (p) => this.logs.read(p));
    handle(P.stopCapture, (p) => this.logs.stop(p.id));
    handle(P.kubeRequest, (p, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return kubeRest(this.kube.get(p.context), { ...p, signal: abort.signal });
    });
    handle(P.watchList, (p) => this.watches.watch(conn, p));
    handle(P.unwatchList, (p) => this.watches.unwatch(p.subscription));

    conn.onClose(() => {
      this.clients.delete(conn);
      this.logs.dropClient(conn);
      this.watches.dropClient(conn);
      this.armIdleTimer();
    });
    // A message that cannot be read (bad JSON, bad headers): the peer does not speak the protocol; close.
    conn.onError(([err]) => {
      this.opts.log(`dropped a client connection: ${clip(err.message, 300)}`);
      socket.destroy();
    });
    socket.on('error', () => socket.destroy());
    conn.listen();
  }

  private broadcast<T>(type: NotificationType<T>, params: T): void {
    for (const c of this.clients.keys()) void c.sendNotification(type, params).catch(() => undefined);
  }

  /**
   * The daemon exits when nobody needs it: no client, and no forward or followed capture either, for idleExitMs; or
   * no client and its kubeconfig files are gone (a deleted temporary cluster), when its forwards can never work again.
   */
  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    if (!this.opts.idleExitMs) return;
    this.idleTimer = setTimeout(() => {
      const noWork = this.forwards.list().length === 0 && !this.logs.list().some((c) => c.following);
      const orphaned = !this.opts.paths.kubeconfig.split(path.delimiter).some((f) => fs.existsSync(f));
      if (this.clients.size === 0 && (noWork || orphaned)) {
        this.opts.log(orphaned ? `kubeconfig ${this.opts.paths.kubeconfig} is gone and no client is connected; exiting` : 'idle: no clients, forwards or followed logs; exiting');
        void this.close().then(() => process.exit(0));
      } else {
        this.armIdleTimer();
      }
    }, this.opts.idleExitMs);
    this.idleTimer.unref();
  }
}

function toResponse(err: unknown): ResponseError<P.ErrorData> {
  if (err instanceof DaemonError) return err.toResponseError();
  if (err instanceof ResponseError) return err as ResponseError<P.ErrorData>;
  return new ResponseError<P.ErrorData>(P.ErrorCode.Internal, (err as Error)?.message ?? String(err), { reason: 'Internal' });
}
