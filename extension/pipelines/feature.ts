// Pipeline graphs: the "Show Pipeline Graph" command (explorer, editor title, CodeLens on `@dsl.pipeline`), the
// graph export command, and diagnostics for compiled pipeline files. Registration only; the parser, the panel and
// the compiler are loaded when first used.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx, Feature } from '../ctx';
import { errorMessage } from '../log';
import { pipelineDiagnostics } from './diagnostics';
import { PipelineCodeLens } from './codelens';
import type { GraphRestore } from './panel';
import { registerPanelSerializer } from '../webviews/host';
import { showErrorMessage, showInformationMessage } from '../notify';

const PIPELINE_FILES_KEY = 'kubeflow.pipelineFiles';
const IR_FILE = /\.(ya?ml|json)$/i;
/** Larger pipeline files are not parsed on open/save (a parse blocks the extension host); the graph panel checks them. */
export const AUTO_DIAGNOSE_MAX_CHARS = 4 * 1024 * 1024;

export const pipelinesFeature: Feature = (ctx) => {
  const diagnostics = pipelineDiagnostics();
  const known = new Set<string>();
  const timers = new Map<string, NodeJS.Timeout>();

  const showGraph = async (arg?: vscode.Uri, pipeline?: string) => {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      void showInformationMessage('Open a compiled KFP pipeline (.yaml/.json) or a Python pipeline (.py) first.');
      return undefined;
    }
    try {
      const { GraphPanel } = await import('./panel');
      return await GraphPanel.show(ctx, diagnostics, uri, typeof pipeline === 'string' ? pipeline : await pickPipeline(uri));
    } catch (err) {
      void showErrorMessage(`Kubeflow: cannot show the pipeline graph: ${errorMessage(err)}`);
      return undefined;
    }
  };

  /** Parses an open compiled pipeline and publishes its problems; other YAML/JSON files are left alone. */
  const diagnose = async (doc: vscode.TextDocument) => {
    if (!IR_FILE.test(doc.uri.path) || (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled')) return;
    const { looksLikePipelineIR, parsePipeline } = await import('../../core/pipeline/parse');
    const text = doc.getText();
    const isPipeline = looksLikePipelineIR(text);
    if (!isPipeline) {
      diagnostics.clear(doc.uri);
      markPipelineFile(doc.uri, false);
      return;
    }
    markPipelineFile(doc.uri, true);
    if (text.length > AUTO_DIAGNOSE_MAX_CHARS) {
      const mb = (text.length / 1024 / 1024).toFixed(1);
      diagnostics.set(doc.uri, [{
        severity: 'info',
        code: 'large-file',
        message: `This pipeline file is ${mb} MB: its problems are checked when you open its graph (Kubeflow: Show Pipeline Graph), not on every save.`,
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      }]);
      return;
    }
    diagnostics.set(doc.uri, parsePipeline(text).diagnostics);
  };
  const diagnoseSoon = (doc: vscode.TextDocument, ms: number) => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      void diagnose(doc).catch((err: unknown) => ctx.log.warn(`pipeline diagnostics failed: ${errorMessage(err)}`));
    }, ms));
  };

  const markPipelineFile = (uri: vscode.Uri, on: boolean) => {
    const before = known.size;
    if (on) known.add(uri.fsPath || uri.path);
    else known.delete(uri.fsPath || uri.path);
    if (known.size !== before) void vscode.commands.executeCommand('setContext', PIPELINE_FILES_KEY, [...known]);
  };

  const codeLens = new PipelineCodeLens((uri, has) => markPipelineFile(uri, has));

  // Documents already open at activation are looked at after start-up work, not during activate().
  const initial = setTimeout(() => vscode.workspace.textDocuments.forEach((d) => diagnoseSoon(d, 0)), 500);

  return [
    diagnostics,
    { dispose: () => clearTimeout(initial) },
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
    vscode.commands.registerCommand('kubeflow.pipelines.showGraph', showGraph),
    vscode.commands.registerCommand('kubeflow.pipelines.keepGraph', async () => {
      const { GraphPanel } = await import('./panel');
      if (!GraphPanel.keepActive()) void showInformationMessage('No graph preview is open: every graph panel is kept already.');
    }),
    registerPanelSerializer<GraphRestore>('kubeflow.pipelineGraph', async (panel, data) => {
      const { GraphPanel } = await import('./panel');
      await GraphPanel.revive(ctx, diagnostics, panel, data);
    }, ctx.log),
    vscode.commands.registerCommand('kubeflow.pipelines.exportGraph', (uri?: vscode.Uri) => exportGraph(ctx, uri)),
    vscode.commands.registerCommand('kubeflow.pipelines.installKfp', async (python?: string, requirement?: string) => {
      const [{ installKfp }, { preferredPython }] = await Promise.all([import('./kfp-install'), import('./python-env')]);
      const choice = typeof python === 'string' ? { path: python, from: 'setting' as const } : await preferredPython(vscode.window.activeTextEditor?.document.uri, ctx.log);
      return installKfp(choice, ctx.log, typeof requirement === 'string' ? requirement : undefined);
    }),
    vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, codeLens),
    vscode.workspace.onDidOpenTextDocument((d) => diagnoseSoon(d, 0)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length) diagnoseSoon(e.document, 400);
    }),
    vscode.workspace.onDidCloseTextDocument((d) => {
      if (IR_FILE.test(d.uri.path)) {
        diagnostics.clear(d.uri);
        markPipelineFile(d.uri, false);
      }
    }),
  ];
};

/** For a Python file with several `@dsl.pipeline` functions, asks which one (the first when only one). */
async function pickPipeline(uri: vscode.Uri): Promise<string | undefined> {
  if (!/\.py$/i.test(uri.path)) return undefined;
  const { findPipelineFunctions } = await import('../../core/pipeline/python-source');
  const doc = await vscode.workspace.openTextDocument(uri);
  const found = findPipelineFunctions(doc.getText());
  if (found.length <= 1) return found[0]?.name;
  const pick = await vscode.window.showQuickPick(
    found.map((f) => ({ label: f.name, description: `line ${f.line + 1}` })),
    { title: 'Which pipeline?', placeHolder: `${path.basename(uri.fsPath)} defines ${found.length} pipelines` },
  );
  return pick?.label ?? found[0].name;
}

async function exportGraph(ctx: Ctx, arg?: vscode.Uri): Promise<void> {
  const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (!uri) return;
  const format = await vscode.window.showQuickPick(
    [
      { label: 'Mermaid', id: 'mermaid' as const, language: 'markdown' },
      { label: 'Graphviz DOT', id: 'dot' as const, language: 'dot' },
      { label: 'JSON', id: 'json' as const, language: 'json' },
    ],
    { title: 'Export the pipeline graph as' },
  );
  if (!format) return;
  const pipeline = await pickPipeline(uri);
  const [{ loadPipeline }, { exportPipeline }] = await Promise.all([import('./load'), import('../../core/pipeline/export')]);
  const res = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Reading the pipeline…' }, () =>
    loadPipeline(uri, pipeline, new AbortController().signal, ctx.log),
  );
  if (!res.ok) {
    void showErrorMessage(`Kubeflow: ${res.message}`);
    return;
  }
  const text = exportPipeline(res.model, format.id);
  const content = format.id === 'mermaid' ? `\`\`\`mermaid\n${text}\`\`\`\n` : text;
  const doc = await vscode.workspace.openTextDocument({ content, language: format.language });
  await vscode.window.showTextDocument(doc, { preview: false });
}
