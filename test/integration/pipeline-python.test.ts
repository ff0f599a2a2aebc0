// Python pipelines compiled by the extension's own compile script with the real kfp (the rig's venv): the graph of
// a pipeline with a nested pipeline, ParallelFor, If/Elif/Else, an exit handler, retries and an importer; the
// same IR as the KFP compiler rig produces; compile errors at the right line; a Python without kfp said so.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { graphCommand } from '../../companion-daemon/src/cli/graph';
import { compilePythonPipeline } from '../../core/pipeline/compile.node';
import { prettyCondition } from '../../core/pipeline/describe';
import { toJson } from '../../core/pipeline/export';
import type { PipelineModel } from '../../core/pipeline/model';
import { parsePipeline } from '../../core/pipeline/parse';
import { venvBin } from '../rigs/jupyter/index';
import { compilePipeline } from '../rigs/kfp/index';

const FIXTURES = path.resolve(__dirname, '../fixtures/pipelines');
const OUT = path.resolve(__dirname, '../../test-output/ir');

describe('Python pipelines → graph (real kfp)', function () {
  this.timeout(180_000);
  let python = '';
  let model: PipelineModel;

  before(async function () {
    python = venvBin('python');
    if (!fs.existsSync(python)) throw new Error(`${python} missing: run test/rigs/jupyter/install.sh (scripts/setup.sh test does)`);
    const res = await compilePythonPipeline({ python, file: path.join(FIXTURES, 'training_pipeline.py') });
    assert.ok(res.ok, res.ok ? '' : `${res.kind}: ${res.error}\n${res.output ?? ''}`);
    assert.equal(res.pipeline, 'training_pipeline', 'the pipeline no other pipeline uses is the default');
    assert.deepEqual(res.pipelines.sort(), ['prepare', 'second_pipeline', 'training_pipeline']);
    model = parsePipeline(res.yaml);
  });

  const dag = (id: string) => {
    const d = id === 'root' ? model.root : model.dags[id];
    assert.ok(d, `DAG ${id}`);
    return d;
  };
  const task = (dagId: string, name: string) => {
    const t = dag(dagId).tasks.find((x) => x.name === name);
    assert.ok(t, `${name} in ${dagId}: ${dag(dagId).tasks.map((x) => x.name).join(', ')}`);
    return t;
  };

  it('root: the exit handler group "guarded" and the report task that always runs after it, reading its final status', function () {
    assert.equal(model.name, 'training-with-loops');
    assert.deepEqual(model.diagnostics, []);
    const guarded = task('root', 'guarded');
    assert.equal(guarded.role, 'exit-handler');
    const report = task('root', 'report');
    const e = model.root.edges.find((x) => x.from === guarded.id && x.to === report.id);
    assert.equal(e?.always, true);
    assert.equal(e?.finalStatus, true);
    assert.equal(e?.kind, 'control');
  });

  it('inside the exit handler: nested pipeline, importer, ParallelFor (parallelism 2) over its output, if/elif/else', function () {
    const inner = task('root', 'guarded').subDag ?? '';
    const names = dag(inner).tasks.map((t) => t.name).sort();
    assert.deepEqual(names, ['condition-branches-4', 'flip-coin', 'for-loop-2', 'importer', 'prepare']);
    assert.equal(task(inner, 'prepare').role, 'pipeline');
    assert.equal(task(inner, 'importer').kind, 'importer');
    const loop = task(inner, 'for-loop-2');
    assert.equal(loop.iterator?.parallelism, 2);
    const into = dag(inner).edges.find((e) => e.to === loop.id && e.from === 'prepare');
    assert.equal(into?.kind, 'data');
    const imp = dag(inner).edges.find((e) => e.to === loop.id && e.from === 'importer');
    assert.deepEqual(imp?.artifacts.map((a) => a.output), ['artifact']);
    // `.after(items)` inside the else branch becomes a control edge into the branches group.
    assert.equal(dag(inner).edges.find((e) => e.from === 'prepare' && e.to === 'condition-branches-4')?.kind, 'control');
    const branches = dag(task(inner, 'condition-branches-4').subDag ?? '');
    assert.deepEqual(branches.tasks.map((t) => prettyCondition(t, model)), [
      "flip-coin.Output == 'heads'",
      "!(flip-coin.Output == 'heads') && flip-coin.Output == 'tails'",
      "!(flip-coin.Output == 'heads') && !(flip-coin.Output == 'tails')",
    ]);
  });

  it('the loop body: train (retry 3, no cache) → evaluate by the model artifact, and a condition on the score', function () {
    const body = task(task('root', 'guarded').subDag ?? '', 'for-loop-2').subDag ?? '';
    const train = task(body, 'train');
    assert.equal(train.retry?.maxRetryCount, 3);
    assert.equal(train.caching, false);
    assert.equal(model.executors[train.executor ?? ''].pythonFunction, 'train');
    assert.equal(model.executors[train.executor ?? ''].container?.image, 'python:3.11');
    const e = dag(body).edges.find((x) => x.from === 'train' && x.to === 'evaluate');
    assert.deepEqual(e?.artifacts, [{ output: 'model', input: 'model' }]);
    assert.equal(prettyCondition(task(body, 'condition-3'), model), 'evaluate.Output > 0.9');
  });

  it('the same graph as the KFP compiler rig (`kfp` compile of the same file)', async function () {
    const out = await compilePipeline(path.join(FIXTURES, 'training_pipeline.py'), path.join(OUT, 'training_pipeline.yaml'), { function: 'training_pipeline' });
    assert.deepEqual(toJson(parsePipeline(fs.readFileSync(out, 'utf8'))).dags, toJson(model).dags);
  });

  it('the rig\'s control_flow.py compiles and reads without problems', async function () {
    const res = await compilePythonPipeline({ python, file: path.join(FIXTURES, 'control_flow.py') });
    assert.ok(res.ok, res.ok ? '' : res.error);
    const m = parsePipeline(res.yaml);
    assert.deepEqual(m.diagnostics, []);
    assert.equal(m.root.tasks.find((t) => t.name === 'cleanup')?.strategy, 'ALL_UPSTREAM_TASKS_COMPLETED');
  });

  it('--pipeline picks another pipeline of the file; an unknown name lists the ones there are', async function () {
    const res = await compilePythonPipeline({ python, file: path.join(FIXTURES, 'training_pipeline.py'), pipeline: 'second_pipeline' });
    assert.ok(res.ok);
    assert.equal(parsePipeline(res.yaml).name, 'second');
    const bad = await compilePythonPipeline({ python, file: path.join(FIXTURES, 'training_pipeline.py'), pipeline: 'nope' });
    assert.ok(!bad.ok);
    assert.equal(bad.kind, 'no-pipeline');
    assert.match(bad.error, /found: .*training_pipeline/);
  });

  it('compile errors come back with the line of the pipeline file', async function () {
    const type = await compilePythonPipeline({ python, file: path.join(FIXTURES, 'invalid/type_mismatch.py') });
    assert.ok(!type.ok);
    assert.equal(type.kind, 'failed');
    assert.equal(type.line, 17);
    assert.match(type.error, /InconsistentTypeException/);
    const syntax = await compilePythonPipeline({ python, file: path.join(FIXTURES, 'invalid/syntax_error.py') });
    assert.ok(!syntax.ok);
    assert.equal(syntax.line, 8);
    assert.match(syntax.error, /SyntaxError/);
  });

  it('a Python without kfp, and a Python that does not exist, are told apart', async function () {
    const bare = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => fs.existsSync(p));
    if (bare) {
      const res = await compilePythonPipeline({ python: bare, file: path.join(FIXTURES, 'training_pipeline.py') });
      // The system Python normally has no kfp; if it has, it simply compiles.
      if (!res.ok) assert.equal(res.kind, 'no-kfp');
    }
    const missing = await compilePythonPipeline({ python: '/nonexistent/python3', file: path.join(FIXTURES, 'training_pipeline.py') });
    assert.ok(!missing.ok);
    assert.equal(missing.kind, 'no-python');
  });

  it('the CLI compiles a .py with --python', async function () {
    const out = new PassThrough();
    let text = '';
    out.on('data', (b: Buffer) => (text += b.toString()));
    const code = await graphCommand([path.join(FIXTURES, 'training_pipeline.py'), '--python', python, '--format', 'json'], out);
    assert.equal(code, 0);
    assert.equal((JSON.parse(text) as { pipeline: string }).pipeline, 'training-with-loops');
  });
});
