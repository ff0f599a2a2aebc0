import type * as vscode from 'vscode';
import type { Log } from './log';

/**
 * What every feature gets at registration: the extension context (disposal scope, storage) and the log.
 * Features take only what they need from here; there is no global container.
 */
export interface Ctx {
  readonly extension: vscode.ExtensionContext;
  readonly log: Log;
}

/** A feature module's registration: called once at activation, registers providers and commands, does no I/O. */
export type Feature = (ctx: Ctx) => vscode.Disposable[];
