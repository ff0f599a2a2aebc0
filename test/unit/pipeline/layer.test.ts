// One level as the view draws it: task nodes, artifacts as nodes between producer and consumer, DAG inputs with
// the names the parent wires into them, and what the toggles remove.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { resolvePath } from '../../../core/pipeline/describe';
import { buildLevel, MAX_LEVEL_TASKS, oversizedLevel } from '../../../core/pipeline/layer';
import type { PipelineModel } from '../../../core/pipeline/model';
import { parsePipeline } from '../../../core/pipeline/parse';
import { requireShared } from '../../support/shared';

describe('pipeline level view', function () {
  let dir = '';
  const parse = (f: string): PipelineModel => parsePipeline(fs.readFileSync(path.join(dir, f), 'utf8'));
  before(function () {
    dir = requireShared(this, 'fixtures', 'kfp-ir');
  });

  it('a level beyond MAX_LEVEL_TASKS is refused with a message naming it (the 111,782-task level of the largest real pipelines is not)', function () {
    const m = parse('sdk-compiled/valid/failing/pipeline_with_exit_handler.yaml');
    assert.equal(oversizedLevel(m), undefined);
    const inner = m.dags['comp-exit-handler-1'];
    const one = inner.tasks[0];
    inner.tasks = Array.from({ length: MAX_LEVEL_TASKS + 1 }, (_, i) => ({ ...one, id: `t-${i}`, name: `t-${i}` }));
    assert.match(oversizedLevel(m) ?? '', /^The DAG `comp-exit-handler-1` has 200,001 tasks; the graph view draws at most 200,000 per level\. Export/);
    inner.tasks.length = MAX_LEVEL_TASKS;
    assert.equal(oversizedLevel(m), undefined);
  });

  it('artifacts are nodes: preprocess → output_dataset_one → train, and the toggle turns them into direct data edges', function () {
    const m = parse('frontend-test/lightweight_python_functions_v2_pipeline_rev.yaml');
    const level = buildLevel(m, m.root, undefined);
    const art = level.nodes.find((n) => n.kind === 'artifact' && n.label === 'output_dataset_one');
    assert.ok(art);
    assert.ok(level.edges.some((e) => e.from === 't:preprocess' && e.to === art.id && e.kind === 'artifact'));
    assert.ok(level.edges.some((e) => e.from === art.id && e.to === 't:train' && e.kind === 'data' && e.label === 'output_dataset_one → dataset_one_path'));
    assert.ok(level.nodes.some((n) => n.kind === 'artifact' && n.label === 'model' && n.detail === 'Model'), 'outputs nobody reads show too');
    const plain = buildLevel(m, m.root, undefined, { artifacts: false, io: false });
    assert.deepEqual(plain.nodes.map((n) => n.id).sort(), ['t:preprocess', 't:train']);
    const direct = plain.edges.find((e) => e.from === 't:preprocess' && e.to === 't:train');
    assert.equal(direct?.kind, 'data');
    assert.match(direct?.label ?? '', /output_dataset_one → dataset_one_path/);
  });

  it('inside a sub-DAG, inputs carry the names of what the parent wires in', function () {
    const m = parse('frontend-test/pipeline_with_loops_and_conditions.yaml');
    const { dag, parents } = resolvePath(m, ['condition-1']);
    assert.equal(dag.id, 'comp-condition-1');
    const level = buildLevel(m, dag, parents[0]);
    const inputs = level.nodes.filter((n) => n.kind === 'input').map((n) => n.label).sort();
    assert.deepEqual(inputs, ['args-generator-op.Output', 'flip-coin-op.Output', 'loop_parameter', 'msg']);
    const loopBody = resolvePath(m, ['condition-1', 'for-loop-2']);
    const body = buildLevel(m, loopBody.dag, loopBody.parents[1]);
    assert.ok(body.nodes.some((n) => n.kind === 'input' && n.label === 'item of args-generator-op.Output'));
  });

  it('sub-DAG nodes say what they are: loop size and parallelism, the condition, the number of tasks inside', function () {
    const m = parse('sdk-compiled/valid/pipeline_with_parallelfor_parallelism.yaml');
    const level = buildLevel(m, m.root, undefined);
    const loops = level.nodes.filter((n) => n.style === 'sub-dag loop');
    assert.ok(loops.length > 0);
    assert.ok(loops.some((n) => /at most \d+ at a time/.test(n.detail ?? '')));
    assert.ok(loops.every((n) => n.badges.some((b) => /^\d+ tasks?$/.test(b))));
    const c = parse('sdk-compiled/valid/essential/pipeline_with_condition.yaml');
    const cond = buildLevel(c, c.root, undefined).nodes.find((n) => n.style === 'sub-dag condition');
    assert.match(cond?.detail ?? '', /^if flip-coin.*Output == 'heads'/);
  });

  it('the exit task is marked as always running and its edge from the handler as such', function () {
    const m = parse('sdk-compiled/valid/failing/pipeline_with_exit_handler.yaml');
    const level = buildLevel(m, m.root, undefined);
    assert.ok(level.nodes.find((n) => n.id === 't:print-op')?.badges.includes('always runs'));
    const e = level.edges.find((x) => x.from === 't:exit-handler-1' && x.to === 't:print-op');
    assert.equal(e?.kind, 'control');
    assert.equal(e?.always, true);
  });

  it('DAG outputs are nodes fed by the task (or artifact) they select', function () {
    const m = parse('sdk-compiled/valid/essential/pipeline_with_outputs.yaml');
    const sub = Object.values(m.dags).find((d) => d.outputs.length > 0);
    assert.ok(sub);
    const level = buildLevel(m, sub, undefined);
    for (const out of sub.outputs) {
      const id = `o:${out.name}`;
      assert.ok(level.nodes.some((n) => n.id === id));
      assert.ok(level.edges.some((e) => e.to === id));
    }
  });

  it('a sub-DAG output node shows the output it carries, not the compiler-made pipelinechannel-- name', function () {
    const m = parse('sdk-compiled/valid/artifacts_complex.yaml');
    const { dag, parents } = resolvePath(m, ['for-loop-2']);
    const outputs = buildLevel(m, dag, parents[0]).nodes.filter((n) => n.kind === 'output');
    assert.ok(outputs.length > 0);
    assert.deepEqual(outputs.filter((n) => n.label.includes('pipelinechannel--')).map((n) => n.label), []);
    assert.ok(outputs.some((n) => n.label === 'double-2.out_dataset'), outputs.map((n) => n.label).join(', '));
  });

  it('a task wired twice from one input (a loop item) gets one edge, so its details list that upstream once', function () {
    const m = parse('frontend-test/pipeline_with_loops_and_conditions.yaml');
    for (const dag of Object.values(m.dags)) {
      const level = buildLevel(m, dag, undefined);
      const pairs = level.edges.map((e) => `${e.from} → ${e.to} (${e.kind})`);
      assert.deepEqual(pairs.filter((p, i) => pairs.indexOf(p) !== i), [], dag.id);
    }
    const { dag, parents } = resolvePath(m, ['for-loop-14']);
    const into = buildLevel(m, dag, parents[0]).edges.filter((e) => e.to === 't:condition-15' && e.from.startsWith('i:'));
    assert.equal(into.length, 1);
    assert.equal(into[0]!.label, 'item of loop_parameter');
  });
});
