// Local runs with the real kfp SDK (kfp.local, SubprocessRunner) of the rig's venv, through the driver the extension
// ships: task states over a loop and a condition, logs as files, outputs and artifacts, a failing component's
// traceback at its own line, a missing package, a Python without kfp, and a stopped run that leaves nothing running.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildLocalOverlay } from '../../core/localRun/overlay';
import { listLocalRuns, startLocalRun, type LocalRun } from '../../core/localRun/runner.node';
import { parsePipeline } from '../../core/pipeline/parse';
import { venvBin } from '../rigs/jupyter/index';
import { compilePipeline } from '../rigs/kfp/index';
import { until } from '../support/wait';

const FIXTURES = path.resolve(__dirname, '../fixtures/pipelines/local');
const DRIVER = path.resolve(__dirname, '../../core/localRun/driver.py');

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('Local runs (kfp.local through the driver)', function () {
  this.timeout(300_000);
  let runsDir: string;
  const started: LocalRun[] = [];
  const run = (o: Partial<Parameters<typeof startLocalRun>[0]> & { file: string }) => {
    const r = startLocalRun({ python: venvBin('python'), runsDir, driver: DRIVER, ...o });
    started.push(r);
    return r;
  };

  before(() => {
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-local-runs-'));
  });
  after(async () => {
    for (const r of started) r.cancel();
    await Promise.all(started.map((r) => r.done));
    fs.rmSync(runsDir, { recursive: true, force: true });
  });

  it('runs a loop, a condition and artifacts: states, per-task logs, outputs, the graph overlay', async () => {
    const file = path.join(FIXTURES, 'loop_condition_artifacts.py');
    const r = run({ file, arguments: { n: 3, rows: 4 } });
    const seen: string[] = [];
    r.on('event', (e) => seen.push(e.type === 'log' ? 'log' : `${e.type}${'task' in e ? `:${e.task}` : ''}`));
    const rec = await r.done;
    assert.equal(rec.state, 'succeeded', rec.error);
    assert.equal(rec.name, 'loop-condition-artifacts');
    assert.match(rec.kfp ?? '', /^2\./);
    // Live events came in order: a task started before its lines and its end.
    assert.ok(seen.indexOf('taskStarted:square') < seen.indexOf('taskFinished:square'));
    const squares = Object.values(rec.tasks).filter((t) => t.task === 'square');
    assert.deepEqual(squares.map((t) => t.iteration).sort(), [0, 1, 2]);
    assert.deepEqual(squares.map((t) => t.path), [['for-loop-1'], ['for-loop-1'], ['for-loop-1']]);
    assert.deepEqual(squares.sort((a, b) => a.iteration! - b.iteration!).map((t) => t.outputs?.parameters.Output), [1, 4, 9]);
    // Each iteration's log is its own file, with what that iteration printed.
    const log1 = fs.readFileSync(path.join(r.dir, squares[1].log), 'utf8');
    assert.match(log1, /square of 2 is 4/);
    assert.doesNotMatch(log1, /square of 3 is 9/);
    // The dataset is a local file with what the component wrote; the next task read it.
    const ds = rec.tasks['write-dataset'].outputs!.artifacts.data[0];
    assert.equal(ds.type, 'system.Dataset');
    assert.equal(fs.readFileSync(ds.path ?? ds.uri, 'utf8').split('\n').filter(Boolean).length, 4);
    assert.ok((ds.path ?? ds.uri).startsWith(r.dir), 'outputs are kept in the run folder');
    assert.equal(rec.tasks['count-lines'].outputs!.parameters.Output, 4);
    // The If branch ran, the Else branch did not.
    const announced = Object.values(rec.tasks).filter((t) => t.task === 'announce');
    assert.equal(announced.length, 1);
    assert.match(fs.readFileSync(path.join(r.dir, announced[0].log), 'utf8'), /announce: many lines/);

    // The graph's overlay: the same task keys as a cluster run's.
    const ir = await compilePipeline(file, path.join(r.dir, 'pipeline.yaml'));
    const model = parsePipeline(fs.readFileSync(ir, 'utf8'));
    const o = buildLocalOverlay(model, rec);
    assert.equal(o.state, 'succeeded');
    assert.equal(o.tasks['for-loop-1'].state, 'succeeded');
    assert.equal(o.tasks['for-loop-1'].iterations, 3);
    assert.equal(o.tasks['for-loop-1/square'].label, '3 iterations: 3 succeeded');
    assert.deepEqual(o.tasks['for-loop-1/square'].outputs?.map((x) => x.value), ['1', '4', '9']);
    const branches = Object.keys(o.tasks).filter((k) => k.startsWith('condition-branches'));
    assert.deepEqual(branches.sort(), ['condition-branches-2', 'condition-branches-2/condition-3', 'condition-branches-2/condition-3/announce'], 'the If branch and its task; the Else branch did not run');
    assert.equal(o.tasks['condition-branches-2/condition-3/announce'].state, 'succeeded');
    assert.equal(o.tasks['write-dataset'].outputs?.[0].artifact?.file, ds.path ?? ds.uri);
    assert.deepEqual(o.parameters, { n: '3', rows: '4' });
    // Kept: the runs folder lists it with its parameters.
    const listed = listLocalRuns(runsDir).find((x) => x.id === rec.id);
    assert.equal(listed?.state, 'succeeded');
    assert.deepEqual(listed?.arguments, { n: 3, rows: 4 });
  });

  it('a failing component: its traceback at the failing line of its own file, the run failed with the task named', async () => {
    const file = path.join(FIXTURES, 'failing.py');
    const r = run({ file, function: 'failing' });
    const pid = r.pid!;
    const rec = await r.done;
    assert.equal(rec.state, 'failed');
    const t = rec.tasks.divide;
    assert.equal(t.state, 'failed');
    assert.equal(t.error, 'ValueError: cannot divide 6 by zero');
    assert.deepEqual(t.source, { file, line: 10 });
    assert.equal(fs.readFileSync(file, 'utf8').split('\n')[9].trim(), "raise ValueError(f'cannot divide {a} by zero')");
    assert.match(t.traceback ?? '', new RegExp(`File "${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}", line 10, in divide`));
    assert.doesNotMatch(t.traceback ?? '', /ephemeral_component/);
    const model = parsePipeline(fs.readFileSync(await compilePipeline(file, path.join(r.dir, 'p.yaml'), { function: 'failing' }), 'utf8'));
    const o = buildLocalOverlay(model, rec);
    assert.equal(o.tasks.divide.state, 'failed');
    assert.deepEqual(o.tasks.divide.source, { file, line: 10 });
    assert.match(o.error ?? '', /Task divide failed: ValueError: cannot divide 6 by zero/);
    assert.ok(!groupAlive(pid), 'nothing left running');
  });

  it('a component that needs a package the Python has not got: the module named, with the fix', async () => {
    const r = run({ file: path.join(FIXTURES, 'failing.py'), function: 'missing_package' });
    const rec = await r.done;
    assert.equal(rec.state, 'failed');
    const t = rec.tasks['needs-package'];
    assert.equal(t.missingModule, 'kfvs_not_installed_package');
    assert.equal(t.source?.line, 16);
    const o = buildLocalOverlay({ name: '', root: { id: 'root', inputs: [], outputs: [], tasks: [], edges: [] }, dags: {}, executors: {}, hasPlatformSpec: false, diagnostics: [] }, rec);
    assert.match(o.error ?? '', /-m pip install kfvs_not_installed_package/);
    assert.match(o.error ?? '', /packages_to_install/);
  });

  it('a Python without kfp: a clear message naming it, with the fix, and nothing left running', async () => {
    const bare = '/usr/bin/python3';
    const r = run({ file: path.join(FIXTURES, 'failing.py'), python: bare });
    const pid = r.pid!;
    const rec = await r.done;
    assert.equal(rec.state, 'failed');
    assert.equal(rec.errorKind, 'no-kfp');
    const o = buildLocalOverlay({ name: '', root: { id: 'root', inputs: [], outputs: [], tasks: [], edges: [] }, dags: {}, executors: {}, hasPlatformSpec: false, diagnostics: [] }, rec);
    assert.match(o.error ?? '', /\/usr\/bin\/python3 cannot import kfp/);
    assert.match(o.error ?? '', /Install kfp into the Python Environment|-m pip install kfp/);
    assert.ok(!groupAlive(pid));
  });

  it('Stop: the run is canceled and its task processes end with it', async () => {
    const r = run({ file: path.join(FIXTURES, 'slow.py'), arguments: { seconds: 300 } });
    await until('the task printed', 120_000, () => Object.values(r.record.tasks).some((t) => t.task === 'sleepy') && fs.existsSync(path.join(r.dir, 'logs', 'sleepy.log')) && fs.readFileSync(path.join(r.dir, 'logs', 'sleepy.log'), 'utf8').includes('sleeping'), 200);
    const pid = r.pid!;
    r.cancel();
    const rec = await r.done;
    assert.equal(rec.state, 'canceled');
    assert.equal(rec.tasks.sleepy.state, 'failed');
    await until('the process group is gone', 10_000, () => !groupAlive(pid));
  });
});
