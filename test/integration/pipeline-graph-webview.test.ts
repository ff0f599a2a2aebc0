// The pipeline graph webview (the built dist/webviews/pipeline-graph.js) in headless Chromium, outside VS Code:
// drawing, drill-down and breadcrumbs, keyboard navigation, search across levels, the details pane, problems,
// escaping of names from the file, a strict CSP, and a 2,000-task pipeline. Screenshots in
// test-output/screenshots/pipeline-graph-webview/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { firstLevelLayout, packLayout, unpackLayout } from '../../core/pipeline/first-layout';
import { buildLevel } from '../../core/pipeline/layer';
import type { PipelineModel } from '../../core/pipeline/model';
import { parsePipeline } from '../../core/pipeline/parse';
import { openGraphPage, showModel, waitForRender, type GraphPage } from '../support/graph-page';
import { requireShared } from '../support/shared';
import { syntheticPipeline } from '../support/synthetic-pipeline';

const ROOT = path.resolve(__dirname, '../..');

/** The bits of the DOM used inside page.evaluate (this file is type-checked without the DOM library). */
interface Doc {
  document: { querySelectorAll(s: string): { length: number }; elementFromPoint(x: number, y: number): { outerHTML: string } | null };
}
const SHOTS = path.join(ROOT, 'test-output/screenshots/pipeline-graph-webview');

describe('pipeline graph webview (Chromium)', function () {
  this.timeout(120_000);
  let g: GraphPage;
  let loops: PipelineModel;
  const send = (model: PipelineModel, label = 'pipeline.yaml') => showModel(g, model, label);
  const frame = () => g.page;
  const nodeLabels = () => frame().locator('svg.graph .node .label').allTextContents();
  const crumbs = () => frame().locator('.crumbs .crumb').allTextContents();
  /** Drags on the canvas with the mouse, as a user pans. */
  const drag = async ([x0, y0]: [number, number], [x1, y1]: [number, number], steps: number) => {
    await frame().mouse.move(x0, y0);
    await frame().mouse.down();
    await frame().mouse.move(x1, y1, { steps });
    await frame().mouse.up();
  };
  const shot = (name: string) => frame().screenshot({ path: path.join(SHOTS, `${name}.png`) });
  const lastPosted = async (type: string) => (await g.posted()).filter((m) => m.type === type).pop();

  before(async function () {
    const dir = requireShared(this, 'fixtures', 'kfp-ir');
    loops = parsePipeline(fs.readFileSync(path.join(dir, 'frontend-test/pipeline_with_loops_and_conditions.yaml'), 'utf8'));
    fs.mkdirSync(SHOTS, { recursive: true });
    // The test reads the bundle as the extension ships it.
    const built = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    g = await openGraphPage({ theme: 'dark' });
  });
  after(async () => {
    await g?.close();
  });

  it('draws the root level: tasks with their kind, sub-DAG summaries, inputs', async function () {
    const r = await send(loops, 'pipeline_with_loops_and_conditions.yaml');
    assert.equal(r.level, 'root');
    assert.deepEqual((await nodeLabels()).sort(), ['args-generator-op', 'condition-1', 'flip-coin-op', 'for-loop-14', 'loop_parameter', 'msg']);
    const cond = frame().locator('[data-id="t:condition-1"]');
    assert.match((await cond.locator('title').textContent()) ?? '', /^condition-1\nif flip-coin-op\.Output != 'no-such-result'\n20 tasks$/);
    assert.equal(await cond.locator('.badge').textContent(), '20 tasks');
    assert.deepEqual(await crumbs(), ['pipeline-with-loops-and-conditions-multi-layers']);
    await shot('1-root');
  });

  it('draws the top level where the layout sent with the model puts it (the extension host lays it out)', async function () {
    const given = firstLevelLayout(loops);
    assert.ok(given);
    const level = buildLevel(loops, loops.root, undefined);
    const own = unpackLayout(given.layout, level.nodes.length, level.edges);
    assert.ok(own);
    // Mirrored, so it cannot be what the page would have computed itself.
    const mirrored = { ...given, layout: packLayout({ ...own, nodes: own.nodes.map((n) => ({ ...n, x: own.width - n.x })) }) };
    const i = level.nodes.findIndex((n) => n.id === 't:flip-coin-op');
    const at = async () => frame().locator('[data-id="t:flip-coin-op"]').getAttribute('transform');
    const p = { x: own.width - own.nodes[i].x, y: own.nodes[i].y, width: own.nodes[i].width, height: own.nodes[i].height };
    await showModel(g, loops, 'given-layout.yaml', mirrored);
    assert.equal(await at(), `translate(${p.x - p.width / 2},${p.y - p.height / 2})`);
    const q = own.nodes[i];
    await showModel(g, loops, 'stale-layout.yaml', mirrored, { layoutVersion: 1 });
    assert.equal(await at(), `translate(${q.x - q.width / 2},${q.y - q.height / 2})`, 'a layout made for another version of the file is not used');
    await showModel(g, loops, 'pipeline_with_loops_and_conditions.yaml');
    assert.equal(await at(), `translate(${q.x - q.width / 2},${q.y - q.height / 2})`, 'without one the page lays the level out itself');
  });

  it('double-click drills into a sub-DAG; breadcrumbs lead back', async function () {
    await frame().locator('[data-id="t:condition-1"]').dblclick();
    await frame().locator('[data-id="t:for-loop-2"]').waitFor();
    assert.deepEqual(await crumbs(), ['pipeline-with-loops-and-conditions-multi-layers', 'condition-1']);
    assert.ok((await nodeLabels()).includes('args-generator-op-2'));
    await frame().locator('[data-id="t:for-loop-2"]').dblclick();
    await frame().locator('[data-id="t:for-loop-12"]').waitFor();
    await shot('2-loop-body');
    await frame().locator('.crumb', { hasText: 'pipeline-with-loops' }).click();
    await frame().locator('[data-id="t:flip-coin-op"]').waitFor();
    assert.equal((await crumbs()).length, 1);
  });

  it('keyboard: arrows select, Enter opens, Backspace goes up with the sub-DAG selected', async function () {
    await frame().locator('.canvas').focus();
    await frame().keyboard.press('ArrowDown');
    assert.equal(await frame().locator('.node.selected').count(), 1);
    await frame().locator('[data-id="t:condition-1"]').click();
    await frame().locator('.canvas').focus();
    await frame().keyboard.press('Enter');
    await frame().locator('[data-id="t:for-loop-2"]').waitFor();
    await frame().keyboard.press('Backspace');
    await frame().locator('[data-id="t:condition-1"].selected').waitFor();
    await frame().keyboard.press('Escape');
    assert.equal(await frame().locator('.node.selected').count(), 0);
  });

  it('the details pane of a task: component, image, inputs with their sources; "Go to source" asks the extension', async function () {
    await frame().locator('[data-id="t:flip-coin-op"]').click();
    const details = frame().locator('.details');
    await details.locator('h2', { hasText: 'flip-coin-op' }).waitFor();
    assert.match(await details.innerText(), /Component\s+comp-flip-coin-op/);
    assert.match(await details.innerText(), /Image\s+python:3\.11/);
    await details.locator('vscode-button', { hasText: 'Go to source' }).click();
    assert.deepEqual(await lastPosted('openTask'), { type: 'openTask', path: [], task: 'flip-coin-op' });
    await frame().locator('[data-id="t:condition-1"]').click();
    assert.match(await details.innerText(), /Condition\s+flip-coin-op\.Output != 'no-such-result'/);
    assert.match(await details.innerText(), /upstream \(4\)[\s\S]*flip-coin-op · data · Output/i);
    await shot('3-details');
  });

  it('search finds tasks in any level and opens the level of the hit', async function () {
    await frame().keyboard.press('Control+f');
    await frame().keyboard.type('print-text-4');
    await frame().locator('.search-results button', { hasText: 'print-text-4' }).waitFor();
    assert.match(await frame().locator('.search-results').innerText(), /condition-1 › for-loop-2 › for-loop-8/);
    await frame().keyboard.press('Enter');
    await frame().locator('[data-id="t:print-text-4"].selected').waitFor();
    assert.deepEqual(await crumbs(), ['pipeline-with-loops-and-conditions-multi-layers', 'condition-1', 'for-loop-2', 'for-loop-8']);
    await shot('4-search');
    await frame().keyboard.press('Escape');
  });

  it('a file with problems: a banner, the problems listed in the details, a click opens the line', async function () {
    const dir = requireShared(this, 'fixtures', 'kfp-ir');
    const broken = parsePipeline(fs.readFileSync(path.join(dir, 'sdk-compiled/invalid/invalid_yaml.yaml'), 'utf8'));
    await send(broken, 'invalid_yaml.yaml');
    await frame().locator('.banner.error').waitFor();
    assert.deepEqual(await nodeLabels(), ['echo']);
    const problems = frame().locator('.problems .problem');
    assert.equal(await problems.count(), broken.diagnostics.length);
    await problems.first().click();
    const open = await lastPosted('openLine');
    assert.equal(open?.line, broken.diagnostics[0].range.start.line);
    await shot('5-problems');
  });

  it('names from the file are text, never markup', async function () {
    const evil = structuredClone(loops);
    evil.root.tasks[0].name = '<img src=x onerror="window.__pwned=1">';
    evil.name = '<b>bold</b>';
    await send(evil, 'evil.yaml');
    assert.equal(await frame().locator('svg.graph img, .crumbs b, .details b').count(), 0);
    assert.ok((await nodeLabels()).some((l) => l.startsWith('<img')));
    assert.equal(await frame().evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined);
  });

  it('a 2,000-task pipeline: first paint, then every node drawn, and it still pans', async function () {
    const big = parsePipeline(syntheticPipeline({ tasks: 2000 }).text);
    const r = await send(big, 'synthetic.yaml');
    assert.ok(Number(r.nodes) > 1800);
    await frame().waitForFunction((n) => (globalThis as unknown as Doc).document.querySelectorAll('svg.graph .node').length === n, Number(r.nodes), { timeout: 30_000 });
    const before = await frame().locator('svg.graph').evaluate((e) => (e as unknown as { style: { transform: string } }).style.transform);
    const box = await frame().locator('.canvas').boundingBox();
    assert.ok(box);
    await drag([box.x + 200, box.y + 200], [box.x + 400, box.y + 300], 5);
    const after = await frame().locator('svg.graph').evaluate((e) => (e as unknown as { style: { transform: string } }).style.transform);
    const hit = await frame().evaluate(([x, y]) => (globalThis as unknown as Doc).document.elementFromPoint(x, y)?.outerHTML.slice(0, 200), [box.x + 200, box.y + 200]);
    assert.notEqual(after, before, `dragging moved nothing; the pointer went down on ${hit}`);
    await shot('6-synthetic-2000');
    await frame().keyboard.press('0');
    await frame().waitForTimeout(300);
    await shot('7-synthetic-2000-fit');
  });

  it('a 30,000-task level (above the old 20,000 cap): painted, its size shown, only what is in view drawn, its last task found by search', async function () {
    const big = parsePipeline(syntheticPipeline({ tasks: 30_000, loops: 0 }).text);
    const rootTasks = big.root.tasks.length;
    assert.ok(rootTasks > 20_000);
    const r = await send(big, 'synthetic-30000.yaml');
    assert.ok(Number(r.nodes) > rootTasks);
    await frame().locator('.crumbs .level-size', { hasText: `${rootTasks.toLocaleString('en-US')} tasks` }).waitFor();
    const drawn = await frame().locator('svg.graph .node').count();
    assert.ok(drawn > 0 && drawn < 5000, `${drawn} nodes in the DOM`);
    await shot('7b-synthetic-30000');
    // Panning draws what comes into view.
    const ids = () => frame().locator('svg.graph .node').evaluateAll((els) => els.map((e) => (e as unknown as { getAttribute(n: string): string }).getAttribute('data-id')));
    const shown = new Set(await ids());
    const box = await frame().locator('.canvas').boundingBox();
    assert.ok(box);
    await drag([box.x + 700, box.y + 700], [box.x + 100, box.y + 100], 8);
    await frame().waitForFunction((before) => [...(globalThis as unknown as { document: { querySelectorAll(q: string): Iterable<{ getAttribute(n: string): string }> } }).document.querySelectorAll('svg.graph .node')].some((e) => !before.includes(e.getAttribute('data-id'))), [...shown], { timeout: 30_000 });
    const last = big.root.tasks[rootTasks - 1].name;
    await frame().keyboard.press('Control+f');
    await frame().keyboard.type(last);
    await frame().locator('.search-results button', { hasText: last }).first().waitFor();
    await frame().keyboard.press('Enter');
    await frame().locator(`[data-id="t:${last}"].selected`).waitFor({ timeout: 30_000 });
    assert.ok((await frame().locator('svg.graph .node').count()) < 5000);
    await shot('7c-synthetic-30000-found');
    await frame().keyboard.press('Escape');
  });

  it('no script was blocked by the CSP and the page logged no errors', async function () {
    const violations = await g.cspViolations();
    // The toolkit's FAST templates bind `style` attributes, which no nonce can allow (shared/reference/webview-toolkits.md).
    assert.deepEqual(violations.filter((v) => !v.startsWith('style-src-attr')), []);
    assert.deepEqual(g.errors.filter((e) => !/Content Security Policy.*style-src-attr|style attribute/i.test(e)), []);
  });

  it('the light theme', async function () {
    const light = await openGraphPage({ theme: 'light' });
    try {
      await light.send({ type: 'model', model: loops, source: { label: 'x.yaml', kind: 'ir' }, version: 0 });
      await waitForRender(light);
      await light.page.locator('[data-id="t:condition-1"]').click();
      await light.page.screenshot({ path: path.join(SHOTS, '8-light.png') });
    } finally {
      await light.close();
    }
  });
});
