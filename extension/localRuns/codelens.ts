// "Debug component…" above every `@dsl.component` function of a Python file.
import * as vscode from 'vscode';
import { findComponentFunctions } from '../../core/pipeline/python-source';

export class ComponentCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const text = doc.getText();
    if (!text.includes('component')) return [];
    return findComponentFunctions(text).map(
      (f) =>
        new vscode.CodeLens(new vscode.Range(f.decoratorLine, 0, f.decoratorLine, 0), {
          title: '$(debug-alt) Debug component…',
          tooltip: `Run ${f.name} alone on this machine under the Python debugger, with inputs from a form or an earlier local run`,
          command: 'kubeflow.localRuns.debugComponent',
          arguments: [doc.uri, f.name],
        }),
    );
  }
}
