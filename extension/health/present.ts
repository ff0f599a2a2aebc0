// What the health panel shows, built from Prometheus readings: the SLI table with one column per revision (the
// default and the canary), tones against the SLO, the error budget, the canary gate's verdict, drift per feature, and
// a job's GPU use. Pure (no VS Code API), so the wording and the verdicts are unit-tested.
import { checkPrices, costPerInference, formatCost, type Prices, type Resources } from '../../core/health/cost';
import { formatGpuHours, type JobGpu } from '../../core/health/gpu';
import { driftLevel, PSI_THRESHOLD } from '../../core/health/psi';
import type { EndpointHealth, SliReading } from '../../core/health/read';
import { formatValue, type EndpointMode, type SliId } from '../../core/health/sli';
import { availabilityTarget, canaryGate, errorBudget, type GateVerdict, type Slo, type Values } from '../../core/health/slo';
import type { ChartLine, HealthData, SliRow, Tone } from '../../webviews/health/protocol';

export interface EndpointView {
  name: string;
  namespace: string;
  mode: EndpointMode;
  /** Serverless revisions: the one taking most traffic (default) and the canary, when there is one. */
  stable?: string;
  canary?: string;
  canaryPercent?: number;
  where: string;
  rangeSeconds: number;
  slo?: Slo;
  sloProblem?: string;
  gateMode: 'warn' | 'refuse' | 'off';
  /** The predictor pods' CPUs and GPUs per revision (or `''`); undefined when the pods could not be listed. */
  resources?: Record<string, Resources>;
  prices?: Prices;
}

const fmt = (id: SliId, v: number): string => formatValue(v, id === 'availability' || id === 'errorRate' ? 'ratio' : id === 'requestRate' ? 'req/s' : id === 'driftPsi' ? 'psi' : 'ms');

export const rangeLabel = (seconds: number): string => (seconds >= 7200 ? `Last ${Math.round(seconds / 3600)} h` : `Last ${Math.round(seconds / 60)} min`);

/** The values of one column (revision key) of the readings. */
export function valuesOf(h: EndpointHealth, key: string): Values {
  const out: Values = {};
  for (const r of h.slis) if (r.values[key] !== undefined) out[r.def.id] = r.values[key];
  return out;
}

function tone(id: SliId, v: number | undefined, slo: Slo | undefined): Tone {
  if (v === undefined || Number.isNaN(v) || !slo) return 'none';
  const target = availabilityTarget(slo);
  if (id === 'availability' && target !== undefined) return v < target ? 'bad' : 'ok';
  if (id === 'errorRate' && target !== undefined) return v > 1 - target ? 'bad' : 'ok';
  if (id === 'latencyP95' && slo.latencyP95Ms !== undefined) return v > slo.latencyP95Ms ? 'bad' : v > slo.latencyP95Ms * 0.8 ? 'warn' : 'ok';
  return 'none';
}

export function gateOf(e: EndpointView, h: EndpointHealth): GateVerdict | undefined {
  if (!e.canary || !e.stable) return undefined;
  return canaryGate(e.slo ?? {}, valuesOf(h, e.canary), valuesOf(h, e.stable), fmt);
}

export function gateHeadline(v: GateVerdict, canary: string): string {
  switch (v.verdict) {
    case 'breach':
      return `Canary ${canary} breaches the SLO`;
    case 'worse':
      return `Canary ${canary} is within the SLO but worse than the default revision`;
    case 'pass':
      return `Canary ${canary} is within the SLO and not worse than the default revision`;
    default:
      return `No measurements for canary ${canary} yet: the gate cannot judge it`;
  }
}

export function endpointData(e: EndpointView, h: EndpointHealth, now: Date): HealthData {
  // Serverless: a column per revision; Standard mode with KServe 0.20 canaries: per predictor; else the endpoint
  const perRevision = e.mode === 'Serverless' || Boolean(e.canary);
  const keys = perRevision ? [e.stable, e.canary].filter((k): k is string => Boolean(k)) : [''];
  const columns = perRevision ? [`default${e.stable ? ` (${e.stable})` : ''}`, ...(e.canary ? [`canary${e.canaryPercent !== undefined ? ` ${e.canaryPercent}%` : ''} (${e.canary})`] : [])] : ['endpoint'];
  const tones: ChartLine['tone'][] = ['primary', 'secondary'];
  const slis: SliRow[] = h.slis
    .filter((r) => r.def.id !== 'driftPsi')
    .map((r: SliReading) => {
      const cells = Object.keys(r.values).length ? keys.map((k, i) => ({ label: columns[i]!, text: r.values[k] !== undefined ? fmt(r.def.id, r.values[k]) : '—', tone: tone(r.def.id, r.values[k], e.slo) })) : [];
      const lines = keys.filter((k) => r.series[k]?.length).map((k, i) => ({ label: i === 0 ? 'default' : 'canary', tone: tones[i]!, points: r.series[k]!.map((p) => [p.time, p.value] as [number, number]) }));
      return { id: r.def.id, title: r.def.title, cells, ...(lines.length ? { chart: { lines, unit: r.def.unit } } : {}), ...(r.problem ? { problem: r.problem } : {}) };
    });
  slis.push(costRow(e, h, keys, columns));
  const data: HealthData = {
    kind: 'endpoint',
    title: `${e.name} — health`,
    subtitle: `${e.mode} · namespace ${e.namespace} · Prometheus at ${e.where}`,
    updated: now.toLocaleTimeString(),
    rangeLabel: rangeLabel(e.rangeSeconds),
    columns,
    slis,
  };
  if (e.mode === 'RawDeployment') {
    data.notice = e.canary
      ? 'Standard (RawDeployment) mode with a KServe 0.20 canary: each predictor\'s SLIs come from its own pods.'
      : 'Standard (RawDeployment) mode: the SLIs cover the predictor\'s pods. Before KServe 0.20 this mode has no canaries (Serverless mode with Knative has); on 0.20 a Standard-mode canary is compared here.';
  }

  const avail = h.slis.find((r) => r.def.id === 'availability');
  const errors = h.slis.find((r) => r.def.id === 'errorRate');
  const main = keys[0]!;
  if (e.slo || e.sloProblem) {
    const target = e.slo ? availabilityTarget(e.slo) : undefined;
    const parts = [target !== undefined ? `availability ≥ ${fmt('availability', target)}` : '', e.slo?.latencyP95Ms !== undefined ? `P95 latency ≤ ${fmt('latencyP95', e.slo.latencyP95Ms)}` : ''].filter(Boolean);
    const b = e.slo ? errorBudget(e.slo, avail?.values[main], errors?.values[main]) : undefined;
    data.slo = {
      text: parts.length ? `Target: ${parts.join(', ')}.` : 'No target set.',
      tone: b ? (b.left < 0 || (b.burnRate ?? 0) > 1 ? 'bad' : b.left < 0.25 ? 'warn' : 'ok') : 'none',
      ...(b ? { budget: `Error budget left over the ${rangeLabel(e.rangeSeconds).toLowerCase()}: ${(b.left * 100).toFixed(0)}%${b.left < 0 ? ' (overspent)' : ''}.` } : {}),
      ...(b?.burnRate !== undefined ? { burn: `Burn rate now: ${b.burnRate.toFixed(1)}× (over 1× the budget runs out before the window ends).` } : {}),
      ...(e.sloProblem ? { problem: e.sloProblem } : {}),
    };
  } else {
    data.slo = { text: 'No SLO for this endpoint: set the kubeflow-vscode/slo annotation (e.g. {"availability": 0.999, "latencyP95Ms": 300}) or kubeflow.health.slo.', tone: 'none' };
  }

  const g = gateOf(e, h);
  if (g && e.canary) {
    data.gate = {
      verdict: g.verdict,
      text: gateHeadline(g, e.canary),
      findings: g.findings.map((f) => f.message),
      canPromote: !(g.verdict === 'breach' && e.gateMode === 'refuse'),
      canRollBack: true,
    };
  }

  const drift = h.slis.find((r) => r.def.id === 'driftPsi');
  if (drift) {
    const rows = Object.entries(drift.values)
      .sort(([, a], [, b]) => b - a)
      .map(([feature, v]) => {
        const level = driftLevel(v);
        return { feature: feature || '(all)', text: `${v.toFixed(3)} — ${level}`, tone: (level === 'significant' ? 'bad' : level === 'moderate' ? 'warn' : 'ok') as Tone };
      });
    data.drift = { rows, threshold: String(PSI_THRESHOLD), ...(drift.problem ? { problem: drift.problem } : {}) };
  }
  return data;
}

/** Cost per inference beside the SLIs: the pods' price per hour ÷ the requests per hour, per column. */
export function costRow(e: EndpointView, h: EndpointHealth, keys: string[], columns: string[]): SliRow {
  const row: SliRow = { id: 'costPerInference', title: 'Cost per inference', cells: [] };
  const { prices, problem } = checkPrices(e.prices);
  if (!prices) return { ...row, problem: problem! };
  if (!e.resources) return { ...row, problem: 'The predictor pods could not be listed, so their CPUs and GPUs are unknown.' };
  const rate = h.slis.find((r) => r.def.id === 'requestRate');
  const costs = keys.map((k) => costPerInference(e.resources![k], prices, rate?.values[k]));
  const problems = costs.map((c, i) => ('problem' in c ? `${columns[i]}: ${c.problem}` : '')).filter(Boolean);
  return {
    ...row,
    cells: costs.map((c, i) => ({ label: columns[i]!, text: 'value' in c ? formatCost(c.value, prices.currency) : '—', tone: 'none' as Tone })),
    ...(problems.length ? { problem: `${problems.join('; ')}.` } : {}),
  };
}

const SHOWN = ['latencyP95', 'errorRate', 'requestRate'] as const;

/** "P95 120 ms · 0.5% errors · 12 req/s" of one column (revision, or `''` for a RawDeployment endpoint). */
export function lineOf(h: EndpointHealth, key: string | undefined): string {
  if (key === undefined) return '';
  return SHOWN.map((id) => {
    const s = h.slis.find((x) => x.def.id === id);
    const v = s?.values[key];
    return v === undefined ? '' : id === 'errorRate' ? `${formatValue(v, 'ratio')} errors` : formatValue(v, s!.def.unit);
  })
    .filter(Boolean)
    .join(' · ');
}

const gpuCount = (g: JobGpu): string => {
  const n = g.replicas.reduce((a, r) => a + r.gpus, 0);
  return `${n} GPU${n === 1 ? '' : 's'}`;
};

export interface JobView {
  kind: string;
  name: string;
  namespace: string;
  where: string;
  rangeSeconds: number;
  threshold: number;
}

export function jobData(j: JobView, gpu: JobGpu | undefined, problem: string | undefined, now: Date): HealthData {
  const tones: ChartLine['tone'][] = ['primary', 'secondary', 'tertiary'];
  const toneOf = (u: number): Tone => (u < j.threshold ? 'bad' : u < 60 ? 'warn' : 'ok');
  return {
    kind: 'job',
    title: `${j.name} — GPU use`,
    subtitle: `${j.kind} · namespace ${j.namespace} · Prometheus at ${j.where}`,
    updated: now.toLocaleTimeString(),
    rangeLabel: rangeLabel(j.rangeSeconds),
    columns: [],
    slis: [],
    gpu: {
      summary: gpu ? `${gpuCount(gpu)} on ${gpu.replicas.length} replica${gpu.replicas.length === 1 ? '' : 's'}: ${gpu.meanUtil.toFixed(0)}% mean utilization, ${formatGpuHours(gpu.gpuHours)} GPU-hours so far.` : 'No GPU samples for this job.',
      ...(gpu?.idleHint ? { hint: gpu.idleHint } : {}),
      ...(problem ? { problem } : {}),
      replicas: (gpu?.replicas ?? []).map((r) => ({ pod: r.pod, text: `${r.gpus} GPU${r.gpus === 1 ? '' : 's'} · ${r.meanUtil.toFixed(0)}% mean, ${r.lastUtil.toFixed(0)}% now${r.peakMemoryMiB !== undefined ? ` · peak memory ${formatValue(r.peakMemoryMiB, 'MiB')}` : ''}`, tone: toneOf(r.meanUtil) })),
      ...(gpu ? { chart: { unit: '%', lines: gpu.replicas.slice(0, 3).map((r, i) => ({ label: r.pod, tone: tones[i]!, points: r.points.map((p) => [p.time, p.value] as [number, number]) })) } } : {}),
    },
  };
}
