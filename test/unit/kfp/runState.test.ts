// Task states of a run on the graph, from `run_details.task_details` shaped like the API server writes them from an
// Argo workflow: drivers and executors, DAG nodes whose children are their first tasks, task/pod nodes whose
// children are the tasks depending on them, loop iterations `iteration-iterations(i:i)`, retry attempts, a cache hit
// (executor skipped after its driver succeeded) and a branch not taken.
import assert from 'node:assert/strict';
import { buildOverlay } from '../../../core/kfp/overlay';
import { argoNodeIds, describeCounts, foldStates, mapTaskDetails, taskKey } from '../../../core/kfp/runState';
import type { PipelineTaskDetail, RuntimeState } from '../../../core/kfp/types';
import { parsePipeline } from '../../../core/pipeline/parse';

const IR = `pipelineInfo: {name: flow}
schemaVersion: 2.1.0
sdkVersion: kfp-2.17.3
root:
  dag:
    tasks:
      producer: {taskInfo: {name: producer}, componentRef: {name: comp-producer}}
      condition-1:
        taskInfo: {name: condition-1}
        componentRef: {name: comp-condition-1}
        dependentTasks: [producer]
        triggerPolicy: {condition: "inputs.parameter_values['pipelinechannel--producer-Output'] == 'heads'"}
      condition-2:
        taskInfo: {name: condition-2}
        componentRef: {name: comp-condition-2}
        dependentTasks: [producer]
      for-loop-3:
        taskInfo: {name: for-loop-3}
        componentRef: {name: comp-for-loop-3}
        dependentTasks: [producer]
        parameterIterator: {itemInput: pipelinechannel--loop-item-param-4, items: {raw: '[1, 2, 3]'}}
      report: {taskInfo: {name: report}, componentRef: {name: comp-report}, dependentTasks: [for-loop-3]}
components:
  comp-producer: {executorLabel: exec-producer}
  comp-consumer: {executorLabel: exec-consumer}
  comp-train: {executorLabel: exec-train}
  comp-report: {executorLabel: exec-report}
  comp-condition-1: {dag: {tasks: {consumer: {taskInfo: {name: consumer}, componentRef: {name: comp-consumer}}}}}
  comp-condition-2: {dag: {tasks: {consumer-2: {taskInfo: {name: consumer-2}, componentRef: {name: comp-consumer}}}}}
  comp-for-loop-3:
    inputDefinitions: {parameters: {pipelinechannel--loop-item-param-4: {parameterType: NUMBER_INTEGER}}}
    dag: {tasks: {train: {taskInfo: {name: train}, componentRef: {name: comp-train}, retryPolicy: {maxRetryCount: 2}}}}
deploymentSpec:
  executors:
    exec-producer: {container: {image: python:3.11}}
    exec-consumer: {container: {image: python:3.11}}
    exec-train: {container: {image: python:3.11}}
    exec-report: {container: {image: python:3.11}}
`;

const T0 = Date.UTC(2026, 7, 27, 9, 20, 0);
const at = (s: number) => new Date(T0 + s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

/** A workflow's nodes: `node(name, state, children, start?, end?)`; ids are `wf-<n>`. */
function workflow(): { nodes: PipelineTaskDetail[]; add: (name: string, state: RuntimeState, children?: string[], start?: number, end?: number) => string } {
  const nodes: PipelineTaskDetail[] = [];
  let n = 0;
  const add = (name: string, state: RuntimeState, children: string[] = [], start?: number, end?: number): string => {
    const id = name === 'flow-wf' ? 'flow-wf' : `flow-wf-${1000 + n++}`;
    nodes.push({
      run_id: 'r1',
      display_name: name,
      state,
      pod_name: id,
      create_time: at(0),
      start_time: start === undefined ? '1970-01-01T00:00:00Z' : at(start),
      end_time: end === undefined ? '1970-01-01T00:00:00Z' : at(end),
      execution_id: '0',
      ...(children.length ? { child_tasks: children.map((c) => ({ pod_name: c })) } : {}),
    });
    return id;
  };
  return { nodes, add };
}

describe('run task states on the graph', () => {
  const model = parsePipeline(IR);

  /** Built bottom-up, as Argo links them: a task's pod has the dependent tasks as children. */
  function runningWorkflow(o: { reportDone?: boolean } = {}) {
    const { nodes, add } = workflow();
    const report = add('report', o.reportDone ? 'SUCCEEDED' : 'PENDING', [add('executor', o.reportDone ? 'SUCCEEDED' : 'PENDING')]);
    const reportDriver = add('report-driver', o.reportDone ? 'SUCCEEDED' : 'PENDING', [report]);
    // Loop: three iterations; train(0) ok, train(1) failed once then ok, train(2) still running.
    const iteration = (i: number, attempts: [RuntimeState, number, number?][]) => {
      const pods = attempts.map(([s, start, end], k) => add(attempts.length > 1 ? `executor(${k})` : 'executor', s, [], start, end));
      const last = attempts[attempts.length - 1]!;
      const exec = attempts.length > 1 ? add('executor', last[0], pods, attempts[0]![1], last[2]) : pods[0]!;
      const train = add('train', last[0], [exec], attempts[0]![1], last[2]);
      return add(`iteration-iterations(${i}:${i})`, last[0], [add('train-driver', 'SUCCEEDED', [train], 10, 11)], 10, last[2]);
    };
    const its = [iteration(0, [['SUCCEEDED', 12, 40]]), iteration(1, [['FAILED', 12, 20], ['SUCCEEDED', 25, 50]]), iteration(2, [['RUNNING', 13]])];
    const group = add('iteration-iterations', 'RUNNING', its, 10);
    const loop = add('for-loop-3', 'RUNNING', [add('iteration-driver', 'SUCCEEDED', [group], 9, 10)], 9);
    // The last iteration's pods lead on to `report` (Argo links outbound nodes to dependents).
    nodes.find((x) => x.display_name === 'executor' && x.state === 'RUNNING')!.child_tasks = [{ pod_name: reportDriver }];
    // condition-1 was taken; condition-2's branch was not (its DAG node is skipped, nothing inside ran).
    const consumer = add('consumer', 'SKIPPED', [add('executor', 'SKIPPED')]);
    const cond1 = add('condition-1', 'SUCCEEDED', [add('consumer-driver', 'SUCCEEDED', [consumer], 6, 7)], 6, 8);
    const cond2 = add('condition-2', 'SKIPPED', []);
    const producerPod = add('executor', 'SUCCEEDED', [add('condition-1-driver', 'SUCCEEDED', [cond1], 5, 6), add('condition-2-driver', 'SUCCEEDED', [cond2], 5, 6), add('for-loop-3-driver', 'SUCCEEDED', [loop], 5, 9)], 2, 5);
    const producer = add('producer', 'SUCCEEDED', [producerPod], 2, 5);
    const root = add('root', 'RUNNING', [add('producer-driver', 'SUCCEEDED', [producer], 1, 2)], 1);
    add('flow-wf', 'RUNNING', [add('root-driver', 'SUCCEEDED', [root], 0, 1)], 0);
    return nodes;
  }

  it('places every task, including those reached through another task\'s pod, sub-DAGs and loop iterations', () => {
    const { tasks, unplaced } = mapTaskDetails(model, runningWorkflow());
    assert.deepEqual(Object.keys(tasks).sort(), ['condition-1', 'condition-1/consumer', 'condition-2', 'for-loop-3', 'for-loop-3/train', 'producer', 'report'].sort());
    assert.deepEqual(unplaced, []);
    assert.equal(tasks.producer!.state, 'succeeded');
    assert.equal(tasks.producer!.started, T0 + 2000);
    assert.equal(tasks.producer!.finished, T0 + 5000);
    assert.equal(tasks['condition-2']!.state, 'skipped', 'a branch not taken');
    assert.equal(tasks['condition-1/consumer']!.state, 'cached', 'executor skipped after its driver succeeded: a cache hit');
    assert.equal(tasks.report!.state, 'pending');
  });

  it('folds loop iterations into one state with counts, and keeps each iteration\'s retry attempts', () => {
    const { tasks } = mapTaskDetails(model, runningWorkflow());
    const train = tasks[taskKey(['for-loop-3'], 'train')]!;
    assert.equal(train.state, 'running');
    assert.deepEqual(train.instances.map((i) => [i.iteration, i.state]), [[0, 'succeeded'], [1, 'succeeded'], [2, 'running']]);
    assert.deepEqual(train.counts, { succeeded: 2, running: 1 });
    assert.equal(describeCounts(train), '3 iterations: 2 succeeded · 1 running');
    const retried = train.instances[1]!;
    assert.deepEqual(retried.attempts.map((a) => [a.state, a.started]), [['failed', T0 + 12000], ['succeeded', T0 + 25000]]);
    assert.ok(retried.attempts.every((a) => /^flow-wf-\d+$/.test(a.node)), 'attempts are pod nodes (their logs can be read)');
    assert.equal(train.instances[0]!.attempts.length, 1);
    assert.equal(train.started, T0 + 12000);
    assert.equal(train.finished, undefined, 'a running iteration: the loop has not finished');
  });

  it('ends: report done, a failed step carries its error', () => {
    const nodes = runningWorkflow({ reportDone: true });
    const it2 = nodes.filter((n) => n.display_name === 'train').find((n) => n.state === 'RUNNING')!;
    it2.state = 'FAILED';
    it2.end_time = at(70);
    it2.error = { code: 2, message: 'exit status 1' };
    const { tasks } = mapTaskDetails(model, nodes);
    const train = tasks['for-loop-3/train']!;
    assert.equal(train.state, 'failed');
    assert.equal(train.error, 'exit status 1');
    assert.equal(train.finished, T0 + 70000);
    assert.equal(tasks.report!.state, 'succeeded');
  });

  it('loop iterations named `<loop>(i)` (as the KFP stand-in names them) are iterations too, not retry attempts', () => {
    const { nodes, add } = workflow();
    const body = (i: number, state: RuntimeState) => add(`for-loop-3(${i})`, state, [add('train-driver', 'SUCCEEDED', [add('train', state, [add('pod', state, [], 20 + i, 30 + i)], 20 + i, 30 + i)])]);
    const loop = add('for-loop-3', 'RUNNING', [body(0, 'SUCCEEDED'), body(1, 'RUNNING')]);
    const root = add('root', 'RUNNING', [add('producer-driver', 'SUCCEEDED', [add('producer', 'SUCCEEDED', [add('pod', 'SUCCEEDED', [add('for-loop-3-driver', 'SUCCEEDED', [loop])])])])]);
    add('flow-wf', 'RUNNING', [add('root-driver', 'SUCCEEDED', [root])]);
    const { tasks } = mapTaskDetails(model, nodes);
    assert.deepEqual(tasks['for-loop-3/train']!.instances.map((i) => [i.iteration, i.state]), [[0, 'succeeded'], [1, 'running']]);
    assert.equal(tasks['for-loop-3/train']!.instances[0]!.attempts.length, 1);
    assert.equal(tasks.producer!.instances[0]!.attempts.length, 1, 'the producer\'s pod, not the loop behind it');
  });

  it('the API\'s own shape: no node id on a task detail, children by node id — ids rebuilt from Argo\'s node names', () => {
    // Argo: node name `<parent name>.<display>`, id `<wf>-<fnv32a(name)>`; the server sends task_id (a UUID) only.
    const wf = 'flow-x7k2p';
    // Argo's node ids of these node names, computed apart from the product with Go's hash/fnv as Argo does
    // (`fmt.Sprintf("%s-%v", wf, h.Sum32())` with `h := fnv.New32a(); h.Write([]byte(nodeName))`, go1 `go run`),
    // and checked with a Python FNV-1a loop.
    const ARGO_ID: Record<string, string> = {
      'flow-x7k2p.root': 'flow-x7k2p-2697867782',
      'flow-x7k2p.root.producer': 'flow-x7k2p-3997923906',
      'flow-x7k2p.root.producer.pod': 'flow-x7k2p-75128087',
      'flow-x7k2p.root.for-loop-3': 'flow-x7k2p-3070662248',
      'flow-x7k2p.root.for-loop-3(0)': 'flow-x7k2p-15988987',
      'flow-x7k2p.root.for-loop-3(0).train': 'flow-x7k2p-3053506423',
      'flow-x7k2p.root.for-loop-3(0).train.pod': 'flow-x7k2p-900414458',
      'flow-x7k2p.root.for-loop-3(1)': 'flow-x7k2p-3841330046',
      'flow-x7k2p.root.for-loop-3(1).train': 'flow-x7k2p-3868710786',
      'flow-x7k2p.root.for-loop-3(1).train.pod': 'flow-x7k2p-1592240855',
    };
    const argoId = (name: string): string => {
      assert.ok(ARGO_ID[name], `golden id of ${name}`);
      return ARGO_ID[name];
    };
    const nodes: PipelineTaskDetail[] = [];
    let uuid = 0;
    const add = (parent: string | undefined, display: string, state: RuntimeState, start: number, kids: string[] = []): string => {
      const name = parent ? `${parent}.${display}` : display;
      nodes.push({ task_id: `00000000-0000-0000-0000-${String(uuid++).padStart(12, '0')}`, display_name: display, state, start_time: at(start), end_time: at(start + 5), child_tasks: kids.map((k) => ({ pod_name: argoId(k) })) });
      return name;
    };
    const root = `${wf}.root`;
    const loop = `${root}.for-loop-3`;
    for (const i of [0, 1]) {
      const it = `${loop}(${i})`;
      add(`${it}.train`, 'pod', i === 0 ? 'SUCCEEDED' : 'FAILED', 20 + i);
      add(it, 'train', i === 0 ? 'SUCCEEDED' : 'FAILED', 20 + i, [`${it}.train.pod`]);
      add(loop, `for-loop-3(${i})`, i === 0 ? 'SUCCEEDED' : 'FAILED', 19, [`${it}.train`]);
    }
    add(root, 'for-loop-3', 'FAILED', 18, [`${loop}(0)`, `${loop}(1)`]);
    add(`${root}.producer`, 'pod', 'SUCCEEDED', 3);
    add(root, 'producer', 'SUCCEEDED', 2, [`${root}.producer.pod`]);
    add(wf, 'root', 'FAILED', 1, [`${root}.producer`, `${root}.for-loop-3`]);
    add(undefined, wf, 'FAILED', 0, [root]);
    // The server sorts by node id: the order tells like-named leaves apart.
    const ids = argoNodeIds(nodes);
    const sorted = [...nodes].sort((a, b) => (ids.get(a)! < ids.get(b)! ? -1 : 1));
    assert.equal(argoNodeIds(sorted).size, nodes.length, 'every entry has its node id');
    const { tasks, unplaced } = mapTaskDetails(model, sorted);
    assert.deepEqual(unplaced, []);
    const train = tasks['for-loop-3/train']!;
    assert.deepEqual(train.instances.map((x) => [x.iteration, x.state, x.attempts.map((a) => a.state)]), [[0, 'succeeded', ['succeeded']], [1, 'failed', ['failed']]]);
    assert.equal(train.instances[1]!.attempts[0]!.node, 'flow-x7k2p-1592240855', 'the failed iteration\'s own pod (for its log)');
    assert.equal(tasks.producer!.state, 'succeeded');
  });

  it('tasks linked by parent_task_id (no child list) and matched by display name', () => {
    const nodes: PipelineTaskDetail[] = [
      { task_id: 'a', display_name: 'producer', state: 'SUCCEEDED' },
      { task_id: 'b', display_name: 'condition-1', state: 'RUNNING' },
      { task_id: 'c', display_name: 'consumer', state: 'RUNNING', parent_task_id: 'b' },
    ];
    const { tasks } = mapTaskDetails(model, nodes);
    assert.deepEqual(Object.fromEntries(Object.entries(tasks).map(([k, v]) => [k, v.state])), { producer: 'succeeded', 'condition-1': 'running', 'condition-1/consumer': 'running' });
    assert.deepEqual(mapTaskDetails(model, []).tasks, {}, 'a run that has not started');
  });

  it('folds states: live first, then failures; all cached stays cached', () => {
    assert.equal(foldStates(['succeeded', 'running', 'failed']), 'running');
    assert.equal(foldStates(['succeeded', 'failed']), 'failed');
    assert.equal(foldStates(['cached', 'cached']), 'cached');
    assert.equal(foldStates(['cached', 'succeeded', 'skipped']), 'succeeded');
    assert.equal(foldStates(['skipped']), 'skipped');
    assert.equal(foldStates([]), 'unknown');
  });
});

describe('run overlay for the run view', () => {
  const model = parsePipeline(`pipelineInfo: {name: p}
schemaVersion: 2.1.0
root:
  dag:
    tasks:
      for-loop-1: {taskInfo: {name: for-loop-1}, componentRef: {name: comp-for-loop-1}, parameterIterator: {itemInput: x, items: {raw: '[1, 2]'}}}
components:
  comp-t: {executorLabel: exec-t}
  comp-for-loop-1: {dag: {tasks: {t: {taskInfo: {name: t}, componentRef: {name: comp-t}}}}}
deploymentSpec: {executors: {exec-t: {container: {image: x}}}}
`);
  const detail = (id: string, name: string, state: RuntimeState, kids: string[] = []): PipelineTaskDetail => ({ pod_name: id, display_name: name, state, start_time: at(1), end_time: state === 'RUNNING' ? '1970-01-01T00:00:00Z' : at(9), child_tasks: kids.map((k) => ({ pod_name: k })) });
  const run = (state: RuntimeState) => ({
    run_id: 'r', display_name: 'nightly', state, created_at: at(0), finished_at: state === 'RUNNING' ? '1970-01-01T00:00:00Z' : at(10),
    runtime_config: { parameters: { lr: 0.1, tags: ['a'], name: 'x' } },
    run_details: { task_details: [
      detail('wf', 'wf', state, ['loop']), detail('loop', 'for-loop-1', state, ['i0', 'i1']),
      detail('i0', 'for-loop-1(0)', 'SUCCEEDED', ['t0']), detail('t0', 't', 'SUCCEEDED', ['p0']), detail('p0', 'pod', 'SUCCEEDED'),
      detail('i1', 'for-loop-1(1)', state, ['t1']), detail('t1', 't', state, ['p1']), detail('p1', 'pod', state),
    ] },
  });

  it('a running run: live, can be terminated; the loop node counts its iterations, the body task folds them', () => {
    const o = buildOverlay(model, run('RUNNING'), { experiment: 'e', now: T0 + 5000 });
    assert.equal(o.state, 'running');
    assert.equal(o.live, true);
    assert.equal(o.canTerminate, true);
    assert.equal(o.canRetry, false);
    assert.equal(o.finished, undefined);
    assert.deepEqual(o.parameters, { lr: '0.1', tags: '["a"]', name: 'x' });
    assert.equal(o.tasks['for-loop-1']!.label, 'Running · 2 iterations');
    assert.equal(o.tasks['for-loop-1/t']!.label, '2 iterations: 1 succeeded · 1 running');
    assert.deepEqual(o.tasks['for-loop-1/t']!.attempts.map((a) => [a.node, a.label]), [['p0', 'iteration 0 · succeeded'], ['p1', 'iteration 1 · running']]);
  });

  it('a failed run: can be retried, not terminated; its error is shown', () => {
    const o = buildOverlay(model, { ...run('FAILED'), error: { message: 'step t failed' } });
    assert.deepEqual([o.live, o.canTerminate, o.canRetry, o.error, o.finished], [false, false, true, 'step t failed', T0 + 10_000]);
    assert.equal(o.tasks['for-loop-1/t']!.state, 'failed');
  });
});
