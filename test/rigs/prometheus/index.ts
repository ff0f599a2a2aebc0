/**
 * The Prometheus rig: the real Prometheus server (built by build.sh) scraping static targets every second — the
 * test-side exporters of exporters.ts, which emit KServe-, Knative- and DCGM-shaped series — with its HTTP API on a
 * local port. With a kube rig it is exposed the way kube-prometheus installs it: Service `prometheus-k8s` (port 9090,
 * `web`) in namespace `monitoring`, and a kwok-run pod whose port kwok forwards to the local server, so the
 * extension finds it in the cluster and reaches it through a daemon port-forward.
 *
 *   const exp = await startExporters({ gpus: [...] });
 *   const prom = await startPrometheus({ targets: [exp.target], kube });
 *   await prom.waitForSeries('DCGM_FI_DEV_GPU_UTIL');
 */
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { until } from '../../support/wait';
import { freePort } from '../jupyter/index';
import { repoRoot, type KubeRig } from '../kube/index';
import { startProc, stopProc, tail, whileRunning } from '../processes';

export const PROMETHEUS_SERVICE = { namespace: 'monitoring', name: 'prometheus-k8s', port: 9090, portName: 'web', pod: 'prometheus-k8s-0' } as const;

export interface PrometheusRig {
  /** `http://127.0.0.1:<port>`: the query API's root. */
  url: string;
  /** Resolves once a query for `metric` returns a series (the first scrapes landed). */
  waitForSeries(metric: string, timeoutMs?: number): Promise<void>;
  logs(): string;
  stop(): Promise<void>;
}

export async function prometheusBin(): Promise<string> {
  // from the repository root: this file is also bundled into the extension-host tests (out/test/vscode/)
  const script = path.join(repoRoot, 'test/rigs/prometheus/build.sh');
  try {
    const { stdout } = await promisify(execFile)('bash', [script, '--print-bin']);
    return stdout.trim().split('\n').pop()!;
  } catch (err) {
    throw new Error(`the Prometheus rig is not built: run scripts/setup.sh test (${(err as Error).message.trim()})`);
  }
}

export async function startPrometheus(o: { targets: string[]; kube?: KubeRig; scrapeIntervalS?: number }): Promise<PrometheusRig> {
  const bin = await prometheusBin();
  const runDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kfvs-prom-'));
  const interval = `${o.scrapeIntervalS ?? 1}s`;
  const config = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    'scrape_configs:',
    '  - job_name: kfvs-exporters',
    // keep the exporters' own namespace/pod labels (a pod scrape would add the same)
    '    honor_labels: true',
    '    static_configs:',
    `      - targets: [${o.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
  ].join('\n');
  await fsp.writeFile(path.join(runDir, 'prometheus.yml'), config + '\n');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startProc(bin, [
    `--config.file=${path.join(runDir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(runDir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=1d',
  ], path.join(runDir, 'prometheus.log'), { cwd: runDir });
  const stop = async (): Promise<void> => {
    if (o.kube) await o.kube.kubectl(['-n', PROMETHEUS_SERVICE.namespace, 'delete', 'pod', PROMETHEUS_SERVICE.pod, '--grace-period=1', '--wait=false']).catch(() => undefined);
    await stopProc(proc);
    await fsp.rm(runDir, { recursive: true, force: true });
  };
  try {
    await whileRunning({ prometheus: proc }, until('Prometheus to be ready', 60_000, async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.status === 200, 100));
    if (o.kube) await exposeInCluster(o.kube, port);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    logs: () => tail(proc.log, 40),
    stop,
    waitForSeries: (metric, timeoutMs = 30_000) =>
      whileRunning({ prometheus: proc }, until(`Prometheus to have scraped ${metric}`, timeoutMs, async () => {
        const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(metric)}`).catch(() => undefined);
        const body = res?.ok ? ((await res.json()) as { data?: { result?: unknown[] } }) : undefined;
        return (body?.data?.result?.length ?? 0) > 0;
      }, 200)).then(() => undefined),
  };
}

/** The Service and a kwok-run pod whose port 9090 kwok forwards to the local server. */
async function exposeInCluster(kube: KubeRig, localPort: number): Promise<void> {
  const s = PROMETHEUS_SERVICE;
  const labels = { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/component': 'prometheus', 'app.kubernetes.io/instance': 'k8s', 'app.kubernetes.io/part-of': 'kube-prometheus', prometheus: 'k8s' };
  await kube.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: s.namespace } }]);
  await kube.forwardPodPort(s.namespace, s.pod, s.port, localPort);
  await kube.apply([
    { apiVersion: 'v1', kind: 'Service', metadata: { name: s.name, namespace: s.namespace, labels }, spec: { selector: labels, ports: [{ name: s.portName, port: s.port, targetPort: s.portName, protocol: 'TCP' }] } },
    {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: s.pod, namespace: s.namespace, labels },
      spec: { nodeName: kube.nodes.cpu, containers: [{ name: 'prometheus', image: 'quay.io/prometheus/prometheus:v3.9.0', ports: [{ name: s.portName, containerPort: s.port }] }] },
    },
  ]);
  await kube.waitForPod(s.namespace, s.pod);
}
