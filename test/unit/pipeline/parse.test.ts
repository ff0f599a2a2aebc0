// What a user sees in the graph of specific upstream pipelines: task names, kinds, edge kinds and the names they
// carry, conditions, loops, exit handlers; plus diagnostics for broken references at the right line.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { prettyCondition } from '../../../core/pipeline/describe';
import { toJson } from '../../../core/pipeline/export';
import type { DagModel, PipelineModel } from '../../../core/pipeline/model';
import { looksLikePipelineIR, parsePipeline } from '../../../core/pipeline/parse';
import { requireShared } from '../../support/shared';

let dir = '';
const read = (file: string): string => fs.readFileSync(path.join(dir, file), 'utf8');
const parse = (file: string): PipelineModel => parsePipeline(read(file));
const names = (dag: DagModel) => dag.tasks.map((t) => t.name).sort();
const task = (dag: DagModel, id: string) => {
  const t = dag.tasks.find((x) => x.id === id);
  assert.ok(t, `task ${id} in ${dag.id}`);
  return t;
};
const edge = (dag: DagModel, from: string, to: string) => dag.edges.find((e) => e.from === from && e.to === to);

describe('pipeline parser: what the graph shows', function () {
  before(function () {
    dir = requireShared(this, 'fixtures', 'kfp-ir');
  });

  describe('frontend-test/pipeline_with_loops_and_conditions.yaml (the KFP UI sub-DAG test file)', function () {
    let m: PipelineModel;
    before(() => (m = parse('frontend-test/pipeline_with_loops_and_conditions.yaml')));

    it('root: two producers feeding condition-1 by data edges, and the for-loop-14 ParallelFor over a pipeline input', function () {
      assert.deepEqual(names(m.root), ['args-generator-op', 'condition-1', 'flip-coin-op', 'for-loop-14']);
      const cond = task(m.root, 'condition-1');
      assert.equal(cond.kind, 'sub-dag');
      assert.equal(cond.role, 'condition');
      assert.equal(prettyCondition(cond, m), "flip-coin-op.Output != 'no-such-result'");
      const e1 = edge(m.root, 'flip-coin-op', 'condition-1');
      assert.equal(e1?.kind, 'data');
      assert.deepEqual(e1?.parameters, [{ output: 'Output', input: 'pipelinechannel--flip-coin-op-Output' }]);
      assert.equal(edge(m.root, 'args-generator-op', 'condition-1')?.kind, 'data');
      const loop = task(m.root, 'for-loop-14');
      assert.equal(loop.role, 'loop');
      assert.equal(loop.iterator?.input, 'pipelinechannel--loop_parameter');
      assert.equal(m.root.edges.length, 2, 'no edge into the loop: it only reads a pipeline input');
    });

    it('sub-DAGs: condition-1 holds a loop over args-generator-op-2; for-loop-2 holds three conditions, three loops and print-text', function () {
      assert.deepEqual(names(m.dags['comp-condition-1']), ['args-generator-op-2', 'for-loop-2']);
      assert.equal(edge(m.dags['comp-condition-1'], 'args-generator-op-2', 'for-loop-2')?.kind, 'data');
      const body = m.dags['comp-for-loop-2'];
      assert.deepEqual(names(body), ['condition-3', 'condition-4', 'condition-5', 'for-loop-12', 'for-loop-8', 'for-loop-9', 'print-text']);
      assert.deepEqual(body.tasks.filter((t) => t.role === 'condition').map((t) => t.id).sort(), ['condition-3', 'condition-4', 'condition-5']);
      const twelve = task(body, 'for-loop-12');
      assert.equal(twelve.iterator?.count, 2, 'a literal item list is counted');
      assert.equal(twelve.iterator?.raw, '["1", "2"]');
      assert.equal(Object.keys(m.dags).length, 14);
    });

    it('the JSON rendering of the same pipeline gives the same graph', function () {
      const fromJson = parse('frontend-mock-backend/pipeline_with_loops_and_conditions.json');
      const strip = (x: PipelineModel) => toJson(x).dags.map((d) => ({ ...d, tasks: d.tasks.map((t) => ({ ...t, caching: undefined })) }));
      assert.deepEqual(strip(fromJson), strip(m));
    });
  });

  it('lightweight_python_functions_v2_pipeline_rev.yaml: the KFP UI golden graph (preprocess → train by two artifacts and parameters)', function () {
    const m = parse('frontend-test/lightweight_python_functions_v2_pipeline_rev.yaml');
    assert.deepEqual(names(m.root), ['preprocess', 'train']);
    const e = edge(m.root, 'preprocess', 'train');
    assert.equal(e?.kind, 'data');
    assert.deepEqual(e?.artifacts.map((a) => a.output).sort(), ['output_dataset_one', 'output_dataset_two_path']);
    assert.deepEqual(e?.artifacts.find((a) => a.output === 'output_dataset_one')?.input, 'dataset_one_path');
    assert.ok(e?.parameters.some((p) => p.output === 'output_parameter_path' && p.input === 'message'));
    assert.deepEqual(task(m.root, 'preprocess').outputs.filter((o) => o.kind === 'artifact').map((o) => o.name).sort(), ['output_dataset_one', 'output_dataset_two_path']);
    assert.deepEqual(task(m.root, 'train').outputs.filter((o) => o.kind === 'artifact').map((o) => o.name), ['model']);
  });

  it('pipeline_with_exit_handler.yaml: the exit task is a sibling that always runs after the handler (control edge)', function () {
    const m = parse('sdk-compiled/valid/failing/pipeline_with_exit_handler.yaml');
    assert.deepEqual(names(m.root), ['exit-handler-1', 'print-op']);
    assert.equal(task(m.root, 'exit-handler-1').role, 'exit-handler');
    assert.deepEqual(names(m.dags['comp-exit-handler-1']), ['fail-op', 'print-op-2']);
    const e = edge(m.root, 'exit-handler-1', 'print-op');
    assert.equal(e?.kind, 'control');
    assert.equal(e?.always, true);
    assert.equal(task(m.root, 'print-op').strategy, 'ALL_UPSTREAM_TASKS_COMPLETED');
  });

  it('pipeline_with_task_final_status_yaml.yaml: the exit task reads the final status of the handler', function () {
    const m = parse('sdk-compiled/valid/pipeline_with_task_final_status_yaml.yaml');
    const e = m.root.edges.find((x) => x.finalStatus);
    assert.ok(e, 'an edge carries the final status');
    assert.match(e.from, /^exit-handler-\d+$/);
    assert.equal(e.always, true);
  });

  it('if_elif_else_with_oneof_parameters.yaml: a condition-branches group with mutually exclusive conditions and a OneOf output', function () {
    const m = parse('sdk-compiled/valid/if_elif_else_with_oneof_parameters.yaml');
    const all = [m.root, ...Object.values(m.dags)];
    const branches = all.flatMap((d) => d.tasks).find((t) => t.role === 'branches');
    assert.ok(branches?.subDag);
    const inner = m.dags[branches.subDag];
    assert.ok(inner.tasks.length >= 3);
    assert.ok(inner.tasks.every((t) => t.role === 'condition' && t.condition));
    assert.ok(inner.tasks.some((t) => t.condition?.startsWith('!(')), 'the else branch negates the others');
    const oneOf = all.flatMap((d) => d.outputs).find((o) => o.oneOf);
    assert.ok(oneOf && oneOf.sources.length >= 3, 'the branches output is a OneOf of each branch');
  });

  it('pipeline_with_parallelfor_parallelism.yaml: loops keep their parallelism limit', function () {
    const m = parse('sdk-compiled/valid/pipeline_with_parallelfor_parallelism.yaml');
    const limits = [m.root, ...Object.values(m.dags)].flatMap((d) => d.tasks).map((t) => t.iterator?.parallelism).filter(Boolean);
    assert.ok(limits.length > 0);
  });

  it('local_execution_pipeline_with_retry.yaml: retry settings of the flaky task', function () {
    const m = parse('sdk-compiled/valid/local_execution/local_execution_pipeline_with_retry.yaml');
    const flaky = [m.root, ...Object.values(m.dags)].flatMap((d) => d.tasks).find((t) => t.name === 'flaky');
    assert.deepEqual(flaky?.retry, { maxRetryCount: 3, backoffDuration: '0s', backoffFactor: 1, backoffMaxDuration: '3600s' });
  });

  it('pipeline_with_importer.yaml: importer tasks and their artifact URI', function () {
    const m = parse('sdk-compiled/valid/pipeline_with_importer.yaml');
    const imp = task(m.root, 'importer');
    assert.equal(imp.kind, 'importer');
    assert.deepEqual(m.executors[imp.executor ?? ''].importer?.artifactUri, { constant: 'gs://ml-pipeline-playground/shakespeare1.txt' });
  });

  it('create_mount_delete_dynamic_pvc.yaml: Kubernetes settings from the PlatformSpec document, also in the API wrapping', function () {
    const text = read('frontend-test/create_mount_delete_dynamic_pvc.yaml');
    const m = parsePipeline(text);
    assert.ok(m.hasPlatformSpec);
    const mounted = Object.values(m.executors).filter((e) => e.platform?.pvcMount);
    assert.ok(mounted.length > 0, 'an executor mounts the PVC');
    // The API returns {"pipeline_spec": …, "platform_spec": …} when a platform spec exists.
    const [spec, platform] = parseAllDocuments(text).map((d) => d.toJS());
    const wrapped = parsePipeline(JSON.stringify({ pipeline_spec: spec, platform_spec: platform }, null, 2));
    assert.deepEqual(wrapped.diagnostics, []);
    assert.deepEqual(toJson(wrapped).dags, toJson(m).dags);
    assert.deepEqual(Object.values(wrapped.executors).map((e) => e.platform), Object.values(m.executors).map((e) => e.platform));
  });

  describe('broken references become diagnostics at their line', function () {
    const base = () => read('sdk-compiled/valid/essential/pipeline_with_after.yaml');
    const lineOf = (text: string, d: { range: { start: { line: number } } }) => text.split('\n')[d.range.start.line];

    it('a dependentTasks entry naming no task', function () {
      const text = base().replace(/dependentTasks:\n(\s+)- print-text\n/, 'dependentTasks:\n$1- print-txet\n');
      const m = parsePipeline(text);
      const d = m.diagnostics.find((x) => x.code === 'unknown-task');
      assert.ok(d, JSON.stringify(m.diagnostics));
      assert.match(lineOf(text, d), /- print-txet/);
    });

    it('a componentRef to a missing component, with a suggestion', function () {
      const text = base().replace('name: comp-print-text-2', 'name: comp-print-txt-2');
      const d = parsePipeline(text).diagnostics.find((x) => x.code === 'unknown-component');
      assert.ok(d);
      assert.match(d.message, /did you mean `comp-print-text-2`/);
      assert.match(lineOf(text, d), /name: comp-print-txt-2/);
    });

    it('an executor label with no executor', function () {
      const text = base().replace('executorLabel: exec-print-text-2', 'executorLabel: exec-nope');
      const d = parsePipeline(text).diagnostics.find((x) => x.code === 'unknown-executor');
      assert.ok(d);
      assert.match(lineOf(text, d), /executorLabel: exec-nope/);
    });

    it('a schemaVersion that is not 2.x', function () {
      const text = base().replace('schemaVersion: 2.1.0', 'schemaVersion: 1.0.0');
      const d = parsePipeline(text).diagnostics.find((x) => x.code === 'schema-version');
      assert.ok(d);
      assert.match(lineOf(text, d), /^schemaVersion: 1\.0\.0/);
    });

    it('a cycle between two tasks', function () {
      const text = read('sdk-compiled/valid/two_step_pipeline.yaml');
      const m0 = parsePipeline(text);
      const [a, b] = m0.root.tasks.map((t) => t.id);
      const e = edge(m0.root, a, b) ?? edge(m0.root, b, a);
      assert.ok(e, 'the two steps are connected');
      // Make the producer depend on its consumer as well.
      const lines = text.split('\n');
      const at = m0.root.tasks.find((t) => t.id === e.from)?.range.start.line ?? 0;
      const indent = (/^\s*/.exec(lines[at + 1]) ?? [''])[0];
      lines.splice(at + 1, 0, `${indent}dependentTasks:`, `${indent}- ${e.to}`);
      const d = parsePipeline(lines.join('\n')).diagnostics.find((x) => x.code === 'cycle');
      assert.ok(d, 'the cycle is reported');
      assert.match(d.message, new RegExp(`${e.from}|${e.to}`));
    });

    it('YAML syntax errors, at their line; the rest of the file is not guessed at', function () {
      const text = base().replace('deploymentSpec:', 'deploymentSpec: [oops');
      const m = parsePipeline(text);
      const d = m.diagnostics.find((x) => x.code === 'yaml-syntax');
      assert.ok(d);
      assert.ok(lineOf(text, d) !== undefined);
    });
  });

  it('tells compiled pipelines from other YAML and JSON files', function () {
    assert.ok(looksLikePipelineIR(read('sdk-compiled/valid/hello_world.yaml')));
    assert.ok(looksLikePipelineIR(read('frontend-mock-backend/xgboost_sample_pipeline.json')));
    assert.ok(!looksLikePipelineIR('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n'));
    assert.ok(!looksLikePipelineIR('{"name": "my-package", "version": "1.0.0"}'));
  });

  it('a KFP v1 (Argo Workflow) file says it needs recompiling', function () {
    const m = parsePipeline('apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: x-\nspec: {}\n');
    assert.equal(m.diagnostics[0].code, 'kfp-v1');
  });
});
