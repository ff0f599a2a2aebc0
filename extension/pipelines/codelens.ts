// "Show pipeline graph" above every `@dsl.pipeline` function of a Python file.
import * as vscode from 'vscode';
import { findPipelineFunctions } from '../../core/pipeline/python-source';

export class PipelineCodeLens implements vscode.CodeLensProvider {
  /** `onPipelines(uri, found)` tells the feature which files define pipelines (for the editor title button). */
  constructor(private readonly onPipelines: (uri: vscode.Uri, found: boolean) => void) {}

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const text = doc.getText();
    // Cheap test first: most Python files define no pipeline.
    const found = text.includes('pipeline') ? findPipelineFunctions(text) : [];
    this.onPipelines(doc.uri, found.length > 0);
    return found.map(
      (f) =>
        new vscode.CodeLens(new vscode.Range(f.decoratorLine, 0, f.decoratorLine, 0), {
          title: '$(type-hierarchy) Show pipeline graph',
          tooltip: `Compile ${f.name} with kfp and show its graph`,
          command: 'kubeflow.pipelines.showGraph',
          arguments: [doc.uri, f.name],
        }),
    );
  }
}
