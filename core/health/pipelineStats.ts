/**
 * How a pipeline's runs went over a window, from the KFP API alone (no Prometheus): completion rate of the runs that
 * ended, and duration percentiles of the ones that succeeded. Pure; the Pipelines view shows it.
 */
import type { Run } from '../kfp/types';

export interface PipelineStats {
  /** Runs created in the window. */
  runs: number;
  succeeded: number;
  failed: number;
  /** Still pending, running, or paused. */
  active: number;
  /** succeeded / (succeeded + failed); undefined when none ended. */
  completionRate?: number;
  /** Durations of succeeded runs, seconds. */
  p50?: number;
  p95?: number;
}

/** The q-quantile (0..1) of sorted values, by linear interpolation. */
export function quantile(sorted: number[], q: number): number | undefined {
  if (!sorted.length) return undefined;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function pipelineStats(runs: Run[], sinceMs: number): PipelineStats {
  const inWindow = runs.filter((r) => (Date.parse(r.created_at ?? '') || 0) >= sinceMs);
  let succeeded = 0;
  let failed = 0;
  let active = 0;
  const durations: number[] = [];
  for (const r of inWindow) {
    if (r.state === 'SUCCEEDED') {
      succeeded++;
      const d = (Date.parse(r.finished_at ?? '') - Date.parse(r.created_at ?? '')) / 1000;
      if (Number.isFinite(d) && d >= 0) durations.push(d);
    } else if (r.state === 'FAILED' || r.state === 'CANCELED') failed++;
    else if (r.state !== 'SKIPPED') active++;
  }
  durations.sort((a, b) => a - b);
  const ended = succeeded + failed;
  const p50 = quantile(durations, 0.5);
  const p95 = quantile(durations, 0.95);
  return { runs: inWindow.length, succeeded, failed, active, ...(ended ? { completionRate: succeeded / ended } : {}), ...(p50 !== undefined ? { p50 } : {}), ...(p95 !== undefined ? { p95 } : {}) };
}

export function formatDuration(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function describeStats(s: PipelineStats, window: string): string {
  if (!s.runs) return `No runs in the last ${window}.`;
  const parts = [`${s.runs} run${s.runs === 1 ? '' : 's'} in the last ${window}`];
  if (s.completionRate !== undefined) parts.push(`${Math.round(s.completionRate * 100)}% succeeded (${s.succeeded} of ${s.succeeded + s.failed} ended)`);
  if (s.active) parts.push(`${s.active} still running`);
  if (s.p50 !== undefined) parts.push(`duration P50 ${formatDuration(s.p50)}, P95 ${formatDuration(s.p95 ?? s.p50)}`);
  return parts.join('; ');
}
