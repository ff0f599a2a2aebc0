// What the run form remembers per pipeline file, in the workspace state: named presets of parameter values, the
// values of the last submit, and the choices that went with it (experiment, pipeline), so "re-run with the same
// parameters" is one click.
import * as vscode from 'vscode';
import type { FormValues } from '../../core/kfp/params';

const KEY = 'kubeflow.runPresets';

export interface LastSubmit {
  values: FormValues;
  experimentId?: string;
  experimentName?: string;
  pipelineId?: string;
  pipelineName?: string;
  runId?: string;
  runName?: string;
  at: number;
}

export interface FilePresets {
  presets: Record<string, FormValues>;
  last?: LastSubmit;
}

export class Presets {
  constructor(private readonly state: vscode.Memento) {}

  /** Files are keyed by workspace-relative path (+ the pipeline function for Python files with several). */
  static key(uri: vscode.Uri, pipeline?: string): string {
    return `${vscode.workspace.asRelativePath(uri, false)}${pipeline ? `#${pipeline}` : ''}`;
  }

  private all(): Record<string, FilePresets> {
    return this.state.get<Record<string, FilePresets>>(KEY, {});
  }

  get(key: string): FilePresets {
    return this.all()[key] ?? { presets: {} };
  }

  private async put(key: string, f: FilePresets): Promise<void> {
    await this.state.update(KEY, { ...this.all(), [key]: f });
  }

  async save(key: string, name: string, values: FormValues): Promise<void> {
    const f = this.get(key);
    await this.put(key, { ...f, presets: { ...f.presets, [name]: values } });
  }

  async remove(key: string, name: string): Promise<void> {
    const f = this.get(key);
    const { [name]: _gone, ...rest } = f.presets;
    await this.put(key, { ...f, presets: rest });
  }

  async setLast(key: string, last: LastSubmit): Promise<void> {
    await this.put(key, { ...this.get(key), last });
  }
}
