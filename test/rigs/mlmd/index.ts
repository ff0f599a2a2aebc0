/**
 * MLMD rig: ML Metadata's gRPC `MetadataStoreService` served by the real ml-metadata 1.17.1 library (its C++ store on
 * SQLite) from test/rigs/mlmd/install.sh's venv; server.py forwards every RPC to the library. With a kube rig it is
 * exposed the way KFP installs it: Service `metadata-grpc-service` in namespace `kubeflow` (port 8080 named
 * `grpc-api`, selector `component: metadata-grpc-server`) and a pod matching it, run by kwok, whose port 8080 kwok
 * forwards to the local server, so the daemon's service forwards and
 * `kubectl port-forward -n kubeflow svc/metadata-grpc-service 8080` reach it.
 *
 * KFP's driver and launcher, run as local processes, reach it directly: their `--mlmd_server_address` /
 * `--mlmd_server_port` flags (the Workflow has `metadata-grpc-service.kubeflow.svc.cluster.local` / `8080`) become
 * `mlmd.host` / `mlmd.port` (METADATA_GRPC_SERVICE_HOST/PORT in `mlmd.env` for the components that read the env).
 *
 *   const mlmd = await startMlmd(kube);
 *   ... grpc to mlmd.address, or a daemon forward to MLMD_SERVICE ...
 *   await mlmd.stop();
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, type KubeRig } from '../kube/index';
import { exposeLocalService } from '../expose';
import { kfvsCache } from '../jupyter/index';
import { until } from '../../support/wait';
import { promisify } from 'node:util';

/** This folder, from the repository root: the file is also bundled into the extension-host tests (out/test/vscode/). */
const MLMD_DIR = path.join(repoRoot, 'test', 'rigs', 'mlmd');

const run = promisify(execFile);

export const MLMD_VERSION = '1.17.1';

/** Where MLMD lives in the cluster (KFP's manifests' names). */
export const MLMD_SERVICE = {
  namespace: 'kubeflow',
  name: 'metadata-grpc-service',
  port: 8080,
  portName: 'grpc-api',
  selector: { component: 'metadata-grpc-server' },
  pod: 'metadata-grpc-deployment-7d6b5c9f4-m8k2p',
};

export interface MlmdRig {
  host: '127.0.0.1';
  port: number;
  /** host:port of the local gRPC server */
  address: string;
  /** METADATA_GRPC_SERVICE_HOST/PORT for a local driver, launcher or component */
  env: { METADATA_GRPC_SERVICE_HOST: string; METADATA_GRPC_SERVICE_PORT: string };
  /** The SQLite file the library writes. */
  dbFile: string;
  /** Set when started with a kube rig: the Service and pod exist and forward here. */
  cluster?: typeof MLMD_SERVICE;
  stop(): Promise<void>;
  logs(): string;
}

/** The rig's cache dir; throws naming the install script when it is not complete. */
export function mlmdRigDir(): string {
  const dir = path.join(kfvsCache(), 'mlmd', MLMD_VERSION);
  if (!fs.existsSync(path.join(dir, '.stamp'))) {
    throw new Error(`the MLMD rig is not installed in ${dir}: run test/rigs/mlmd/install.sh (scripts/setup.sh test does)`);
  }
  return dir;
}

/** The venv python with PyPI's ml-metadata (the official `MetadataStore` client too). */
export function mlmdPython(): string {
  return path.join(mlmdRigDir(), 'venv', 'bin', 'python');
}

/** MetadataStoreService's FileDescriptorSet, made from the wheel by install.sh. */
export function mlmdDescriptorFile(): string {
  return path.join(mlmdRigDir(), 'mlmd.desc');
}

export async function startMlmd(kube?: KubeRig, o: { dbFile?: string } = {}): Promise<MlmdRig> {
  const python = mlmdPython();
  const runDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kfvs-mlmd-'));
  const dbFile = o.dbFile ?? path.join(runDir, 'mlmd.sqlite');
  const logFile = path.join(runDir, 'mlmd.log');
  const out = fs.openSync(logFile, 'a');
  // stdin is the lifeline: the server ends when this process does
  const child = spawn(python, [path.join(MLMD_DIR, 'server.py'), '--db', dbFile], { stdio: ['pipe', 'pipe', out] });
  fs.closeSync(out);
  const exited = new Promise<void>((resolve) => { child.on('exit', () => resolve()); child.on('error', () => resolve()); });
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  const logs = () => `${stdout}${fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : ''}`;
  const stop = async () => {
    if (rig?.cluster) await kube!.kubectl(['-n', MLMD_SERVICE.namespace, 'delete', 'pod', MLMD_SERVICE.pod, '--grace-period=1', '--wait=false']).catch(() => undefined);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    await fsp.rm(runDir, { recursive: true, force: true });
  };
  let rig: MlmdRig | undefined;
  try {
    const port = await until('the MLMD server to listen', 60_000, () => {
      if (child.exitCode !== null) throw new Error(`the MLMD server exited (${child.exitCode}):\n${logs()}`);
      const m = /^listening (\d+)$/m.exec(stdout);
      return m ? Number(m[1]) : undefined;
    }, 50);
    rig = {
      host: '127.0.0.1', port, address: `127.0.0.1:${port}`, dbFile,
      env: { METADATA_GRPC_SERVICE_HOST: '127.0.0.1', METADATA_GRPC_SERVICE_PORT: String(port) },
      stop, logs,
    };
    if (kube) {
      await exposeLocalService(kube, {
        ...MLMD_SERVICE, labels: { app: 'metadata' }, appProtocol: 'grpc', container: 'container',
        image: `gcr.io/tfx-oss-public/ml_metadata_store_server:${MLMD_VERSION}`, args: [`--grpc_port=${MLMD_SERVICE.port}`, '--enable_database_upgrade=true'],
      }, port);
      rig.cluster = MLMD_SERVICE;
    }
    return rig;
  } catch (e) {
    await stop();
    throw new Error(`the MLMD rig did not start: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** One task of a run as KFP's launcher records it (see kfp-run.py). */
export interface KfpTaskSpec {
  name: string;
  state?: 'RUNNING' | 'COMPLETE' | 'FAILED' | 'CACHED' | 'CANCELED';
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  cached?: boolean;
  artifacts?: Array<{ name: string; type?: string; uri?: string; event?: 'INPUT' | 'OUTPUT'; from?: string; output?: string; metadata?: Record<string, unknown> }>;
}
export interface KfpRunSpec { run_id: string; pipeline: string; namespace?: string; pipeline_root: string; parameters?: Record<string, unknown>; tasks: KfpTaskSpec[] }

const KFP_RUN_SCRIPT = path.join(MLMD_DIR, 'kfp-run.py');

/** Records a run in MLMD with the official client (ml-metadata's MetadataStore over gRPC to `address`). */
export async function recordKfpRun(address: string, spec: KfpRunSpec): Promise<{ run_context: number; root: number; executions: Record<string, number> }> {
  return JSON.parse(await officialClient(['write', address, spec])) as { run_context: number; root: number; executions: Record<string, number> };
}

/** What the official client reads of a run: executions with their events and artifacts. */
export async function readKfpRun(address: string, runId: string): Promise<{ run: Record<string, unknown>; executions: Array<{ name: string; state: string; properties: Record<string, unknown>; artifacts: Array<{ name: string; event: string; type: string; uri: string; id: string }> }> } | null> {
  return JSON.parse(await officialClient(['read', address, runId])) as never;
}

async function officialClient([verb, address, arg]: [string, string, KfpRunSpec | string]): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kfvs-mlmd-run-'));
  try {
    let target = arg as string;
    if (typeof arg !== 'string') { target = path.join(dir, 'spec.json'); await fsp.writeFile(target, JSON.stringify(arg)); }
    const { stdout } = await run(mlmdPython(), [KFP_RUN_SCRIPT, verb, address, target], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim().split('\n').pop()!;
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
