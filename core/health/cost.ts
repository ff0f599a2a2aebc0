/**
 * Cost per inference of an endpoint: what its predictor pods cost over the rate window (CPUs × price per CPU-hour +
 * GPUs × price per GPU-hour, × the window's hours) divided by the requests it answered in that window (request rate ×
 * the window's seconds); the window cancels out, so it is the pods' hourly price ÷ the requests per hour. Per
 * revision (Serverless: the pods' `serving.knative.dev/revision` label) or for the whole endpoint (RawDeployment).
 * A pod's CPUs are its containers' CPU requests (else limits), its GPUs their `nvidia.com/gpu` limits (else
 * requests); pods that ended do not count. Pure.
 */
import type { EndpointMode } from './sli';

export const PRICES_SETTING = 'kubeflow.health.prices';

export interface Prices {
  /** Price of one CPU core for an hour. */
  cpuHour?: number;
  /** Price of one GPU for an hour. */
  gpuHour?: number;
  /** What the prices are in (`USD`); shown after the number. */
  currency?: string;
}

export interface Resources {
  pods: number;
  cpus: number;
  gpus: number;
}

type Quantities = Record<string, string | number | undefined>;
export interface PodLike {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: { containers?: Array<{ resources?: { requests?: Quantities; limits?: Quantities } }> };
  status?: { phase?: string };
}

const GPU_RESOURCES = ['nvidia.com/gpu', 'amd.com/gpu'];
const SI: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9 };

/** A Kubernetes CPU or GPU quantity as a number (`500m` = 0.5); 0 when absent or not a number. */
export function quantity(q: string | number | undefined): number {
  if (typeof q === 'number') return Number.isFinite(q) ? q : 0;
  const m = /^(\d+(?:\.\d+)?|\.\d+)(m|k|M|G)?$/.exec((q ?? '').trim());
  return m ? Number(m[1]) * SI[m[2] ?? '']! : 0;
}

/** The pods' CPUs and GPUs per revision (Serverless) or under `''` (RawDeployment). */
export function resourcesByKey(pods: PodLike[], mode: EndpointMode, groups?: Record<string, string[]>): Record<string, Resources> {
  const out: Record<string, Resources> = {};
  const group = new Map(Object.entries(groups ?? {}).flatMap(([k, names]) => names.map((n) => [n, k] as const)));
  for (const p of pods) {
    if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
    const key = mode === 'Serverless' ? p.metadata.labels?.['serving.knative.dev/revision'] ?? '' : groups ? group.get(p.metadata.name) : '';
    if (key === undefined) continue;
    const r = (out[key] ??= { pods: 0, cpus: 0, gpus: 0 });
    r.pods++;
    for (const c of p.spec?.containers ?? []) {
      const req = c.resources?.requests ?? {};
      const lim = c.resources?.limits ?? {};
      r.cpus += quantity(req.cpu ?? lim.cpu);
      r.gpus += GPU_RESOURCES.reduce((a, g) => a + quantity(lim[g] ?? req[g]), 0);
    }
  }
  return out;
}

/** The prices as set, or why they cannot be used. */
export function checkPrices(p: Prices | undefined): { prices?: Prices; problem?: string } {
  const ok = (v: unknown): boolean => v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
  if (!p || (p.cpuHour === undefined && p.gpuHour === undefined)) return { problem: `Set ${PRICES_SETTING} (price per CPU-hour and per GPU-hour, e.g. {"cpuHour": 0.04, "gpuHour": 2.5, "currency": "USD"}) to see it.` };
  if (!ok(p.cpuHour) || !ok(p.gpuHour)) return { problem: `${PRICES_SETTING}: cpuHour and gpuHour must be numbers of 0 or more.` };
  return { prices: p };
}

export type Cost = { value: number } | { problem: string };

/** Cost per inference of one revision (or endpoint) from its pods' resources and its request rate (req/s). */
export function costPerInference(r: Resources | undefined, prices: Prices, requestRate: number | undefined): Cost {
  if (!r?.pods) return { problem: 'no running predictor pods' };
  if (r.gpus && prices.gpuHour === undefined) return { problem: `its pods use ${r.gpus} GPU${r.gpus === 1 ? '' : 's'}: set gpuHour in ${PRICES_SETTING}` };
  if (requestRate === undefined || !Number.isFinite(requestRate)) return { problem: 'no request rate' };
  const hourly = r.cpus * (prices.cpuHour ?? 0) + r.gpus * (prices.gpuHour ?? 0);
  if (requestRate <= 0) return { problem: `no requests in the window (its pods cost ${formatMoney(hourly, prices.currency)} an hour)` };
  return { value: hourly / (requestRate * 3600) };
}

function formatMoney(v: number, currency = ''): string {
  return `${v < 1 ? v.toPrecision(2) : v.toFixed(2)}${currency ? ` ${currency}` : ''}`;
}

/** Per 1,000 inferences, three significant digits: `0.211 USD / 1k`. */
export function formatCost(v: number, currency = ''): string {
  return `${(v * 1000).toPrecision(3)}${currency ? ` ${currency}` : ''} / 1k`;
}
