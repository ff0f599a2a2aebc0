/**
 * Population Stability Index of a feature: how far today's distribution moved from the baseline's, over the same
 * bins. PSI = Σ (aᵢ − eᵢ)·ln(aᵢ/eᵢ) with aᵢ, eᵢ the shares of bin i now and in the baseline; empty bins get a small
 * share so the log stays finite. Conventional reading: < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 significant. Pure.
 */
export const PSI_THRESHOLD = 0.25;
const EPS = 1e-4;

/** Counts per bin, same bins in the same order. Undefined when either side has no data. */
export function psi(current: number[], baseline: number[]): number | undefined {
  if (current.length !== baseline.length || !current.length) return undefined;
  const ct = current.reduce((a, b) => a + b, 0);
  const bt = baseline.reduce((a, b) => a + b, 0);
  if (ct <= 0 || bt <= 0) return undefined;
  let sum = 0;
  for (let i = 0; i < current.length; i++) {
    const a = Math.max(current[i]! / ct, EPS);
    const e = Math.max(baseline[i]! / bt, EPS);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** Per-bin counts from cumulative histogram buckets (`le` ascending, the last `+Inf`). */
export function binsFromBuckets(buckets: Array<{ le: number; count: number }>): number[] {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  return sorted.map((b, i) => Math.max(0, b.count - (i ? sorted[i - 1]!.count : 0)));
}

export function driftLevel(value: number, threshold = PSI_THRESHOLD): 'stable' | 'moderate' | 'significant' {
  if (value > threshold) return 'significant';
  return value >= 0.1 ? 'moderate' : 'stable';
}
