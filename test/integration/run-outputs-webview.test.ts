// The run outputs webview (dist/webviews/run-outputs.js) in headless Chromium under the panels' CSP
// (test/support/graph-page.ts): a run's tasks, artifacts and charts from MLMD records the real library returned
// (test/fixtures/mlmd/classifier-run.json), a comparison, and hostile strings from the cluster shown as text: no
// element, no script, no CSP violation.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compareRuns } from '../../core/mlmd/compare';
import { runOutputs, type RawRun } from '../../core/mlmd/outputs';
import { toRunView } from '../../core/mlmd/runView';
import { distFile } from '../support/build';
import { openGraphPage, type GraphPage } from '../support/graph-page';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'mlmd', 'classifier-run.json');
const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

describe('run outputs webview (Chromium, panel CSP)', function () {
  this.timeout(120_000);
  let g: GraphPage;
  before(async () => {
    distFile('extension.js');
    g = await openGraphPage({ bundle: path.join(path.dirname(distFile('extension.js')), 'webviews', 'run-outputs.js') });
  });
  after(async () => { await g?.close(); });

  it('shows per task the parameters, artifacts, metrics table, confusion matrix heat map and ROC curve', async () => {
    const raw = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as RawRun;
    await g.send({ type: 'run', run: toRunView(runOutputs('run-a', raw), 'Run A') });
    const train = g.page.locator('section.task[data-task="train"]');
    await train.waitFor();
    assert.deepEqual(await g.page.locator('section.task h3').evaluateAll((els) => els.map((e) => e.firstChild?.textContent)), ['prep', 'train', 'report']);
    assert.equal(await train.locator('svg.heatmap rect.cell').count(), 9);
    assert.deepEqual(await train.locator('svg.heatmap text.value').allTextContents(), ['7', '3', '0', '0', '10', '0', '0', '0', '10']);
    // the darkest cell is the largest count
    const opacity = await train.locator('svg.heatmap rect.cell').evaluateAll((els) => els.map((e) => Number(e.getAttribute('fill-opacity'))));
    assert.equal(Math.max(...opacity), opacity[4]);
    assert.equal(await train.locator('svg.plot polyline.curve').count(), 1);
    assert.match(await train.innerText(), /accuracy\s+0\.9/);
    assert.equal(await train.locator('button', { hasText: 'Register in Model Registry…' }).count(), 1);
    await train.locator('button', { hasText: 'Copy URI' }).first().click();
    const posted = (await g.posted()).filter((m) => m.type === 'action');
    assert.deepEqual(posted.at(-1), { type: 'action', action: 'copyUri', ref: raw.events.find((e) => e.type === 'INPUT')!.artifact_id });
    assert.deepEqual(await g.cspViolations(), []);
    assert.deepEqual(g.errors, []);
  });

  it('a comparison marks what differs and overlays the ROC curves', async () => {
    const raw = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as RawRun;
    const a = runOutputs('run-a', raw);
    const b = runOutputs('run-b', JSON.parse(JSON.stringify(raw).replace(/"double_value":0\.9([,}])/g, '"double_value":0.7$1')) as RawRun);
    await g.send({ type: 'compare', comparison: compareRuns([{ id: 'a', name: 'A', parameters: { lr: 0.1 }, outputs: a }, { id: 'b', name: 'B', parameters: { lr: 0.2 }, outputs: b }]) });
    await g.page.locator('h1', { hasText: 'Compare 2 runs' }).waitFor();
    const text = await g.page.locator('.outputs-app').innerText();
    assert.match(text, /≠ lr/);
    assert.match(text, /≠ train\.accuracy/);
    assert.doesNotMatch(text, /≠ train\.loss/);
    assert.equal(await g.page.locator('svg.plot polyline.curve').count(), 2);
    assert.deepEqual(await g.page.locator('ul.legend li').allTextContents(), ['A · train.classification', 'B · train.classification']);
  });

  it('hostile names, URIs, metadata and labels from the cluster are text: nothing is parsed or executed', async () => {
    const raw = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as RawRun;
    const view = toRunView(runOutputs('run-a', raw), HOSTILE);
    const t = view.tasks[1]!;
    t.task = HOSTILE;
    t.artifacts[1]!.uri = `s3://b/${HOSTILE}`;
    t.artifacts[1]!.metadata = HOSTILE;
    const cm = t.artifacts[3]!.visualizations[0]!;
    if (cm.kind === 'confusion') cm.matrix.labels[0] = HOSTILE;
    await g.send({ type: 'run', run: view });
    await g.page.locator('h1', { hasText: 'onerror' }).waitFor();
    assert.equal(await g.page.locator('.outputs-app img, .outputs-app script').count(), 0);
    assert.equal(await g.page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned), undefined);
    assert.match(await g.page.locator('.outputs-app').innerText(), /<img src=x onerror/);
    assert.deepEqual(g.errors, []);
  });
});
