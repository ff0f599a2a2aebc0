// The status-bar counter of pipeline runs: how many runs this window follows are still going, and how many ended
// (failed ones in the error colour) since the user last looked. Clicking shows the Runs view and clears the count.
import * as vscode from 'vscode';
import type { Run } from '../../core/kfp/types';
import type { RunsModel } from './model';

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('kubeflow.runs', vscode.StatusBarAlignment.Left, 40);
  private succeeded = 0;
  private failed = 0;
  private readonly subs: vscode.Disposable[];

  constructor(private readonly model: RunsModel) {
    this.item.name = 'Kubeflow Pipeline Runs';
    this.item.command = 'kubeflow.runs.showEnded';
    this.subs = [this.item, model.onDidChangeFollowed(() => this.render())];
    this.render();
  }

  ended(run: Run): void {
    if (run.state === 'SUCCEEDED' || run.state === 'SKIPPED') this.succeeded++;
    else this.failed++;
    this.render();
  }

  /** The user looked: the ended count starts again. */
  clear(): void {
    this.succeeded = 0;
    this.failed = 0;
    this.render();
  }

  private render(): void {
    const active = this.model.activeFollowed();
    const parts: string[] = [];
    if (active) parts.push(`$(sync~spin) ${active}`);
    if (this.succeeded) parts.push(`$(pass-filled) ${this.succeeded}`);
    if (this.failed) parts.push(`$(error) ${this.failed}`);
    if (parts.length === 0) {
      this.item.hide();
      return;
    }
    this.item.text = `Runs ${parts.join(' ')}`;
    const ended = this.succeeded + this.failed;
    this.item.tooltip = [
      active ? `${active} pipeline run${active === 1 ? '' : 's'} running` : '',
      ended ? `${ended} ended since you last looked (${this.succeeded} succeeded, ${this.failed} failed or canceled)` : '',
      'Click to show the Runs view',
    ].filter(Boolean).join('\n');
    this.item.backgroundColor = this.failed ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.accessibilityInformation = { label: this.item.tooltip };
    this.item.show();
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
  }
}
