/**
 * The last lines of a log source through the companion daemon, for the agent tools of both hosts: the capture is
 * started (or joined), given a moment to read what the pods already wrote, and read back from the daemon's file.
 */
import type { RequestType } from 'vscode-jsonrpc';
import * as P from '../../companion-daemon/src/protocol';

/** Sends one daemon request (the extension's `DaemonClient.request`, the CLI's connection). */
export type DaemonRequest = <Params, Result>(type: RequestType<Params, Result, void>, params: Params) => Promise<Result>;

const SETTLE_MS = 800;
const MAX_WAIT_MS = 6000;

export async function capturedLines(send: DaemonRequest, source: P.LogSource, tail: number): Promise<P.LogLine[]> {
  const sub = await send(P.subscribeLogs, { source, backlog: 0 });
  try {
    // Wait until the line count stops growing (every replica's stream has caught up) or MAX_WAIT_MS.
    const deadline = Date.now() + MAX_WAIT_MS;
    let last = -1;
    for (;;) {
      const { capture } = await send(P.readLogs, { source, tail: 0 });
      const idle = capture.replicas.length > 0 && capture.replicas.every((r) => r.stream !== 'waiting');
      if ((capture.lines === last && idle) || Date.now() > deadline) break;
      last = capture.lines;
      await new Promise((r) => setTimeout(r, SETTLE_MS));
    }
  } finally {
    await send(P.unsubscribeLogs, { subscription: sub.subscription }).catch(() => undefined);
  }
  return (await send(P.readLogs, { source, tail })).lines;
}
