// Kale notebooks compiled with Kale's own compiler (PyPI kubeflow-kale 2.3.0 in the Kale rig's venv) through the
// extension's wrapper: a tagged notebook gives the expected steps and edges, in Kale's result and in the compiled
// pipeline's graph; a tag cycle is Kale's error, mapped to a cell; a Python without Kale says what to install.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileKaleNotebook, noKaleMessage } from '../../core/kale/compile.node';
import { cellOfError, readCellTags } from '../../core/kale/tags';
import { parsePipeline } from '../../core/pipeline/parse';
import { kalePython } from '../rigs/kale/index';

const FIXTURES = path.resolve(__dirname, '../fixtures/notebooks/kale');

describe('Kale notebooks (kubeflow-kale 2.3.0)', function () {
  this.timeout(300_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-kale-'));
    for (const f of fs.readdirSync(FIXTURES)) fs.copyFileSync(path.join(FIXTURES, f), path.join(tmp, f));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a tagged notebook compiles with Kale: its steps and edges, and the KFP pipeline Kale writes', async () => {
    const res = await compileKaleNotebook({ python: kalePython(), notebook: path.join(tmp, 'tagged.ipynb') });
    assert.ok(res.ok, res.ok ? '' : `${res.error}\n${res.detail ?? ''}`);
    const steps = Object.fromEntries(res.steps.map((s) => [s.name, s.prev]));
    assert.deepEqual(steps, { load: [], double: ['load'], total: ['load'], report: ['double', 'total'] });
    assert.equal(res.pipeline, 'kale-tagged');
    assert.ok(res.dsl.startsWith(path.join(tmp, '.kale')), res.dsl);
    // The compiled pipeline: a task per step, the same dependencies.
    const model = parsePipeline(fs.readFileSync(res.yaml, 'utf8'));
    assert.deepEqual(model.diagnostics.filter((d) => d.severity === 'error'), []);
    // Kale names a step's task `<step>-step`.
    const step = (id: string) => id.replace(/-step$/, '').replace(/-/g, '_');
    const deps = Object.fromEntries(model.root.tasks.map((t) => [step(t.id), [...t.dependentTasks].map(step).sort()]));
    assert.deepEqual(Object.keys(deps).sort(), ['double', 'load', 'report', 'total'].sort(), JSON.stringify(deps));
    assert.deepEqual(deps.report, ['double', 'total']);
    assert.deepEqual(deps.double, ['load']);
    assert.deepEqual(model.root.inputs.map((i) => i.name), ['n']);
  });

  it('a tag cycle (two steps that follow each other): Kale refuses it, with the fix, on a cell of the cycle', async () => {
    const nb = path.join(tmp, 'cycle.ipynb');
    const res = await compileKaleNotebook({ python: kalePython(), notebook: nb });
    assert.equal(res.ok, false);
    if (res.ok) return;
    assert.match(res.error, /^ValueError: Step second does not exist\. It was defined as previous step of \['first'\]/);
    assert.match(res.error, /form a cycle\. Remove one of the prev: tags/);
    const cells = (JSON.parse(fs.readFileSync(nb, 'utf8')) as { cells: { metadata: { tags: string[] } }[] }).cells.map((c) => readCellTags(c.metadata.tags));
    assert.equal(cellOfError(res.error, cells), 0, 'the cell of step first, whose prev: names a step below it');
  });

  it('a Python without Kale: the message says how to install it', async () => {
    const res = await compileKaleNotebook({ python: '/usr/bin/python3', notebook: path.join(tmp, 'tagged.ipynb') });
    assert.equal(res.ok, false);
    if (res.ok) return;
    assert.equal(res.kind, 'no-kale');
    assert.match(noKaleMessage('/usr/bin/python3'), /-m pip install kubeflow-kale/);
  });
});
