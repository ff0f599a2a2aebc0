// Pipeline problems as editor diagnostics: parse errors and spec violations of compiled pipeline files, and
// compile errors of Python pipelines, at the line that causes them.
import * as vscode from 'vscode';
import type { PipelineDiagnostic } from '../../core/pipeline/model';

const SEVERITY: Record<PipelineDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toVscodeDiagnostic(d: PipelineDiagnostic): vscode.Diagnostic {
  const range = new vscode.Range(d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character);
  const diag = new vscode.Diagnostic(range, d.message, SEVERITY[d.severity]);
  diag.source = 'Kubeflow';
  diag.code = d.code;
  return diag;
}

let shared: PipelineDiagnostics | undefined;

/** The one collection of pipeline problems, shared by the graph panel and the run submit. */
export function pipelineDiagnostics(): PipelineDiagnostics {
  return (shared ??= new PipelineDiagnostics());
}

export class PipelineDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('kubeflow-pipelines');

  set(uri: vscode.Uri, diagnostics: PipelineDiagnostic[]): void {
    this.collection.set(uri, diagnostics.map(toVscodeDiagnostic));
  }

  /** A Python compile failure, at the line of the user's file the traceback points to (else the first line). */
  setCompileError(uri: vscode.Uri, message: string, line?: number): void {
    const l = Math.max(0, (line ?? 1) - 1);
    const diag = new vscode.Diagnostic(new vscode.Range(l, 0, l, Number.MAX_SAFE_INTEGER), message, vscode.DiagnosticSeverity.Error);
    diag.source = 'Kubeflow (kfp compile)';
    this.collection.set(uri, [diag]);
  }

  clear(uri: vscode.Uri): void {
    this.collection.delete(uri);
  }

  dispose(): void {
    if (shared === this) shared = undefined;
    this.collection.dispose();
  }
}
