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

  describe('ids stay distinct and labels stay text', function () {
    // Two tasks whose names differ only in `-` vs `_`, one feeding the other, and names carrying markup.
    const twins = () => {
      const text = fs.readFileSync(file('sdk-compiled/valid/essential/pipeline_with_after.yaml'), 'utf8');
      return parsePipeline(text.replace(/print-text-2/g, 'write_to_gcs').replace(/print-text(?![-_\w])/g, 'write-to-gcs'));
    };

    it('mermaid: `write-to-gcs` and `write_to_gcs` are two nodes, and the edge between them is not a self-loop', function () {
      const m = twins();
      assert.ok(m.root.edges.some((e) => e.from === 'write-to-gcs' && e.to === 'write_to_gcs'));
      const text = toMermaid(m);
      const nodes = [...text.matchAll(/^\s+(\w+)\["(write[-_]to[-_]gcs)"\]$/gm)];
      assert.equal(nodes.length, 2, text);
      assert.notEqual(nodes[0][1], nodes[1][1]);
      const id = new Map(nodes.map((n) => [n[2], n[1]]));
      assert.match(text, new RegExp(`^\\s+${id.get('write-to-gcs')} -(?:-|\\.-)> ${id.get('write_to_gcs')}$`, 'm'));
      for (const e of text.matchAll(/^\s+(\w+) (?:-->|-\.->)(?:\|[^|]*\|)? (\w+)$/gm)) assert.notEqual(e[1], e[2], `self-loop: ${e[0]}`);
    });

    it('dot: the same two tasks are two nodes; sub-DAGs `comp-exit-handler-1` and `comp_exit_handler_1` are two clusters', function () {
      const text = toDot(twins());
      const nodes = [...text.matchAll(/^\s+("(?:[^"\\]|\\.)*") \[label="(write[-_]to[-_]gcs)"/gm)];
      assert.equal(nodes.length, 2, text);
      assert.notEqual(nodes[0][1], nodes[1][1]);
      const m = parsePipeline(fs.readFileSync(file('sdk-compiled/valid/failing/pipeline_with_exit_handler.yaml'), 'utf8'));
      m.dags.comp_exit_handler_1 = { ...m.dags['comp-exit-handler-1'], id: 'comp_exit_handler_1' };
      const clusters = [...toDot(m).matchAll(/^\s+subgraph (\w+) \{$/gm)].map((c) => c[1]);
      assert.equal(clusters.length, 3);
      assert.equal(new Set(clusters).size, 3, clusters.join(' '));
    });

    it('mermaid: <script> and <img onerror> in names and edge labels come out as entity codes, never as markup', function () {
      const m = twins();
      m.name = '<script>alert(1)</script>';
      m.root.tasks[0].name = '<img src=x onerror=alert(1)>';
      m.root.edges[0].parameters.push({ output: '<b onmouseover=alert(1)>|x', input: 'y' });
      const text = toMermaid(m);
      const labels = [...text.matchAll(/"([^"\n]*)"/g)].map((l) => l[1].replace(/<br\/>/g, ''));
      assert.ok(labels.length >= 4);
      for (const l of labels) assert.doesNotMatch(l, /[<>|`]/, l);
      assert.ok(text.includes('["#60;img src=x onerror=alert(1)#62;"]'));
      assert.match(text, /#60;script#62;/);
      assert.doesNotMatch(text.split('\n').find((l) => l.includes('onmouseover')) ?? '', /\|x/);
      const dot = toDot(m);
      assert.ok(dot.includes('label="<img src=x onerror=alert(1)>"'), 'DOT quotes labels (Graphviz escapes them when it renders)');
    });
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
