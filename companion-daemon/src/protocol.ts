/**
 * The companion daemon's protocol: every request and notification that crosses the extension ↔ daemon and
 * CLI ↔ daemon boundary. Owned by the daemon, imported by the extension and the CLI. JSON-RPC 2.0 framed by
 * `vscode-jsonrpc` over a Unix socket. Imports nothing from `vscode`.
 *
 * Naming: requests `area/verb`, notifications `area/didChange…` (past tense).
 */
import { RequestType } from 'vscode-jsonrpc';

/** Bumped on every incompatible change. An extension that meets a daemon of another version restarts it. */
export const PROTOCOL_VERSION = 1;

// --- handshake

export interface HelloParams {
  /** The client's PROTOCOL_VERSION. */
  protocolVersion: number;
  /** Who is asking, for the daemon's log: `vscode <version>`, `cli`. */
  client: string;
}
export interface HelloResult {
  protocolVersion: number;
  /** The daemon's package version. */
  daemonVersion: string;
  pid: number;
  /** Milliseconds since the daemon started. */
  uptimeMs: number;
}
export const hello = new RequestType<HelloParams, HelloResult, void>('daemon/hello');

/** Asks the daemon to stop its forwards and log streams and exit. */
export const shutdown = new RequestType<void, void, void>('daemon/shutdown');
