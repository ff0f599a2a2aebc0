// Entry of the run outputs panel (bundled to dist/webviews/run-outputs.js): what a run produced, per task (state,
// input/output parameters, artifacts with type, URI and metadata; scalar metrics as a table, a confusion matrix as a
// heat map, ROC and precision-recall curves), or two or more runs compared (parameters and metrics side by side with
// differences marked, ROC curves overlaid, tasks whose state or cache use differs). Every value is set as text.
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeProgressRing } from '@vscode/webview-ui-toolkit';
import type { Comparison, CompareRow } from '../../core/mlmd/compare';
import { executionStateLabel } from '../../core/mlmd/stateLabel';
import type { Curve, Visualization } from '../../core/mlmd/visualize';
import { button, clear, h, type Child } from '../shared/dom';
import { addStyles, connect } from '../shared/ipc';
import baseCss from '../shared/base.css';
import { heatMap, legend, plot } from './charts';
import type { ArtifactView, FromOutputs, OutputsAction, RunView, TaskView, ToOutputs } from './protocol';
import css from './styles.css';

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeProgressRing());
addStyles(baseCss);
addStyles(css);

const root = document.getElementById('app') ?? document.body;
root.classList.add('outputs-app');
const act = (action: OutputsAction, ref?: string): void => channel.post({ type: 'action', action, ...(ref ? { ref } : {}) });

function status(message: string, kind: 'busy' | 'error'): void {
  const bar = document.getElementById('status') ?? root.appendChild(h('div', { id: 'status' }));
  clear(bar);
  bar.className = `status ${kind}`;
  if (kind === 'busy') bar.append(h('vscode-progress-ring'), h('span', {}, message));
  else bar.append(h('span', {}, '⚠'), h('span', {}, message), button('Retry', () => act('refresh')));
}

/** A plain table: a run has hundreds of them, which toolkit data grids (a web component per cell) paint far too slowly. */
function grid(label: string, headers: string[], rows: Child[][]): HTMLElement {
  return h('table', { class: 'grid', 'aria-label': label },
    h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', {}, t)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', typeof c === 'string' ? { title: c } : {}, c))))));
}

/** A plain button (hundreds per run: toolkit buttons are web components, slow to paint in those numbers). */
function action(label: string, onClick: () => void, o: { title?: string; disabled?: boolean; primary?: boolean } = {}): HTMLElement {
  const b = h('button', { type: 'button', class: o.primary ? 'btn primary' : 'btn', title: o.title, disabled: o.disabled }, label);
  b.addEventListener('click', onClick);
  return b;
}

function pairs(title: string, rows: Array<[string, string]>): HTMLElement | undefined {
  if (!rows.length) return undefined;
  return h('div', { class: 'params' }, h('h4', {}, title), grid(title, ['Name', 'Value'], rows));
}

function visualization(v: Visualization, a: ArtifactView): HTMLElement {
  switch (v.kind) {
    case 'scalars':
      return h('div', { class: 'viz' }, grid(`${a.name} metrics`, ['Metric', 'Value'], v.rows.map(([k, x]) => [k, String(x)])));
    case 'confusion':
      return h('figure', { class: 'viz' }, heatMap(v.matrix, `${a.name} confusion matrix`), h('figcaption', {}, `Confusion matrix${v.slice ? ` (${v.slice})` : ''}`));
    case 'curve':
      return h('figure', { class: 'viz' }, plot([{ curve: v.curve, series: 0 }], `${a.name} ${v.curve.kind}`),
        h('figcaption', {}, `${v.curve.kind === 'roc' ? 'ROC curve' : 'Precision-recall curve'}${v.slice ? ` (${v.slice})` : ''}`));
    case 'document':
      return h('div', { class: 'viz document' }, h('span', { class: 'muted' }, `${v.format === 'html' ? 'HTML' : 'Markdown'} document`),
        action('Show', () => act('openArtifact', a.id), { title: `Render ${a.uri} (no scripts run)` }));
    case 'problem':
      return h('p', { class: 'warning' }, `Cannot show this artifact's visualization: ${v.message}`);
  }
}

function artifact(a: ArtifactView): HTMLElement {
  const actions = h('div', { class: 'actions' },
    action('Copy URI', () => act('copyUri', a.id), { title: a.uri, disabled: !a.uri }),
    action('Open', () => act('openArtifact', a.id), { title: 'Open its contents from the object store', disabled: !a.uri }),
    action('Download…', () => act('download', a.id), { title: 'Save it into the workspace', disabled: !a.uri }),
    a.registrable ? action('Register in Model Registry…', () => act('register', a.id), { primary: true }) : undefined,
  );
  return h('div', { class: 'artifact', 'data-artifact': a.id },
    h('div', { class: 'artifact-head' },
      h('span', { class: `event event-${a.event.toLowerCase()}` }, a.event === 'INPUT' ? 'in' : 'out'),
      h('strong', {}, a.name), h('span', { class: 'type' }, a.type), h('code', { class: 'uri' }, a.uri || '(no URI)')),
    actions,
    a.metadata !== '{}' ? h('details', {}, h('summary', {}, 'Metadata'), h('pre', {}, a.metadata)) : undefined,
    ...a.visualizations.map((v) => visualization(v, a)),
  );
}

function task(t: TaskView): HTMLElement {
  return h('section', { class: 'task', 'data-task': t.task },
    h('h3', {}, t.task, h('span', { class: `state state-${t.state.toLowerCase()}` }, executionStateLabel(t.state, t.cached)),
      h('span', { class: 'muted' }, t.executionType.replace(/^system\./, ''))),
    pairs('Inputs', t.inputs), pairs('Outputs', t.outputs),
    ...(t.artifacts.length ? t.artifacts.map(artifact) : [h('p', { class: 'muted' }, 'No artifacts.')]),
  );
}

function renderRun(r: RunView): void {
  clear(root);
  root.append(
    h('header', {}, h('h1', {}, `Outputs: ${r.name}`), h('div', { class: 'actions' }, button('Refresh', () => act('refresh')))),
    h('p', { class: 'muted' }, r.pipelineRoot ? `Pipeline root: ${r.pipelineRoot}` : ''),
    ...r.warnings.map((w) => h('p', { class: 'warning' }, w)),
    pairs('Run parameters', r.parameters) ?? h('span'),
    h('div', { id: 'status' }),
    ...r.tasks.map(task),
  );
}

function compareGrid(title: string, c: Comparison, rows: CompareRow[], empty: string): HTMLElement {
  if (!rows.length) return h('p', { class: 'muted' }, empty);
  const g = grid(title, [title, ...c.runs.map((r) => r.name)], rows.map((r) => [r.differs ? h('span', { class: 'differs', title: 'differs between the runs' }, `≠ ${r.key}`) : r.key, ...r.values]));
  return g;
}

function renderCompare(c: Comparison): void {
  clear(root);
  const byKind = (k: Curve['kind']): Array<{ curve: Curve; series: number }> => c.curves.filter((x) => x.curve.kind === k).map((x, i) => ({ curve: x.curve, series: i }));
  const roc = byKind('roc');
  root.append(
    h('header', {}, h('h1', {}, `Compare ${c.runs.length} runs`), h('div', { class: 'actions' }, button('Refresh', () => act('refresh')))),
    h('div', { id: 'status' }),
    h('h3', {}, 'Parameters'), compareGrid('Parameter', c, c.parameters, 'No parameters.'),
    h('h3', {}, 'Metrics'), compareGrid('Metric', c, c.metrics, 'No scalar metrics (system.Metrics outputs) in these runs.'),
    h('h3', {}, 'ROC curves'),
    roc.length ? h('figure', { class: 'viz' }, plot(roc, 'ROC curves'), legend(roc.map((r) => ({ label: r.curve.label, series: r.series })))) : h('p', { class: 'muted' }, 'No ROC data in these runs.'),
    h('h3', {}, 'Tasks that differ'), compareGrid('Task', c, c.tasks, 'Every task has the same state and cache use in these runs.'),
  );
}

const channel = connect<ToOutputs, FromOutputs>((m) => {
  switch (m.type) {
    case 'run': renderRun(m.run); break;
    case 'compare': renderCompare(m.comparison); break;
    case 'busy': status(m.message, 'busy'); break;
    case 'error': status(m.message, 'error'); break;
  }
});
