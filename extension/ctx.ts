import type * as vscode from 'vscode';
import type { Kube } from './cluster/kube';
import type { DaemonClient } from './daemon/client';
import type { Log } from './log';

/**
 * What every feature gets at registration: the extension context (disposal scope, storage), the log, and the
 * companion daemon client (which connects on first use) and Kubernetes access through it. Features take only what they need from here; there is
 * no global container.
 */
export interface Ctx {
  readonly extension: vscode.ExtensionContext;
  readonly log: Log;
  readonly daemon: DaemonClient;
  /** Kubernetes reads, writes and watches, through the daemon. */
  readonly kube: Kube;
}

/** A feature module's registration: called once at activation, registers providers and commands, does no I/O. */
export type Feature = (ctx: Ctx) => vscode.Disposable[];
