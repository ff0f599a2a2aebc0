/**
 * The daemon's log file (daemon.log in its state directory), size-capped: past 5 MB it is moved to daemon.log.1.
 * Messages never contain tokens or kubeconfig contents, and are bounded (MAX_MESSAGE_CHARS; client-provided strings
 * go through `clip`), so nobody can rotate the real diagnostics away with one huge line.
 */
import fs from 'node:fs';

const MAX_BYTES = 5 * 1024 * 1024;
export const MAX_MESSAGE_CHARS = 4096;

/** A client-provided value for a log message: one line (control characters escaped), at most `max` characters. */
export function clip(value: unknown, max = 120): string {
  const s = String(value);
  const head = JSON.stringify(s.slice(0, max)).slice(1, -1);
  return s.length > max ? `${head}… (${s.length - max} more characters)` : head;
}

export function fileLogger(file: string, alsoStderr: boolean): (msg: string) => void {
  let size = 0;
  try {
    size = fs.statSync(file).size;
  } catch {
    /* new file */
  }
  return (msg: string) => {
    if (msg.length > MAX_MESSAGE_CHARS) msg = `${msg.slice(0, MAX_MESSAGE_CHARS)}… (${msg.length - MAX_MESSAGE_CHARS} more characters)`;
    const line = `${new Date().toISOString()} ${msg}\n`;
    if (alsoStderr) process.stderr.write(line);
    try {
      if (size > MAX_BYTES) {
        fs.renameSync(file, `${file}.1`);
        size = 0;
      }
      fs.appendFileSync(file, line, { mode: 0o600 });
      size += line.length;
    } catch {
      /* logging must never take the daemon down */
    }
  };
}
