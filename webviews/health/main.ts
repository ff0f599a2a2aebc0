// Entry of the health panel (bundled to dist/webviews/health.js): an endpoint's SLIs per revision with small charts,
// its SLO and error budget, the canary gate's verdict with Promote / Roll Back, drift per feature; or a training job's
// GPU utilization per replica with the idle hint. Every value is set as text; charts are SVG built with `s()`.
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeProgressRing } from '@vscode/webview-ui-toolkit';
import { button, clear, h, s } from '../shared/dom';
import { addStyles, connect } from '../shared/ipc';
import type { ChartLine, FromHealth, HealthAction, HealthData, SliRow, ToHealth, Tone } from './protocol';
import baseCss from '../shared/base.css';
import css from './styles.css';

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeProgressRing());
addStyles(baseCss);
addStyles(css);

const root = document.getElementById('app') ?? document.body;
root.classList.add('health-app');

const act = (action: HealthAction): void => channel.post({ type: 'action', action });

const toneClass = (t: Tone): string => `tone-${t}`;

/** A small line chart: time on x, value on y, one polyline per line, the last value labelled. */
function chart(lines: ChartLine[], unit: string, label: string): SVGSVGElement {
  const W = 260;
  const H = 64;
  const pad = 2;
  const all = lines.flatMap((l) => l.points).filter(([, v]) => Number.isFinite(v));
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': `${label} (${unit})` });
  if (!all.length) {
    svg.append(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'chart-empty' }, 'no data'));
    return svg;
  }
  const t0 = Math.min(...all.map(([t]) => t));
  const t1 = Math.max(...all.map(([t]) => t));
  const vmax = Math.max(...all.map(([, v]) => v), 0);
  const vmin = Math.min(...all.map(([, v]) => v), 0);
  const x = (t: number): number => pad + ((t - t0) / Math.max(1, t1 - t0)) * (W - 2 * pad);
  const y = (v: number): number => H - pad - ((v - vmin) / Math.max(1e-9, vmax - vmin)) * (H - 2 * pad);
  svg.append(s('line', { x1: 0, x2: W, y1: y(0), y2: y(0), class: 'chart-axis' }));
  // the scale: the top value, so lines read as numbers
  const top = unit === '%' ? `${vmax.toFixed(0)}%` : unit === 'ratio' ? `${(vmax * 100).toFixed(1)}%` : `${vmax < 10 ? vmax.toFixed(2) : vmax.toFixed(0)} ${unit}`;
  svg.append(s('text', { x: W - pad, y: 10, 'text-anchor': 'end', class: 'chart-scale' }, top));
  for (const l of lines) {
    const pts = l.points.filter(([, v]) => Number.isFinite(v)).map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`);
    if (pts.length) svg.append(s('polyline', { points: pts.join(' '), class: `chart-line line-${l.tone}` }, s('title', {}, l.label)));
  }
  return svg;
}

function legend(lines: ChartLine[]): HTMLElement {
  return h('div', { class: 'legend' }, ...lines.map((l) => h('span', { class: `key line-${l.tone}` }, l.label)));
}

function sliTable(d: HealthData): HTMLElement {
  const table = h('table', { class: 'slis' });
  table.append(h('thead', {}, h('tr', {}, h('th', {}, 'SLI'), ...d.columns.map((c) => h('th', {}, c)), h('th', {}, d.rangeLabel))));
  const body = h('tbody');
  for (const r of d.slis) body.append(sliRow(r, d.columns.length));
  table.append(body);
  return table;
}

function sliRow(r: SliRow, columns: number): HTMLElement {
  const tr = h('tr', { 'data-sli': r.id });
  tr.append(h('th', { scope: 'row' }, r.title));
  if (r.problem && !r.cells.length) {
    tr.append(h('td', { colspan: columns + 1, class: 'problem' }, r.problem));
    return tr;
  }
  for (let i = 0; i < columns; i++) {
    const c = r.cells[i];
    tr.append(h('td', { class: c ? toneClass(c.tone) : 'tone-none' }, c?.text ?? '—'));
  }
  const td = h('td', { class: 'chart-cell' });
  if (r.chart) td.append(chart(r.chart.lines, r.chart.unit, r.title));
  if (r.problem) td.append(h('div', { class: 'problem' }, r.problem));
  tr.append(td);
  return tr;
}

function render(d: HealthData): void {
  clear(root);
  const actions = h('div', { class: 'actions' }, button('Refresh', () => act('refresh')), button('Settings…', () => act('settings')));
  root.append(h('header', {}, h('h1', {}, d.title), h('p', { class: 'subtitle' }, d.subtitle), actions));
  if (d.notice) root.append(h('p', { class: 'notice' }, d.notice));
  if (d.gate) {
    const g = d.gate;
    const tone: Tone = g.verdict === 'breach' ? 'bad' : g.verdict === 'worse' ? 'warn' : g.verdict === 'pass' ? 'ok' : 'none';
    const banner = h('section', { class: `gate ${toneClass(tone)}`, 'data-verdict': g.verdict }, h('h2', {}, g.text));
    if (g.findings.length) banner.append(h('ul', {}, ...g.findings.map((f) => h('li', {}, f))));
    const buttons = h('div', { class: 'actions' });
    if (g.canRollBack) buttons.append(button('Roll Back', () => act('rollback')));
    if (g.canPromote) buttons.append(button('Promote Canary', () => act('promote')));
    if (buttons.childNodes.length) banner.append(buttons);
    root.append(banner);
  }
  if (d.slo) {
    root.append(h('section', { class: `slo ${toneClass(d.slo.tone)}` }, h('h3', {}, 'SLO'), h('p', {}, d.slo.text), d.slo.budget ? h('p', {}, d.slo.budget) : undefined, d.slo.burn ? h('p', {}, d.slo.burn) : undefined, d.slo.problem ? h('p', { class: 'problem' }, d.slo.problem) : undefined));
  }
  if (d.slis.length) {
    const lines = d.slis.find((r) => r.chart)?.chart?.lines;
    root.append(h('h3', {}, 'Service level indicators'), lines && lines.length > 1 ? legend(lines) : '', sliTable(d));
  }
  if (d.drift) {
    const sec = h('section', { class: 'drift' }, h('h3', {}, `Drift (PSI; over ${d.drift.threshold} is significant)`));
    if (d.drift.problem) sec.append(h('p', { class: 'problem' }, d.drift.problem));
    if (d.drift.rows.length) sec.append(h('table', {}, h('tbody', {}, ...d.drift.rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, r.feature), h('td', { class: toneClass(r.tone) }, r.text))))));
    root.append(sec);
  }
  if (d.gpu) {
    const g = d.gpu;
    const sec = h('section', { class: 'gpu' }, h('h3', {}, 'GPUs'), h('p', {}, g.summary));
    if (g.hint) sec.append(h('p', { class: 'hint tone-warn' }, g.hint));
    if (g.problem) sec.append(h('p', { class: 'problem' }, g.problem));
    if (g.replicas.length) sec.append(h('table', {}, h('tbody', {}, ...g.replicas.map((r) => h('tr', {}, h('th', { scope: 'row' }, r.pod), h('td', { class: toneClass(r.tone) }, r.text))))));
    if (g.chart) sec.append(legend(g.chart.lines), chart(g.chart.lines, g.chart.unit, 'GPU utilization'));
    root.append(sec);
  }
  root.append(h('p', { class: 'muted updated' }, `Updated ${d.updated}`));
}

function status(message: string, title?: string): void {
  clear(root);
  if (title) root.append(h('header', {}, h('h1', {}, title)));
  root.append(h('div', { class: 'status error' }, h('span', {}, message), button('Retry', () => act('refresh')), button('Settings…', () => act('settings'))));
}

const channel = connect<ToHealth, FromHealth>((m) => {
  if (m.type === 'data') render(m.data);
  else if (m.type === 'error') status(m.message, m.title);
  else if (!root.querySelector('table')) {
    clear(root);
    root.append(h('div', { class: 'status' }, h('vscode-progress-ring'), h('span', {}, 'Reading from Prometheus…')));
  }
});
