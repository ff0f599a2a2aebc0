/**
 * Object store rig: a real S3-compatible server, gofakes3 v1.2.0's own `cmd/gofakes3` with its file backend (built
 * by test/rigs/object-store/build.sh from the Go module proxy), one fresh directory per start. Why gofakes3:
 * test/rigs/README.md. It accepts any access key (no signature check), as a MinIO with the rig's keys would.
 *
 *   const s3 = await startObjectStore({ bucket: 'mlpipeline' });
 *   s3.endpoint   // http://127.0.0.1:<port>  (path-style: <endpoint>/<bucket>/<key>)
 *   await s3.stop();
 */
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../jupyter/index';
import { repoRoot } from '../kube/index';
import { until } from '../../support/wait';
import { assertRunning, startProc, stopProc, tail, type Proc } from '../processes';

export interface ObjectStoreRig {
  endpoint: string;
  host: '127.0.0.1';
  port: number;
  /** The bucket created at start. */
  bucket: string;
  /** What clients are configured with (MinIO's defaults in Kubeflow's manifests). */
  accessKey: string;
  secretKey: string;
  region: string;
  /** The files under the store's root (buckets and metadata), for tests that look at what was written. */
  dataDir: string;
  stop(): Promise<void>;
  logs(): string;
}

const run = promisify(execFile);

/** The gofakes3 binary, or an error naming the build script. */
export async function objectStoreBin(): Promise<string> {
  try {
    const { stdout } = await run('bash', [path.join(repoRoot, 'test/rigs/object-store/build.sh'), '--print-bin']);
    return stdout.trim().split('\n').pop()!;
  } catch (e) {
    throw new Error(`the object store is not built: run test/rigs/object-store/build.sh (scripts/setup.sh test does): ${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
}

export async function startObjectStore(o: { bucket?: string } = {}): Promise<ObjectStoreRig> {
  const bin = await objectStoreBin();
  const bucket = o.bucket ?? 'mlpipeline';
  const runDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kfvs-s3-'));
  const dataDir = path.join(runDir, 'data');
  const logFile = path.join(runDir, 'gofakes3.log');
  let proc: Proc | undefined;
  const cleanup = async () => { await stopProc(proc); await fsp.rm(runDir, { recursive: true, force: true }); };
  try {
    const port = await freePort();
    proc = startProc(bin, ['-host', `127.0.0.1:${port}`, '-backend', 'fs', '-fs.path', dataDir, '-fs.create',
      '-initialbucket', bucket], logFile);
    const p = proc;
    const endpoint = `http://127.0.0.1:${port}`;
    // ListBuckets answers once the server listens and the initial bucket exists
    await until('the object store to list its bucket', 60_000, async () => {
      assertRunning(p, 'gofakes3');
      const res = await fetch(`${endpoint}/`).catch(() => undefined);
      return res?.status === 200 && (await res.text()).includes(`<Name>${bucket}</Name>`);
    }, 100);
    return {
      endpoint, host: '127.0.0.1', port, bucket, accessKey: 'minio', secretKey: 'minio123', region: 'us-east-1', dataDir,
      stop: cleanup,
      logs: () => `--- gofakes3\n${tail(logFile)}`,
    };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const log = tail(logFile);
    await cleanup();
    throw new Error(`the object store did not start: ${why}\n${log}`);
  }
}
