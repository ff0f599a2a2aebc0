/**
 * `npm start`: builds the extension, installs it into a real VS Code (code-server, opened in your browser) and points
 * it at a cluster: your kubeconfig when it has a reachable current context, else (or with `--sandbox`) a local
 * sandbox cluster (real kube-apiserver + kwok) with a Notebook server on a real Jupyter and a PyTorchJob with logs.
 * The window opens a workspace outside the git tree (test/rigs/sandbox-workspace.ts; `KFVS_WORKSPACE` names another)
 * and compiles `.py` pipelines with the rig's venv (kfp). Stops everything on Ctrl-C.
 *
 *   npm start                      your kubeconfig, or the sandbox if it has none
 *   npm start -- --sandbox         always the sandbox
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { venvDir } from '../test/rigs/jupyter/index';
import { startSandbox, type Sandbox } from '../test/rigs/sandbox';
import { sandboxWorkspace } from '../test/rigs/sandbox-workspace';
import { REPO, startCodeServer } from '../test/rigs/vscode/codeserver';

function userKubeconfig(): string | undefined {
  const file = process.env.KUBECONFIG?.split(path.delimiter)[0] || path.join(os.homedir(), '.kube', 'config');
  if (!fs.existsSync(file)) return undefined;
  const r = spawnSync('kubectl', ['--kubeconfig', file, '--request-timeout=5s', 'version'], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`[start] ${file} has no reachable cluster (${(r.stderr || '').trim().split('\n').pop()}); using the sandbox`);
    return undefined;
  }
  return file;
}

async function main(): Promise<void> {
  const forceSandbox = process.argv.includes('--sandbox');
  let sandbox: Sandbox | undefined;
  let kubeconfig = forceSandbox ? undefined : userKubeconfig();
  if (!kubeconfig) {
    console.log('[start] starting the sandbox cluster (kube-apiserver + etcd + kwok, Jupyter, the KFP stack running its sample runs)…');
    sandbox = await startSandbox();
    kubeconfig = sandbox.rig.kubeconfigPath;
    console.log(`[start] sandbox: ${sandbox.rig.server}, namespace ${sandbox.namespace}, notebook ${sandbox.notebook}, PyTorchJob ${sandbox.job}`);
    console.log(`[start] KFP API ${sandbox.kfp.url} (in the cluster: kubeflow/ml-pipeline:8888), runs "${sandbox.seededKfp.runId}" and "${sandbox.seededKfp.classifier.runId}" finished`);
  }
  console.log('[start] packaging the extension…');
  const pkg = spawnSync('npm', ['run', 'package', '--silent'], { cwd: REPO, stdio: 'inherit' });
  if (pkg.status !== 0) throw new Error('npm run package failed');
  // The rig's venv has kfp: .py pipelines compile and submit out of the box (the system Python usually has none).
  const python = path.join(venvDir(), 'bin', 'python');
  const cs = await startCodeServer({
    vsix: [path.join(REPO, 'dist/kubeflow-vscode.vsix')],
    settings: {
      'kubeflow.kubeconfig': kubeconfig,
      ...(sandbox ? { 'kubeflow.namespace': sandbox.namespace } : {}),
      ...(fs.existsSync(python) ? { 'kubeflow.pythonPath': python } : {}),
    },
  });
  // A folder outside the git tree with copies of the sample files (pipelines, a notebook, a PyTorchJob).
  const folder = process.env.KFVS_WORKSPACE ?? sandboxWorkspace();
  console.log(`\n  Kubeflow for VS Code is running: ${cs.workbenchUrl({ folder })}\n  kubeconfig: ${kubeconfig}\n  Ctrl-C stops it.\n`);
  const stop = async (): Promise<void> => {
    await cs.stop();
    await sandbox?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  await new Promise(() => undefined);
}

main().catch((e: unknown) => {
  console.error(`[start] ${(e as Error)?.stack ?? String(e)}`);
  process.exit(1);
});
