/**
 * The daemon's log file (daemon.log in its state directory), size-capped: past 5 MB it is moved to daemon.log.1.
 * Messages never contain tokens or kubeconfig contents.
 */
import fs from 'node:fs';

const MAX_BYTES = 5 * 1024 * 1024;

export function fileLogger(file: string, alsoStderr: boolean): (msg: string) => void {
  let size = 0;
  try {
    size = fs.statSync(file).size;
  } catch {
    /* new file */
  }
  return (msg: string) => {
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
