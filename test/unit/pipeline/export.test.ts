// `kubeflow-companion graph` exports: JSON lists each DAG's tasks and data/control edges; Mermaid and DOT declare
// every node an edge uses, quote names safely, and draw control edges dashed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { graphCommand } from '../../../companion-daemon/src/cli/graph';
import { exportPipeline, toDot, toJson, toMermaid, type ExportedPipeline } from '../../../core/pipeline/export';
import { parsePipeline } from '../../../core/pipeline/parse';
import { requireShared } from '../../support/shared';

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (b: Buffer) => (text += b.toString()));
  const stderr = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write; // the CLI reports problems on stderr
  try {
    const code = await graphCommand(args, out);
    return { code, out: text };
  } finally {
    process.stderr.write = stderr;
  }
}

describe('pipeline graph export and the `graph` CLI command', function () {
  let dir = '';
  before(function () {
    dir = requireShared(this, 'fixtures', 'kfp-ir');
  });
  const file = (f: string) => path.join(dir, f);

  it('JSON: the exit-handler pipeline, root and sub-DAG, tasks with kinds and a control edge that always runs', async function () {
    const { code, out } = await run([file('sdk-compiled/valid/failing/pipeline_with_exit_handler.yaml'), '--format', 'json']);
    assert.equal(code, 0);
    const j = JSON.parse(out) as ExportedPipeline;
    assert.equal(j.pipeline, 'pipeline-with-exit-handler');
    assert.deepEqual(j.dags.map((d) => d.name), ['root', 'comp-exit-handler-1']);
    assert.deepEqual(j.dags[0].tasks.map((t) => [t.name, t.kind, t.component]), [
      ['exit-handler-1', 'sub-dag', 'comp-exit-handler-1'],
      ['print-op', 'container', 'comp-print-op'],
    ]);
    assert.deepEqual(j.dags[0].edges, [{ from: 'exit-handler-1', to: 'print-op', kind: 'control', always: true }]);
    assert.deepEqual(j.dags[1].tasks.map((t) => t.name).sort(), ['fail-op', 'print-op-2']);
  });

  it('JSON of the loops-and-conditions pipeline: 15 DAGs, data edges name the values they carry', function () {
    const j = toJson(parsePipeline(fs.readFileSync(file('frontend-test/pipeline_with_loops_and_conditions.yaml'), 'utf8')));
    assert.equal(j.dags.length, 15);
    const root = j.dags[0];
    assert.deepEqual(root.edges.find((e) => e.from === 'flip-coin-op'), {
      from: 'flip-coin-op', to: 'condition-1', kind: 'data', parameters: [{ output: 'Output', input: 'pipelinechannel--flip-coin-op-Output' }],
    });
    const loop = root.tasks.find((t) => t.name === 'for-loop-14');
    assert.equal(loop?.role, 'loop');
    assert.equal(root.tasks.find((t) => t.name === 'condition-1')?.condition, "flip-coin-op.Output != 'no-such-result'");
  });

  for (const format of ['mermaid', 'dot'] as const) {
    it(`${format}: every fixture exports with every edge endpoint declared`, function () {
      for (const f of ['frontend-test/pipeline_with_loops_and_conditions.yaml', 'sdk-compiled/valid/if_elif_else_with_oneof_parameters.yaml', 'frontend-test/xgboost_sample_pipeline.yaml']) {
        const text = exportPipeline(parsePipeline(fs.readFileSync(file(f), 'utf8')), format);
        if (format === 'mermaid') {
          assert.match(text, /^flowchart TB\n/);
          assert.equal((text.match(/^\s*subgraph /gm) ?? []).length, (text.match(/^\s*end$/gm) ?? []).length);
          const declared = new Set([...text.matchAll(/^\s+(\w+)(?:\[|\[\[|\[\/)/gm)].map((m) => m[1]));
          const edges = [...text.matchAll(/^\s+(\w+) (?:-->|-\.->)(?:\|[^|]*\|)? (\w+)$/gm)];
          assert.ok(edges.length > 0, 'edges were checked');
          for (const m of edges) assert.ok(declared.has(m[1]) && declared.has(m[2]), `${f}: ${m[0]}`);
        } else {
          assert.match(text, /^digraph /);
          assert.equal((text.match(/{/g) ?? []).length, (text.match(/}/g) ?? []).length);
          const declared = new Set([...text.matchAll(/^\s+("(?:[^"\\]|\\.)*") \[/gm)].map((m) => m[1]));
          const edges = [...text.matchAll(/^\s+("(?:[^"\\]|\\.)*") -> ("(?:[^"\\]|\\.)*")/gm)];
          assert.ok(edges.length > 0, 'edges were checked');
          for (const m of edges) assert.ok(declared.has(m[1]) && declared.has(m[2]), `${f}: ${m[0]}`);
        }
      }
    });
  }

  it('names with quotes cannot break out of labels', function () {
    const m = parsePipeline(fs.readFileSync(file('sdk-compiled/valid/hello_world.yaml'), 'utf8'));
    m.name = 'evil"]; click x "javascript:alert(1)';
    m.root.tasks[0].name = 'a"b\\c';
    assert.ok(!toMermaid(m).includes('"]; click'));
    assert.ok(toDot(m).includes('label="a\\"b\\\\c"'));
  });

  it('exit codes: 1 for a file with errors (what could be read is still printed), 2 for usage errors', async function () {
    const broken = await run([file('sdk-compiled/invalid/invalid_yaml.yaml')]);
    assert.equal(broken.code, 1);
    assert.equal((JSON.parse(broken.out) as ExportedPipeline).dags[0].tasks[0].name, 'echo');
    assert.equal((await run([file('sdk-compiled/valid/hello_world.yaml'), '--format', 'svg'])).code, 2);
    assert.equal((await run([])).code, 2);
    assert.equal((await run([path.join(dir, 'no-such-file.yaml')])).code, 2);
  });
});
