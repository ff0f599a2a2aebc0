// Health math as a user reads it in the Endpoints and Training views: PromQL built from settings and hostile names
// that cannot change the query, the error budget and burn rate of an SLO, the canary gate's verdicts, GPU use of a
// job (idle hint, GPU-hours), drift PSI, cost per inference from pod resources and prices, the Endpoints view's health
// line, and a pipeline's completion rate and duration percentiles. The queries run
// against a real Prometheus in test/integration/health-prometheus.test.ts.
import assert from 'node:assert/strict';
import { checkPrices, costPerInference, formatCost, quantity, resourcesByKey } from '../../../core/health/cost';
import { summarizeGpu } from '../../../core/health/gpu';
import { describeStats, pipelineStats, quantile } from '../../../core/health/pipelineStats';
import { PrometheusClient, PromQueryError } from '../../../core/health/prometheus';
import { binsFromBuckets, driftLevel, psi } from '../../../core/health/psi';
import { endpointSlis, formatValue, metricNames, render, withOverride, type SliId } from '../../../core/health/sli';
import { canaryGate, errorBudget, parseSlo } from '../../../core/health/slo';
import type { HttpRequest } from '../../../core/http/transport';
import type { Run } from '../../../core/kfp/types';
import { endpointData, jobData, lineOf } from '../../../extension/health/present';

describe('health: SLI queries', () => {
  it('fills in names so that a hostile one stays a label value', () => {
    const def = endpointSlis('Serverless').find((d) => d.id === 'requestRate')!;
    const q = render(def.expr!, { namespace: 'team"a', revisions: ['m-predictor-00002', 'x|.*'], window: '5m' });
    assert.equal(q, 'sum by (revision_name) (rate(revision_app_request_count{namespace_name="team\\"a", revision_name=~"m-predictor-00002|x\\\\|\\\\.\\\\*"}[5m]))');
  });

  it('refuses a window that is not a PromQL duration', () => {
    assert.throws(() => render('up[$window]', { namespace: 'a', window: '5m]) or vector(1' }), /not a PromQL duration/);
  });

  it('takes the namespace override before the catch-all, and keeps the default otherwise', () => {
    const def = endpointSlis('RawDeployment').find((d) => d.id === 'errorRate')!;
    assert.equal(def.expr, undefined, 'RawDeployment has no error-rate series by default');
    const o = { '*': { errorRate: 'all' }, 'team-a': { errorRate: ' mine ' } };
    assert.equal(withOverride(def, 'team-a', o).expr, 'mine');
    assert.equal(withOverride(def, 'team-b', o).expr, 'all');
    assert.equal(withOverride(def, 'team-b', {}).expr, undefined);
  });

  it('finds the metric names an expression reads', () => {
    assert.deepEqual(metricNames(endpointSlis('Serverless').find((d) => d.id === 'latencyP95')!.expr!), ['revision_app_request_latencies_bucket']);
  });

  it('formats values in their units', () => {
    assert.equal(formatValue(0.9995, 'ratio'), '99.95%');
    assert.equal(formatValue(420, 'ms'), '420 ms');
    assert.equal(formatValue(1500, 'ms'), '1.50 s');
    assert.equal(formatValue(Number.NaN, 'ms'), '—');
  });
});

describe('health: Prometheus answers', () => {
  const answering = (status: number, body: unknown) => {
    const seen: HttpRequest[] = [];
    return { seen, client: new PrometheusClient(async (req) => (seen.push(req), { status, headers: {}, text: typeof body === 'string' ? body : JSON.stringify(body) })) };
  };

  it('reads a vector with NaN and +Inf, and counts its queries', async () => {
    const { client, seen } = answering(200, { status: 'success', data: { resultType: 'vector', result: [{ metric: { pod: 'a' }, value: [1700000000, '+Inf'] }, { metric: {}, value: [1700000000, 'NaN'] }] } });
    const r = await client.query('up');
    assert.equal(r[0]!.value, Number.POSITIVE_INFINITY);
    assert.ok(Number.isNaN(r[1]!.value));
    assert.equal(client.queries, 1);
    assert.equal(seen[0]!.query!.query, 'up');
  });

  it("says Prometheus's own reason for a bad query", async () => {
    const { client } = answering(400, { status: 'error', errorType: 'bad_data', error: 'parse error at char 5' });
    await assert.rejects(client.query('sum(('), (e: unknown) => e instanceof PromQueryError && /bad_data.*parse error at char 5/.test(e.message));
  });

  it('says when the URL is not a Prometheus', async () => {
    const { client } = answering(404, '<html>not found</html>');
    await assert.rejects(client.query('up'), /not a Prometheus query API/);
  });
});

describe('health: SLOs and the canary gate', () => {
  const fmt = (id: string, v: number): string => formatValue(v, id === 'availability' || id === 'errorRate' ? 'ratio' : 'ms');

  it('reads an SLO annotation and says what is wrong with a bad one', () => {
    assert.deepEqual(parseSlo('{"availability":0.999,"latencyP95Ms":300}').slo, { availability: 0.999, latencyP95Ms: 300 });
    assert.match(parseSlo('{"availability":99.9}').problem!, /between 0 and 1/);
    assert.match(parseSlo('{nope').problem!, /not JSON/);
  });

  it('computes the budget left and the burn rate', () => {
    const b = errorBudget({ availability: 0.99 }, 0.995, 0.02)!;
    assert.ok(Math.abs(b.left - 0.5) < 1e-9, `half the budget left, got ${b.left}`);
    assert.ok(Math.abs(b.burnRate! - 2) < 1e-9);
    assert.equal(errorBudget({ latencyP95Ms: 100 }, 0.9), undefined);
  });

  it('refuses a canary over the latency SLO, warns for one worse than the default, passes a good one', () => {
    const slo = { availability: 0.99, latencyP95Ms: 300 };
    const breach = canaryGate(slo, { latencyP95: 420, errorRate: 0 }, { latencyP95: 100 }, fmt);
    assert.equal(breach.verdict, 'breach');
    assert.match(breach.findings[0]!.message, /P95 latency 420 ms is over the SLO's 300 ms/);
    assert.equal(canaryGate(slo, { latencyP95: 250, errorRate: 0.001 }, { latencyP95: 100, errorRate: 0.001 }, fmt).verdict, 'worse');
    assert.equal(canaryGate(slo, { latencyP95: 110, errorRate: 0.001 }, { latencyP95: 100, errorRate: 0.001 }, fmt).verdict, 'pass');
    assert.equal(canaryGate(slo, {}, {}, fmt).verdict, 'unknown');
  });
});

describe('health: GPUs, drift, pipeline runs', () => {
  it('says a job idles its GPUs and counts GPU-hours', () => {
    const pts = (v: number) => Array.from({ length: 60 }, (_, i) => ({ time: 1000 + i * 60, value: v }));
    const g = summarizeGpu(
      [
        { metric: { pod: 'job-worker-1', gpu: '0' }, points: pts(10) },
        { metric: { pod: 'job-worker-0', gpu: '0' }, points: pts(20) },
        { metric: { pod: 'job-worker-0', gpu: '1' }, points: pts(30) },
      ],
      [{ metric: { pod: 'job-worker-0', gpu: '0' }, points: pts(8000) }],
      60,
    )!;
    assert.deepEqual(g.replicas.map((r) => [r.pod, r.gpus, r.meanUtil]), [['job-worker-0', 2, 25], ['job-worker-1', 1, 10]]);
    assert.equal(g.replicas[0]!.peakMemoryMiB, 8000);
    assert.equal(g.gpuHours, 3);
    assert.match(g.idleHint!, /GPUs idle: 20% mean utilization over 3\.00 GPU-hours/);
    assert.equal(summarizeGpu([{ metric: { pod: 'p' }, points: pts(70) }], [], 60)!.idleHint, undefined);
  });

  it('computes PSI from histogram buckets', () => {
    const same = binsFromBuckets([{ le: 1, count: 10 }, { le: 2, count: 30 }, { le: Infinity, count: 40 }]);
    assert.deepEqual(same, [10, 20, 10]);
    assert.ok(psi(same, same)! < 1e-12);
    const moved = psi([10, 10, 80], [40, 40, 20])!;
    assert.ok(moved > 0.25, `a large shift, got ${moved}`);
    assert.equal(driftLevel(moved), 'significant');
    assert.equal(psi([0, 0], [1, 1]), undefined);
  });

  it("gives a pipeline's completion rate and duration percentiles", () => {
    const t0 = Date.parse('2026-12-01T00:00:00Z');
    const run = (state: Run['state'], minutes: number, ageH = 1): Run => ({ state, created_at: new Date(t0 - ageH * 3600e3).toISOString(), finished_at: new Date(t0 - ageH * 3600e3 + minutes * 60e3).toISOString() });
    const s = pipelineStats([run('SUCCEEDED', 10), run('SUCCEEDED', 20), run('SUCCEEDED', 30), run('FAILED', 5), run('RUNNING', 0), run('SUCCEEDED', 99, 48)], t0 - 24 * 3600e3);
    assert.deepEqual({ ...s }, { runs: 5, succeeded: 3, failed: 1, active: 1, completionRate: 0.75, p50: 1200, p95: 1740 });
    assert.equal(describeStats(s, '24h'), '5 runs in the last 24h; 75% succeeded (3 of 4 ended); 1 still running; duration P50 20 min, P95 29 min');
    assert.equal(quantile([], 0.5), undefined);
  });
});

describe('health: cost per inference', () => {
  const pod = (name: string, revision: string | undefined, containers: object[], phase = 'Running') => ({ metadata: { name, labels: { ...(revision ? { 'serving.knative.dev/revision': revision } : {}) } }, spec: { containers }, status: { phase } });
  const gpuPod = { name: 'kserve-container', resources: { requests: { cpu: '2' }, limits: { cpu: '4', 'nvidia.com/gpu': '1' } } };
  const proxy = { name: 'queue-proxy', resources: { requests: { cpu: '25m' } } };

  it('reads CPU and GPU quantities, per revision, without ended pods', () => {
    assert.deepEqual([quantity('500m'), quantity('2'), quantity('1.5'), quantity(3), quantity('2Gi'), quantity(undefined)], [0.5, 2, 1.5, 3, 0, 0]);
    const r = resourcesByKey([pod('a', 'm-00001', [gpuPod, proxy]), pod('b', 'm-00001', [gpuPod, proxy]), pod('c', 'm-00002', [{ name: 'x', resources: { limits: { cpu: '1' } } }]), pod('d', 'm-00002', [gpuPod], 'Succeeded')], 'Serverless');
    for (const v of Object.values(r)) v.cpus = Number(v.cpus.toFixed(6));
    assert.deepEqual(r, { 'm-00001': { pods: 2, cpus: 4.05, gpus: 2 }, 'm-00002': { pods: 1, cpus: 1, gpus: 0 } }, 'requests before limits; queue-proxy counts; ended pods do not');
    assert.deepEqual(Object.keys(resourcesByKey([pod('a', 'm-00001', [gpuPod])], 'RawDeployment')), ['']);
  });

  it("is the pods' price per hour over the requests per hour, and says what is missing", () => {
    const prices = { cpuHour: 0.05, gpuHour: 2.5, currency: 'USD' };
    const c = costPerInference({ pods: 1, cpus: 2, gpus: 1 }, prices, 10);
    assert.ok('value' in c && Math.abs(c.value - 2.6 / 36_000) < 1e-12);
    assert.equal(formatCost(2.6 / 36_000, 'USD'), '0.0722 USD / 1k');
    assert.deepEqual(costPerInference({ pods: 1, cpus: 2, gpus: 1 }, { cpuHour: 0.05 }, 10), { problem: 'its pods use 1 GPU: set gpuHour in kubeflow.health.prices' });
    assert.deepEqual(costPerInference(undefined, prices, 10), { problem: 'no running predictor pods' });
    assert.match((costPerInference({ pods: 1, cpus: 2, gpus: 1 }, prices, 0) as { problem: string }).problem, /no requests in the window \(its pods cost 2\.60 USD an hour\)/);
    assert.match(checkPrices(undefined).problem!, /Set kubeflow\.health\.prices/);
    assert.match(checkPrices({ cpuHour: -1 }).problem!, /must be numbers of 0 or more/);
  });
});

describe('health: what the panel shows', () => {
  const reading = (id: SliId, values: Record<string, number>) => ({ def: endpointSlis('Serverless').find((d) => d.id === id)!, values, series: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, [{ time: 1, value: v }]])) });
  const health = {
    queries: 7,
    slis: [
      reading('latencyP95', { 'm-00001': 120, 'm-00002': 447.5 }),
      reading('availability', { 'm-00001': 0.999, 'm-00002': 0.8 }),
      reading('errorRate', { 'm-00001': 0.001, 'm-00002': 0.2 }),
      reading('driftPsi', { amount: 0.31, age: 0.04 }),
    ],
  };
  const view = { name: 'm', namespace: 'a', mode: 'Serverless' as const, stable: 'm-00001', canary: 'm-00002', canaryPercent: 10, where: 'here', rangeSeconds: 3600, slo: { availability: 0.99, latencyP95Ms: 300 } };

  it('marks the breaching canary, refuses Promote when the gate refuses, and still offers Roll Back', () => {
    const d = endpointData({ ...view, gateMode: 'refuse' }, health, new Date(0));
    assert.deepEqual(d.columns, ['default (m-00001)', 'canary 10% (m-00002)']);
    const p95 = d.slis.find((r) => r.id === 'latencyP95')!;
    assert.deepEqual(p95.cells.map((c) => [c.text, c.tone]), [['120 ms', 'ok'], ['448 ms', 'bad']]);
    assert.equal(d.gate!.verdict, 'breach');
    assert.equal(d.gate!.text, 'Canary m-00002 breaches the SLO');
    assert.deepEqual([d.gate!.canPromote, d.gate!.canRollBack], [false, true]);
    assert.equal(endpointData({ ...view, gateMode: 'warn' }, health, new Date(0)).gate!.canPromote, true);
    assert.deepEqual(d.drift!.rows.map((r) => [r.feature, r.tone]), [['amount', 'bad'], ['age', 'ok']]);
    assert.match(d.slo!.budget!, /Error budget left over the last 60 min: 90%/);
  });

  it('shows the cost per inference beside the SLIs, per revision, or what to set', () => {
    const withRate = { ...health, slis: [...health.slis, reading('requestRate', { 'm-00001': 40, 'm-00002': 10 })] };
    const resources = { 'm-00001': { pods: 2, cpus: 4, gpus: 2 }, 'm-00002': { pods: 1, cpus: 2, gpus: 1 } };
    const d = endpointData({ ...view, gateMode: 'warn', resources, prices: { cpuHour: 0.05, gpuHour: 2.5, currency: 'USD' } }, withRate, new Date(0));
    const cost = d.slis.find((r) => r.id === 'costPerInference')!;
    assert.deepEqual(cost.cells.map((c) => c.text), ['0.0361 USD / 1k', '0.0722 USD / 1k']);
    assert.equal(cost.problem, undefined);
    assert.match(endpointData({ ...view, gateMode: 'warn' }, withRate, new Date(0)).slis.find((r) => r.id === 'costPerInference')!.problem!, /Set kubeflow\.health\.prices/);
    const noPods = endpointData({ ...view, gateMode: 'warn', resources: { 'm-00001': resources['m-00001'] }, prices: { cpuHour: 0.05, gpuHour: 2.5 } }, withRate, new Date(0)).slis.find((r) => r.id === 'costPerInference')!;
    assert.deepEqual(noPods.cells.map((c) => c.text), ['0.0361 / 1k', '—']);
    assert.equal(noPods.problem, 'canary 10% (m-00002): no running predictor pods.');
  });

  it("writes the Endpoints view's line of a revision, or of a RawDeployment endpoint", () => {
    const raw = { queries: 3, slis: [{ ...reading('latencyP95', { '': 48.75 }) }, { def: endpointSlis('RawDeployment').find((x) => x.id === 'errorRate')!, values: {}, series: {}, problem: 'no default' }, reading('requestRate', { '': 5 })] };
    assert.equal(lineOf(raw, ''), '49 ms · 5.00 req/s');
    const withRate = { ...health, slis: [...health.slis, reading('requestRate', { 'm-00001': 40, 'm-00002': 10 })] };
    assert.equal(lineOf(withRate, 'm-00002'), '448 ms · 20.0% errors · 10 req/s');
    assert.equal(lineOf(withRate, undefined), '');
  });

  it('a Standard-mode endpoint with a KServe 0.20 canary: a column per predictor and the gate, as for revisions', () => {
    const raw = (id: SliId, values: Record<string, number>) => ({ ...reading(id, values), def: endpointSlis('RawDeployment').find((d) => d.id === id)! });
    const h = { queries: 6, slis: [raw('latencyP95', { predictor: 120, v2: 447.5 }), raw('requestRate', { predictor: 40, v2: 10 })] };
    const d = endpointData({ name: 'fraud', namespace: 'a', mode: 'RawDeployment', stable: 'predictor', canary: 'v2', canaryPercent: 20, where: 'here', rangeSeconds: 3600, slo: { latencyP95Ms: 300 }, gateMode: 'refuse' }, h, new Date(0));
    assert.deepEqual(d.columns, ['default (predictor)', 'canary 20% (v2)']);
    assert.deepEqual(d.slis.find((r) => r.id === 'latencyP95')!.cells.map((c) => [c.text, c.tone]), [['120 ms', 'ok'], ['448 ms', 'bad']]);
    assert.equal(d.gate!.verdict, 'breach');
    assert.equal(d.gate!.canPromote, false);
    assert.match(d.notice!, /KServe 0\.20 canary: each predictor's SLIs come from its own pods/);
  });

  it('says a Standard-mode endpoint without a canary is read from its pods, and asks for an SLO when none is set', () => {
    const d = endpointData({ name: 'r', namespace: 'a', mode: 'RawDeployment', where: 'here', rangeSeconds: 3600, gateMode: 'warn' }, { queries: 0, slis: [] }, new Date(0));
    assert.match(d.notice!, /the SLIs cover the predictor's pods\. Before KServe 0\.20 this mode has no canaries/);
    assert.match(d.slo!.text, /No SLO for this endpoint: set the kubeflow-vscode\/slo annotation/);
    assert.equal(d.gate, undefined);
  });

  it("shows a job's GPUs per replica with the idle hint", () => {
    const g = summarizeGpu([{ metric: { pod: 'w-0' }, points: [{ time: 0, value: 10 }, { time: 60, value: 12 }] }], [], 60)!;
    const d = jobData({ kind: 'PyTorchJob', name: 'bert', namespace: 'a', where: 'here', rangeSeconds: 600, threshold: 30 }, g, undefined, new Date(0));
    assert.match(d.gpu!.summary, /^1 GPU on 1 replica: 11% mean utilization/);
    assert.match(d.gpu!.hint!, /GPUs idle/);
    assert.deepEqual(d.gpu!.replicas.map((r) => r.tone), ['bad']);
  });
});
