// Bench section "daemon": the companion daemon against the baseline users have today, in the same run, on the same
// pod of the real apiserver + kwok rig:
//   - forward throughput and time to first byte: daemon forward vs `kubectl port-forward` (same kubectl version as the
//     apiserver), both to one pod whose port kwok lands on a local HTTP server;
//   - merged logs of 8 replicas vs 8 parallel `kubectl logs -f`: lines per second until every line arrived;
//   - the daemon's idle RSS with one forward.
// Targets (issue 4): throughput ≥ 1.0× kubectl, TTFB ≤ kubectl's, log line rate ≥ 1.0×, idle RSS ≤ 80 MB.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connectDaemon } from '../../companion-daemon/src/client';
import * as P from '../../companion-daemon/src/protocol';
import { startKubeRig } from '../../test/rigs/kube/index';
import { distFile } from '../../test/support/build';
import { until } from '../../test/support/wait';
import { median, recordBench, round } from './report';

const PAYLOAD_MB = 32;
const THROUGHPUT_RUNS = 15;
const TTFB_RUNS = 30;
const LOG_REPLICAS = 8;
const LOG_LINES = 20_000;

async function main(): Promise<void> {
  const rig = await startKubeRig({ crds: false });
  const ns = rig.namespace;
  const children: ChildProcess[] = [];
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-bench-'));
  try {
    // --- the pod and what it serves
    const payload = Buffer.alloc(PAYLOAD_MB * 1024 * 1024, 'x');
    const server = http.createServer((req, res) => {
      if (req.url === '/big') res.end(payload);
      else res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const backendPort = (server.address() as net.AddressInfo).port;
    await rig.forwardPodPort(ns, 'bench-0', 8080, backendPort);
    await rig.apply([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bench-0', labels: { app: 'bench' } }, spec: { nodeName: rig.nodes.cpu, containers: [{ name: 'main', image: 'x', ports: [{ containerPort: 8080 }] }] } }]);
    await rig.waitForPod(ns, 'bench-0');

    // --- baseline: kubectl port-forward
    const kubectl = path.join(rig.binDir, 'kubectl');
    const kpf = spawn(kubectl, ['--kubeconfig', rig.kubeconfigPath, '-n', ns, 'port-forward', 'pod/bench-0', ':8080', '--address', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(kpf);
    const kubectlPort = await new Promise<number>((resolve, reject) => {
      let out = '';
      kpf.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      kpf.once('exit', (c) => reject(new Error(`kubectl port-forward exited ${c}: ${out}`)));
    });

    // --- ours: the daemon
    const d = await connectDaemon({ kubeconfig: rig.kubeconfigPath, client: 'bench', daemonScript: distFile('companion-daemon.js'), env: { ...process.env, KUBEFLOW_COMPANION_HOME: home } });
    const fwd = await d.connection.sendRequest(P.startForward, { target: { kind: 'pod', namespace: ns, name: 'bench-0', port: 8080 } });
    await until('daemon forward ready', 30_000, async () => (await d.connection.sendRequest(P.listForwards))[0]?.status.state === 'ready');
    await new Promise((r) => setTimeout(r, 3000));
    const rssIdleMb = (await d.connection.sendRequest(P.status)).rssBytes / 1024 / 1024;

    const paths = { kubectl: kubectlPort, daemon: fwd.localPort };
    // Warm both with one full download (timed apart as the cold figure): the first megabytes through a freshly
    // started daemon run while V8 is still compiling its data path, which is not the steady rate a forward has.
    const cold: Record<string, number> = {};
    for (const [name, port] of Object.entries(paths)) {
      const t0 = performance.now();
      await download(port, '/big');
      cold[name] = PAYLOAD_MB / ((performance.now() - t0) / 1000);
    }
    const throughput: Record<string, number[]> = { kubectl: [], daemon: [] };
    const ttfb: Record<string, number[]> = { kubectl: [], daemon: [] };
    for (let i = 0; i < THROUGHPUT_RUNS; i++) {
      for (const [name, port] of Object.entries(paths)) {
        const t0 = performance.now();
        const n = await download(port, '/big');
        if (n !== payload.length) throw new Error(`${name}: got ${n} bytes of ${payload.length}`);
        throughput[name].push(PAYLOAD_MB / ((performance.now() - t0) / 1000));
      }
    }
    // Connections as an editor makes them: a new one now and then, not a tight loop (reported separately below).
    for (let i = 0; i < TTFB_RUNS; i++) {
      for (const [name, port] of Object.entries(paths)) {
        await new Promise((r) => setTimeout(r, 100));
        ttfb[name].push(await firstByte(port));
      }
    }
    const burst: Record<string, number[]> = { kubectl: [], daemon: [] };
    for (let i = 0; i < TTFB_RUNS; i++) {
      for (const [name, port] of Object.entries(paths)) burst[name].push(await firstByte(port));
    }

    // --- merged logs of 8 replicas vs 8 parallel kubectl logs -f
    const lines = Array.from({ length: LOG_LINES }, (_, i) => `step ${i} loss ${(1 / (i + 1)).toFixed(6)} lr 0.001 throughput 1234.5 samples/s`);
    const pods = Array.from({ length: LOG_REPLICAS }, (_, i) => `logbench-${i}`);
    for (const p of pods) await rig.podLogs(ns, p, lines);
    await rig.apply(pods.map((p, i) => ({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: p, labels: { 'training.kubeflow.org/job-name': 'logbench', 'training.kubeflow.org/replica-type': i === 0 ? 'Master' : 'Worker', 'training.kubeflow.org/replica-index': String(i === 0 ? 0 : i - 1) } },
      spec: { nodeName: rig.nodes.gpu, containers: [{ name: 'main', image: 'x' }] },
    })));
    for (const p of pods) await rig.waitForPod(ns, p);
    const total = LOG_REPLICAS * LOG_LINES;

    const k0 = performance.now();
    await Promise.all(pods.map((p) => new Promise<void>((resolve, reject) => {
      const c = spawn(kubectl, ['--kubeconfig', rig.kubeconfigPath, '-n', ns, 'logs', '-f', p], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(c);
      let n = 0;
      c.stdout!.on('data', (b: Buffer) => {
        for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
        if (n >= LOG_LINES) {
          c.kill();
          resolve();
        }
      });
      c.once('exit', () => (n >= LOG_LINES ? resolve() : reject(new Error(`kubectl logs ${p} ended after ${n} lines`))));
    })));
    const kubectlLogsMs = performance.now() - k0;

    let got = 0;
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    d.connection.onNotification(P.didAppendLogs, (p) => {
      got += p.lines.length;
      if (got >= total) done();
    });
    const l0 = performance.now();
    await d.connection.sendRequest(P.subscribeLogs, { source: { kind: 'job', namespace: ns, jobKind: 'PyTorchJob', name: 'logbench' } });
    await Promise.race([all, new Promise((_, rej) => setTimeout(() => rej(new Error(`daemon delivered ${got}/${total} lines`)), 120_000))]);
    const daemonLogsMs = performance.now() - l0;

    // --- RSS again once the load is over and the log capture stopped
    for (const c of await d.connection.sendRequest(P.listCaptures)) await d.connection.sendRequest(P.stopCapture, { id: c.id });
    await new Promise((r) => setTimeout(r, 5000));
    const rssAfterMb = (await d.connection.sendRequest(P.status)).rssBytes / 1024 / 1024;

    const mt = { kubectl: median(throughput.kubectl), daemon: median(throughput.daemon) };
    const mf = { kubectl: median(ttfb.kubectl), daemon: median(ttfb.daemon) };
    const rate = { kubectl: total / (kubectlLogsMs / 1000), daemon: total / (daemonLogsMs / 1000) };
    const result = {
      forwardThroughputMBps: { kubectl: round(mt.kubectl), daemon: round(mt.daemon), ratio: round(mt.daemon / mt.kubectl, 2), target: '≥ 1.0', met: mt.daemon >= mt.kubectl, payloadMB: PAYLOAD_MB, runs: THROUGHPUT_RUNS,
        note: 'median of alternating downloads after one warm-up download each',
        coldFirstDownload: { kubectl: round(cold.kubectl), daemon: round(cold.daemon), note: 'the warm-up download: the daemon\'s JIT is cold' },
      },
      timeToFirstByteMs: {
        kubectl: round(mf.kubectl, 2), daemon: round(mf.daemon, 2), target: '≤ kubectl', met: mf.daemon <= mf.kubectl, runs: TTFB_RUNS,
        note: 'median; a new TCP connection + HTTP GET every 100 ms',
        backToBack: { kubectl: round(median(burst.kubectl), 2), daemon: round(median(burst.daemon), 2), note: 'connections in a tight loop; both multiplex streams over one WebSocket to the API server' },
      },
      mergedLogLinesPerSec: { kubectl8Parallel: Math.round(rate.kubectl), daemon: Math.round(rate.daemon), ratio: round(rate.daemon / rate.kubectl, 2), target: '≥ 1.0', met: rate.daemon >= rate.kubectl, replicas: LOG_REPLICAS, linesPerReplica: LOG_LINES },
      daemonIdleRssMB: { value: round(rssIdleMb), target: '≤ 80', met: rssIdleMb <= 80, note: 'one ready forward, before traffic', afterLoad: round(rssAfterMb) },
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(`report: ${recordBench('daemon', result)}`);
    await d.connection.sendRequest(P.shutdown).catch(() => undefined);
    d.dispose();
    server.close();
  } finally {
    for (const c of children) c.kill();
    await rig.stop();
  }
}

/** Downloads a path through a port on a fresh connection; resolves the byte count. */
function download(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
      let n = 0;
      res.on('data', (b: Buffer) => (n += b.length));
      res.on('end', () => resolve(n));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** Milliseconds from opening a TCP connection to the first byte of the answer to a small GET. */
function firstByte(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = net.connect(port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    s.once('data', () => {
      resolve(performance.now() - t0);
      s.destroy();
    });
    s.once('error', reject);
  });
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
