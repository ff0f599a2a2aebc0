/**
 * Run metric columns (the runs table KFP's UI lacks for v2): the scalar metrics each run's tasks logged to MLMD, the
 * column names offered for them (`accuracy`, or `task/accuracy` when two tasks log the same name), compact numbers,
 * and the runs' sort orders (created, duration, a metric ascending or descending; runs without the metric last).
 * Pure and browser-safe.
 */
import type { RunOutputs } from './outputs';

/** One scalar metric a task logged (a number of its system.Metrics output). */
export interface RunMetric { task: string; name: string; value: number }

/** Every scalar metric of the run's tasks, in task order. */
export function runMetrics(run: RunOutputs): RunMetric[] {
  const out: RunMetric[] = [];
  for (const t of run.tasks) {
    for (const a of t.artifacts) {
      if (a.event !== 'OUTPUT' || a.type !== 'system.Metrics') continue;
      for (const [name, value] of Object.entries(a.metadata)) if (typeof value === 'number' && Number.isFinite(value)) out.push({ task: t.task, name, value });
    }
  }
  return out;
}

/** The column names the runs' metrics offer, sorted: the bare name, or `task/name` for a name two tasks log. */
export function metricColumns(runs: Iterable<readonly RunMetric[]>): string[] {
  const tasksOf = new Map<string, Set<string>>();
  for (const metrics of runs) for (const m of metrics) tasksOf.set(m.name, (tasksOf.get(m.name) ?? new Set()).add(m.task));
  const out: string[] = [];
  for (const [name, tasks] of tasksOf) {
    if (tasks.size === 1) out.push(name);
    else for (const task of tasks) out.push(`${task}/${name}`);
  }
  return out.sort((a, b) => a.localeCompare(b));
}

/** The run's value of a column: `task/name` is that task's, a bare name the first task's that logs it. */
export function metricValue(metrics: readonly RunMetric[], column: string): number | undefined {
  const exact = metrics.find((m) => `${m.task}/${m.name}` === column);
  return (exact ?? metrics.find((m) => m.name === column))?.value;
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumSignificantDigits: 3 });

/** `0.933`, `12`, `12.3K`, `1.2e-5`; `–` for none. */
export function formatMetric(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(1).replace(/\.0e/, 'e');
  return compact.format(v);
}

/** `accuracy 0.933 · loss 0.067`: the chosen columns of one run. */
export function metricsLine(metrics: readonly RunMetric[], columns: readonly string[]): string {
  return columns.map((c) => `${c} ${formatMetric(metricValue(metrics, c))}`).join(' · ');
}

export type RunSort = { by: 'created' } | { by: 'duration' } | { by: 'metric'; column: string; desc: boolean };

export const DEFAULT_SORT: RunSort = { by: 'created' };

/** What the view's description says: undefined for the default (newest first). */
export function describeSort(sort: RunSort): string | undefined {
  if (sort.by === 'created') return undefined;
  if (sort.by === 'duration') return 'by duration';
  return `by ${sort.column} ${sort.desc ? '↓' : '↑'}`;
}

export interface SortableRun { created?: number; duration?: number; metrics?: readonly RunMetric[] }

/**
 * The runs in the sort's order (a new array; stable): created newest first, duration longest first, a metric
 * ascending or descending; runs without the value (not ended, metrics not read yet, metric not logged) last, newest
 * first among them.
 */
export function sortRuns<T>(runs: readonly T[], sort: RunSort, of: (run: T) => SortableRun): T[] {
  const key = (r: SortableRun): number | undefined =>
    sort.by === 'created' ? r.created : sort.by === 'duration' ? r.duration : r.metrics ? metricValue(r.metrics, sort.column) : undefined;
  const sign = sort.by === 'metric' && !sort.desc ? 1 : -1;
  return runs
    .map((run, i) => ({ run, i, s: of(run) }))
    .sort((a, b) => {
      const ka = key(a.s);
      const kb = key(b.s);
      if (ka === undefined || kb === undefined) {
        if (ka !== kb) return ka === undefined ? 1 : -1;
      } else if (ka !== kb) {
        return sign * (ka - kb);
      }
      return (b.s.created ?? 0) - (a.s.created ?? 0) || a.i - b.i;
    })
    .map((x) => x.run);
}
