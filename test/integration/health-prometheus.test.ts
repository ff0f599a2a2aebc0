// Health SLIs against the real Prometheus server (test/rigs/prometheus), scraping test-side exporters that emit the
// series clusters export (Knative queue-proxy, the KServe model server, NVIDIA DCGM, a drift gauge) under their
// documented names, reached the way the editor reaches it: Service prometheus-k8s in namespace monitoring, through a
// companion-daemon port-forward. Each SLI's value for known series; the cost per inference of each revision from the
// measured request rate and its pods' resources; the canary gate on real numbers; GPU use with
// both DCGM label spellings; and what a user reads when a metric is missing, has other labels, or a query is wrong.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectDaemon, type DaemonConnection } from '../../companion-daemon/src/client';
import * as P from '../../companion-daemon/src/protocol';
import { costPerInference, resourcesByKey, type Cost } from '../../core/health/cost';
import { PrometheusClient } from '../../core/health/prometheus';
import { readEndpointHealth, readJobGpu, type SliReading } from '../../core/health/read';
import { formatValue, type SliId } from '../../core/health/sli';
import { canaryGate } from '../../core/health/slo';
import { fetchTransport } from '../../core/http/transport';
import { startKubeRig, type KubeRig } from '../rigs/kube/index';
import { startExporters, type Exporters } from '../rigs/prometheus/exporters';
import { PROMETHEUS_SERVICE, startPrometheus, type PrometheusRig } from '../rigs/prometheus/index';
import { distFile } from '../support/build';
import { until } from '../support/wait';

const NS = 'team-a';
const STABLE = 'fraud-predictor-00001';
const CANARY = 'fraud-predictor-00002';

describe('Health SLIs from the real Prometheus', function () {
  this.timeout(180_000);
  let kube: KubeRig;
  let exp: Exporters;
  let prom: PrometheusRig;
  let home: string;
  let d: DaemonConnection;
  let client: PrometheusClient;

  before(async () => {
    exp = await startExporters({
      revisions: [
        { namespace: NS, revision: STABLE, rps: 40, errorRatio: 0.01, latencyMs: 120 },
        { namespace: NS, revision: CANARY, rps: 10, errorRatio: 0.2, latencyMs: 420 },
      ],
      raw: [
        { namespace: NS, pod: 'iris-predictor-6d9f7-abcde', rps: 5, latencyMs: 30 },
        // a Standard-mode service with a KServe 0.20 canary: the stable predictor's pod and the canary's
        { namespace: NS, pod: 'fraud-std-predictor-5d8f-aaaaa', rps: 8, latencyMs: 120 },
        { namespace: NS, pod: 'fraud-std-v2-predictor-7c9d-bbbbb', rps: 2, latencyMs: 420 },
      ],
      gpus: [
        { namespace: NS, pod: 'bert-worker-0', gpu: 0, util: 20, memoryMiB: 30000 },
        { namespace: NS, pod: 'bert-worker-0', gpu: 1, util: 30, memoryMiB: 31000 },
        { namespace: NS, pod: 'bert-worker-1', gpu: 0, util: 75, memoryMiB: 60000, labels: 'exported' },
      ],
      drift: [{ namespace: NS, service: 'fraud', feature: 'amount', psi: 0.31 }, { namespace: NS, service: 'fraud', feature: 'age', psi: 0.04 }],
    });
    kube = await startKubeRig({ crds: false });
    prom = await startPrometheus({ targets: [exp.target], kube });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-prom-'));
    d = await connectDaemon({ kubeconfig: kube.kubeconfigPath, client: 'health-test', daemonScript: distFile('companion-daemon.js'), env: { ...process.env, KUBEFLOW_COMPANION_HOME: home } });
    const s = PROMETHEUS_SERVICE;
    const { url } = await d.connection.sendRequest(P.startForward, { target: { kind: 'service', namespace: s.namespace, name: s.name, port: s.port } });
    client = new PrometheusClient(fetchTransport(url));
    // rates need two scrapes inside the window; quantiles some traffic
    await prom.waitForSeries('rate(revision_app_request_count[10s]) > 0');
  });
  after(async () => {
    await d?.connection.sendRequest(P.shutdown).catch(() => undefined);
    d?.dispose();
    await prom?.stop();
    await exp?.stop();
    await kube?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  const byId = (slis: SliReading[], id: SliId): SliReading => slis.find((r) => r.def.id === id)!;
  const near = (actual: number | undefined, expected: number, tol: number, what: string): void =>
    assert.ok(actual !== undefined && Math.abs(actual - expected) <= tol, `${what}: expected ${expected} ± ${tol}, got ${actual}`);

  it('reads every Serverless SLI per revision with one query per SLI, through the daemon forward', async () => {
    const h = await until('both revisions to have 30 s of traffic', 60_000, async () => {
      const r = await readEndpointHealth(client, { namespace: NS, service: 'fraud', mode: 'Serverless', revisions: [STABLE, CANARY], window: '10s', rangeSeconds: 30 });
      return (byId(r.slis, 'requestRate').series[CANARY]?.length ?? 0) >= 10 ? r : undefined;
    }, 1000);
    assert.equal(h.queries, 7, 'one query per SLI answers for both revisions');
    const v = (id: SliId, rev: string): number | undefined => byId(h.slis, id).values[rev];
    near(v('requestRate', STABLE), 40, 8, 'stable req/s');
    near(v('requestRate', CANARY), 10, 3, 'canary req/s');
    near(v('errorRate', STABLE), 0.01, 0.01, 'stable error share');
    near(v('errorRate', CANARY), 0.2, 0.05, 'canary error share');
    // every request of a revision takes the same time: the quantile interpolates inside that bucket
    near(v('latencyP50', STABLE), 125, 0.5, 'stable P50 in (100, 150]');
    near(v('latencyP95', STABLE), 147.5, 0.5, 'stable P95 in (100, 150]');
    near(v('latencyP95', CANARY), 447.5, 0.5, 'canary P95 in (400, 450]');
    near(v('availability', CANARY), 0.8, 0.05, 'canary availability');
    assert.deepEqual(byId(h.slis, 'driftPsi').values, { amount: 0.31, age: 0.04 });
    assert.ok(h.slis.every((s) => !s.problem), h.slis.map((s) => s.problem).filter(Boolean).join('\n'));

    const values = (rev: string) => Object.fromEntries(h.slis.map((s) => [s.def.id, s.values[rev]]));
    const gate = canaryGate({ availability: 0.99, latencyP95Ms: 300 }, values(CANARY), values(STABLE), (id, x) => formatValue(x, id === 'availability' || id === 'errorRate' ? 'ratio' : 'ms'));
    assert.equal(gate.verdict, 'breach');
    assert.deepEqual(gate.findings.map((f) => f.sli), ['availability', 'latencyP95']);
  });

  it('reads a RawDeployment endpoint from the model server histogram, and says error rate needs a query', async () => {
    const h = await readEndpointHealth(client, { namespace: NS, service: 'iris', mode: 'RawDeployment', pods: ['iris-predictor-6d9f7-abcde'], window: '10s', rangeSeconds: 30 });
    near(byId(h.slis, 'latencyP95').values[''], 48.75, 0.5, 'P95 (ms) from request_predict_seconds: 30 ms requests in the (25, 50] ms bucket');
    near(byId(h.slis, 'requestRate').values[''], 5, 2, 'req/s');
    assert.match(byId(h.slis, 'errorRate').problem!, /No default query for errors in RawDeployment mode.*kubeflow\.health\.queries\.errorRate/);
    // the Endpoints view's line asks for its SLIs only: two queries (errors have no default here)
    const line = await readEndpointHealth(client, { namespace: NS, service: 'iris', mode: 'RawDeployment', pods: ['iris-predictor-6d9f7-abcde'], window: '10s', rangeSeconds: 30, slis: ['latencyP95', 'errorRate', 'requestRate'] });
    assert.deepEqual([line.queries, line.slis.map((s) => s.def.id)], [2, ['requestRate', 'errorRate', 'latencyP95']]);
    near(byId(line.slis, 'latencyP95').values[''], 48.75, 0.5, 'the same P95');
  });

  it('a Standard-mode endpoint with a KServe 0.20 canary: each predictor from its own pods, one query per SLI and predictor; the gate judges the canary', async () => {
    const podGroups = { predictor: ['fraud-std-predictor-5d8f-aaaaa'], v2: ['fraud-std-v2-predictor-7c9d-bbbbb'] };
    const h = await until('both predictors to have traffic', 60_000, async () => {
      const r = await readEndpointHealth(client, { namespace: NS, service: 'fraud-std', mode: 'RawDeployment', pods: Object.values(podGroups).flat(), podGroups, window: '10s', rangeSeconds: 30 });
      return byId(r.slis, 'requestRate').values.v2 !== undefined && byId(r.slis, 'latencyP95').values.predictor !== undefined ? r : undefined;
    }, 1000);
    assert.equal(h.queries, 10, 'requests and three latency quantiles per predictor; drift once, and once more to say why it has no series');
    assert.match(byId(h.slis, 'driftPsi').problem ?? '', /feature_drift_psi/);
    near(byId(h.slis, 'requestRate').values.predictor, 8, 3, 'stable req/s');
    near(byId(h.slis, 'requestRate').values.v2, 2, 1.5, 'canary req/s');
    const p95 = byId(h.slis, 'latencyP95').values;
    // every request of a predictor takes the same time: the quantile interpolates inside the model server's bucket
    near(p95.predictor, 242.5, 0.5, 'stable P95: 120 ms requests in the (100, 250] ms bucket');
    near(p95.v2, 487.5, 0.5, 'canary P95: 420 ms requests in the (250, 500] ms bucket');
    assert.equal(byId(h.slis, 'latencyP95').values[''], undefined, 'no whole-endpoint value mixing both');
    const values = (k: string) => Object.fromEntries(h.slis.map((r) => [r.def.id, r.values[k]]));
    const gate = canaryGate({ latencyP95Ms: 300 }, values('v2'), values('predictor'), (_id, x) => formatValue(x, 'ms'));
    assert.equal(gate.verdict, 'breach');
    assert.deepEqual(gate.findings.map((f) => f.sli), ['latencyP95']);
  });

  it('gives the cost per inference of each revision, and of a RawDeployment endpoint, from the measured request rate', async () => {
    const h = await readEndpointHealth(client, { namespace: NS, service: 'fraud', mode: 'Serverless', revisions: [STABLE, CANARY], window: '10s', rangeSeconds: 30 });
    const gpuPod = (name: string, revision: string) => ({ metadata: { name, labels: { 'serving.knative.dev/revision': revision } }, spec: { containers: [{ resources: { requests: { cpu: '2' }, limits: { 'nvidia.com/gpu': '1' } } }] } });
    // the default revision runs two GPU pods, the canary one: 5.20 and 2.60 per hour at these prices
    const resources = resourcesByKey([gpuPod('a', STABLE), gpuPod('b', STABLE), gpuPod('c', CANARY)], 'Serverless');
    const prices = { cpuHour: 0.05, gpuHour: 2.5 };
    const rate = byId(h.slis, 'requestRate').values;
    const value = (c: Cost): number | undefined => ('value' in c ? c.value : undefined);
    near(value(costPerInference(resources[STABLE], prices, rate[STABLE])), 5.2 / (40 * 3600), 5.2 / (40 * 3600) * 0.25, 'default revision: 5.20/h over 40 req/s');
    near(value(costPerInference(resources[CANARY], prices, rate[CANARY])), 2.6 / (10 * 3600), 2.6 / (10 * 3600) * 0.35, 'canary: 2.60/h over 10 req/s');
    const raw = await readEndpointHealth(client, { namespace: NS, service: 'iris', mode: 'RawDeployment', pods: ['iris-predictor-6d9f7-abcde'], window: '10s', rangeSeconds: 30 });
    const cpuOnly = resourcesByKey([{ metadata: { name: 'iris-predictor-6d9f7-abcde' }, spec: { containers: [{ resources: { requests: { cpu: '500m' } } }] } }], 'RawDeployment');
    near(value(costPerInference(cpuOnly[''], prices, byId(raw.slis, 'requestRate').values[''])), 0.025 / (5 * 3600), 0.025 / (5 * 3600) * 0.4, 'half a CPU at 0.05/h over 5 req/s');
  });

  it("says what labels a metric has when they are not the ones expected, and shows Prometheus's reason for a bad query", async () => {
    const h = await readEndpointHealth(client, {
      namespace: NS, service: 'fraud', mode: 'Serverless', revisions: [STABLE], window: '10s', rangeSeconds: 30,
      overrides: { [NS]: { latencyP95: 'histogram_quantile(0.95, sum by (le) (rate(revision_app_request_latencies_bucket{namespace="$namespace"}[$window])))', errorRate: 'sum(rate(' } },
    });
    const p95 = byId(h.slis, 'latencyP95').problem!;
    assert.match(p95, /revision_app_request_latencies_bucket exists, but no series matches/);
    assert.match(p95, /namespace_name="team-a"/, 'the labels it has are shown');
    assert.match(byId(h.slis, 'errorRate').problem!, /Prometheus refused the query \(bad_data\)/);
    near(byId(h.slis, 'requestRate').values[STABLE], 40, 8, 'the other SLIs still read');
  });

  it("reads a job's GPUs under both DCGM label spellings, with the idle hint and GPU-hours", async () => {
    const start = Math.floor(Date.now() / 1000) - 60;
    const g = await until('GPU samples of both replicas', 30_000, async () => {
      const r = await readJobGpu(client, { namespace: NS, pods: ['bert-worker-0', 'bert-worker-1'], start });
      return r.gpu?.replicas.length === 2 ? r : undefined;
    }, 500);
    assert.equal(g.queries, 2);
    const [w0, w1] = g.gpu!.replicas;
    assert.deepEqual([w0!.pod, w0!.gpus, Math.round(w0!.meanUtil), w0!.peakMemoryMiB], ['bert-worker-0', 2, 25, 31000]);
    assert.deepEqual([w1!.pod, w1!.gpus, Math.round(w1!.meanUtil)], ['bert-worker-1', 1, 75], 'exported_pod is read as the pod');
    assert.equal(g.gpu!.idleHint, undefined, `mean ${g.gpu!.meanUtil}% is over the 30% threshold`);
    exp.state.gpus = exp.state.gpus.map((x) => ({ ...x, util: 5 }));
    const idle = await until('the idle samples', 30_000, async () => {
      const r = await readJobGpu(client, { namespace: NS, pods: ['bert-worker-0'], start: Math.floor(Date.now() / 1000) - 3 });
      return r.gpu?.idleHint ? r : undefined;
    }, 500);
    assert.match(idle.gpu!.idleHint!, /GPUs idle: \d+% mean utilization/);
    const none = await readJobGpu(client, { namespace: NS, pods: ['no-such-pod'], start });
    assert.match(none.problem!, /DCGM_FI_DEV_GPU_UTIL exists, but no series matches/);
  });
});
