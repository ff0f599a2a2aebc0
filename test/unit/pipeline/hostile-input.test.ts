// Bad input the parser (and so the `graph` CLI and the graph panel) must turn into a diagnostic at its line, never a
// stack trace: YAML alias bombs inside values kept as written, nesting deeper than any pipeline, files beyond the
// stated size; and positions that still point at the right line when they are looked up lazily.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { graphCommand } from '../../../companion-daemon/src/cli/graph';
import { exportPipeline } from '../../../core/pipeline/export';
import type { PipelineModel } from '../../../core/pipeline/model';
import { parsePipeline } from '../../../core/pipeline/parse';
import { MAX_PIPELINE_CHARS } from '../../../core/pipeline/yaml-read';
import { requireShared } from '../../support/shared';
import { syntheticPipeline } from '../../support/synthetic-pipeline';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  let text = '';
  let err = '';
  out.on('data', (b: Buffer) => (text += b.toString()));
  const stderr = process.stderr.write;
  process.stderr.write = ((s: string | Uint8Array) => ((err += String(s)), true)) as typeof process.stderr.write;
  try {
    const code = await graphCommand(args, out);
    return { code, out: text, err };
  } finally {
    process.stderr.write = stderr;
  }
}

/** A flow sequence whose aliases expand to 9^9 (387 million) leaves, anchored as `&j`. */
function bomb(): string {
  const levels = ['&a [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    levels.push(`&${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  }
  return `&j [${levels.join(', ')}]`;
}

const lineOf = (text: string, line: number) => text.split('\n')[line];

describe('pipeline parser: hostile and huge input', function () {
  let base = '';
  let tmp = '';
  before(function () {
    const dir = requireShared(this, 'fixtures', 'kfp-ir');
    base = fs.readFileSync(path.join(dir, 'sdk-compiled/valid/essential/pipeline_with_after.yaml'), 'utf8');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-hostile-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  // The anchor sits in a component's defaultValue, the alias in a task's runtimeValue constant.
  const withBomb = () =>
    base
      .replace('        text:\n          parameterType: STRING\n  comp-print-text-2:', `        text:\n          defaultValue: ${bomb()}\n          parameterType: STRING\n  comp-print-text-2:`)
      .replace('constant: 2nd task', 'constant: *j');

  it('an alias bomb in defaultValue and in runtimeValue.constant: a diagnostic at each line, the rest of the graph drawn', function () {
    const text = withBomb();
    const m = parsePipeline(text);
    const bombs = m.diagnostics.filter((d) => d.code === 'yaml-alias');
    assert.equal(bombs.length, 2, JSON.stringify(m.diagnostics));
    assert.ok(bombs.every((d) => d.severity === 'error' && /alias bomb/.test(d.message)));
    assert.match(lineOf(text, bombs[0].range.start.line), /^\s+defaultValue: &j/);
    assert.match(lineOf(text, bombs[1].range.start.line), /^\s+constant: \*j/);
    assert.deepEqual(m.root.tasks.map((t) => t.id), ['print-text', 'print-text-2', 'print-text-3']);
    assert.equal(m.root.edges.length, 3);
    // Nothing kept expands the bomb: every export is small.
    for (const format of ['json', 'mermaid', 'dot'] as const) assert.ok(exportPipeline(m, format).length < 100_000, format);
  });

  it('`graph` on the alias bomb: exit 1, the problem at its line on stderr, no stack trace', async function () {
    const file = path.join(tmp, 'bomb.yaml');
    fs.writeFileSync(file, withBomb());
    const { code, out, err } = await run([file, '--format', 'json']);
    assert.equal(code, 1);
    assert.ok(JSON.parse(out));
    assert.match(err, /bomb\.yaml:\d+:\d+: error: .*alias bomb.* \[yaml-alias\]/);
    assert.doesNotMatch(err, /ReferenceError|at .*\.ts:\d+/);
  });

  for (const [style, deep] of [
    ['flow (JSON)', `${'{"a": '.repeat(100_000)}1${'}'.repeat(100_000)}`],
    ['block sequences', `${'- '.repeat(100_000)}x\n`],
  ] as const) {
    it(`100,000 levels of nesting (${style}): a diagnostic saying so, no stack overflow`, function () {
      const m = parsePipeline(deep);
      const d = m.diagnostics.find((x) => x.code === 'too-deep');
      assert.ok(d, JSON.stringify(m.diagnostics));
      assert.match(d.message, /nests values more than 1000 levels deep/);
      assert.equal(d.severity, 'error');
    });
  }

  it('`graph` refuses a file beyond the stated size with a message (exit 2), without reading it', async function () {
    const file = path.join(tmp, 'huge.yaml');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, MAX_PIPELINE_CHARS + 1); // sparse: nothing is written
    const { code, err } = await run([file]);
    assert.equal(code, 2);
    assert.match(err, /huge\.yaml is [\d.]+ MB, more than the [\d.]+ MB a pipeline file may have/);
  });

  it('a duplicate key is still an error at its line (the fast parser stops there, the lenient one reports it)', function () {
    const text = base.replace('        taskInfo:\n          name: print-text-2\n', '        taskInfo:\n          name: print-text-2\n        taskInfo:\n          name: again\n');
    const m = parsePipeline(text);
    const d = m.diagnostics.find((x) => x.code === 'yaml-syntax');
    assert.ok(d, JSON.stringify(m.diagnostics));
    assert.match(d.message, /unique|duplicate/i);
    assert.match(lineOf(text, d.range.start.line), /^\s+taskInfo:/);
  });

  describe('positions, looked up only when asked for', function () {
    let text = '';
    let m: PipelineModel;
    before(() => {
      text = syntheticPipeline({ tasks: 2000 }).text;
      m = parsePipeline(text);
    });

    it('a clean 2,000-task pipeline has no diagnostics, and every task range is its key in the file', function () {
      assert.deepEqual(m.diagnostics, []);
      const lines = text.split('\n');
      let checked = 0;
      for (const dag of [m.root, ...Object.values(m.dags)]) {
        for (const t of dag.tasks) {
          const r = t.range;
          assert.equal(lines[r.start.line].slice(r.start.character, r.end.character), t.id, `${dag.id}/${t.id}`);
          assert.match(lines[r.start.line], new RegExp(`^\\s+${t.id}:$`));
          checked++;
        }
      }
      assert.equal(checked, 2000);
    });

    it('ranges are not part of the serialised model (the webview message stays free of them)', function () {
      assert.doesNotMatch(JSON.stringify(m.root.tasks[0]), /"range"/);
      assert.ok(m.root.tasks[0].range.start.line > 0);
    });

    it('a broken reference deep in the file is reported at its line', function () {
      const victim = m.root.tasks[m.root.tasks.length - 1];
      const lines = text.split('\n');
      const at = lines.findIndex((l, i) => i > victim.range.start.line && /^\s+name: comp-/.test(l));
      lines[at] = lines[at].replace(/comp-[\w-]+/, 'comp-missing');
      const d = parsePipeline(lines.join('\n')).diagnostics.find((x) => x.code === 'unknown-component');
      assert.ok(d);
      assert.equal(d.range.start.line, at);
      assert.equal(lines[at].slice(d.range.start.character, d.range.end.character), 'comp-missing');
    });
  });
});
