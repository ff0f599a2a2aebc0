// "Submit run…" (and "Re-run with last parameters" after a first submit) next to "Show pipeline graph": above every
// `@dsl.pipeline` function of a Python file, and on the first line of a compiled pipeline file.
import * as vscode from 'vscode';
import { looksLikePipelineIR } from '../../core/pipeline/parse';
import { findPipelineFunctions } from '../../core/pipeline/python-source';
import { Presets } from './presets';

export class SubmitCodeLens implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly presets: Presets) {}

  /** A submit happened: the "Re-run" lens appears. */
  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const text = doc.getText();
    const lenses: vscode.CodeLens[] = [];
    const add = (line: number, pipeline: string | undefined) => {
      const range = new vscode.Range(line, 0, line, 0);
      lenses.push(new vscode.CodeLens(range, { title: '$(play) Submit run…', tooltip: 'Compile, upload and run on Kubeflow Pipelines, with a parameter form', command: 'kubeflow.pipelines.submitRun', arguments: [doc.uri, pipeline] }));
      if (doc.languageId === 'python') lenses.push(new vscode.CodeLens(range, { title: '$(run) Run locally…', tooltip: 'Run on this machine with kfp.local (no cluster), with the same parameter form', command: 'kubeflow.pipelines.runLocally', arguments: [doc.uri, pipeline] }));
      const last = this.presets.get(Presets.key(doc.uri, pipeline)).last;
      if (last) {
        lenses.push(new vscode.CodeLens(range, {
          title: '$(debug-rerun) Re-run with last parameters',
          tooltip: `Submit again with the values of ${new Date(last.at).toLocaleString()}${last.experimentName ? `, in experiment ${last.experimentName}` : ''}`,
          command: 'kubeflow.pipelines.rerun',
          arguments: [doc.uri, pipeline],
        }));
      }
    };
    if (doc.languageId === 'python') {
      if (!text.includes('pipeline')) return [];
      const found = findPipelineFunctions(text);
      for (const f of found) add(f.decoratorLine, found.length > 1 ? f.name : undefined);
    } else if (looksLikePipelineIR(text)) {
      add(0, undefined);
    }
    return lenses;
  }
}
