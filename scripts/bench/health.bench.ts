// Bench section "health": the Endpoints view's SLI refresh for 20 Serverless endpoints (a default and a canary
// revision each) against the real Prometheus rig scraping the test-side exporters:
//   - one refresh as the product does it (one query per SLI, answering for every revision at once): queries sent,
//     wall time, time spent waiting for Prometheus, and the time after the data arrived (parsing, per-revision values);
//   - the baseline in the same run: the same SLIs read the way a per-endpoint dashboard does (one query per endpoint
//     and SLI), its queries and wall time.
// Targets (issue 24): ≤ 300 ms after the data arrives; never more than one query per series per refresh.
import { PrometheusClient } from '../../core/health/prometheus';
import { readEndpointHealth } from '../../core/health/read';
import { fetchTransport, type HttpTransport } from '../../core/http/transport';
import { startExporters } from '../../test/rigs/prometheus/exporters';
import { startPrometheus } from '../../test/rigs/prometheus/index';
import { until } from '../../test/support/wait';
import { median, recordBench, round } from './report';

const ENDPOINTS = 20;
const RUNS = 9;
const NS = 'bench';

async function main(): Promise<void> {
  const revisions = Array.from({ length: ENDPOINTS }, (_, i) => [`ep${i}-predictor-00001`, `ep${i}-predictor-00002`]).flat();
  const exp = await startExporters({ revisions: revisions.map((revision, i) => ({ namespace: NS, revision, rps: 5 + (i % 7), errorRatio: (i % 5) / 100, latencyMs: 40 + 10 * (i % 30) })) });
  const prom = await startPrometheus({ targets: [exp.target] });
  try {
    await prom.waitForSeries('rate(revision_app_request_count[10s]) > 0', 60_000);
    // a fresh Prometheus: wait until a range query has every revision's latency (two scrapes in the window)
    await until('every revision to have data', 60_000, async () => {
      const h = await readEndpointHealth(new PrometheusClient(fetchTransport(prom.url)), { namespace: NS, service: '', mode: 'Serverless', revisions, window: '10s', rangeSeconds: 60 });
      return Object.keys(h.slis.find((x) => x.def.id === 'latencyP95')!.values).length === revisions.length;
    }, 500);
    let waited = 0;
    const timed: HttpTransport = async (req) => {
      const t = performance.now();
      try {
        return await fetchTransport(prom.url)(req);
      } finally {
        waited = Math.max(waited, performance.now() - t);
      }
    };
    const input = { namespace: NS, service: '', mode: 'Serverless' as const, window: '10s', rangeSeconds: 60 };
    const ours: Array<{ wall: number; waited: number; after: number; queries: number; series: number }> = [];
    const naive: Array<{ wall: number; queries: number }> = [];
    for (let i = 0; i < RUNS; i++) {
      waited = 0;
      const client = new PrometheusClient(timed);
      const t0 = performance.now();
      const h = await readEndpointHealth(client, { ...input, revisions });
      const wall = performance.now() - t0;
      const series = h.slis.reduce((n, s) => n + Object.keys(s.values).length, 0);
      // Queries run in parallel: what is left of the wall time once the slowest answer came is the work after it.
      ours.push({ wall, waited, after: Math.max(0, wall - waited), queries: h.queries, series });
      const c2 = new PrometheusClient(fetchTransport(prom.url));
      const t1 = performance.now();
      for (let e = 0; e < ENDPOINTS; e++) await readEndpointHealth(c2, { ...input, revisions: revisions.slice(2 * e, 2 * e + 2) });
      naive.push({ wall: performance.now() - t1, queries: c2.queries });
    }
    const m = (xs: number[]): number => round(median(xs));
    const result = {
      endpoints: ENDPOINTS,
      refresh: { wallMs: m(ours.map((r) => r.wall)), afterDataMs: m(ours.map((r) => r.after)), queries: ours[0]!.queries, seriesRead: ours[0]!.series },
      baselinePerEndpoint: { wallMs: m(naive.map((r) => r.wall)), queries: naive[0]!.queries },
      ratios: { wallVsBaseline: round(median(ours.map((r) => r.wall)) / median(naive.map((r) => r.wall)), 2), queriesPerSeries: round(ours[0]!.queries / Math.max(1, ours[0]!.series), 3) },
      targets: { afterDataMsMax: 300, queriesPerSeriesMax: 1 },
    };
    const met = result.refresh.afterDataMs <= 300 && result.ratios.queriesPerSeries <= 1;
    console.log(JSON.stringify(result, null, 2));
    recordBench('health', { ...result, met });
  } finally {
    await prom.stop();
    await exp.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
