// Cluster kernels for local notebooks, as a user meets them: the packaged extension in code-server against the sandbox
// (real apiserver + kwok, a Notebook whose pod kwok forwards to a real Jupyter server). The Notebooks view lists the
// servers; a local .ipynb picks `sandbox-nb` with "Kubeflow: Select Notebook Server…"; cells run with stream, image
// and error outputs; a sleep is interrupted; the kernel restarts; the pod is replaced mid-run (the run goes on) and the
// server restarts with its pod (the run ends with a message, the next cell runs on a new kernel); a window reload
// rejoins a running cell. Screenshots: test-output/screenshots/notebooks/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Locator } from 'playwright-core';
import { venvBin } from '../../rigs/jupyter/index';
import { until } from '../../support/wait';
import type { Sandbox } from '../../rigs/sandbox';
import { pane, screenshotOnFailure, startSandboxSession, type SandboxSession, type Workbench } from './support';

const IMAGE_CELL = [
  'import struct, zlib',
  'from IPython.display import Image, display',
  'w, h = 160, 64',
  'rows = b"".join(b"\\x00" + bytes(v for x in range(w) for v in (x * 255 // w, y * 4, 200)) for y in range(h))',
  'chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))',
  'display(Image(b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")))',
].join('\n');

const CELLS = [
  /* 0 */ 'import os, socket\nprint("hello from the notebook server, cwd", os.getcwd())\nx = 41\nx + 1',
  /* 1 */ IMAGE_CELL,
  /* 2 */ 'def divide(a, b):\n    return a / b\n\ndivide(1, 0)',
  /* 3 */ 'import time\nprint("sleeping", flush=True)\ntime.sleep(300)',
  /* 4 */ 'print("x is defined:", "x" in dir())',
  /* 5 */ 'import time\nfor i in range(10):\n    print("tick", i, flush=True)\n    time.sleep(1)\n"ticks done"',
  /* 6 */ 'print("after the pod came back:", 6 * 7)',
  /* 7 */ 'name = input("Your name: ")\nprint("hello", name)',
  /* 8 */ 'import matplotlib.pyplot as plt\nimport pandas as pd\ndf = pd.DataFrame({"step": [1, 2, 3], "loss": [0.9, 0.5, 0.3]})\ndf.plot(x="step", y="loss")\nplt.show()',
];

interface SavedCell { execution_count: number | null; outputs: Array<{ output_type: string; traceback?: string[]; data?: Record<string, unknown> }> }
interface SavedNotebook { cells: SavedCell[]; metadata: { kernelspec?: { name: string; display_name: string; language: string }; language_info?: { name: string } } }

function notebookJson(): string {
  return JSON.stringify({
    // nbformat 4.5 cells carry an id (nbformat warns about a missing one, and will refuse it).
    cells: CELLS.map((source, i) => ({ cell_type: 'code', execution_count: null, id: `cell-${i}`, metadata: {}, outputs: [], source })),
    // No kernelspec: a new notebook; the server's default kernel runs it, and saving records it.
    metadata: {},
    nbformat: 4, nbformat_minor: 5,
  }, null, 1);
}

describe('notebooks: cluster kernels for local notebooks (UI)', function () {
  this.timeout(300_000);
  let session: SandboxSession | undefined;
  let sandbox: Sandbox | undefined;
  let wb: Workbench | undefined;
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-e2e-nb-ws-'));
  const page = () => wb!.page;

  /** A cell's row (rendered only while near the viewport: focusCell reveals it). */
  const row = (i: number): Locator => page().locator(`.notebookOverlay:visible:not([inert]) .cell-list-container .monaco-list-row[data-index="${i}"]`);
  /** Focuses cell i in command mode: a click on a visible cell's left margin, then arrow keys (the list scrolls to it). */
  async function focusCell(i: number): Promise<void> {
    const focusedIndex = async () => Number(await page().locator('.notebookOverlay:visible:not([inert]) .cell-list-container .monaco-list-row.focused').first().getAttribute('data-index', { timeout: 5000 }).catch(() => NaN));
    const visible = page().locator('.notebookOverlay:visible:not([inert]) .cell-list-container .monaco-list-row.code-cell-row');
    const target = row(i);
    // Into a cell's editor, then Escape: command mode, arrows move between cells. (The left margin runs beside the
    // outputs, whose "…" menu a click there can open.)
    await page().keyboard.press('Escape');
    const list = (await page().locator('.notebookOverlay:visible:not([inert]) .cell-list-container').first().boundingBox())!;
    const candidates = [...((await target.count()) ? [target] : []), ...(await visible.all())];
    for (const c of candidates) {
      const editor = c.locator('.monaco-editor').first();
      const box = await editor.boundingBox().catch(() => null);
      if (!box || box.y < list.y + 4 || box.y + 24 > list.y + list.height) continue; // only an editor whose top line shows
      await editor.click({ position: { x: 40, y: 12 } });
      break;
    }
    await page().keyboard.press('Escape');
    let at = await focusedIndex();
    for (let n = 0; n < 30 && at !== i; n++) {
      await page().keyboard.press(at < i ? 'ArrowDown' : 'ArrowUp');
      await page().waitForTimeout(80);
      at = await focusedIndex();
    }
    assert.equal(at, i, `cell ${i} has the focus`);
  }
  /** Runs cell i like a user: its Execute Cell button. */
  async function runCell(i: number): Promise<void> {
    await focusCell(i);
    const r = row(i);
    await r.scrollIntoViewIfNeeded();
    await r.hover();
    await r.locator('.run-button-container .action-label').first().click();
  }
  /** Text in any output webview frame. */
  async function output(text: string | RegExp, timeout = 60_000): Promise<string> {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      for (const f of page().frames()) {
        if (f === page().mainFrame()) continue; // cell sources are there; outputs are in webview frames
        const t = await f.locator(typeof text === 'string' ? `text=${text}` : `text=${text}`).first().innerText({ timeout: 100 }).catch(() => null);
        if (t) return t;
      }
      await page().waitForTimeout(300);
    }
    throw new Error(`no cell output shows ${String(text)}`);
  }
  async function cellState(i: number, state: 'success' | 'error', timeout = 60_000): Promise<void> {
    await row(i).locator(`.codicon-notebook-state-${state}`).first().waitFor({ timeout });
  }
  /** Scrolls the notebook so cell i and the end of its outputs are in view (for screenshots). */
  async function reveal(i: number): Promise<void> {
    // The next cell comes into view below i's outputs (when there is one).
    const cells = Number(/Cell \d+ of (\d+)/.exec(await page().locator('.statusbar').innerText())?.[1] ?? i + 1);
    await focusCell(Math.min(i + 1, cells - 1));
    const list = await page().locator('.notebookOverlay:visible:not([inert]) .cell-list-container').first().boundingBox();
    const box = await row(i).boundingBox();
    const editor = await row(i).locator('.monaco-editor').first().boundingBox().catch(() => null);
    if (list && box && editor && box.y + box.height > list.y + list.height) {
      // Wheel over the cell's editor: over the outputs the webview would take the events.
      await page().mouse.move(editor.x + 40, Math.max(editor.y + 8, list.y + 20));
      await page().mouse.wheel(0, Math.min(box.y - list.y, box.y + box.height - (list.y + list.height) + 30));
      await page().waitForTimeout(500);
    }
  }
  async function clickDialogButton(label: string): Promise<void> {
    const b = page().locator('.monaco-dialog-box .dialog-buttons a, .monaco-dialog-box .dialog-buttons button', { hasText: label }).first();
    await b.waitFor({ timeout: 30_000 });
    await b.click();
  }

  before(async () => {
    session = await startSandboxSession({
      suite: 'notebooks', folder: ws, viewport: { width: 1500, height: 1000 },
      settings: { 'notebook.confirmDeleteRunningCell': false, 'files.hotExit': 'onExitAndWindowClose' },
      prepare: async ({ volume }) => {
        fs.mkdirSync(path.join(volume, 'analysis'), { recursive: true });
        fs.mkdirSync(path.join(ws, 'analysis'), { recursive: true });
        fs.writeFileSync(path.join(ws, 'analysis', 'demo.ipynb'), notebookJson());
        fs.writeFileSync(path.join(ws, 'gpu.ipynb'), JSON.stringify({
          cells: [{ cell_type: 'code', execution_count: null, id: 'gpu-0', metadata: {}, outputs: [], source: 'print("the started server answered", 6 * 7)' }],
          metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } }, nbformat: 4, nbformat_minor: 5,
        }));
      },
    });
    ({ sandbox, wb } = session);
  });
  afterEach(async function () {
    await screenshotOnFailure(this, wb);
  });
  after(async () => {
    await session?.stop();
  });

  it('the Notebooks view lists the servers of the namespace with state, image and resources', async () => {
    await wb!.openViewContainer('Kubeflow');
    const view = page().locator('.part.sidebar .pane', { has: page().locator('.pane-header', { hasText: /Notebooks/i }) });
    const running = view.locator('.monaco-list-row', { hasText: 'sandbox-nb' });
    await running.first().waitFor({ timeout: 60_000 });
    await view.locator('.monaco-list-row', { hasText: 'stopped-nb' }).first().waitFor({ timeout: 30_000 });
    await view.locator('.monaco-list-row', { hasText: /sandbox-nb.*running/ }).first().waitFor({ timeout: 30_000 });
    const text = (await view.locator('.monaco-list-rows').innerText()).replace(/\s+/g, ' ');
    assert.match(text, /sandbox-nb\s*running · jupyter-scipy:v1\.9\.0 · 1 CPU · 2Gi/);
    assert.match(text, /stopped-nb\s*stopped · jupyter-pytorch-cuda:v1\.9\.0/);
    // A server asking for more GPUs than any node has: pending, with the scheduler's reason from the pod's events.
    await sandbox!.rig.apply([{
      apiVersion: 'kubeflow.org/v1', kind: 'Notebook', metadata: { name: 'big-gpu', namespace: sandbox!.namespace },
      spec: { template: { spec: { containers: [{ name: 'big-gpu', image: 'ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-pytorch-cuda-full:v1.10.0', resources: { requests: { cpu: '8', memory: '64Gi' }, limits: { 'nvidia.com/gpu': '16' } } }] } } },
    }]);
    const big = view.locator('.monaco-list-row', { hasText: /big-gpu.*pending/ }).first();
    await big.waitFor({ timeout: 60_000 });
    assert.match(await big.innerText(), /16 GPU/);
    // The scheduler's reason, from the pod's PodScheduled condition or its FailedScheduling event (whichever the
    // view has read first; the real kube-scheduler writes both).
    // The row re-renders while the controller and the scheduler update the server (status, events), which cancels
    // a hover that is open: hover again until the reason shows.
    const reasonHover = page().locator('.monaco-hover', { hasText: /Insufficient nvidia\.com\/gpu/ }).first();
    const until = Date.now() + 60_000;
    for (;;) {
      await page().mouse.move(700, 500);
      await big.hover();
      if (await reasonHover.waitFor({ timeout: 5_000 }).then(() => true, () => false)) break;
      if (Date.now() > until) throw new Error(`no hover with the scheduler's reason on big-gpu; the row says: ${await big.innerText()}`);
    }
    assert.match(await page().locator('.monaco-hover').first().innerText(), /Unschedulable|FailedScheduling/);
    await wb!.screenshot('1-notebooks-view');
    await page().mouse.move(700, 500);
  });

  let pickedAt = 0;
  it('opens a local notebook and picks the sandbox server with "Kubeflow: Select Notebook Server…"', async () => {
    await page().keyboard.press('Control+P');
    const input = page().locator('.quick-input-widget input');
    await input.fill('demo.ipynb');
    await page().locator('.quick-input-list .monaco-list-row', { hasText: 'demo.ipynb' }).first().waitFor({ timeout: 30_000 });
    await page().keyboard.press('Enter');
    await page().locator('.notebookOverlay:visible:not([inert]) .cell-list-container').first().waitFor({ timeout: 60_000 });
    // The notebook toolbar carries the command once the editor's context is set.
    await page().locator('.notebook-toolbar-container', { hasText: 'Select Notebook Server…' }).first().waitFor({ timeout: 60_000 });
    await wb!.runCommand('Kubeflow: Select Notebook Server…');
    const item = page().locator('.quick-input-list .monaco-list-row', { hasText: 'sandbox-nb' }).first();
    await item.waitFor({ timeout: 30_000 });
    await wb!.screenshot('2-select-server');
    await item.click();
    pickedAt = Date.now();
    await page().locator('.notebook-toolbar-container', { hasText: 'sandbox-nb' }).first().waitFor({ timeout: 30_000 });
    console.log(`      picked → kernel shown in the toolbar: ${Date.now() - pickedAt} ms`);
  });

  it('runs cells: stream and result, an image, an error with its traceback; execution order is shown', async () => {
    await focusCell(0);
    await row(0).hover();
    const clickedAt = Date.now();
    await row(0).locator('.run-button-container .action-label').first().click();
    await output('hello from the notebook server');
    console.log(`      picked server → first result: ${Date.now() - pickedAt} ms (run clicked → output shown: ${Date.now() - clickedAt} ms)`);
    // The kernel runs in the notebook's folder on the server's volume.
    await output(/kfvs-sandbox-volume-\w+\/analysis/);
    await output('42');
    await cellState(0, 'success');
    assert.match(await row(0).locator('.execution-count-label').innerText(), /\[1\]/);
    await wb!.screenshot('3-stream-output');

    await runCell(1);
    await cellState(1, 'success');
    let image = false;
    for (let i = 0; i < 60 && !image; i++) {
      for (const f of page().frames()) if (await f.locator('img[src^="blob:"], img[src^="data:image/png"]').count().catch(() => 0)) image = true;
      if (!image) await page().waitForTimeout(500);
    }
    assert.ok(image, 'the PNG is rendered');
    await reveal(1);
    await wb!.screenshot('4-image-output');

    await runCell(2);
    await cellState(2, 'error');
    await output('ZeroDivisionError');
    await output(/return a \/ b/);
    await wb!.screenshot('5-error-traceback');
  });

  it('interrupts a sleeping cell', async () => {
    await runCell(3);
    await output('sleeping');
    const t0 = Date.now();
    await page().locator('.notebook-toolbar-container [aria-label^="Interrupt"]').first().click();
    await cellState(3, 'error', 30_000);
    await output('KeyboardInterrupt');
    assert.ok(Date.now() - t0 < 15_000, `interrupted in ${Date.now() - t0} ms`);
    await wb!.screenshot('6-interrupted');
  });

  it('restarts the kernel: its variables are gone', async () => {
    await runCell(4);
    await output('x is defined: True');
    await wb!.runCommand('Kubeflow: Restart Kernel');
    await clickDialogButton('Restart');
    // The status bar says when the server has restarted the kernel; a cell run before that could reach the old one.
    await page().locator('.statusbar-item', { hasText: 'Kernel restarted' }).first().waitFor({ timeout: 60_000 });
    await runCell(4);
    await output('x is defined: False', 60_000);
    await wb!.screenshot('7-restarted');
  });

  it('the pod is replaced while a cell runs: the forward heals and the run finishes on the same kernel', async () => {
    await runCell(5);
    await output('tick 1');
    await sandbox!.restartNotebookPod();
    await output('ticks done', 60_000);
    await cellState(5, 'success');
    await output('tick 9');
    await reveal(5);
    await wb!.screenshot('8-pod-replaced-run-finished');
  });

  it('the server restarts with its pod mid-run: the cell ends with a message, then a cell runs again on a new kernel', async () => {
    await runCell(5);
    await output('tick 1');
    await sandbox!.restartNotebookPod({ restartServer: true });
    await cellState(5, 'error', 90_000);
    await output(/kernel on sandbox-nb (is gone|stopped because its notebook server shut down)/);
    await reveal(5);
    await wb!.screenshot('9-server-restarted-cell-ended');
    await runCell(6);
    await output('after the pod came back: 42', 90_000);
    await cellState(6, 'success');
    await reveal(6);
    await wb!.screenshot('10-ran-again-after-heal');
  });

  it('a window reload rejoins the kernel and the cell that is still running gets its output', async () => {
    await page().keyboard.press('Control+P');
    const input = page().locator('.quick-input-widget input');
    await input.fill('demo.ipynb');
    await page().locator('.quick-input-list .monaco-list-row', { hasText: 'demo.ipynb' }).first().waitFor({ timeout: 30_000 });
    await page().keyboard.press('Enter');
    await page().locator('.tab.active', { hasText: 'demo.ipynb' }).waitFor({ timeout: 30_000 });
    await runCell(5);
    await output('tick 1');
    await page().reload();
    await page().locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page().locator('.notebookOverlay:visible:not([inert]) .cell-list-container').first().waitFor({ timeout: 60_000 });
    // Outputs render only near the viewport: bring the cell into view (the reopened editor may start at the top).
    await focusCell(5);
    await output('ticks done', 90_000);
    await output('tick 9');
    await reveal(5);
    await cellState(5, 'success', 30_000);
    await wb!.screenshot('11-after-reload-run-finished');
  });
  it('answers input() with an input box; the prompt and the answer are echoed', async () => {
    await runCell(7);
    const box = page().locator('.quick-input-widget', { hasText: 'Your name:' });
    await box.waitFor({ timeout: 30_000 });
    await page().locator('.quick-input-widget input').fill('Ada');
    await wb!.screenshot('12-input-request');
    await page().keyboard.press('Enter');
    await output('hello Ada');
    await cellState(7, 'success');
  });

  it('plots with matplotlib and pandas: the figure is a PNG output, as on a Kubeflow Jupyter image', async () => {
    await runCell(8);
    await cellState(8, 'success', 90_000);
    let image = false;
    for (let i = 0; i < 60 && !image; i++) {
      for (const f of page().frames()) if (await f.locator('img[src^="blob:"], img[src^="data:image/png"]').count().catch(() => 0) > 1) image = true;
      if (!image) await page().waitForTimeout(500);
    }
    assert.ok(image, 'the figure is rendered next to the earlier PNG');
    await reveal(8);
    await wb!.screenshot('12b-matplotlib-figure');
  });

  it('the Kernel Variables view lists the kernel\'s variables and follows each cell run', async () => {
    const header = page().locator('.part.sidebar .pane-header', { hasText: 'Kernel Variables' });
    await header.waitFor({ timeout: 30_000 });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const rows = pane(page(), 'Kernel Variables').locator('.monaco-list-row');
    // Cell 8 made `df`, cell 7 `name`; its imports (pandas, matplotlib) are modules and are not listed.
    await rows.filter({ hasText: 'DataFrame · 3×2' }).filter({ hasText: 'df' }).first().waitFor({ timeout: 60_000 });
    await rows.filter({ hasText: "str = 'Ada'" }).first().waitFor({ timeout: 30_000 });
    const names = (await rows.allInnerTexts()).map((t) => t.trim().split(/\s/)[0]);
    for (const module of ['pd', 'plt', 'time']) assert.ok(!names.includes(module), `${module} is a module: not listed (${names.join(', ')})`);
    assert.ok(!names.includes('x'), 'x is not defined on this kernel yet (the server restarted since cell 0 ran)');
    await wb!.screenshot('12b2-kernel-variables');
    // Cell 0 defines x: the view shows it once the run has ended, with no action from the user.
    await runCell(0);
    await cellState(0, 'success');
    await rows.filter({ hasText: 'int = 41' }).first().waitFor({ timeout: 30_000 });
    await wb!.screenshot('12b3-kernel-variables-after-a-run');
  });

  it('saves the notebook as Jupyter does (tracebacks, execution counts, kernelspec) and it reopens', async () => {
    const local = path.join(ws, 'analysis', 'demo.ipynb');
    const read = () => JSON.parse(fs.readFileSync(local, 'utf8')) as SavedNotebook;
    await focusCell(0);
    await page().keyboard.press('Control+S');
    await page().locator('.tab.active:not(.dirty)', { hasText: 'demo.ipynb' }).first().waitFor({ timeout: 30_000 });
    const saved = read();
    // The error output keeps the kernel's traceback entries as they came: IPython sends one entry per frame (several
    // lines each) and the error line last. The serializer re-splitting the joined stack made every line an entry
    // ending in "\n", which JupyterLab and VS Code show double-spaced.
    const error = saved.cells[2].outputs.find((o) => o.output_type === 'error')!;
    const tb = error.traceback!;
    assert.ok(tb.length >= 3 && tb.length < 8, `one entry per frame, not per line (${tb.length} entries)`);
    assert.ok(tb.some((l) => l.slice(0, -1).includes('\n')), 'frame entries keep their lines together');
    assert.match(tb.at(-1)!, /ZeroDivisionError.*division by zero$/);
    // Cell 5 last finished after the window reload rejoined it; every run cell has its count.
    for (const i of [0, 1, 2, 5, 7, 8]) assert.equal(typeof saved.cells[i].execution_count, 'number', `cell ${i} has an execution count`);
    assert.ok(saved.cells[8].outputs.some((o) => typeof o.data?.['image/png'] === 'string'), 'the figure is saved as image/png');
    assert.equal(saved.metadata.kernelspec?.name, 'python3');
    assert.equal(saved.metadata.kernelspec?.language, 'python');
    assert.equal(saved.metadata.language_info?.name, 'python');
    // Reopen from disk (the built-in serializer reads it back): the traceback shows as it did, single-spaced.
    await wb!.runCommand('View: Close All Editors');
    await page().keyboard.press('Control+P');
    await page().locator('.quick-input-widget input').fill('demo.ipynb');
    await page().locator('.quick-input-list .monaco-list-row', { hasText: 'demo.ipynb' }).first().waitFor({ timeout: 30_000 });
    await page().keyboard.press('Enter');
    await page().locator('.tab.active', { hasText: 'demo.ipynb' }).waitFor({ timeout: 30_000 });
    await output('ZeroDivisionError');
    await reveal(2);
    await wb!.screenshot('12c-reopened-traceback');
    // Saved again after reopening, unchanged (an explicit Save writes a clean file too; an edit would not do: the ipynb
    // extension clears an edited cell's execution count): byte for byte the same.
    const first = fs.readFileSync(local);
    const mtime = fs.statSync(local).mtimeMs;
    await focusCell(0);
    await page().keyboard.press('Control+S');
    await until('the file to be written again', 30_000, () => fs.statSync(local).mtimeMs > mtime);
    const second = fs.readFileSync(local);
    assert.equal(second.toString('utf8'), first.toString('utf8'), 'VS Code\'s ipynb serializer reads and writes it back unchanged');
    assert.ok(second.equals(first));
    // Jupyter's own reader (nbformat, as JupyterLab uses) takes it without a warning, it is valid nbformat 4, and
    // nbformat writes it back to the same bytes.
    const check = spawnSync(venvBin('python'), ['-W', 'error', '-c', 'import pathlib, sys, nbformat; nb = nbformat.read(sys.argv[1], as_version=4); nbformat.validate(nb); print(nbformat.writes(nb) + "\\n" == pathlib.Path(sys.argv[1]).read_text(encoding="utf-8"))', local], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    assert.equal(check.stdout.trim(), 'True', 'nbformat (JupyterLab\'s writer) writes the same bytes');
  });

  it('completes `df.` and shows hover from the live kernel (the DataFrame a previous cell made)', async () => {
    // Cell 8 made `df`; at the end of cell 4, `df.` lists the DataFrame's columns and methods.
    await runCell(8);
    await cellState(8, 'success', 90_000);
    await focusCell(4);
    await page().keyboard.press('Enter');
    await page().keyboard.press('Control+End');
    await page().keyboard.press('Enter');
    await page().keyboard.type('df.');
    const suggest = page().locator('.editor-widget.suggest-widget.visible');
    if (!(await suggest.waitFor({ timeout: 15_000 }).then(() => true, () => false))) await page().keyboard.press('Control+Space');
    // The DataFrame's methods (the list is virtual: its first rows), with the kernel's type.
    await suggest.locator('.monaco-list-row', { hasText: 'add_prefix' }).first().waitFor({ timeout: 30_000 });
    await page().keyboard.type('lo');
    // A column of this DataFrame: only the kernel knows it.
    await suggest.locator('.monaco-list-row', { hasText: 'loss' }).first().waitFor({ timeout: 30_000 });
    await wb!.screenshot('12d-kernel-completions');
    await page().keyboard.press('Escape');
    await page().keyboard.type('ss.mean()');
    await page().keyboard.press('ArrowLeft');
    await page().keyboard.press('ArrowLeft');
    await page().keyboard.press('ArrowLeft');
    await page().keyboard.press('Control+K');
    await page().keyboard.press('Control+I');
    const hover = page().locator('.monaco-hover:visible', { hasText: /Series\.mean|Return the mean/ });
    await hover.first().waitFor({ timeout: 30_000 });
    await wb!.screenshot('12e-kernel-hover');
    await page().keyboard.press('Escape');
    // Leave the cell as it was.
    for (let i = 0; i < 2; i++) await page().keyboard.press('Control+Z');
    await page().keyboard.press('Escape');
  });

  it('uploads the notebook to the server\'s volume and downloads the server\'s copy back', async () => {
    await focusCell(0);
    await page().keyboard.press('Control+S');
    await page().locator('.tab.active:not(.dirty)', { hasText: 'demo.ipynb' }).first().waitFor({ timeout: 30_000 });
    await wb!.runCommand('Kubeflow: Upload Notebook to Server');
    // Outputs that arrived after the save make it dirty again: the command asks to save first.
    const save = page().locator('.monaco-dialog-box', { hasText: 'has unsaved changes' });
    if (await save.waitFor({ timeout: 3000 }).then(() => true, () => false)) await clickDialogButton('Save and Upload');
    const onServer = path.join(sandbox!.volume, 'analysis', 'demo.ipynb');
    const read = () => { try { return JSON.parse(fs.readFileSync(onServer, 'utf8')) as { cells: Array<{ source: string | string[] }> }; } catch { return undefined; } };
    for (let i = 0; i < 120 && !read(); i++) await page().waitForTimeout(250);
    const uploaded = read()!;
    assert.equal(uploaded.cells.length, CELLS.length);
    // Someone edits the server's copy (in JupyterLab, say); download brings that version over the saved local file.
    const edited = { ...uploaded, cells: [{ cell_type: 'markdown', metadata: {}, source: '# Edited on the server' }, ...uploaded.cells] };
    fs.writeFileSync(onServer, JSON.stringify(edited));
    await wb!.runCommand('Kubeflow: Download Notebook from Server…');
    await clickDialogButton('Replace');
    const local = path.join(ws, 'analysis', 'demo.ipynb');
    for (let i = 0; i < 60 && !fs.readFileSync(local, 'utf8').includes('Edited on the server'); i++) await page().waitForTimeout(250);
    if (!fs.readFileSync(local, 'utf8').includes('Edited on the server')) {
      await wb!.runCommand('Notifications: Show Notifications');
      console.log('notifications:', await page().locator('.notification-list-item').allInnerTexts());
    }
    assert.ok(fs.readFileSync(local, 'utf8').includes('Edited on the server'), 'the local file has the server\'s version');
    // The open editor shows it (markdown cells render in the notebook's webview).
    await output('Edited on the server', 30_000);
    await wb!.screenshot('13-downloaded-from-server');
  });

  it('picking a stopped server offers to start it, waits with progress, then runs the cell', async () => {
    await page().keyboard.press('Escape');
    await page().keyboard.press('Control+P');
    const input = page().locator('.quick-input-widget input');
    await input.fill('gpu.ipynb');
    await page().locator('.quick-input-list .monaco-list-row', { hasText: 'gpu.ipynb' }).first().waitFor({ timeout: 30_000 });
    await page().keyboard.press('Enter');
    await page().locator('.tab.active', { hasText: 'gpu.ipynb' }).waitFor({ timeout: 30_000 });
    await page().locator('.notebook-toolbar-container:visible', { hasText: 'Select Notebook Server…' }).first().waitFor({ timeout: 60_000 });
    await wb!.runCommand('Kubeflow: Select Notebook Server…');
    await page().locator('.quick-input-list .monaco-list-row', { hasText: 'stopped-nb' }).first().click();
    await page().locator('.monaco-dialog-box', { hasText: 'stopped-nb is stopped. Start it?' }).waitFor({ timeout: 30_000 });
    await wb!.screenshot('14-offer-to-start');
    await clickDialogButton('Start');
    // The progress notification says what the server is doing while it starts (this workbench renders progress
    // notifications outside the toast list; its screen-reader alert carries the same text).
    const progress = page().locator('.monaco-alert', { hasText: 'Starting notebook server stopped-nb' }).first();
    await progress.waitFor({ state: 'attached', timeout: 20_000 });
    console.log(`      progress: ${(await progress.textContent())?.trim()}`);
    await wb!.runCommand('Notifications: Show Notifications');
    await page().locator('.notifications-center', { hasText: 'Starting notebook server stopped-nb' }).first().waitFor({ timeout: 10_000 }).catch(() => undefined);
    await wb!.screenshot('15-starting-with-progress');
    await wb!.runCommand('Notifications: Hide Notifications').catch(() => undefined);
    await page().locator('.notebook-toolbar-container:visible', { hasText: 'stopped-nb' }).first().waitFor({ timeout: 120_000 });
    await runCell(0);
    await output('the started server answered 42', 60_000);
    const view = page().locator('.part.sidebar .pane', { has: page().locator('.pane-header', { hasText: /Notebooks/i }) });
    await view.locator('.monaco-list-row', { hasText: /stopped-nb.*running/ }).first().waitFor({ timeout: 30_000 });
    await wb!.screenshot('16-started-server-ran-cell');
  });

  it('stops a server from the view: the notebook running on it is named, the pod goes away', async () => {
    const view = page().locator('.part.sidebar .pane', { has: page().locator('.pane-header', { hasText: /Notebooks/i }) });
    const item = view.locator('.monaco-list-row', { hasText: 'stopped-nb' }).first();
    await item.hover();
    await item.locator('.action-label[aria-label^="Stop Notebook Server"]').first().click();
    await page().locator('.monaco-dialog-box', { hasText: '1 open notebook(s) run on it' }).waitFor({ timeout: 30_000 });
    await clickDialogButton('Stop');
    await view.locator('.monaco-list-row', { hasText: /stopped-nb\s*stopped/ }).first().waitFor({ timeout: 60_000 });
    await page().mouse.move(700, 500);
    await wb!.screenshot('17-stopped-from-view');
  });
});
