/**
 * `kubeflow-companion logs … -f`: prints a capture's lines as they come, across daemon restarts. When the daemon
 * goes away (killed, upgraded, stopped), it connects again (which starts a daemon, as every command does),
 * subscribes again with a backlog, and prints only what follows the last line it printed (`unseen`), so the output
 * has no gap and no repeat. Gives up with a message and exit code 1 when no daemon can be reached.
 */
import { randomUUID } from 'node:crypto';
import type { DaemonConnection } from '../client';
import type { LogLine, LogSource } from '../protocol';
import * as P from '../protocol';

/** How many lines a reconnect asks for to find where it left off (lines the daemon kept while we were away). */
export const RESUME_BACKLOG = 20_000;
/** How many of the last printed lines identify the place (identical lines can repeat). */
const ANCHOR = 32;

const key = (l: LogLine): string => JSON.stringify([l.replica, l.pod, l.container, l.time, l.text]);

/**
 * The lines of `backlog` after the last ones printed (`recent`, oldest first), or undefined when the backlog does
 * not reach back to them.
 */
export function unseen(recent: readonly string[], backlog: readonly LogLine[]): LogLine[] | undefined {
  if (recent.length === 0) return [...backlog];
  const keys = backlog.map(key);
  for (let j = keys.length - 1; j >= 0; j--) {
    const m = Math.min(recent.length, j + 1);
    let ok = true;
    for (let k = 0; k < m && ok; k++) ok = keys[j - k] === recent[recent.length - 1 - k];
    if (ok) return backlog.slice(j + 1);
  }
  return undefined;
}

export interface FollowOptions {
  connect: () => Promise<DaemonConnection>;
  source: LogSource;
  /** Lines to show first (from the end); -1 all. */
  tail: number;
  write: (l: LogLine) => void;
  /** Notes for the user (stderr). */
  note: (m: string) => void;
  /** Resolves when the user wants to stop (Ctrl-C). */
  interrupted: Promise<void>;
}

export async function followLogs(o: FollowOptions): Promise<number> {
  const recent: string[] = [];
  const print = (lines: readonly LogLine[]): void => {
    for (const l of lines) {
      o.write(l);
      recent.push(key(l));
    }
    if (recent.length > 2 * ANCHOR) recent.splice(0, recent.length - ANCHOR);
  };
  let first = true;
  let stop = false;
  void o.interrupted.then(() => (stop = true));
  while (!stop) {
    let d: DaemonConnection;
    try {
      d = await o.connect();
    } catch (e) {
      o.note(`the companion daemon went away and could not be started again: ${(e as Error).message}`);
      return 1;
    }
    const subscription = randomUUID();
    let early: LogLine[] | undefined = [];
    d.connection.onNotification(P.didAppendLogs, (p) => {
      if (p.subscription !== subscription) return;
      if (early) early.push(...p.lines);
      else print(p.lines);
    });
    const closed = new Promise<void>((resolve) => d.connection.onClose(resolve));
    try {
      // A daemon that is stopping may take the request and close without answering it: the close ends the wait.
      const sub = await Promise.race([
        d.connection.sendRequest(P.subscribeLogs, { source: o.source, subscription, backlog: first ? o.tail : RESUME_BACKLOG }),
        closed.then(() => Promise.reject(new Error('the companion daemon closed the connection before it answered'))),
      ]);
      const rest = first ? sub.lines : unseen(recent, sub.lines);
      if (!rest) o.note(`reconnected to the companion daemon; more than ${RESUME_BACKLOG} lines came meanwhile, some are not shown (see \`kubeflow-companion logs\` without -f)`);
      print(rest ?? sub.lines.slice(-RESUME_BACKLOG));
      print(early);
      early = undefined;
    } catch (e) {
      d.dispose();
      if (first) throw e;
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    first = false;
    await Promise.race([closed, o.interrupted]);
    d.dispose();
  }
  return 0;
}
