/**
 * Run comparison (what KFP's UI "Compare runs" shows, with v2 metrics): the runs' parameters side by side with the
 * differing ones marked, their scalar metrics, their ROC curves to overlay, and the tasks whose state or cache use
 * differs. Pure and browser-safe.
 */
import { scalarMetrics, type RunOutputs } from './outputs';
import { executionStateLabel } from './stateLabel';
import { visualize, type Curve } from './visualize';

export interface ComparedRun {
  id: string;
  name: string;
  /** The run's parameters (KFP's runtime_config, else what the root DAG recorded). */
  parameters: Record<string, unknown>;
  outputs: RunOutputs;
}

export interface CompareRow { key: string; values: string[]; differs: boolean }

export interface Comparison {
  runs: Array<{ id: string; name: string }>;
  parameters: CompareRow[];
  metrics: CompareRow[];
  /** Tasks whose state or cache use is not the same in every run (absent = "–"). */
  tasks: CompareRow[];
  /** ROC curves of every run, labelled `<run> · <task>.<artifact>`. */
  curves: Array<{ run: number; curve: Curve }>;
}

export function showValue(v: unknown): string {
  if (v === undefined) return '–';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  return JSON.stringify(v);
}

function rows(keys: Iterable<string>, valueOf: (key: string, run: number) => unknown, n: number): CompareRow[] {
  return [...new Set(keys)].sort().map((key) => {
    const values = Array.from({ length: n }, (_, i) => showValue(valueOf(key, i)));
    return { key, values, differs: values.some((v) => v !== values[0]) };
  });
}

export function compareRuns(runs: ComparedRun[]): Comparison {
  const n = runs.length;
  const metrics = runs.map((r) => scalarMetrics(r.outputs));
  const taskState = runs.map((r) => new Map(r.outputs.tasks.filter((t) => t.executionType !== 'system.DAGExecution')
    .map((t) => [t.task + (t.iterationIndex !== undefined ? `[${t.iterationIndex}]` : ''), executionStateLabel(t.state, t.cached)])));
  const curves: Comparison['curves'] = [];
  runs.forEach((r, i) => {
    for (const t of r.outputs.tasks) {
      for (const a of t.artifacts) {
        if (a.event !== 'OUTPUT') continue;
        for (const v of visualize(a)) {
          if (v.kind === 'curve' && v.curve.kind === 'roc') curves.push({ run: i, curve: { ...v.curve, label: `${r.name} · ${t.task}.${a.name}${v.slice ? ` (${v.slice})` : ''}` } });
        }
      }
    }
  });
  return {
    runs: runs.map((r) => ({ id: r.id, name: r.name })),
    parameters: rows(runs.flatMap((r) => Object.keys(r.parameters)), (k, i) => runs[i]!.parameters[k], n),
    metrics: rows(metrics.flatMap((m) => Object.keys(m)), (k, i) => metrics[i]![k], n),
    tasks: rows(taskState.flatMap((m) => [...m.keys()]), (k, i) => taskState[i]!.get(k), n).filter((r) => r.differs),
    curves,
  };
}
