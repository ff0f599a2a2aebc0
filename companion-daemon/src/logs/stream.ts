/**
 * One request to a container's log endpoint, as a stream of timestamped lines.
 *
 * Why not client-node's `Log` helper: it pipes the response into the caller's stream, so when the connection is cut
 * the caller never hears of it (pipe forwards no errors and no end), and non-500 errors lose the API's message. A cut
 * must be noticed to resume, so this does the request itself with the kubeconfig's HTTPS options (auth included)
 * from client-node's `applyToHTTPSOptions`.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';
import { LogLineSplitter } from './lines';

export interface LogRequest {
  namespace: string;
  pod: string;
  container: string;
  follow: boolean;
  previous?: boolean;
  /** RFC 3339; the API honours whole seconds. */
  sinceTime?: string;
}

export class LogHttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/**
 * Streams lines as `(time, text)` until the response ends (resolve) or fails (reject). Lines arrive split, bounded and
 * without terminal escapes (LogLineSplitter); a partial last line is delivered at the end. `signal` aborts the
 * request (resolves).
 */
export async function streamLogLines(
  kc: KubeConfig,
  req: LogRequest,
  onLine: (time: string, text: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('The kubeconfig context has no cluster.');
  const url = new URL(`${server.replace(/\/$/, '')}/api/v1/namespaces/${encodeURIComponent(req.namespace)}/pods/${encodeURIComponent(req.pod)}/log`);
  url.searchParams.set('container', req.container);
  url.searchParams.set('timestamps', 'true');
  if (req.follow) url.searchParams.set('follow', 'true');
  if (req.previous) url.searchParams.set('previous', 'true');
  if (req.sinceTime) url.searchParams.set('sinceTime', req.sinceTime);
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const mod = url.protocol === 'https:' ? https : http;
  await new Promise<void>((resolve, reject) => {
    if (signal.aborted) return resolve();
    const request = mod.request(url, { ...opts, method: 'GET', signal }, (res) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          let parsed: unknown = body;
          let message = body.trim() || `HTTP ${res.statusCode}`;
          try {
            parsed = JSON.parse(body);
            message = (parsed as { message?: string }).message ?? message;
          } catch {
            /* plain text */
          }
          reject(new LogHttpError(res.statusCode ?? 0, message, parsed));
        });
        return;
      }
      const lines = new LogLineSplitter(onLine);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => lines.push(chunk));
      res.on('end', () => {
        lines.flush();
        resolve();
      });
      // A cut connection: 'aborted'/'error' on the response, or a close before 'end'.
      res.on('error', (e) => (signal.aborted ? resolve() : reject(e)));
      res.on('close', () => {
        if (res.complete) return;
        if (signal.aborted) resolve();
        else reject(new Error('log stream closed before its end'));
      });
    });
    request.on('error', (e) => (signal.aborted ? resolve() : reject(e)));
    request.end();
  });
}

/**
 * Drops the lines a resumed stream sends again. A resume asks for `sinceTime` = the start of the second of the last
 * line kept (the API's resolution), so it repeats that second; the deduper remembers every line of the latest second
 * (as a multiset of time+text) and lets each through only as often as it has not been seen. Lines are remembered by a
 * 53-bit hash, not by their text: a second can hold tens of thousands of lines (a burst, or a log whose timestamps
 * all fall in one second), and their text (slices that keep the whole received chunks alive) would otherwise stay in
 * memory as long as the follower lives. Two different lines of one second sharing a hash (odds ~n²/2⁵⁴) would lose
 * the second of them only on a resume. The latest second's hashes are kept in a flat Float64Array (no Map entry and no
 * boxed number per line: a burst of lines costs 8 bytes each and no garbage); the multiset is built only on a resume.
 */
export class LineDeduper {
  private second = '';
  /** The hashes of the lines kept in `second`, the first `seenCount` of the array. */
  private seen = new Float64Array(64);
  private seenCount = 0;
  private replay: Map<number, number> | undefined;
  lastTime = '';

  /** Starts from where an earlier daemon stopped: the lines of the last second it kept (CaptureFile.resumePoints). */
  restore(lastSecond: ReadonlyArray<{ time: string; text: string }>): void {
    for (const l of lastSecond) this.accept(l.time, l.text);
  }

  /** The sinceTime to resume from, or undefined before any line. */
  resumeFrom(): string | undefined {
    if (!this.second) return undefined;
    const replay = new Map<number, number>();
    for (let i = 0; i < this.seenCount; i++) replay.set(this.seen[i], (replay.get(this.seen[i]) ?? 0) + 1);
    this.replay = replay;
    return `${this.second}Z`;
  }

  /** Lets go of the remembered second (the stream will not be resumed again). */
  forget(): void {
    this.seen = new Float64Array(64);
    this.seenCount = 0;
    this.replay = undefined;
  }

  /** True if the line is new and should be kept. */
  accept(time: string, text: string): boolean {
    const second = time.slice(0, 19);
    const key = lineHash(time, text);
    if (this.replay) {
      if (second < this.second) return false;
      if (second === this.second) {
        const n = this.replay.get(key) ?? 0;
        if (n > 0) {
          this.replay.set(key, n - 1);
          return false;
        }
      } else {
        this.replay = undefined;
      }
    }
    if (second !== this.second) {
      this.second = second;
      this.seenCount = 0;
      // A burst's array is not kept once its second is over.
      if (this.seen.length > 1024) this.seen = new Float64Array(64);
    }
    if (this.seenCount === this.seen.length) {
      const grown = new Float64Array(this.seen.length * 2);
      grown.set(this.seen);
      this.seen = grown;
    }
    this.seen[this.seenCount++] = key;
    this.lastTime = time;
    return true;
  }
}

/** cyrb53 (public domain) over `time`, a NUL and `text`, without joining them. */
function lineHash(time: string, text: string): number {
  // The mixing step is written out in each loop: in a closure, h1 and h2 would live in its context, not in registers.
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < time.length; i++) {
    const c = time.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1, 2654435761); // ^ 0, the NUL between them
  h2 = Math.imul(h2, 1597334677);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
