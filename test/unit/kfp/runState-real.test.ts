// The run graph of a run the real KFP 2.17 API server reported (test/fixtures/kfp-real/loop_condition_exit.*): Argo
// links a task's node to the tasks depending on it (a pod's children are the next tasks' drivers, named in the
// enclosing DAG), the exit handler's cleanup hangs off `exit-handler-1.onExit`, the ParallelFor runs its body under
// `iteration-iterations(i:i)` / `iteration-item`, and some details (the driver's own task rows) have neither a
// display name nor a state. What a user sees on the graph: every task of the IR with its state, the loop's
// iterations, the exit task.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildOverlay } from '../../../core/kfp/overlay';
import { argoNodeIds, mapTaskDetails } from '../../../core/kfp/runState';
import type { PipelineTaskDetail, Run } from '../../../core/kfp/types';
import { parsePipeline } from '../../../core/pipeline/parse';

const DIR = path.resolve(__dirname, '../../fixtures/kfp-real');
const run = JSON.parse(fs.readFileSync(path.join(DIR, 'loop_condition_exit.run.json'), 'utf8')) as Run;
const model = parsePipeline(fs.readFileSync(path.join(DIR, 'loop_condition_exit.ir.yaml'), 'utf8'));
const details = run.run_details?.task_details ?? [];

/** Every task of the IR, by `taskKey(path, task)`. */
const IR_TASKS = [
  'announce',
  'exit-handler-1',
  'exit-handler-1/make-data',
  'exit-handler-1/for-loop-2',
  'exit-handler-1/for-loop-2/count-rows',
  'exit-handler-1/condition-3',
  'exit-handler-1/condition-3/announce-2',
];

describe('run task states on the graph, from the real KFP 2.17 API server', () => {
  it('the recorded run is the one described: succeeded, drivers, nameless details, no parent_task_id', () => {
    assert.equal(run.state, 'SUCCEEDED');
    assert.ok(details.some((d) => d.display_name?.endsWith('-driver')));
    assert.ok(details.some((d) => !d.display_name && !d.state), 'details without display name or state');
    assert.ok(details.every((d) => !d.parent_task_id && !d.pod_name), 'linked by child node ids only');
  });

  it('every task of the IR is placed with its real state; drivers are no tasks; nothing is left unplaced', () => {
    const { tasks, unplaced } = mapTaskDetails(model, details);
    assert.deepEqual(Object.keys(tasks).sort(), [...IR_TASKS].sort());
    assert.deepEqual(Object.fromEntries(IR_TASKS.map((k) => [k, tasks[k]?.state])), Object.fromEntries(IR_TASKS.map((k) => [k, 'succeeded'])));
    assert.deepEqual(unplaced, []);
  });

  it('each executor task has its own pod (the one its log is read by), with the pod\'s times', () => {
    const { tasks } = mapTaskDetails(model, details);
    for (const k of ['announce', 'exit-handler-1/make-data', 'exit-handler-1/condition-3/announce-2']) {
      const inst = tasks[k]!.instances;
      assert.equal(inst.length, 1, k);
      assert.equal(inst[0]!.attempts.length, 1, `${k}: one pod`);
      assert.match(inst[0]!.attempts[0]!.node, /^loop-condition-exit-bxdvq-\d+$/, `${k}: an Argo node id`);
      assert.equal(inst[0]!.attempts[0]!.state, 'succeeded');
    }
    assert.equal(tasks['exit-handler-1/make-data']!.started, Date.parse('2026-12-07T02:17:49Z'));
    assert.equal(tasks['exit-handler-1/make-data']!.finished, Date.parse('2026-12-07T02:17:59Z'));
    assert.equal(tasks.announce!.started, Date.parse('2026-12-07T02:18:50Z'), 'the exit task ran after the main group');
    const pods = Object.values(tasks).flatMap((t) => t.instances.flatMap((i) => i.attempts.map((a) => a.node)));
    assert.equal(new Set(pods).size, pods.length, 'no pod is shown for two tasks');
  });

  it('the ParallelFor: count-rows in two iterations, both succeeded, each with its pod', () => {
    const { tasks } = mapTaskDetails(model, details);
    const body = tasks['exit-handler-1/for-loop-2/count-rows']!;
    assert.deepEqual(body.instances.map((i) => [i.iteration, i.state, i.attempts.length]), [[0, 'succeeded', 1], [1, 'succeeded', 1]]);
    assert.deepEqual(body.counts, { succeeded: 2 });
    assert.equal(tasks['exit-handler-1/for-loop-2']!.instances.length, 1, 'the loop itself once');
  });

  it('the run view\'s overlay: states and labels of the loop, its body, the condition and the exit task', () => {
    const o = buildOverlay(model, run);
    assert.equal(o.state, 'succeeded');
    assert.deepEqual(Object.fromEntries(Object.entries(o.tasks).map(([k, t]) => [k, t.label]).sort()), {
      announce: 'Succeeded',
      'exit-handler-1': 'Succeeded',
      'exit-handler-1/condition-3': 'Succeeded',
      'exit-handler-1/condition-3/announce-2': 'Succeeded',
      'exit-handler-1/for-loop-2': 'Succeeded · 2 iterations',
      'exit-handler-1/for-loop-2/count-rows': '2 iterations: 2 succeeded',
      'exit-handler-1/make-data': 'Succeeded',
    });
    assert.equal(o.tasks['exit-handler-1/for-loop-2']!.iterations, 2);
    assert.deepEqual(o.tasks['exit-handler-1/for-loop-2/count-rows']!.attempts.map((a) => a.label), ['iteration 0 · succeeded', 'iteration 1 · succeeded']);
    assert.deepEqual(o.tasks.announce!.attempts.map((a) => a.label), ['succeeded']);
  });

  it('states come from the details: a failed iteration, a cache hit (the pod skipped)', () => {
    const copy = structuredClone(details);
    const byTask = (id: string) => copy.find((d) => d.task_id === id)!;
    byTask('bef7846d-bdba-43ed-8128-17cd8d1ed174').state = 'FAILED'; // count-rows of iteration-iterations(1:1)
    byTask('0175ff4c-5afb-4d22-8b70-1eb3b3752f5d').state = 'SKIPPED'; // make-data's executor pod
    const { tasks } = mapTaskDetails(model, copy);
    const body = tasks['exit-handler-1/for-loop-2/count-rows']!;
    assert.deepEqual(body.instances.map((i) => [i.iteration, i.state]), [[0, 'succeeded'], [1, 'failed']]);
    assert.equal(body.state, 'failed');
    assert.equal(tasks['exit-handler-1/make-data']!.state, 'cached');
    assert.equal(buildOverlay(model, { ...run, run_details: { task_details: copy } }).tasks['exit-handler-1/for-loop-2/count-rows']!.label, '2 iterations: 1 succeeded · 1 failed');
  });

  it('node ids: every named detail gets the id its parent lists it by, whatever the order of the list', () => {
    const named = details.filter((d) => d.display_name);
    for (const list of [details, [...details].reverse()]) {
      const ids = argoNodeIds(list);
      assert.equal(ids.size, named.length);
      const listed = new Set(list.flatMap((d) => (d.child_tasks ?? []).map((c) => c.pod_name)));
      for (const d of named) if (d.display_name !== 'loop-condition-exit-bxdvq') assert.ok(listed.has(ids.get(d)), `${d.display_name}: listed as some node's child`);
      const { tasks, unplaced } = mapTaskDetails(model, list as PipelineTaskDetail[]);
      assert.deepEqual(Object.keys(tasks).sort(), [...IR_TASKS].sort());
      assert.deepEqual(unplaced, []);
    }
  });
});

// A real run of test/fixtures/pipelines/control_flow.py (test/fixtures/kfp-real/control_flow.*): If/Elif/Else under
// `condition-branches-3`, a ParallelFor after `make-items`, nested sub-pipelines. `make-items`' and `flip-coin`'s
// executors both have children named in the exit handler's DAG (the loop's and the branches' drivers), so those
// children alone do not tell which executor is which: each ran within its own task's time.
describe('run task states on the graph: sibling executors whose dependents sit in one DAG (real KFP 2.17)', () => {
  const cfRun = JSON.parse(fs.readFileSync(path.join(DIR, 'control_flow.run.json'), 'utf8')) as Run;
  const cfModel = parsePipeline(fs.readFileSync(path.join(DIR, 'control_flow.ir.yaml'), 'utf8'));

  it('the loop, the branch taken and the two skipped are placed; nothing is left unplaced', () => {
    const { tasks, unplaced } = mapTaskDetails(cfModel, cfRun.run_details?.task_details ?? []);
    assert.deepEqual(unplaced, []);
    assert.deepEqual(tasks['exit-handler-1/for-loop-2/train']?.instances.map((i) => [i.iteration, i.state]), [[0, 'succeeded'], [1, 'succeeded']]);
    const branches = ['condition-4', 'condition-5', 'condition-6'].map((c) => tasks[`exit-handler-1/condition-branches-3/${c}`]?.state);
    assert.deepEqual(branches, ['succeeded', 'skipped', 'skipped'], 'the coin came up heads in this recording');
    assert.equal(tasks['exit-handler-1/condition-branches-3/condition-4/announce-2']?.state, 'succeeded');
    assert.equal(tasks['exit-handler-1/preprocess/validate/check']?.state, 'succeeded');
  });

  // Two more recordings, under load. In one, make-items' executor (14:38:02–13) ran within flip-coin's task node
  // (14:38:00–13) as flip-coin's own did; in the other both executors ran in the very same seconds. Time does not
  // tell them apart there; their children do: the loop depends on make-items, the branches' driver on flip-coin.
  for (const [file, taken] of [['control_flow.overlap.run.json', 'condition-6'], ['control_flow.parallel.run.json', 'condition-4']] as const) {
    it(`sibling executors that ran at the same time keep their own pods and subtrees (${file})`, () => {
      const recorded = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as Run;
      const list = recorded.run_details?.task_details ?? [];
      const { tasks, unplaced } = mapTaskDetails(cfModel, list);
      assert.deepEqual(unplaced, []);
      const branches = ['condition-4', 'condition-5', 'condition-6'].map((c) => [c, tasks[`exit-handler-1/condition-branches-3/${c}`]?.state]);
      assert.deepEqual(branches, branches.map(([c]) => [c, c === taken ? 'succeeded' : 'skipped']), `the branch taken in this recording: ${taken}`);
      assert.deepEqual(tasks['exit-handler-1/for-loop-2/train']?.instances.map((i) => [i.iteration, i.state]), [[0, 'succeeded'], [1, 'succeeded']]);
      for (const t of ['flip-coin', 'make-items']) {
        const own = list.find((d) => d.display_name === t)!.child_tasks![0]!.pod_name;
        assert.deepEqual(tasks[`exit-handler-1/${t}`]?.instances[0]?.attempts.map((a) => a.node), [own], `${t}: the pod its own node lists`);
      }
    });
  }
});
