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
  private head = { replica: '', pod: '', container: '', json: '' };

  constructor(
    readonly file: string,
    private readonly maxBytes = 16 * 1024 * 1024,
    private readonly keep = 2,
  ) {
    this.fd = fs.openSync(file, 'a', 0o600);
    this.bytes = fs.fstatSync(this.fd).size;
    if (this.bytes) this.readExisting();
  }

  /**
   * Where each container's kept lines end: per `pod/container`, the lines of the last second kept (time and text,
   * in order). A daemon that starts on an existing capture resumes each follower from there (see LineDeduper), so a
   * restart, a `kill -9` or an upgrade neither repeats nor loses lines. Reads every kept part, oldest first.
   */
  resumePoints(): Map<string, Array<{ time: string; text: string }>> {
    const out = new Map<string, Array<{ time: string; text: string }>>();
    const parts = [...Array.from({ length: this.keep }, (_, i) => `${this.file}.${this.keep - i}`), this.file];
    for (const p of parts) {
      let text: string;
      try {
        text = fs.readFileSync(p, 'utf8');
      } catch {
        continue;
      }
      for (const row of text.split('\n')) {
        const l = row ? parseLine(row) : undefined;
        if (!l?.time) continue;
        const key = `${l.pod}/${l.container}`;
        const last = out.get(key);
        if (last && last[0].time.slice(0, 19) === l.time.slice(0, 19)) last.push({ time: l.time, text: l.text });
        else out.set(key, [{ time: l.time, text: l.text }]);
      }
    }
    return out;
  }

  append(lines: readonly LogLine[]): void {
    if (lines.length === 0) return;
    let text = '';
    for (const l of lines) text += `${this.rowHead(l)}${JSON.stringify(l.time)},"text":${JSON.stringify(l.text)}}\n`;
    fs.writeSync(this.fd, text);
    this.bytes += Buffer.byteLength(text);
    this.lines += lines.length;
    if (this.bytes > this.maxBytes) this.rotate();
  }

  /**
   * `JSON.stringify(line)` up to its time, kept for the latest replica/pod/container: a batch's lines mostly share them.
   * Keys in the order of LogLine, as a plain stringify writes them.
   */
  private rowHead(l: LogLine): string {
    const h = this.head;
    if (h.replica === l.replica && h.pod === l.pod && h.container === l.container) return h.json;
    this.head = { replica: l.replica, pod: l.pod, container: l.container, json: `{"replica":${JSON.stringify(l.replica)},"pod":${JSON.stringify(l.pod)},"container":${JSON.stringify(l.container)},"time":` };
    return this.head.json;
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

  /** Counts the kept lines; a daemon killed in the middle of a write left a partial last line: cut (it is fetched again). */
  private readExisting(): void {
    const buf = fs.readFileSync(this.file);
    if (buf[buf.length - 1] !== 10) {
      this.bytes = buf.lastIndexOf(10) + 1;
      fs.ftruncateSync(this.fd, this.bytes);
    }
    let n = 0;
    for (let i = buf.indexOf(10); i !== -1 && i < this.bytes; i = buf.indexOf(10, i + 1)) n++;
    this.lines = n;
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
