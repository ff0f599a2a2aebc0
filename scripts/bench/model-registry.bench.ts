// The real Model Registry's share of a warm sandbox start: the registry alone (PostgreSQL from the template + the
// server, until it answers), the registry exposed on a kube rig and seeded (what startSandbox does for it), and the
// whole sandbox start to ready (with the real KServe controller, whose part is reported beside it); ratios against
// the whole start in the same run. The stand-in it replaced started and
// seeded in ~0.8 s (test/rigs/README.md before the real server).
import { startKubeRig } from '../../test/rigs/kube/index';
import { seedRegistry, startModelRegistry } from '../../test/rigs/model-registry/index';
import { startSandbox } from '../../test/rigs/sandbox';
import { median, recordBench, round } from './report';

const RUNS = 5;

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await fn();
  return [performance.now() - t0, v];
}

async function main(): Promise<void> {
  const alone: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const [ms, mr] = await timed(() => startModelRegistry());
    alone.push(ms);
    await mr.stop();
  }
  const kube = await startKubeRig({ crds: false });
  const inCluster: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const [ms, mr] = await timed(async () => { const r = await startModelRegistry({ kube }); await seedRegistry(r.url); return r; });
      inCluster.push(ms);
      await mr.stop();
    }
  } finally {
    await kube.stop();
  }
  const [sandboxMs, sandbox] = await timed(() => startSandbox());
  await sandbox.stop();
  const data = {
    runs: RUNS,
    registryStartMedianMs: round(median(alone)),
    registryInClusterSeededMedianMs: round(median(inCluster)),
    sandboxStartMs: round(sandboxMs),
    registryShareOfSandbox: round(median(inCluster) / sandboxMs, 3),
    // The real KServe controller's part of the same start (CRDs, ConfigMap, controller, webhooks, runtimes).
    kserveStartMs: round(sandbox.kserve.startMs),
    kserveShareOfSandbox: round(sandbox.kserve.startMs / sandboxMs, 3),
  };
  console.log(JSON.stringify(data, null, 2));
  console.log(`wrote ${recordBench('model-registry', data)}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
