/**
 * Checks that a client speaks the daemon's framing (LSP-style: `Name: value` header lines, a `Content-Length`, a
 * blank line, then that many bytes) before vscode-jsonrpc buffers what it sends. vscode-jsonrpc keeps every byte
 * until it finds the end of a header block (and rescans them on each chunk), so a peer that sends garbage without
 * `\r\n\r\n`, or announces a body of gigabytes, would grow the daemon's memory forever; such a connection is
 * reported once through `violation` so the daemon can close it.
 */
import type { Socket } from 'node:net';

/** Header blocks of real clients are well under 100 bytes. */
export const MAX_HEADER_BYTES = 8 * 1024;
/** The largest request body accepted (a kube API write of a big manifest fits). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

const HEADER_LINE = /^[A-Za-z0-9-]+: ?[^\r\n]*$/;
const END = Buffer.from('\r\n\r\n');

export function guardFraming(socket: Socket, violation: (reason: string) => void): void {
  let header = Buffer.alloc(0);
  let body = 0;
  let failed = false;
  const fail = (reason: string): void => {
    if (failed) return;
    failed = true;
    socket.off('data', onData);
    violation(reason);
  };
  const onData = (chunk: Buffer): void => {
    let at = 0;
    while (at < chunk.length && !failed) {
      if (body > 0) {
        const n = Math.min(body, chunk.length - at);
        body -= n;
        at += n;
        continue;
      }
      // In a header block: look for its end in what we have of it (at most MAX_HEADER_BYTES + this chunk's part).
      const before = header.length;
      header = Buffer.concat([header, chunk.subarray(at, at + MAX_HEADER_BYTES + END.length)]);
      const end = header.indexOf(END, Math.max(0, before - END.length + 1));
      if (end === -1) {
        if (header.length > MAX_HEADER_BYTES) return fail(`no end of headers within ${MAX_HEADER_BYTES} bytes`);
        return;
      }
      const consumed = end + END.length - before;
      const problem = checkHeaders(header.subarray(0, end).toString('latin1'));
      if (typeof problem === 'string') return fail(problem);
      body = problem;
      at += consumed;
      header = Buffer.alloc(0);
    }
  };
  socket.on('data', onData);
}

/** The body length the headers announce, or what is wrong with them. */
function checkHeaders(block: string): number | string {
  let length: number | undefined;
  for (const line of block.split('\r\n')) {
    if (!HEADER_LINE.test(line)) return 'a header line that is not "Name: value"';
    const [name, value] = [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()];
    if (name.toLowerCase() !== 'content-length') continue;
    if (!/^\d{1,12}$/.test(value)) return 'a Content-Length that is not a number';
    length = Number(value);
  }
  if (length === undefined) return 'no Content-Length header';
  if (length > MAX_BODY_BYTES) return `a message of ${length} bytes (the limit is ${MAX_BODY_BYTES})`;
  return length;
}
