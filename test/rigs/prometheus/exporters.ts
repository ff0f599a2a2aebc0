/**
 * Test-side exporters for the Prometheus rig: the series a Kubeflow cluster's Prometheus scrapes, under their
 * documented names and labels, with values a test sets and can change while it runs:
 * - Knative queue-proxy (Serverless InferenceServices): `revision_app_request_count` (counter; labels
 *   `namespace_name`, `configuration_name`, `revision_name`, `response_code`, `response_code_class`) and
 *   `revision_app_request_latencies` (histogram, milliseconds, Knative's buckets);
 * - the KServe model server (RawDeployment): `request_predict_seconds` (histogram; labels `namespace`, `pod` as a pod
 *   scrape adds them);
 * - NVIDIA DCGM exporter: `DCGM_FI_DEV_GPU_UTIL` (percent) and `DCGM_FI_DEV_FB_USED` (MiB), labels `gpu`, `UUID`,
 *   `device`, `modelName`, `Hostname` and the pod labels, either `namespace`/`pod`/`container` or, as Prometheus
 *   renames them behind a ServiceMonitor without honorLabels, `exported_namespace`/`exported_pod`/`exported_container`;
 * - a drift service's per-feature PSI gauge `feature_drift_psi`.
 * Traffic is simulated at scrape time: the requests since the last scrape are observed with the configured error share
 * and latency, so rates and quantiles move as in a cluster. Written with prom-client (the exposition format is its).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface RevisionTraffic {
  namespace: string;
  /** The Knative revision (`<isvc>-predictor-00001`); its configuration is the name without the counter. */
  revision: string;
  rps: number;
  /** Share of requests answered 5xx, 0..1. */
  errorRatio: number;
  latencyMs: number;
}

export interface RawTraffic {
  namespace: string;
  pod: string;
  rps: number;
  latencyMs: number;
}

export interface GpuSeries {
  namespace: string;
  pod: string;
  gpu: number;
  util: number;
  memoryMiB: number;
  /** `exported` = DCGM's pod labels as `exported_namespace`/`exported_pod`. */
  labels?: 'plain' | 'exported';
}

export interface DriftSeries {
  namespace: string;
  service: string;
  feature: string;
  psi: number;
}

export interface ExporterState {
  revisions: RevisionTraffic[];
  raw: RawTraffic[];
  gpus: GpuSeries[];
  drift: DriftSeries[];
}

export interface Exporters {
  /** `127.0.0.1:<port>`: a scrape target. */
  target: string;
  /** The live state: change it and the next scrape shows it. */
  state: ExporterState;
  stop(): Promise<void>;
}

/** Knative's request latency buckets (ms). */
const KNATIVE_BUCKETS = [5, 10, 20, 40, 60, 80, 100, 150, 200, 250, 300, 350, 400, 450, 500, 600, 700, 800, 900, 1000, 2000, 5000];

export async function startExporters(initial: Partial<ExporterState> = {}): Promise<Exporters> {
  const state: ExporterState = { revisions: [], raw: [], gpus: [], drift: [], ...initial };
  const registry = new Registry();
  const requests = new Counter({ name: 'revision_app_request_count', help: 'The number of requests that are routed to queue-proxy', labelNames: ['namespace_name', 'configuration_name', 'revision_name', 'response_code', 'response_code_class'] as const, registers: [registry] });
  const latencies = new Histogram({ name: 'revision_app_request_latencies', help: 'The response latencies of the requests in milliseconds', labelNames: ['namespace_name', 'configuration_name', 'revision_name'] as const, buckets: KNATIVE_BUCKETS, registers: [registry] });
  const predict = new Histogram({ name: 'request_predict_seconds', help: 'predict latency', labelNames: ['namespace', 'pod'] as const, registers: [registry] });
  const gpuLabels = ['gpu', 'UUID', 'device', 'modelName', 'Hostname', 'namespace', 'pod', 'container', 'exported_namespace', 'exported_pod', 'exported_container'] as const;
  const util = new Gauge({ name: 'DCGM_FI_DEV_GPU_UTIL', help: 'GPU utilization (in %).', labelNames: gpuLabels, registers: [registry] });
  const fb = new Gauge({ name: 'DCGM_FI_DEV_FB_USED', help: 'Framebuffer memory used (in MiB).', labelNames: gpuLabels, registers: [registry] });
  const drift = new Gauge({ name: 'feature_drift_psi', help: 'Population stability index of a feature against its baseline', labelNames: ['namespace', 'inference_service', 'feature'] as const, registers: [registry] });

  // Requests since the last scrape, per series, carried as a fraction so low rates still add up.
  const owed = new Map<string, number>();
  let last = Date.now();
  const due = (key: string, rps: number, seconds: number): number => {
    const total = (owed.get(key) ?? 0) + rps * seconds;
    const n = Math.floor(total);
    owed.set(key, total - n);
    return n;
  };

  const collect = (): void => {
    const now = Date.now();
    const seconds = (now - last) / 1000;
    last = now;
    for (const r of state.revisions) {
      const configuration = r.revision.replace(/-\d+$/, '');
      const n = due(`kn/${r.namespace}/${r.revision}`, r.rps, seconds);
      const errors = Math.round(n * r.errorRatio);
      const base = { namespace_name: r.namespace, configuration_name: configuration, revision_name: r.revision };
      requests.inc({ ...base, response_code: '200', response_code_class: '2xx' }, n - errors);
      requests.inc({ ...base, response_code: '503', response_code_class: '5xx' }, errors);
      for (let i = 0; i < n; i++) latencies.observe(base, r.latencyMs);
    }
    for (const r of state.raw) {
      const n = due(`raw/${r.namespace}/${r.pod}`, r.rps, seconds);
      for (let i = 0; i < n; i++) predict.observe({ namespace: r.namespace, pod: r.pod }, r.latencyMs / 1000);
    }
    util.reset();
    fb.reset();
    for (const g of state.gpus) {
      const pod = g.labels === 'exported' ? { exported_namespace: g.namespace, exported_pod: g.pod, exported_container: 'main', namespace: 'gpu-operator', pod: 'nvidia-dcgm-exporter-x7k2p', container: 'nvidia-dcgm-exporter' } : { namespace: g.namespace, pod: g.pod, container: 'main' };
      const labels = { gpu: String(g.gpu), UUID: `GPU-${g.pod}-${g.gpu}`, device: `nvidia${g.gpu}`, modelName: 'NVIDIA A100-SXM4-80GB', Hostname: 'kwok-gpu-0', ...pod };
      util.set(labels, g.util);
      fb.set(labels, g.memoryMiB);
    }
    drift.reset();
    for (const d of state.drift) drift.set({ namespace: d.namespace, inference_service: d.service, feature: d.feature }, d.psi);
  };

  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    collect();
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    state,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
