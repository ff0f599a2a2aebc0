// From the graph back to code: a task's key in a compiled pipeline file, or the Python function of its component
// (`@dsl.component`, or the nested `@dsl.pipeline`) in a Python pipeline.
import * as vscode from 'vscode';
import { resolvePath } from '../../core/pipeline/describe';
import type { PipelineModel, Range } from '../../core/pipeline/model';
import { findFunction, findPipelineFunctions, functionCandidates } from '../../core/pipeline/python-source';
import { isPythonFile } from './load';
import { showInformationMessage } from '../notify';

function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

async function show(uri: vscode.Uri, range: vscode.Range): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: range, preserveFocus: false });
}

export async function revealLine(uri: vscode.Uri, line: number, character: number): Promise<void> {
  await show(uri, new vscode.Range(line, character, line, character));
}

export async function revealTask(uri: vscode.Uri, model: PipelineModel, taskPath: string[], taskId: string, pipelineFunction?: string): Promise<void> {
  const { dag } = resolvePath(model, taskPath);
  const task = dag.tasks.find((t) => t.id === taskId);
  if (!task) return;
  if (!isPythonFile(uri)) {
    await show(uri, toRange(task.range));
    return;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  const text = doc.getText();
  const executor = task.executor ? model.executors[task.executor] : undefined;
  for (const name of functionCandidates(task.component, executor?.pythonFunction)) {
    const line = findFunction(text, name);
    if (line !== undefined) {
      await show(uri, new vscode.Range(line, 0, line, 0));
      return;
    }
    // Components imported from other modules: ask the workspace's symbol providers.
    const symbols = await vscode.commands.executeCommand<vscode.SymbolInformation[]>('vscode.executeWorkspaceSymbolProvider', name);
    const fn = symbols?.find((s) => s.name === name && (s.kind === vscode.SymbolKind.Function || s.kind === vscode.SymbolKind.Method));
    if (fn) {
      await show(fn.location.uri, fn.location.range);
      return;
    }
  }
  // Control-flow groups (conditions, loops, exit handlers) have no function: open the pipeline function itself.
  const pipelines = findPipelineFunctions(text);
  const owner = pipelines.find((p) => p.name === pipelineFunction) ?? pipelines[0];
  if (owner) await show(uri, new vscode.Range(owner.line, 0, owner.line, 0));
  void showInformationMessage(
    task.kind === 'sub-dag' && task.role !== 'pipeline'
      ? `${task.name} is a ${task.role === 'loop' ? 'dsl.ParallelFor' : task.role === 'exit-handler' ? 'dsl.ExitHandler' : 'dsl.If/Condition'} block of the pipeline; it has no function of its own.`
      : `Could not find the Python function of ${task.name} (component ${task.component}).`,
  );
}
