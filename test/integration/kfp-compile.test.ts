// The KFP compiler rig (test/rigs/kfp) with the real kfp SDK: our own fixture pipelines compile to the IR we expect,
// and a broken pipeline fails with an error that names the line of the pipeline file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { compilePipeline, KfpCompileError } from '../rigs/kfp/index';

const FIXTURES = path.resolve(__dirname, '../fixtures/pipelines');
const OUT = path.resolve(__dirname, '../../test-output/ir');

interface Task { componentRef: { name: string }; taskInfo: { name: string }; triggerPolicy?: { condition?: string; strategy?: string }; iteratorPolicy?: { parallelismLimit?: number }; parameterIterator?: unknown }
interface Dag { tasks: Record<string, Task> }
interface Param { parameterType: string; defaultValue?: unknown; isOptional?: boolean }
interface Component { dag?: Dag; inputDefinitions?: { parameters?: Record<string, Param> }; outputDefinitions?: { artifacts?: Record<string, { artifactType: { schemaTitle: string } }> } }
interface PipelineIR { pipelineInfo: { name: string }; root: Component & { dag: Dag }; components: Record<string, Component>; schemaVersion: string; sdkVersion: string }

async function compileFixture(name: string, fn?: string): Promise<PipelineIR> {
  const out = await compilePipeline(path.join(FIXTURES, `${name}.py`), path.join(OUT, `${name}${fn ? `-${fn}` : ''}.yaml`), fn ? { function: fn } : {});
  assert.ok(path.isAbsolute(out));
  return YAML.parse(fs.readFileSync(out, 'utf8')) as PipelineIR;
}

const sorted = (o: object | undefined) => Object.keys(o ?? {}).sort();
const types = (c: Component) => Object.fromEntries(Object.entries(c.inputDefinitions?.parameters ?? {}).map(([k, v]) => [k, v.parameterType]));

describe('KFP compiler rig (kfp 2.x SDK)', function () {
  this.timeout(120_000);

  it('hello_world.py: one root task and a parameter of every type, with defaults', async () => {
    const ir = await compileFixture('hello_world');
    assert.equal(ir.pipelineInfo.name, 'hello-world');
    assert.equal(ir.schemaVersion, '2.1.0');
    assert.match(ir.sdkVersion, /^kfp-2\./);
    assert.deepEqual(sorted(ir.root.dag.tasks), ['say-hello']);
    assert.deepEqual(types(ir.root), {
      name: 'STRING', times: 'NUMBER_INTEGER', ratio: 'NUMBER_DOUBLE', loud: 'BOOLEAN', tags: 'LIST', config: 'STRUCT',
    });
    const p = ir.root.inputDefinitions!.parameters!;
    assert.equal(p.name!.defaultValue, 'Kubeflow');
    assert.equal(p.times!.defaultValue, 2);
    assert.equal(p.ratio!.defaultValue, 0.5);
    assert.equal(p.loud!.defaultValue, false);
    assert.deepEqual(p.tags!.defaultValue, ['a', 'b']);
    assert.deepEqual(p.config!.defaultValue, { retries: 3 });
  });

  it('control_flow.py: exit handler, ParallelFor, If/Elif/Else, Condition and nested sub-pipelines', async () => {
    const ir = await compileFixture('control_flow');
    assert.equal(ir.pipelineInfo.name, 'control-flow');
    assert.deepEqual(types(ir.root), { n: 'NUMBER_INTEGER', lr: 'NUMBER_DOUBLE', verbose: 'BOOLEAN' });
    // Root: the exit-handler group and the cleanup task that runs when it finishes, whatever happened.
    assert.deepEqual(sorted(ir.root.dag.tasks), ['announce', 'exit-handler-1']);
    const cleanup = ir.root.dag.tasks.announce!;
    assert.equal(cleanup.taskInfo.name, 'cleanup');
    assert.equal(cleanup.triggerPolicy?.strategy, 'ALL_UPSTREAM_TASKS_COMPLETED');
    assert.equal(ir.root.dag.tasks['exit-handler-1']!.taskInfo.name, 'main');

    const main = ir.components['comp-exit-handler-1']!.dag!;
    assert.deepEqual(sorted(main.tasks), ['condition-7', 'condition-branches-3', 'flip-coin', 'for-loop-2', 'make-items', 'preprocess']);
    const loop = main.tasks['for-loop-2']!;
    assert.equal(loop.iteratorPolicy?.parallelismLimit, 2);
    assert.ok(loop.parameterIterator, 'ParallelFor over a task output iterates a parameter');
    assert.deepEqual(sorted(ir.components['comp-for-loop-2']!.dag!.tasks), ['train']);

    const branches = ir.components['comp-condition-branches-3']!.dag!.tasks;
    assert.deepEqual(sorted(branches), ['condition-4', 'condition-5', 'condition-6']);
    assert.match(branches['condition-4']!.triggerPolicy!.condition!, /== 'heads'$/);
    assert.match(branches['condition-6']!.triggerPolicy!.condition!, /^!\(.*heads.*\) && !\(.*tails.*\)$/);
    assert.match(main.tasks['condition-7']!.triggerPolicy!.condition!, /pipelinechannel--verbose'\] == true/);

    // preprocess is a pipeline used as a component, and it calls the validate sub-pipeline.
    assert.equal(main.tasks.preprocess!.componentRef.name, 'comp-preprocess');
    assert.deepEqual(sorted(ir.components['comp-preprocess']!.dag!.tasks), ['double', 'validate']);
    assert.deepEqual(sorted(ir.components['comp-validate']!.dag!.tasks), ['check']);
  });

  it('control_flow.py with { function: "preprocess" } compiles the sub-pipeline alone', async () => {
    const ir = await compileFixture('control_flow', 'preprocess');
    assert.equal(ir.pipelineInfo.name, 'preprocess');
    assert.deepEqual(sorted(ir.root.dag.tasks), ['double', 'validate']);
    assert.deepEqual(types(ir.root), { n: 'NUMBER_INTEGER' });
  });

  it('artifacts.py: importer, artifact passing and a Model pipeline output', async () => {
    const ir = await compileFixture('artifacts');
    assert.deepEqual(sorted(ir.root.dag.tasks), ['evaluate', 'fit', 'importer', 'prepare']);
    assert.deepEqual(types(ir.root), { source_uri: 'STRING', epochs: 'NUMBER_INTEGER' });
    assert.equal(ir.root.outputDefinitions?.artifacts?.Output?.artifactType.schemaTitle, 'system.Model');
    assert.equal(ir.components['comp-evaluate']!.outputDefinitions?.artifacts?.metrics?.artifactType.schemaTitle, 'system.Metrics');
  });

  it('a type error in a pipeline fails with the line of the offending call', async () => {
    const file = path.join(FIXTURES, 'invalid/type_mismatch.py');
    await assert.rejects(compilePipeline(file, path.join(OUT, 'invalid/type_mismatch.yaml')), (err: unknown) => {
      assert.ok(err instanceof KfpCompileError);
      assert.equal(err.line, 17);
      assert.ok(err.message.startsWith(`${file}:17: `), err.message.split('\n')[0]);
      assert.match(err.message, /InconsistentTypeException: .*'STRING' is incompatible with the input type 'NUMBER_INTEGER'/);
      assert.match(err.message, /type_mismatch\.py", line 17/);
      return true;
    });
    assert.ok(!fs.existsSync(path.join(OUT, 'invalid/type_mismatch.yaml')));
  });

  it('a syntax error fails with its line', async () => {
    const file = path.join(FIXTURES, 'invalid/syntax_error.py');
    await assert.rejects(compilePipeline(file, path.join(OUT, 'invalid/syntax_error.yaml')), (err: unknown) => {
      assert.ok(err instanceof KfpCompileError);
      assert.equal(err.line, 8);
      assert.match(err.message.split('\n')[0]!, /syntax_error\.py:8: SyntaxError: invalid syntax/);
      return true;
    });
  });
});
