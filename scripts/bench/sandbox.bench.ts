// A warm sandbox start to ready (`startSandbox()`: what every sandbox e2e suite and `npm start -- --sandbox` wait
// for) and the part of it the real Kubeflow Pipelines take: the KFP stack + MLMD + Argo start (kfp-stack/cluster.ts)
// and the seeding (uploads, then a hello-world and a classifier run executing through the real driver and launcher).
// Both KFP parts run beside the rest of the sandbox, so their shares say how much of the start they hold up.
// The KFP API stand-in it replaced started and seeded in ~0.3 s; the whole sandbox on it took 32.7 s warm on the
// shared 2-core machine (measured before the change, ARCHITECTURE.md).
import { startSandbox } from '../../test/rigs/sandbox';
import { recordBench, round } from './report';

async function main(): Promise<void> {
  const t0 = performance.now();
  const sandbox = await startSandbox();
  const sandboxMs = performance.now() - t0;
  const kfpMs = sandbox.pipelines.startMs + sandbox.seededKfp.seedMs;
  const data = {
    sandboxStartMs: round(sandboxMs),
    kfpClusterStartMs: round(sandbox.pipelines.startMs),
    kfpSeedMs: round(sandbox.seededKfp.seedMs),
    kfpShareOfSandbox: round(kfpMs / sandboxMs, 3),
    kserveStartMs: round(sandbox.kserve.startMs),
    kserveShareOfSandbox: round(sandbox.kserve.startMs / sandboxMs, 3),
  };
  console.log(JSON.stringify(data, null, 2));
  console.log(`wrote ${recordBench('sandbox', data)}`);
  await sandbox.stop();
}

main().catch((e) => { console.error(e); process.exit(1); });
