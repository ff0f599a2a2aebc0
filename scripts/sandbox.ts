/**
 * `npm start`: builds the extension, installs it into a real VS Code (code-server, opened in your browser) and points
 * it at a cluster: your kubeconfig when it has a reachable current context, else (or with `--sandbox`) a local
 * sandbox cluster (real kube-apiserver + kwok) with a Notebook server on a real Jupyter and a PyTorchJob with logs.
 * Stops everything on Ctrl-C.
 *
 *   npm start                      your kubeconfig, or the sandbox if it has none
 *   npm start -- --sandbox         always the sandbox
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../test/rigs/sandbox';
import { REPO, startCodeServer, WORKSPACE } from '../test/rigs/vscode/codeserver';

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
    console.log('[start] starting the sandbox cluster (kube-apiserver + etcd + kwok, Jupyter)…');
    sandbox = await startSandbox();
    kubeconfig = sandbox.rig.kubeconfigPath;
    console.log(`[start] sandbox: ${sandbox.rig.server}, namespace ${sandbox.namespace}, notebook ${sandbox.notebook}, PyTorchJob ${sandbox.job}`);
  }
  console.log('[start] packaging the extension…');
  const pkg = spawnSync('npm', ['run', 'package', '--silent'], { cwd: REPO, stdio: 'inherit' });
  if (pkg.status !== 0) throw new Error('npm run package failed');
  const cs = await startCodeServer({
    vsix: [path.join(REPO, 'dist/kubeflow-vscode.vsix')],
    settings: { 'kubeflow.kubeconfig': kubeconfig, ...(sandbox ? { 'kubeflow.namespace': sandbox.namespace } : {}) },
  });
  const folder = process.env.KFVS_WORKSPACE ?? WORKSPACE;
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
