// Local runs (issue 18): a 10-task pipeline from *Run Locally* to all tasks done — the extension's path: compile the
// .py with the user's Python (what the form needs), then the driver with kfp.local reporting every task — against the
// same pipeline run with kfp.local from a plain Python script, in the same run, alternating. The rig venv's Python.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalRun } from '../../core/localRun/runner.node';
import { compilePythonPipeline } from '../../core/pipeline/compile.node';
import { venvBin } from '../../test/rigs/jupyter/index';
import { median, recordBench, round } from './report';

const RUNS = Number(process.env.KFVS_BENCH_RUNS ?? 2);
const FILE = path.resolve(__dirname, '../../test/fixtures/pipelines/local/ten_tasks.py');
const DRIVER = path.resolve(__dirname, '../../core/localRun/driver.py');

const PLAIN = String.raw`
import importlib.util, sys
from kfp import local
spec = importlib.util.spec_from_file_location('p', sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=sys.argv[2])
m.ten_tasks()
`;

async function main(): Promise<void> {
  const python = venvBin('python');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-bench-local-'));
  const ours: number[] = [];
  const plain: number[] = [];
  let tasks = 0;
  try {
    for (let i = 0; i < RUNS; i++) {
      let t0 = performance.now();
      const c = await compilePythonPipeline({ python, file: FILE });
      if (!c.ok) throw new Error(c.error);
      const r = startLocalRun({ python, file: FILE, runsDir: tmp, driver: DRIVER });
      const rec = await r.done;
      if (rec.state !== 'succeeded') throw new Error(rec.error);
      tasks = Object.keys(rec.tasks).length;
      ours.push(performance.now() - t0);
      t0 = performance.now();
      const p = spawnSync(python, ['-c', PLAIN, FILE, path.join(tmp, `plain-${i}`)], { encoding: 'utf8' });
      if (p.status !== 0) throw new Error(p.stderr);
      plain.push(performance.now() - t0);
      console.log(`run ${i + 1}: Run Locally ${round(ours[i]! / 1000)} s, plain kfp.local ${round(plain[i]! / 1000)} s`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const data = {
    runs: RUNS,
    tasks,
    runLocallyMedianMs: round(median(ours)),
    plainKfpLocalMedianMs: round(median(plain)),
    ratioRunLocallyVsPlain: round(median(ours) / median(plain), 2),
    target: 'ratioRunLocallyVsPlain ≤ 1.2 (the compile the form needs and the reporting cost at most 20%)',
  };
  console.log(JSON.stringify(data, null, 2));
  console.log(`report: ${recordBench('local-run', data)}`);
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
