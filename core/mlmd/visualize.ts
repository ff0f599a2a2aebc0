/**
 * Visualizations of KFP artifacts from their metadata (the kfp SDK's keys, dsl/types/artifact_types.py): a
 * system.Metrics' numbers as a table, a ClassificationMetrics' `confusionMatrix` ({annotationSpecs, rows}) as a
 * labelled matrix and its `confidenceMetrics` ({confidenceThreshold, recall, falsePositiveRate, precision?}) as ROC and
 * precision-recall curves; SlicedClassificationMetrics' `evaluationSlices` as one set per slice; HTML and Markdown
 * artifacts as documents whose contents come from the object store. Pure and browser-safe: metadata that is not the
 * expected shape gives a `problem` instead of a chart.
 */
import type { ArtifactRecord } from './outputs';

export interface ConfusionMatrix { labels: string[]; rows: number[][]; max: number }
export interface CurvePoint { x: number; y: number; threshold?: number }
export interface Curve { kind: 'roc' | 'pr'; label: string; points: CurvePoint[] }

export type Visualization =
  | { kind: 'scalars'; rows: Array<[string, number | string]> }
  | { kind: 'confusion'; slice?: string; matrix: ConfusionMatrix }
  | { kind: 'curve'; slice?: string; curve: Curve }
  | { kind: 'document'; format: 'html' | 'markdown'; uri: string }
  | { kind: 'problem'; message: string };

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function confusionMatrix(m: unknown): ConfusionMatrix | string {
  if (!isObj(m)) return 'the confusion matrix is not an object';
  const specs = m.annotationSpecs;
  const rows = m.rows;
  if (!Array.isArray(specs) || !Array.isArray(rows)) return 'the confusion matrix has no annotationSpecs or rows';
  const labels = specs.map((s, i) => (isObj(s) && typeof s.displayName === 'string' ? s.displayName : `class ${i}`));
  const out: number[][] = [];
  for (const r of rows) {
    const cells = isObj(r) && Array.isArray(r.row) ? r.row : Array.isArray(r) ? r : undefined;
    if (!cells || cells.length !== labels.length || !cells.every(isNum)) return `a confusion matrix row does not have ${labels.length} numbers`;
    out.push(cells as number[]);
  }
  if (out.length !== labels.length) return `the confusion matrix has ${out.length} rows for ${labels.length} labels`;
  return { labels, rows: out, max: Math.max(0, ...out.flat()) };
}

/** ROC (falsePositiveRate → recall) and, when precision is there, precision-recall, sorted along x. */
export function curves(points: unknown, label = 'ROC'): Curve[] | string {
  if (!Array.isArray(points)) return 'confidenceMetrics is not a list';
  const roc: CurvePoint[] = [];
  const pr: CurvePoint[] = [];
  for (const p of points) {
    if (!isObj(p)) continue;
    const t = isNum(p.confidenceThreshold) ? p.confidenceThreshold : undefined;
    if (isNum(p.falsePositiveRate) && isNum(p.recall)) roc.push({ x: p.falsePositiveRate, y: p.recall, ...(t !== undefined ? { threshold: t } : {}) });
    if (isNum(p.recall) && isNum(p.precision)) pr.push({ x: p.recall, y: p.precision, ...(t !== undefined ? { threshold: t } : {}) });
  }
  if (!roc.length && !pr.length) return 'confidenceMetrics has no points with falsePositiveRate and recall';
  const byX = (a: CurvePoint, b: CurvePoint): number => a.x - b.x || a.y - b.y;
  const out: Curve[] = [];
  if (roc.length) out.push({ kind: 'roc', label, points: roc.sort(byX) });
  if (pr.length) out.push({ kind: 'pr', label, points: pr.sort(byX) });
  return out;
}

function classification(meta: Record<string, unknown>, slice?: string): Visualization[] {
  const out: Visualization[] = [];
  const at = slice ? { slice } : {};
  if (meta.confusionMatrix !== undefined) {
    const m = confusionMatrix(meta.confusionMatrix);
    out.push(typeof m === 'string' ? { kind: 'problem', message: m } : { kind: 'confusion', ...at, matrix: m });
  }
  if (meta.confidenceMetrics !== undefined) {
    const c = curves(meta.confidenceMetrics, slice ?? 'ROC');
    if (typeof c === 'string') out.push({ kind: 'problem', message: c });
    else for (const curve of c) out.push({ kind: 'curve', ...at, curve });
  }
  return out;
}

export function visualize(a: ArtifactRecord): Visualization[] {
  switch (a.type) {
    case 'system.Metrics': {
      const rows = Object.entries(a.metadata).filter(([, v]) => isNum(v) || typeof v === 'string').map(([k, v]) => [k, v] as [string, number | string]);
      return rows.length ? [{ kind: 'scalars', rows }] : [];
    }
    case 'system.ClassificationMetrics':
      return classification(a.metadata);
    case 'system.SlicedClassificationMetrics': {
      const slices = a.metadata.evaluationSlices;
      if (!Array.isArray(slices)) return [];
      return slices.flatMap((s, i) => (isObj(s) ? classification(s, typeof s.slice === 'string' ? s.slice : `slice ${i}`) : []));
    }
    case 'system.HTML':
      return a.uri ? [{ kind: 'document', format: 'html', uri: a.uri }] : [];
    case 'system.Markdown':
      return a.uri ? [{ kind: 'document', format: 'markdown', uri: a.uri }] : [];
    default:
      return [];
  }
}
