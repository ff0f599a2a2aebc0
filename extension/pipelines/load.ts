// Reads a pipeline file into the graph model: compiled IR (YAML/JSON) is parsed directly, a Python pipeline is
// compiled first with the user's Python and kfp.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompileFailure } from '../../core/pipeline/compile.node';
import type { PipelineModel, PipelineSource } from '../../core/pipeline/model';
import { describeChoice, resolvePython } from './python-env';

export type LoadResult =
  | { ok: true; model: PipelineModel; source: PipelineSource; note?: string; /** The IR text (compiled, for a `.py`). */ text: string; /** The pipeline function compiled. */ pipeline?: string }
  | { ok: false; message: string; line?: number; failure?: CompileFailure; detail?: string };

export function isPythonFile(uri: vscode.Uri): boolean {
  return /\.py$/i.test(uri.path);
}

/** The text of a file: the open editor's (with unsaved edits), else the file on disk. */
async function readText(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

export async function loadPipeline(uri: vscode.Uri, pipeline: string | undefined, signal: AbortSignal, log: vscode.LogOutputChannel): Promise<LoadResult> {
  const { parsePipeline } = await import('../../core/pipeline/parse');
  const label = path.basename(uri.fsPath || uri.path);
  if (!isPythonFile(uri)) {
    const text = await readText(uri);
    return { ok: true, model: parsePipeline(text), source: { label, kind: 'ir' }, text };
  }
  if (uri.scheme !== 'file') return { ok: false, message: `Only Python files on disk can be compiled (this one is ${uri.scheme}:).` };
  // Compiling imports the file, i.e. runs its code: not in a workspace the user has not trusted.
  if (!vscode.workspace.isTrusted) return { ok: false, message: 'Restricted Mode: compiling a Python pipeline runs its code. Trust this workspace to see its graph, or open the compiled YAML.' };
  const { compilePythonPipeline } = await import('../../core/pipeline/compile.node');
  const python = await resolvePython(uri, log);
  log.info(`compiling ${uri.fsPath}${pipeline ? ` (${pipeline})` : ''} with ${describeChoice(python)}`);
  const res = await compilePythonPipeline({ python: python.path, file: uri.fsPath, signal, ...(pipeline ? { pipeline } : {}) });
  if (!res.ok) {
    if (res.output) log.debug(res.output);
    if (res.kind === 'no-kfp') void import('./kfp-install').then((m) => m.offerKfpInstall(python, log));
    const hint =
      res.kind === 'no-kfp' ? ' No other Python environment found here has it either. Install it into that environment (pip install kfp, or Kubeflow: Install kfp into the Python Environment), or choose another interpreter.'
      : res.kind === 'no-python' ? ' Install Python, select an interpreter in the Python extension, or set kubeflow.pythonPath.'
      : '';
    const what = res.kind === 'no-kfp' ? `kfp is not installed for ${describeChoice(python)}: ${res.error}.` : res.error;
    return { ok: false, message: `${what}${hint}`, failure: res.kind, ...(res.line ? { line: res.line } : {}), ...(res.output ? { detail: res.output } : {}) };
  }
  log.info(`compiled ${res.pipeline} with kfp ${res.kfpVersion} in ${res.ms} ms`);
  const model = parsePipeline(res.yaml);
  return { ok: true, model, source: { label: `${label} · ${res.pipeline}`, kind: 'python' }, note: `kfp ${res.kfpVersion}`, text: res.yaml, pipeline: res.pipeline };
}
