// Installs kfp into the user's Python environment: `python -m pip install kfp` (no shell) with a cancellable progress
// notification showing pip's last line, its output in the Kubeflow log. Offered once per interpreter and window when
// a `.py` pipeline cannot compile because no candidate interpreter imports kfp; also the palette command
// *Kubeflow: Install kfp into the Python Environment*.
import { spawn } from 'node:child_process';
import * as vscode from 'vscode';
import type { Log } from '../log';
import { describeChoice, forgetProbes, kfpVersion, type PythonChoice } from './python-env';
import { showErrorMessage, showInformationMessage, showWarningMessage } from '../notify';

const offered = new Set<string>();

/** Runs pip; resolves with the installed kfp version, or undefined (failed or cancelled; the user was told). */
export function installKfp(python: PythonChoice, log: Log, requirement = 'kfp'): Thenable<string | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Installing ${requirement} into ${python.path}`, cancellable: true }, (progress, token) =>
    new Promise<string | undefined>((resolve) => {
      log.info(`pip install ${requirement} with ${describeChoice(python)}`);
      const child = spawn(python.path, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', requirement], { shell: false, windowsHide: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
      const tail: string[] = [];
      const onData = (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
          log.info(`pip: ${line}`);
          tail.push(line);
          if (tail.length > 6) tail.shift();
          progress.report({ message: line.length > 90 ? `${line.slice(0, 89)}…` : line });
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      const cancel = token.onCancellationRequested(() => child.kill());
      const fail = (why: string) => {
        void showErrorMessage(`Kubeflow: ${requirement} was not installed into ${python.path}: ${why}`, 'Show Log').then((a) => a && log.show());
        resolve(undefined);
      };
      child.on('error', (err) => {
        cancel.dispose();
        fail(err.message);
      });
      child.on('close', (code) => {
        cancel.dispose();
        if (token.isCancellationRequested) return fail('cancelled');
        if (code !== 0) return fail(`pip exited with ${code ?? 'a signal'}: ${tail.at(-1) ?? ''}${tail.some((l) => /externally-managed-environment/.test(l)) ? ' (this Python is managed by the system: select a virtual environment)' : ''}`);
        forgetProbes();
        void kfpVersion(python.path).then((v) => {
          if (!v) return fail('pip succeeded, but the interpreter still cannot import kfp');
          void showInformationMessage(`Kubeflow: kfp ${v} is installed for ${python.path}. Show the graph or submit the pipeline again.`);
          resolve(v);
        });
      });
    }),
  );
}

/** After a compile found no interpreter with kfp: offers, once per interpreter, to install it there. */
export async function offerKfpInstall(python: PythonChoice, log: Log): Promise<void> {
  if (offered.has(python.path)) return;
  offered.add(python.path);
  const select = vscode.extensions.getExtension('ms-python.python') ? ['Select Interpreter…'] : ['Set kubeflow.pythonPath…'];
  const a = await showWarningMessage(`Kubeflow: no Python environment here has kfp, which compiles .py pipelines. Install it into ${describeChoice(python)}?`, 'Install kfp', ...select);
  if (a === 'Install kfp') await installKfp(python, log);
  else if (a === 'Select Interpreter…') await vscode.commands.executeCommand('python.setInterpreter');
  else if (a === 'Set kubeflow.pythonPath…') await vscode.commands.executeCommand('workbench.action.openSettings', 'kubeflow.pythonPath');
}
