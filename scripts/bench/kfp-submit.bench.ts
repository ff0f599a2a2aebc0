// Bench section "kfp-submit" (issue 16): submit to first task running on the real KFP 2.17 stack (kfp-stack/cluster.ts:
// API server, persistence agent, Argo with the real driver and launcher, MLMD), reached as the product reaches it,
// through the companion daemon's port-forward of svc/ml-pipeline:8888, against the baseline users have: the official
// kfp SDK's `kfp.Client(host).create_run_from_pipeline_package(...)` from the rig venv's python, same server, same
// forward, same compiled pipeline (hello_world), alternating, RUNS times each.
//   - ours: the calls the Submit command makes (extension/runs/submit.ts `submit()`, for a local file not uploaded
//     yet, into an existing experiment): read the IR and its parameter form, find the experiment, check the name is
//     free, upload the pipeline, read its version, create the run. It has no VS Code import here, so the same
//     KfpClient calls are made in the same order.
//   - sdk: spawning python, which imports kfp, builds the Client and creates the run from the package (the SDK
//     sends the IR inline: no upload); timed until the run id is printed (not the interpreter's exit). The SDK's
//     interpreter start and `import kfp` are what a user running a script pays; the report also gives the SDK's
//     time without the interpreter start and without the import too, from clocks read inside Python.
// Both then poll the run as the run panel reads it (GET run, run_details.task_details mapped onto the graph by
// core/kfp/runState.ts) every POLL_MS until a task is running (or past it, if it ran between two polls). Each run is
// then terminated and left to end before the next submit, untimed, so none contends with the next one for the 2 cores. Each run has
// its own `name` parameter (the run's name), so no step is taken from KFP's cache of an earlier run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { connectDaemon } from '../../companion-daemon/src/client';
import * as P from '../../companion-daemon/src/protocol';
import { ApiError, fetchTransport } from '../../core/http/transport';
import { KfpClient } from '../../core/kfp/client';
import { buildParameters, formSpec, initialValues } from '../../core/kfp/params';
import { mapTaskDetails } from '../../core/kfp/runState';
import { specFromText, specName } from '../../core/kfp/spec';
import { parsePipeline } from '../../core/pipeline/parse';
import { venvBin } from '../../test/rigs/jupyter/index';
import { compilePipeline } from '../../test/rigs/kfp/index';
import { startKfpCluster, type KfpCluster } from '../../test/rigs/kfp-stack/cluster';
import { repoRoot, startKubeRig } from '../../test/rigs/kube/index';
import { distFile } from '../../test/support/build';
import { until } from '../../test/support/wait';
import { median, recordBench, round } from './report';

const RUNS = 3;
const POLL_MS = 100;
const EXPERIMENT = 'bench-submit';
const SDK_SCRIPT = path.join(repoRoot, 'scripts', 'bench', 'kfp-sdk-submit.py');

interface SdkOut { run_id: string; started_wall_ms: number; import_ms: number; client_ms: number; create_ms: number }

async function main(): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-bench-submit-'));
  const [kube, irFile] = await Promise.all([
    // the scheduler places the pods Argo creates (the drivers and the step), as in sandbox.ts
    startKubeRig({ crds: false, controllers: true }),
    compilePipeline(path.join(repoRoot, 'test', 'fixtures', 'pipelines', 'hello_world.py'), path.join(home, 'hello_world.yaml')),
  ]);
  let pipelines: KfpCluster | undefined;
  const d = await connectDaemon({ kubeconfig: kube.kubeconfigPath, client: 'bench', daemonScript: distFile('companion-daemon.js'), env: { ...process.env, KUBEFLOW_COMPANION_HOME: home } });
  try {
    pipelines = await startKfpCluster(kube);
    const forward = await d.connection.sendRequest(P.startForward, { target: { kind: 'service', namespace: 'kubeflow', name: 'ml-pipeline', port: 8888 } });
    await until('the forward to ml-pipeline to be ready', 60_000, async () =>
      (await d.connection.sendRequest(P.listForwards)).find((f) => f.id === forward.id)?.status.state === 'ready', 200);
    const host = `http://127.0.0.1:${forward.localPort}`;
    const client = new KfpClient(fetchTransport(host));
    await client.createExperiment({ displayName: EXPERIMENT });
    const model = parsePipeline(fs.readFileSync(irFile, 'utf8'));

    /** ms from `t0` until the run has a task running (or done); the task's state then. */
    const firstTaskRunning = (runId: string, t0: number) => until(`a task of run ${runId} to run`, 300_000, async () => {
      const run = await client.getRun(runId);
      const tasks = Object.values(mapTaskDetails(model, run.run_details?.task_details ?? []).tasks);
      const started = tasks.find((t) => !['pending', 'unknown'].includes(t.state));
      if (!started && ['FAILED', 'CANCELED'].includes(run.state ?? '')) throw new Error(`run ${runId} ended ${run.state} before a task ran: ${JSON.stringify(run.error ?? {})}`);
      return started ? { ms: performance.now() - t0, state: started.state } : undefined;
    }, POLL_MS);

    const ours = async (i: number) => {
      const t0 = performance.now();
      const text = fs.readFileSync(irFile, 'utf8');
      const spec = specFromText(text);
      const form = formSpec(spec);
      const built = buildParameters(form.fields, initialValues(form.fields, { name: `ours-${i}` }));
      if (!built.ok) throw new Error(`the form's defaults do not build: ${JSON.stringify(built.errors)}`);
      const name = `${specName(spec)}-bench-${i}`;
      const experimentId = (await client.findExperiment(EXPERIMENT))?.experiment_id;
      if (!experimentId) throw new Error(`experiment ${EXPERIMENT} not found`);
      const clash = await client.getPipelineByName(name).then(() => true, (e: unknown) => {
        if (e instanceof ApiError && e.status === 404) return false;
        throw e;
      });
      if (clash) throw new Error(`pipeline ${name} exists already`);
      const pipelineId = (await client.uploadPipeline({ fileName: 'hello_world.yaml', content: text, name, displayName: name, description: 'bench' })).pipeline_id!;
      const versionId = (await client.listPipelineVersions(pipelineId, { pageSize: 1 })).items[0]!.pipeline_version_id!;
      const run = await client.createRun({ displayName: `ours-${i}`, experimentId, pipelineVersion: { pipeline_id: pipelineId, pipeline_version_id: versionId }, runtimeConfig: { parameters: built.parameters } });
      const submitMs = performance.now() - t0;
      return { runId: run.run_id!, submitMs, ...(await firstTaskRunning(run.run_id!, t0)) };
    };

    const sdk = async (i: number) => {
      const spawnedWall = Date.now();
      const t0 = performance.now();
      const child = spawn(venvBin('python'), [SDK_SCRIPT, host, irFile, EXPERIMENT, `sdk-${i}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      const line = await new Promise<string>((resolve, reject) => {
        readline.createInterface({ input: child.stdout }).on('line', (l) => { if (l.startsWith('{')) resolve(l); });
        void exited.then((code) => reject(new Error(`the SDK exited ${code} before printing the run: ${stderr}`)));
      });
      const submitMs = performance.now() - t0;
      const out = JSON.parse(line) as SdkOut;
      const polled = await firstTaskRunning(out.run_id, t0);
      await exited;
      const interpreterStartMs = Math.max(0, out.started_wall_ms - spawnedWall);
      return { runId: out.run_id, submitMs, ...polled, interpreterStartMs, importMs: out.import_ms, clientMs: out.client_ms, createMs: out.create_ms };
    };

    const a: Awaited<ReturnType<typeof ours>>[] = [];
    const b: Awaited<ReturnType<typeof sdk>>[] = [];
    for (let i = 0; i < RUNS; i++) {
      // alternate which goes first, so a drift in the machine's load does not favour one side
      for (const side of i % 2 ? ['sdk', 'ours'] : ['ours', 'sdk']) {
        let r: { runId: string; submitMs: number; ms: number; state: string };
        if (side === 'ours') a.push(r = await ours(i));
        else b.push(r = await sdk(i));
        console.log(`${side} #${i}: submit ${round(r.submitMs)} ms, a task ${r.state} at ${round(r.ms)} ms`);
        await client.terminateRun(r.runId);
        await pipelines.waitForRun(r.runId, 120_000);
      }
    }
    const m = (xs: number[]) => round(median(xs));
    const oursMs = m(a.map((r) => r.ms));
    const sdkMs = m(b.map((r) => r.ms));
    const sdkNoInterpreter = m(b.map((r) => r.ms - r.interpreterStartMs));
    const sdkNoImport = m(b.map((r) => r.ms - r.interpreterStartMs - r.importMs));
    const data = {
      runs: RUNS,
      pipeline: 'test/fixtures/pipelines/hello_world.py (one task), compiled by the rig\'s kfp',
      included: 'from the start of the submit (ours: reading the IR; sdk: spawning python) until GET run shows a task running, polled every 100 ms through the daemon forward. ours uploads the pipeline then creates the run from its version (what Submit does for a new file); the SDK creates the run with the IR inline. sdk includes the interpreter start and import kfp; sdkWithoutInterpreterMs leaves out the interpreter start (spawn until the script runs), sdkWithoutImportMs also the import.',
      oursMs,
      sdkMs,
      ratioOursToSdk: round(oursMs / sdkMs, 3),
      sdkWithoutInterpreterMs: sdkNoInterpreter,
      ratioOursToSdkWithoutInterpreter: round(oursMs / sdkNoInterpreter, 3),
      sdkWithoutImportMs: sdkNoImport,
      ratioOursToSdkWithoutImport: round(oursMs / sdkNoImport, 3),
      submitOnlyMs: { ours: m(a.map((r) => r.submitMs)), sdk: m(b.map((r) => r.submitMs)), note: 'until the run exists (ours: createRun answered; sdk: the run id printed)' },
      sdkParts: { interpreterStartMs: m(b.map((r) => r.interpreterStartMs)), importKfpMs: m(b.map((r) => r.importMs)), clientMs: m(b.map((r) => r.clientMs)), createRunMs: m(b.map((r) => r.createMs)) },
      samples: { ours: a.map((r) => round(r.ms)), sdk: b.map((r) => round(r.ms)) },
    };
    console.log(JSON.stringify(data, null, 2));
    console.log(`wrote ${recordBench('kfp-submit', data)}`);
  } finally {
    await d.connection.sendRequest(P.shutdown).catch(() => undefined);
    d.dispose();
    await pipelines?.stop();
    await kube.stop();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
