/**
 * Turns the text of a log response into bounded, readable lines, scanning each chunk once:
 * - a line longer than `maxChars` is cut there, with a marker, and the rest of it skipped (a process that never
 *   writes `\n` cannot grow the daemon's memory);
 * - a `\r` that is not part of `\r\n` is a terminal redraw (progress bars): the line restarts, so a bar that redraws
 *   a thousand times is one line with its last state;
 * - ANSI escape sequences and other terminal control sequences are removed (`util.stripVTControlCharacters`);
 * - the kubelet's `timestamps=true` prefix is split off as the line's time.
 */
import { stripVTControlCharacters } from 'node:util';

export const MAX_LINE_CHARS = 64 * 1024;

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\S+$/;
/** Enough for an RFC 3339 timestamp with nanoseconds and a zone. */
const HEAD_CHARS = 48;

export class LogLineSplitter {
  private parts: string[] = [];
  private length = 0;
  private cut = false;
  /** The line's first characters, kept across redraws: the timestamp lives there. */
  private head = '';
  /** The state before the latest redraw, in case the last one is blank (a bar that clears itself). */
  private previous = '';
  private pendingCR = false;

  constructor(
    private readonly onLine: (time: string, text: string) => void,
    private readonly maxChars = MAX_LINE_CHARS,
  ) {}

  push(chunk: string): void {
    let i = 0;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (chunk.startsWith('\n')) {
        this.end();
        i = 1;
      } else if (chunk) this.redraw();
      else this.pendingCR = true;
    }
    // The next \r is looked for again only once passed: a chunk without one is not scanned to its end at every line.
    let cr = chunk.indexOf('\r', i);
    while (i < chunk.length) {
      const nl = chunk.indexOf('\n', i);
      if (cr !== -1 && cr < i) cr = chunk.indexOf('\r', i);
      const stop = cr !== -1 && (nl === -1 || cr < nl) ? cr : nl;
      if (stop === -1) {
        this.add(chunk.slice(i));
        return;
      }
      this.add(chunk.slice(i, stop));
      i = stop + 1;
      if (chunk[stop] === '\n') this.end();
      else if (i === chunk.length) this.pendingCR = true; // \r\n split across chunks, or a redraw: decided next time
      else if (chunk[i] === '\n') {
        this.end();
        i++;
      } else this.redraw();
    }
  }

  /** The response ended: a partial last line is delivered. */
  flush(): void {
    this.pendingCR = false;
    if (this.length || this.previous) this.end();
  }

  private add(s: string): void {
    if (!s) return;
    if (this.head.length < HEAD_CHARS) this.head += s.slice(0, HEAD_CHARS - this.head.length);
    if (this.cut) return;
    const room = this.maxChars - this.length;
    if (s.length > room) {
      s = s.slice(0, room);
      this.cut = true;
    }
    this.parts.push(s);
    this.length += s.length;
  }

  private redraw(): void {
    const prefix = this.timePrefix();
    const current = this.take();
    if (stripVTControlCharacters(current.slice(prefix.length)).trim()) this.previous = current.slice(prefix.length);
    this.parts = prefix ? [prefix] : [];
    this.length = prefix.length;
    this.cut = false;
  }

  private end(): void {
    const prefix = this.timePrefix();
    let raw = this.take().slice(prefix.length);
    if (!stripVTControlCharacters(raw).trim() && this.previous) raw = this.previous;
    const text = stripVTControlCharacters(raw) + (this.cut ? ` … [line cut at ${this.maxChars} characters]` : '');
    this.parts = [];
    this.length = 0;
    this.cut = false;
    this.head = '';
    this.previous = '';
    this.onLine(prefix ? prefix.slice(0, -1) : '', text);
  }

  /** `TIME ` when the line starts with a timestamp, else ''. */
  private timePrefix(): string {
    const sp = this.head.indexOf(' ');
    return sp > 0 && TIMESTAMP.test(this.head.slice(0, sp)) ? this.head.slice(0, sp + 1) : '';
  }

  private take(): string {
    const s = this.parts.join('');
    this.parts = [s];
    return s;
  }
}
