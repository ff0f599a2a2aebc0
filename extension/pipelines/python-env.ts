// Which Python compiles a `.py` pipeline. Candidates, in order: the interpreter the Python extension
// (ms-python.python) has selected for the file, the `kubeflow.pythonPath` setting, the other environments the Python
// extension knows, a `.venv`/`venv` of the workspace folder, `python3` on PATH. The first that can `import kfp` is
// used; when none can, the first (the user's choice), so the message and the install offer name it.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';

export interface PythonChoice {
  path: string;
  /** Where the choice came from, for messages that tell the user what to change. */
  from: 'python-extension' | 'setting' | 'known-environment' | 'workspace' | 'default';
  /** The kfp version this interpreter imports, when it does. */
  kfp?: string;
}

/** The parts of the Python extension's API used here (current `environments` API and the older `settings` one). */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment(env: { path: string }): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
    known?: ReadonlyArray<{ path: string; executable?: { uri?: vscode.Uri } }>;
  };
  settings?: {
    getExecutionDetails(resource?: vscode.Uri): { execCommand?: string[] };
  };
}

export function settingPythonPath(resource?: vscode.Uri): string {
  return vscode.workspace.getConfiguration('kubeflow', resource).get<string>('pythonPath', '').trim();
}

/** What `import kfp` gives per interpreter path (a version, or undefined); forgotten after an install. */
const probes = new Map<string, Promise<string | undefined>>();

/** The kfp version `python` imports, or undefined (no kfp, or the interpreter does not run). No shell. */
export function kfpVersion(python: string): Promise<string | undefined> {
  let p = probes.get(python);
  if (!p) {
    p = new Promise((resolve) => {
      execFile(python, ['-c', 'import kfp; print(getattr(kfp, "__version__", "?"))'], { timeout: 30_000, windowsHide: true, shell: false }, (err, stdout) => resolve(err ? undefined : stdout.trim() || '?'));
    });
    probes.set(python, p);
    // Only a found kfp is kept: one installed meanwhile (pip in a terminal) is seen at the next compile.
    void p.then((v) => v === undefined && probes.delete(python));
  }
  return p;
}

export function forgetProbes(): void {
  probes.clear();
}

async function pythonExtensionCandidates(resource: vscode.Uri | undefined, log?: { warn(msg: string): void }): Promise<{ active: string[]; known: string[] }> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!ext) return { active: [], known: [] };
  try {
    const api = ext.isActive ? ext.exports : await ext.activate();
    const active: string[] = [];
    const selected = api.environments?.getActiveEnvironmentPath(resource);
    if (selected) {
      const env = await api.environments?.resolveEnvironment(selected);
      active.push(env?.executable?.uri?.fsPath ?? selected.path);
    } else {
      const cmd = api.settings?.getExecutionDetails(resource).execCommand?.[0];
      if (cmd) active.push(cmd);
    }
    const known = (api.environments?.known ?? []).map((e) => e.executable?.uri?.fsPath ?? e.path).filter(Boolean);
    return { active, known };
  } catch (err) {
    log?.warn(`Python extension did not give an interpreter: ${String(err)}`);
    return { active: [], known: [] };
  }
}

/** The candidates in order of preference, without duplicates. */
async function candidates(resource: vscode.Uri | undefined, log?: { warn(msg: string): void }): Promise<PythonChoice[]> {
  const { active, known } = await pythonExtensionCandidates(resource, log);
  const folder = (resource && vscode.workspace.getWorkspaceFolder(resource)) ?? vscode.workspace.workspaceFolders?.[0];
  const bin = process.platform === 'win32' ? ['Scripts', 'python.exe'] : ['bin', 'python'];
  // A workspace's own interpreter runs only in a trusted workspace.
  const local = folder?.uri.scheme === 'file' && vscode.workspace.isTrusted ? ['.venv', 'venv'].map((d) => path.join(folder.uri.fsPath, d, ...bin)).filter((p) => fs.existsSync(p)) : [];
  const setting = settingPythonPath(resource);
  const all: PythonChoice[] = [
    ...active.map((p) => ({ path: p, from: 'python-extension' as const })),
    ...(setting ? [{ path: setting, from: 'setting' as const }] : []),
    ...known.map((p) => ({ path: p, from: 'known-environment' as const })),
    ...local.map((p) => ({ path: p, from: 'workspace' as const })),
    { path: process.platform === 'win32' ? 'python' : 'python3', from: 'default' as const },
  ];
  return all.filter((c, i) => all.findIndex((o) => o.path === c.path) === i);
}

/** The interpreter the user chose (or would get by default): where kfp is installed when none has it. */
export async function preferredPython(resource: vscode.Uri | undefined, log?: { warn(msg: string): void }): Promise<PythonChoice> {
  return (await candidates(resource, log))[0];
}

/** The first candidate that imports kfp; else the preferred one (without `kfp`). */
export async function resolvePython(resource: vscode.Uri, log?: { warn(msg: string): void }): Promise<PythonChoice> {
  const list = await candidates(resource, log);
  const versions = await Promise.all(list.map((c) => kfpVersion(c.path)));
  const i = versions.findIndex((v) => v !== undefined);
  return i >= 0 ? { ...list[i], kfp: versions[i] } : list[0];
}

export function describeChoice(p: PythonChoice): string {
  switch (p.from) {
    case 'python-extension':
      return `${p.path} (the interpreter selected in the Python extension)`;
    case 'setting':
      return `${p.path} (setting kubeflow.pythonPath)`;
    case 'known-environment':
      return `${p.path} (an environment the Python extension found; the selected one has no kfp)`;
    case 'workspace':
      return `${p.path} (the workspace's virtual environment)`;
    default:
      return `${p.path} (from PATH; set kubeflow.pythonPath or select an interpreter in the Python extension to choose another)`;
  }
}
