/**
 * Daemon forwards to notebook servers, as the kernels need them: one per server (the daemon returns the existing one
 * for the same target), its last known state, and an event when it becomes ready again after a drop (pod replaced,
 * daemon restarted) so kernels reconnect at once instead of waiting for the library's 10–30 s retry.
 */
import * as vscode from 'vscode';
import * as P from '../../companion-daemon/src/protocol';
import type { DaemonClient } from '../daemon/client';
import { serverKey, serverLabel, type ServerRef } from './servers';

/** A Workspace's Jupyter port now (from the store's kinds), or why it has none; the ref's saved port otherwise. */
export type WorkspacePortOf = (server: ServerRef) => { portId: string; port: number } | { problem: string } | undefined;

export class ForwardError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'ForwardError';
  }
}

export class ServerForwards implements vscode.Disposable {
  /** Forward id by server key, and the last state of each forward id. */
  private ids = new Map<string, string>();
  private infos = new Map<string, P.ForwardInfo>();
  private readonly _onDidBecomeReady = new vscode.EventEmitter<P.ForwardInfo>();
  /** A forward went (back) to `ready` from another state. */
  readonly onDidBecomeReady = this._onDidBecomeReady.event;
  private readonly _onDidChange = new vscode.EventEmitter<P.ForwardInfo>();
  readonly onDidChange = this._onDidChange.event;
  private readonly subs: vscode.Disposable[];

  constructor(
    private readonly daemon: DaemonClient,
    private readonly portOf: WorkspacePortOf = () => undefined,
  ) {
    this.subs = [
      daemon.onNotification(P.didChangeForward, (info) => this.update(info)),
      // A new daemon brings the forwards back; re-read their states (their notifications may have come before ours).
      daemon.onReconnect(async () => {
        if (this.ids.size === 0) return;
        for (const info of await daemon.request(P.listForwards)) this.update(info);
      }),
    ];
  }

  /** The forward's state as last reported. */
  info(server: ServerRef): P.ForwardInfo | undefined {
    const id = this.ids.get(serverKey(server));
    return id ? this.infos.get(id) : undefined;
  }

  forServer(server: ServerRef): (info: P.ForwardInfo) => boolean {
    return (info) => this.ids.get(serverKey(server)) === info.id;
  }

  /**
   * Starts (or joins) the forward to a server and resolves with its URL once the local port listens. Connections
   * made before the pod is ready wait in the daemon, so this does not wait for `ready`; it fails fast on RBAC and
   * configuration errors the daemon already knows.
   */
  async ensure(server: ServerRef): Promise<P.ForwardInfo> {
    const target = this.target(server);
    let info: P.ForwardInfo;
    try {
      // The editor's own forward: only connections that carry its secret reach the (token-less) server.
      info = await this.daemon.request(P.startForward, { target, secret: true });
    } catch (err) {
      throw new ForwardError(`Cannot forward to ${serverLabel(server)}: ${(err as Error).message}`, (err as { code?: number }).code);
    }
    this.ids.set(serverKey(server), info.id);
    this.update(info);
    const problem = this.problem(server);
    if (problem) throw problem;
    return info;
  }

  /** A v1 server's pod port is 8888; a Workspace's comes from its kind's Jupyter port, served under its connect path. */
  private target(server: ServerRef): P.ForwardTarget {
    const context = server.context ? { context: server.context } : {};
    if (server.kind !== 'Workspace') return { kind: 'notebook', namespace: server.namespace, name: server.name, ...context };
    const now = this.portOf(server);
    if (now && 'problem' in now) throw new ForwardError(now.problem);
    const port = now ?? server.jupyter;
    if (!port) throw new ForwardError(`Workspace ${server.name}: its WorkspaceKind's Jupyter port is not known yet (the kinds are still loading, or cannot be read).`);
    return { kind: 'workspace', namespace: server.namespace, name: server.name, portId: port.portId, port: port.port, ...context };
  }

  /**
   * What the daemon says is wrong with the forward (RBAC on pods/portforward, kubeconfig), as a sentence, or
   * undefined. Asked after a request through the forward failed, so the user sees the cause, not "socket hang up".
   */
  problem(server: ServerRef): ForwardError | undefined {
    const s = this.info(server)?.status;
    if (s?.state !== 'error') return undefined;
    if (s.code === P.ErrorCode.Forbidden) {
      return new ForwardError(`Kubernetes RBAC does not allow a port-forward to ${server.name} in namespace ${server.namespace}: it needs "create" on pods/portforward. ${s.reason}`, s.code);
    }
    if (s.code === P.ErrorCode.Unauthorized || s.code === P.ErrorCode.Kubeconfig) return new ForwardError(s.reason, s.code);
    return undefined;
  }

  /** Asks the daemon for the forward's state now (after a failed request: the error may have just happened). */
  async refresh(server: ServerRef): Promise<void> {
    const id = this.ids.get(serverKey(server));
    if (!id) return;
    const info = (await this.daemon.request(P.listForwards).catch(() => [])).find((f) => f.id === id);
    if (info) this.update(info);
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
    this._onDidBecomeReady.dispose();
    this._onDidChange.dispose();
  }

  private update(info: P.ForwardInfo): void {
    const before = this.infos.get(info.id);
    this.infos.set(info.id, info);
    if (![...this.ids.values()].includes(info.id)) return;
    this._onDidChange.fire(info);
    if (info.status.state === 'ready' && before && before.status.state !== 'ready') this._onDidBecomeReady.fire(info);
  }
}
