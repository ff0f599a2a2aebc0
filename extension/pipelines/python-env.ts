// Which Python compiles a `.py` pipeline: the interpreter the Python extension (ms-python.python) has selected for
// the file, else the `kubeflow.pythonPath` setting, else `python3` on PATH.
import * as vscode from 'vscode';

export interface PythonChoice {
  path: string;
  /** Where the choice came from, for messages that tell the user what to change. */
  from: 'python-extension' | 'setting' | 'default';
}

/** The parts of the Python extension's API used here (current `environments` API and the older `settings` one). */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment(env: { path: string }): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
  settings?: {
    getExecutionDetails(resource?: vscode.Uri): { execCommand?: string[] };
  };
}

export function settingPythonPath(resource?: vscode.Uri): string {
  return vscode.workspace.getConfiguration('kubeflow', resource).get<string>('pythonPath', '').trim();
}

export async function resolvePython(resource: vscode.Uri, log?: { warn(msg: string): void }): Promise<PythonChoice> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (ext) {
    try {
      const api = ext.isActive ? ext.exports : await ext.activate();
      const active = api.environments?.getActiveEnvironmentPath(resource);
      if (active) {
        const env = await api.environments?.resolveEnvironment(active);
        const exe = env?.executable?.uri?.fsPath ?? active.path;
        if (exe) return { path: exe, from: 'python-extension' };
      }
      const cmd = api.settings?.getExecutionDetails(resource).execCommand?.[0];
      if (cmd) return { path: cmd, from: 'python-extension' };
    } catch (err) {
      log?.warn(`Python extension did not give an interpreter: ${String(err)}`);
    }
  }
  const setting = settingPythonPath(resource);
  if (setting) return { path: setting, from: 'setting' };
  return { path: process.platform === 'win32' ? 'python' : 'python3', from: 'default' };
}

export function describeChoice(p: PythonChoice): string {
  switch (p.from) {
    case 'python-extension':
      return `${p.path} (the interpreter selected in the Python extension)`;
    case 'setting':
      return `${p.path} (setting kubeflow.pythonPath)`;
    default:
      return `${p.path} (from PATH; set kubeflow.pythonPath or install the Python extension to choose another)`;
  }
}
