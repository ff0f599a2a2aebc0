/**
 * A capture on disk: one JSON line per log line, so logs stay readable after the pods are gone. Size-bounded: past
 * `maxBytes` the file rotates to `.1` (and `.1` to `.2`, …); `keep` rotated parts are kept, older ones deleted.
 */
import fs from 'node:fs';
import type { LogLine } from '../protocol';

export class CaptureFile {
  private fd: number;
  bytes = 0;
  lines = 0;

  constructor(
    readonly file: string,
    private readonly maxBytes = 16 * 1024 * 1024,
    private readonly keep = 2,
  ) {
    this.fd = fs.openSync(file, 'a', 0o600);
    this.bytes = fs.fstatSync(this.fd).size;
    this.lines = this.bytes ? countLines(file) : 0;
  }

  append(lines: readonly LogLine[]): void {
    if (lines.length === 0) return;
    const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
    fs.writeSync(this.fd, text);
    this.bytes += Buffer.byteLength(text);
    this.lines += lines.length;
    if (this.bytes > this.maxBytes) this.rotate();
  }

  /** The last `n` lines kept on disk (all when n is undefined or negative), oldest first. */
  tail(n?: number): LogLine[] {
    const want = n === undefined || n < 0 ? Infinity : n;
    if (want === 0) return [];
    const parts = [this.file, ...Array.from({ length: this.keep }, (_, i) => `${this.file}.${i + 1}`)];
    const out: LogLine[][] = [];
    let have = 0;
    for (const p of parts) {
      if (have >= want) break;
      let text: string;
      try {
        text = fs.readFileSync(p, 'utf8');
      } catch {
        break;
      }
      const rows = text.split('\n').filter(Boolean);
      const take = rows.slice(Math.max(0, rows.length - (want - have)));
      out.unshift(take.map(parseLine).filter((l): l is LogLine => l !== undefined));
      have += take.length;
    }
    return out.flat();
  }

  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      /* closed */
    }
  }

  private rotate(): void {
    fs.closeSync(this.fd);
    for (let i = this.keep; i >= 1; i--) {
      const from = i === 1 ? this.file : `${this.file}.${i - 1}`;
      try {
        fs.renameSync(from, `${this.file}.${i}`);
      } catch {
        /* part missing */
      }
    }
    this.fd = fs.openSync(this.file, 'a', 0o600);
    this.bytes = 0;
    this.lines = 0;
  }
}

function parseLine(s: string): LogLine | undefined {
  try {
    return JSON.parse(s) as LogLine;
  } catch {
    return undefined;
  }
}

function countLines(file: string): number {
  const buf = fs.readFileSync(file);
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}
