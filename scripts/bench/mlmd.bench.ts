// What a run produced, at scale (issue 17): a finished run with 200 tasks and 400 artifacts (each task a Metrics and
// a ClassificationMetrics output) recorded in the real MLMD (test/rigs/mlmd) with the official client. Measured: our
// gRPC read of the run vs the official Python client's read of the same records (ratio in the same run); the panel
// data (toRunView); first paint of the run outputs webview in Chromium after the data arrives (target ≤ 500 ms);
// comparing 10 such runs, data and paint (target ≤ 1 s).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { MlmdClient } from '../../core/mlmd/client';
import { compareRuns } from '../../core/mlmd/compare';
import { runOutputs } from '../../core/mlmd/outputs';
import { toRunView } from '../../core/mlmd/runView';
import { mlmdDescriptorFile, mlmdPython, recordKfpRun, startMlmd, type KfpRunSpec } from '../../test/rigs/mlmd/index';
import { distFile } from '../../test/support/build';
import { openGraphPage, type GraphPage } from '../../test/support/graph-page';
import { median, recordBench, round } from './report';

const TASKS = 200;
const RUNS = 5;
const run = promisify(execFile);

function bigRun(id: string, seed: number): KfpRunSpec {
  return {
    run_id: id, pipeline: 'sweep', pipeline_root: 's3://mlpipeline/v2/artifacts', parameters: { seed },
    tasks: Array.from({ length: TASKS }, (_, i) => ({
      name: `train-${i}`, inputs: { lr: 0.001 * (i + 1), seed },
      artifacts: [
        { name: 'metrics', type: 'system.Metrics', uri: `s3://mlpipeline/${id}/train-${i}/metrics`, metadata: { accuracy: 0.5 + ((i * 7 + seed) % 50) / 100, loss: 1 / (i + 1) } },
        {
          name: 'classification', type: 'system.ClassificationMetrics', uri: `s3://mlpipeline/${id}/train-${i}/classification`,
          metadata: {
            confusionMatrix: { annotationSpecs: [{ displayName: 'no' }, { displayName: 'yes' }], rows: [{ row: [40 + (i % 10), 10] }, { row: [5, 45] }] },
            confidenceMetrics: [0, 0.25, 0.5, 0.75, 1].map((t) => ({ confidenceThreshold: 1 - t, falsePositiveRate: t, recall: Math.min(1, t + 0.3) })),
          },
        },
      ],
    })),
  };
}

/** Posts `message` inside the page and resolves with the ms until the frame after `ready()` holds. */
async function paint(g: GraphPage, message: unknown, selector: string, count: number): Promise<number> {
  await g.page.evaluate((m) => ((globalThis as unknown as { __staged: unknown }).__staged = m), message as object);
  // a string: tsx's helpers (__name) do not exist in the page
  return g.page.evaluate(`new Promise((resolve) => {
    const t0 = performance.now();
    window.postMessage(window.__staged, '*');
    const check = () => {
      if (document.querySelectorAll(${JSON.stringify(selector)}).length >= ${count}) requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0)));
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  })`) as Promise<number>;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await fn();
  return [performance.now() - t0, v];
}

async function main(): Promise<void> {
  distFile('extension.js');
  const mlmd = await startMlmd();
  const client = new MlmdClient(mlmd.address, fs.readFileSync(mlmdDescriptorFile()));
  const g = await openGraphPage({ bundle: path.join(path.dirname(distFile('extension.js')), 'webviews', 'run-outputs.js'), height: 1000 });
  try {
    const ids = Array.from({ length: 10 }, (_, i) => `bench-run-${i}`);
    const [recordMs] = await timed(async () => { for (const [i, id] of ids.entries()) await recordKfpRun(mlmd.address, bigRun(id, i)); });
    const ours: number[] = [];
    const official: number[] = [];
    const view: number[] = [];
    const firstPaint: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const [ms, raw] = await timed(() => client.run(ids[0]!));
      ours.push(ms);
      const [pyMs] = await timed(() => run(mlmdPython(), [path.join(__dirname, '..', '..', 'test', 'rigs', 'mlmd', 'kfp-run.py'), 'read', mlmd.address, ids[0]!], { maxBuffer: 256 * 1024 * 1024 }));
      official.push(pyMs);
      const [viewMs, v] = await timed(() => toRunView(runOutputs(ids[0]!, raw), 'bench'));
      view.push(viewMs);
      firstPaint.push(viewMs + await paint(g, { type: 'run', run: v }, 'section.task', TASKS));
    }
    const compare: number[] = [];
    const outs = await Promise.all(ids.map(async (id) => runOutputs(id, await client.run(id))));
    for (let i = 0; i < RUNS; i++) {
      const [ms, c] = await timed(() => compareRuns(outs.map((o, j) => ({ id: o.runId, name: `run ${j}`, parameters: o.parameters, outputs: o }))));
      compare.push(ms + await paint(g, { type: 'compare', comparison: c }, 'svg.plot polyline.curve', 10 * TASKS));
    }
    const data = {
      tasks: TASKS, artifactsPerRun: TASKS * 2, runs: RUNS, recordTenRunsMs: round(recordMs),
      readRunMedianMs: round(median(ours)), officialPythonReadMedianMs: round(median(official)),
      readVsOfficial: round(median(ours) / median(official), 3),
      runViewMedianMs: round(median(view)),
      firstPaintAfterDataMedianMs: round(median(firstPaint)), firstPaintTargetMs: 500,
      compareTenRunsMedianMs: round(median(compare)), compareTargetMs: 1000,
    };
    console.log(JSON.stringify(data, null, 2));
    console.log(`wrote ${recordBench('mlmd', data)}`);
  } finally {
    client.close();
    await g.close();
    await mlmd.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
