/**
 * The per-forward secret: a forward started with `secret: true` admits a local connection only when its first HTTP
 * request carries `FORWARD_SECRET_HEADER: <secret>` (the editor adds it to its REST calls and WebSocket upgrades).
 * Any local user can connect to 127.0.0.1, and Kubeflow's Jupyter servers run without a token, so without this any
 * of them could run code in the pod. The bytes read to find the header are put back (`unshift`) and go to the pod
 * unchanged; a connection without the secret gets a 403 and is closed, and nothing reaches the pod.
 * A browser cannot add headers: the editor opens `FORWARD_LOGIN_PATH<secret>/<path>`, which answers with a cookie
 * (`kubeflow-forward-<port>`, HttpOnly, SameSite=Strict) and a redirect to `/<path>`; requests with that cookie pass.
 */
import { timingSafeEqual } from 'node:crypto';
import type net from 'node:net';
import { FORWARD_LOGIN_PATH, FORWARD_SECRET_HEADER } from '../protocol';

/** An HTTP request head larger than this is refused (Node's own default limit is 16 KB). */
const MAX_HEAD = 16 * 1024;
/** How long a connection may take to send its request head. */
const HEAD_TIMEOUT_MS = 30_000;

const REFUSAL = 'HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n'
  + 'This port-forward admits only the editor that started it (Kubeflow for VS Code forward secret missing or wrong).\n';

const same = (got: string, secret: string): boolean => {
  const a = Buffer.from(got);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** The cookie a browser gets for the forward on `port` (cookies are per host, not per port). */
export const cookieName = (port: number): string => `kubeflow-forward-${port}`;

/**
 * What to do with a request head (up to the blank line): `pass` when it carries the secret (header or this port's
 * cookie), `login` + where to when it is the browser login path with the right secret, else `refuse`.
 */
export function judgeHead(head: string, secret: string, port: number): { verdict: 'pass' | 'refuse' } | { verdict: 'login'; location: string } {
  const [requestLine = '', ...lines] = head.split('\r\n');
  const target = requestLine.split(' ')[1] ?? '';
  if (target.startsWith(FORWARD_LOGIN_PATH)) {
    const rest = target.slice(FORWARD_LOGIN_PATH.length);
    const slash = rest.indexOf('/');
    const given = slash < 0 ? rest : rest.slice(0, slash);
    return same(given, secret) ? { verdict: 'login', location: slash < 0 ? '/' : rest.slice(slash) } : { verdict: 'refuse' };
  }
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === FORWARD_SECRET_HEADER && same(value, secret)) return { verdict: 'pass' };
    if (name === 'cookie') {
      for (const c of value.split(';')) {
        const eq = c.indexOf('=');
        if (eq > 0 && c.slice(0, eq).trim() === cookieName(port) && same(c.slice(eq + 1).trim(), secret)) return { verdict: 'pass' };
      }
    }
  }
  return { verdict: 'refuse' };
}

/**
 * Reads the first request head of a paused socket. True (the bytes put back, the socket paused again) when it
 * carries the secret; false (a 403 written, the socket ended) otherwise.
 */
export function admit(socket: net.Socket, secret: string): Promise<boolean> {
  return new Promise((resolve) => {
    let buf: Buffer = Buffer.alloc(0);
    const done = (ok: boolean, answer = REFUSAL): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
      clearTimeout(timer);
      if (ok) {
        socket.pause();
        socket.unshift(buf);
      } else if (!socket.destroyed) {
        socket.end(answer);
      }
      resolve(ok);
    };
    const onData = (d: Buffer): void => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_HEAD) done(false);
        return;
      }
      const j = judgeHead(buf.subarray(0, end).toString('latin1'), secret, socket.localPort ?? 0);
      if (j.verdict === 'login') {
        done(false, `HTTP/1.1 302 Found\r\nLocation: ${j.location.replace(/[\r\n]/g, '')}\r\nSet-Cookie: ${cookieName(socket.localPort ?? 0)}=${secret}; Path=/; HttpOnly; SameSite=Strict\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      } else done(j.verdict === 'pass');
    };
    const onClose = (): void => done(false);
    const timer = setTimeout(() => done(false), HEAD_TIMEOUT_MS);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.resume();
  });
}
