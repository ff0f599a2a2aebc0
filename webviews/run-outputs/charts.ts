// SVG charts of the run outputs panel: a confusion matrix as a labelled heat map and curves (ROC, precision-recall)
// as line plots, several overlaid. Colours come from the stylesheet (theme variables); values and labels are set as
// attributes and text only.
import type { ConfusionMatrix, Curve } from '../../core/mlmd/visualize';
import { s } from '../shared/dom';

const SERIES = 6;

export function heatMap(m: ConfusionMatrix, title: string): SVGSVGElement {
  const cell = 44;
  const left = Math.min(140, 14 + 7 * Math.max(4, ...m.labels.map((l) => l.length)));
  const top = 28;
  const n = m.labels.length;
  const svg = s('svg', { class: 'chart heatmap', width: left + n * cell + 8, height: top + n * cell + 36, role: 'img', 'aria-label': title });
  svg.append(s('text', { x: left + (n * cell) / 2, y: 16, class: 'axis-title', 'text-anchor': 'middle' }, 'predicted'));
  m.labels.forEach((label, j) => {
    svg.append(s('text', { x: left + j * cell + cell / 2, y: top + n * cell + 16, class: 'tick', 'text-anchor': 'middle' }, label.length > 8 ? `${label.slice(0, 7)}…` : label));
  });
  m.rows.forEach((row, i) => {
    svg.append(s('text', { x: left - 6, y: top + i * cell + cell / 2 + 4, class: 'tick', 'text-anchor': 'end' }, m.labels[i] ?? ''));
    row.forEach((v, j) => {
      const share = m.max > 0 ? v / m.max : 0;
      const g = s('g', { class: 'cell-group' });
      g.append(
        s('rect', { x: left + j * cell, y: top + i * cell, width: cell - 2, height: cell - 2, class: 'cell', 'fill-opacity': (0.08 + 0.92 * share).toFixed(3) }, s('title', {}, `actual ${m.labels[i]} · predicted ${m.labels[j]}: ${v}`)),
        s('text', { x: left + j * cell + cell / 2 - 1, y: top + i * cell + cell / 2 + 4, class: share > 0.55 ? 'value strong' : 'value', 'text-anchor': 'middle' }, String(v)),
      );
      svg.append(g);
    });
  });
  svg.append(s('text', { x: 10, y: top + (n * cell) / 2, class: 'axis-title', transform: `rotate(-90 10 ${top + (n * cell) / 2})`, 'text-anchor': 'middle' }, 'actual'));
  return svg;
}

/** Curves of one kind in a unit square (FPR/recall → recall/precision), one colour per series. */
export function plot(curves: Array<{ curve: Curve; series: number }>, title: string): SVGSVGElement {
  const w = 300;
  const h = 220;
  const l = 58;
  const t = 10;
  const x = (v: number): number => l + v * w;
  const y = (v: number): number => t + (1 - v) * h;
  const kind = curves[0]?.curve.kind ?? 'roc';
  const svg = s('svg', { class: 'chart plot', width: l + w + 16, height: t + h + 40, role: 'img', 'aria-label': title });
  svg.append(s('rect', { x: l, y: t, width: w, height: h, class: 'frame' }));
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(
      s('line', { x1: x(v), y1: t, x2: x(v), y2: t + h, class: 'grid' }), s('line', { x1: l, y1: y(v), x2: l + w, y2: y(v), class: 'grid' }),
      s('text', { x: x(v), y: t + h + 14, class: 'tick', 'text-anchor': 'middle' }, String(v)), s('text', { x: l - 6, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, String(v)),
    );
  }
  if (kind === 'roc') svg.append(s('line', { x1: x(0), y1: y(0), x2: x(1), y2: y(1), class: 'chance' }));
  svg.append(
    s('text', { x: l + w / 2, y: t + h + 32, class: 'axis-title', 'text-anchor': 'middle' }, kind === 'roc' ? 'false positive rate' : 'recall'),
    s('text', { x: 12, y: t + h / 2, class: 'axis-title', transform: `rotate(-90 12 ${t + h / 2})`, 'text-anchor': 'middle' }, kind === 'roc' ? 'true positive rate (recall)' : 'precision'),
  );
  for (const { curve, series } of curves) {
    const pts = curve.points.map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ');
    const line = s('polyline', { points: pts, class: `curve series-${series % SERIES}` }, s('title', {}, curve.label));
    svg.append(line);
    // points with their values on hover; not for an overlay of many curves (thousands of nodes)
    if (curves.length > 12) continue;
    for (const p of curve.points) {
      svg.append(s('circle', { cx: x(p.x), cy: y(p.y), r: 2.5, class: `dot series-${series % SERIES}` },
        s('title', {}, `${curve.label}: ${kind === 'roc' ? 'FPR' : 'recall'} ${p.x}, ${kind === 'roc' ? 'TPR' : 'precision'} ${p.y}${p.threshold !== undefined ? `, threshold ${p.threshold}` : ''}`)));
    }
  }
  return svg;
}

export function legend(labels: Array<{ label: string; series: number }>): HTMLElement {
  const ul = document.createElement('ul');
  ul.className = 'legend';
  for (const { label, series } of labels) {
    const li = document.createElement('li');
    li.className = `series-${series % SERIES}`;
    li.textContent = label;
    ul.append(li);
  }
  return ul;
}
