import assert from 'node:assert/strict';
import { LogLineSplitter } from '../../../companion-daemon/src/logs/lines';

/** Feeds `chunks` and returns what came out as `[time, text]`. */
function split(chunks: string[], maxChars?: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const s = new LogLineSplitter((time, text) => out.push([time, text]), maxChars);
  for (const c of chunks) s.push(c);
  s.flush();
  return out;
}

const T = '2026-01-01T00:00:01.123456789Z';

describe('job log lines', () => {
  it('splits the timestamp off and keeps a partial last line', () => {
    assert.deepEqual(split([`${T} one\n${T} tw`, `o\nno timestamp\n${T} last`]), [
      [T, 'one'],
      [T, 'two'],
      ['', 'no timestamp'],
      [T, 'last'],
    ]);
  });

  it('gives the same lines however the response is chunked, \\r\\n included', () => {
    const text = `${T} a\r\n${T} \x1b[32mgreen\x1b[0m\n${T} 10%\r 50%\r100%\n${T} done\r\n\n`;
    const whole = split([text]);
    assert.deepEqual(whole, [
      [T, 'a'],
      [T, 'green'],
      [T, '100%'],
      [T, 'done'],
      ['', ''],
    ]);
    for (let i = 1; i < text.length; i++) assert.deepEqual(split([text.slice(0, i), text.slice(i)]), whole, `split at ${i}`);
    assert.deepEqual(split([...text]), whole, 'one character at a time');
  });

  it('shows no terminal escapes', () => {
    const [[, text]] = split([`${T} \x1b[1;31mERROR\x1b[0m \x1b]0;title\x07loss \x1b[2Kdone\n`]);
    assert.equal(text, 'ERROR loss done');
    assert.ok(!text.includes('\x1b'), text);
  });

  it('makes one line of the last state of a progress bar that redraws with \\r', () => {
    const bar = (p: number) => `\r${'#'.repeat(p / 2)} ${p}%`;
    const chunks = [`${T} epoch 1`];
    for (let p = 0; p <= 100; p++) chunks.push(bar(p));
    chunks.push('\r\x1b[K\n', `${T} next\n`);
    assert.deepEqual(split(chunks), [
      [T, `${'#'.repeat(50)} 100%`],
      [T, 'next'],
    ]);
  });

  it('cuts a line past the limit, with a marker, and stays bounded on a line that never ends', () => {
    const out = split([`${T} `, 'x'.repeat(5000), 'y'.repeat(5000), `\n${T} after\n`], 1000);
    assert.equal(out.length, 2);
    assert.match(out[0][1], /^x+ … \[line cut at 1000 characters\]$/);
    assert.ok(out[0][1].length < 1100, `${out[0][1].length} characters`);
    assert.equal(out[0][0], T);
    assert.deepEqual(out[1], [T, 'after']);
    // 20 MB with no newline: what is kept stays at the limit.
    const lines: string[] = [];
    const s = new LogLineSplitter((_t, text) => lines.push(text));
    for (let i = 0; i < 20; i++) s.push('z'.repeat(1024 * 1024));
    s.flush();
    assert.equal(lines.length, 1);
    assert.ok(lines[0].length < 64 * 1024 + 100, `${lines[0].length} characters`);
  });
});
