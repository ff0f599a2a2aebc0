// Kale notebooks in VS Code's own notebook editor (extension host, Kale 2.3.0 from the Kale rig's venv): the cells'
// tags as the status bar reads them, an edit through the command the status-bar item runs, the graph beside compiled
// with Kale and compiled again when a tag changes, and a tag cycle's error on the cell.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { KaleCompileResult } from '../../../core/kale/compile.node';
import type { CellTags } from '../../../core/kale/tags';

const ROOT = path.resolve(__dirname, '../../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/notebooks/kale');
const KALE_PYTHON = path.join(process.env.KFVS_CACHE || path.join(os.homedir(), '.cache', 'kubeflow-vscode'), 'kale', 'venv', 'bin', 'python');

async function until<T>(what: string, fn: () => T | undefined | false, ms = 180_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

suite('Kale notebooks (extension host)', function () {
  this.timeout(300_000);
  let tmp = '';

  suiteSetup(async () => {
    assert.ok(fs.existsSync(KALE_PYTHON), `${KALE_PYTHON} missing: run test/rigs/kale/install.sh (scripts/setup.sh test does)`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-kale-exthost-'));
    for (const f of fs.readdirSync(FIXTURES)) fs.copyFileSync(path.join(FIXTURES, f), path.join(tmp, f));
    await vscode.workspace.getConfiguration('kubeflow').update('kale.pythonPath', KALE_PYTHON, vscode.ConfigurationTarget.Global);
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('kubeflow').update('kale.pythonPath', undefined, vscode.ConfigurationTarget.Global);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Shows the notebook as a user opening it would. VS Code's "Notebook Editor creation failure" can come while the
   *  previous notebook editor is still being replaced (seen under CI load): a second try opens it. */
  async function showNotebook(nb: vscode.NotebookDocument): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await vscode.window.showNotebookDocument(nb);
        return;
      } catch (e) {
        if (attempt >= 3 || !/Notebook Editor creation failure/.test(String(e))) throw e;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  test('cell tags read in the notebook editor; an edit of a step\'s previous steps recompiles the graph beside', async () => {
    const uri = vscode.Uri.file(path.join(tmp, 'tagged.ipynb'));
    const nb = await vscode.workspace.openNotebookDocument(uri);
    await showNotebook(nb);
    const tags = await vscode.commands.executeCommand<CellTags[]>('kubeflow.kale.tagsOf', uri);
    assert.deepEqual(tags.map((t) => (t.role === 'step' ? `${t.step}<${t.prev.join(',')}` : t.role)), ['imports', 'pipeline-parameters', 'load<', 'double<load', 'total<load', 'report<double,total', 'pipeline-metrics']);
    const res = await vscode.commands.executeCommand<KaleCompileResult>('kubeflow.kale.showGraph', uri);
    assert.ok(res?.ok, res && !res.ok ? res.error : 'no result');
    assert.deepEqual(res.steps.find((s) => s.name === 'report')?.prev, ['double', 'total']);
    await until('the graph tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label.startsWith('Graph: ')));
    const yaml = res.yaml;
    const before = fs.statSync(yaml).mtimeMs;
    // What the status-bar item's edit does: report now follows double only.
    await vscode.commands.executeCommand('kubeflow.kale.editCell', { notebook: uri, index: 5 }, { role: 'step', step: 'report', prev: ['double'], other: [] });
    const after = await vscode.commands.executeCommand<CellTags[]>('kubeflow.kale.tagsOf', uri);
    assert.deepEqual(after[5]?.prev, ['double']);
    // The graph follows: Kale compiles the edited (unsaved) notebook again.
    await until('the pipeline compiled again', () => fs.statSync(yaml).mtimeMs > before);
    await until('report-step follows double-step only', () => {
      const text = fs.readFileSync(yaml, 'utf8');
      const report = text.slice(text.indexOf('    report-step:'));
      return /dependentTasks:\n\s+- double-step\n(?!\s+- total-step)/.test(report);
    });
  });

  test('a tag cycle: Kale\'s error with the fix, as a diagnostic on the cell', async () => {
    const uri = vscode.Uri.file(path.join(tmp, 'cycle.ipynb'));
    const nb = await vscode.workspace.openNotebookDocument(uri);
    await showNotebook(nb);
    const res = await vscode.commands.executeCommand<KaleCompileResult>('kubeflow.kale.compile', uri);
    assert.equal(res?.ok, false);
    const diag = await until('the cell diagnostic', () => vscode.languages.getDiagnostics(nb.cellAt(0).document.uri)[0], 20_000);
    assert.match(diag.message, /Kale: ValueError: Step second does not exist/);
    assert.match(diag.message, /Remove one of the prev: tags/);
  });
});
