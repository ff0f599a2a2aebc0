// Keep a kube rig up for manual use or the local sandbox:
//   npx tsx test/rigs/kube/cli.ts start [--no-crds] [--crd-set=latest|compat|minimal] [--keep]
// Prints the kubeconfig path alone on stdout (details on stderr), and stops everything on Ctrl-C / SIGTERM.
import { startKubeRig, type StartKubeRigOptions } from './index';

function usage(): never {
  process.stderr.write('usage: tsx test/rigs/kube/cli.ts start [--no-crds] [--crd-set=latest|compat|minimal] [--keep]\n');
  process.exit(2);
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd !== 'start') usage();
  const opts: StartKubeRigOptions = {};
  for (const a of rest) {
    if (a === '--no-crds') opts.crds = false;
    else if (a === '--keep') opts.keepRunDir = true;
    else if (a.startsWith('--crd-set=')) {
      const v = a.slice('--crd-set='.length);
      if (v !== 'latest' && v !== 'compat' && v !== 'minimal') usage();
      opts.crdSet = v;
    } else usage();
  }
  const t0 = Date.now();
  const rig = await startKubeRig(opts);
  const err = (s: string) => process.stderr.write(s + '\n');
  err(`kube rig up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  err(`  server:     ${rig.server}`);
  err(`  kubeconfig: ${rig.kubeconfigPath}   (context namespace ${rig.namespace})`);
  err(`  kubectl:    ${rig.binDir}/kubectl --kubeconfig ${rig.kubeconfigPath} get nodes`);
  err(`  nodes:      ${rig.nodes.gpu} (nvidia.com/gpu: 8), ${rig.nodes.cpu}`);
  err(`  logs:       ${rig.runDir}/logs`);
  err('Ctrl-C stops it.');
  process.stdout.write(rig.kubeconfigPath + '\n');

  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    err(`${sig}: stopping kube rig`);
    rig.stop().then(() => process.exit(0), (e: unknown) => { err(String(e)); process.exit(1); });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  setInterval(() => undefined, 1 << 30); // keep the event loop alive
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
