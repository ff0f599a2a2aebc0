/**
 * SLOs of an endpoint and what follows from them: the error budget left over the SLO window, the burn rate, and the
 * canary gate (is the canary revision within the SLO, and not worse than the default revision?). An SLO comes from
 * the InferenceService's annotation `kubeflow-vscode/slo` (JSON) or from the settings. Pure.
 */
import type { SliId } from './sli';

export const SLO_ANNOTATION = 'kubeflow-vscode/slo';

export interface Slo {
  /** Target availability, 0..1 (0.999 = three nines). */
  availability?: number;
  /** Target P95 latency, milliseconds. */
  latencyP95Ms?: number;
  /** Target error rate, 0..1 (when no availability target is set, 1 - this is used). */
  errorRate?: number;
  /** The SLO window, a PromQL duration (default 30d). */
  window?: string;
}

/** The SLO in an annotation's JSON, or why it cannot be read (shown, never thrown). */
export function parseSlo(text: string | undefined): { slo?: Slo; problem?: string } {
  if (!text?.trim()) return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { problem: `the ${SLO_ANNOTATION} annotation is not JSON (${(err as Error).message})` };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { problem: `the ${SLO_ANNOTATION} annotation must be a JSON object like {"availability": 0.999, "latencyP95Ms": 300}` };
  const o = v as Record<string, unknown>;
  const slo: Slo = {};
  const frac = (k: 'availability' | 'errorRate'): string | undefined => {
    if (o[k] === undefined) return undefined;
    if (typeof o[k] !== 'number' || !(o[k] as number > 0 && (o[k] as number) < 1)) return `${k} must be a number between 0 and 1`;
    slo[k] = o[k] as number;
    return undefined;
  };
  const problems = [frac('availability'), frac('errorRate')];
  if (o.latencyP95Ms !== undefined) {
    if (typeof o.latencyP95Ms === 'number' && o.latencyP95Ms > 0) slo.latencyP95Ms = o.latencyP95Ms;
    else problems.push('latencyP95Ms must be a positive number of milliseconds');
  }
  if (o.window !== undefined) {
    if (typeof o.window === 'string' && /^\d+(m|h|d|w)$/.test(o.window)) slo.window = o.window;
    else problems.push('window must be a duration like 7d or 30d');
  }
  const problem = problems.filter(Boolean).join('; ');
  return problem ? { slo, problem: `the ${SLO_ANNOTATION} annotation: ${problem}` } : { slo };
}

export function availabilityTarget(slo: Slo): number | undefined {
  return slo.availability ?? (slo.errorRate !== undefined ? 1 - slo.errorRate : undefined);
}

export interface Budget {
  /** 0..1 of the window's budget still unspent; negative = overspent. */
  left: number;
  /** How fast the budget burns now: 1 = it lasts exactly the window; > 1 = it runs out early. */
  burnRate?: number;
}

/**
 * `availability` measured over the SLO window, `recentErrorRate` over a short window (the burn rate's). Undefined
 * when the SLO has no availability target or nothing was measured.
 */
export function errorBudget(slo: Slo, availability: number | undefined, recentErrorRate?: number): Budget | undefined {
  const target = availabilityTarget(slo);
  if (target === undefined || availability === undefined || Number.isNaN(availability)) return undefined;
  const allowed = 1 - target;
  const spent = (1 - availability) / allowed;
  return { left: 1 - spent, ...(recentErrorRate !== undefined && !Number.isNaN(recentErrorRate) ? { burnRate: recentErrorRate / allowed } : {}) };
}

export type Values = Partial<Record<SliId, number>>;

export interface GateFinding {
  sli: SliId;
  /** What the user reads: "P95 latency 420 ms is over the SLO's 300 ms". */
  message: string;
}

export interface GateVerdict {
  /** `pass`: within the SLO and not worse; `breach`: outside the SLO; `worse`: within it, but worse than the default; `unknown`: no data. */
  verdict: 'pass' | 'breach' | 'worse' | 'unknown';
  findings: GateFinding[];
}

/** How much worse than the default revision the canary may be before the gate says so (relative). */
export const WORSE_MARGIN = 0.2;

/**
 * The canary gate: the canary's SLIs against the SLO, then against the default revision's. `fmt` formats a value of
 * an SLI for the message.
 */
export function canaryGate(slo: Slo, canary: Values, stable: Values, fmt: (id: SliId, v: number) => string): GateVerdict {
  const findings: GateFinding[] = [];
  const have = (v: number | undefined): v is number => v !== undefined && !Number.isNaN(v);
  const target = availabilityTarget(slo);
  const avail = canary.availability ?? (have(canary.errorRate) ? 1 - canary.errorRate : undefined);
  if (target !== undefined && have(avail) && avail < target) findings.push({ sli: 'availability', message: `availability ${fmt('availability', avail)} is under the SLO's ${fmt('availability', target)}` });
  if (slo.latencyP95Ms !== undefined && have(canary.latencyP95) && canary.latencyP95 > slo.latencyP95Ms) findings.push({ sli: 'latencyP95', message: `P95 latency ${fmt('latencyP95', canary.latencyP95)} is over the SLO's ${fmt('latencyP95', slo.latencyP95Ms)}` });
  if (findings.length) return { verdict: 'breach', findings };
  const worse: GateFinding[] = [];
  for (const id of ['errorRate', 'latencyP95', 'latencyP99'] as const) {
    const c = canary[id];
    const s = stable[id];
    if (!have(c) || !have(s)) continue;
    // Lower is better for all three; a tiny baseline (0 errors) needs an absolute floor.
    const floor = id === 'errorRate' ? 0.001 : 1;
    if (c > s * (1 + WORSE_MARGIN) && c - s > floor) worse.push({ sli: id, message: `${id === 'errorRate' ? 'error rate' : id === 'latencyP95' ? 'P95 latency' : 'P99 latency'} ${fmt(id, c)} against the default revision's ${fmt(id, s)}` });
  }
  if (worse.length) return { verdict: 'worse', findings: worse };
  const measured = [canary.availability, canary.errorRate, canary.latencyP95].some(have);
  return { verdict: measured ? 'pass' : 'unknown', findings: [] };
}
