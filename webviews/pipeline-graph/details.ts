// The details pane: the selected task (image, command, inputs and outputs, resources, platform settings, control
// flow), artifact or input, or the pipeline summary with its problems when nothing is selected.
import type { RunOverlay } from '../../core/kfp/overlay';
import { formatDuration, taskKey } from '../../core/kfp/runState';
import { countTasks, describeLoop, describeSource, friendlyInputName, prettyCondition, stripChannel } from '../../core/pipeline/describe';
import type { LevelView, ViewNode } from '../../core/pipeline/layer';
import type { PipelineModel, PipelineSource, TaskModel } from '../../core/pipeline/model';
import { h } from '../shared/dom';

export interface DetailsContext {
  model: PipelineModel;
  source: PipelineSource;
  level: LevelView;
  /** The tasks that opened the current level, outermost first. */
  parents: TaskModel[];
  select(nodeId: string): void;
  drill(taskId: string): void;
  openTask(taskId: string): void;
  openLine(line: number, character: number): void;
  /** Run view: the run over the graph, the level's path, and opening a task's logs. */
  run?: RunOverlay;
  path?: string[];
  openLogs?(task: string, node?: string): void;
  /** Local run view: open an output's file or a source line; debug a task's component. */
  openFile?(file: string, line?: number): void;
  debugTask?(task: string): void;
}

export function renderDetails(ctx: DetailsContext, selected: string | undefined): HTMLElement {
  const node = selected ? ctx.level.nodes.find((n) => n.id === selected) : undefined;
  if (!node) return pipelineSummary(ctx);
  if (node.kind === 'task') {
    const task = ctx.level.dag.tasks.find((t) => `t:${t.id}` === node.id);
    if (task) return taskDetails(ctx, task, node);
  }
  return otherDetails(ctx, node);
}

function section(title: string, ...children: (Node | string | false | undefined)[]): HTMLElement {
  return h('section', {}, h('h3', {}, title), ...children);
}

function rows(pairs: [string, string | Node | undefined][]): HTMLElement {
  const dl = h('dl');
  for (const [k, v] of pairs) {
    if (v === undefined || v === '') continue;
    dl.append(h('dt', {}, k), h('dd', {}, v));
  }
  return dl;
}

/** A toolkit data grid; every cell is text. */
function grid(headers: string[], data: string[][]): HTMLElement {
  const g = h('vscode-data-grid', { 'aria-label': headers.join(', '), 'grid-template-columns': headers.map(() => '1fr').join(' ') });
  g.appendChild(h('vscode-data-grid-row', { 'row-type': 'header' }, ...headers.map((t, i) => h('vscode-data-grid-cell', { 'cell-type': 'columnheader', 'grid-column': i + 1 }, t))));
  for (const r of data) g.appendChild(h('vscode-data-grid-row', {}, ...r.map((t, i) => h('vscode-data-grid-cell', { 'grid-column': i + 1, title: t }, t))));
  return g;
}

function button(label: string, onClick: () => void, appearance: 'primary' | 'secondary' = 'secondary'): HTMLElement {
  const b = h('vscode-button', { appearance }, label);
  b.addEventListener('click', onClick);
  return b;
}

function codeBlock(title: string, lines: string[] | undefined): HTMLElement | undefined {
  if (!lines || lines.length === 0) return undefined;
  const text = lines.join('\n');
  const lineCount = text.split('\n').length;
  const pre = h('pre', {}, text);
  if (lineCount <= 6) return h('div', { class: 'code' }, h('div', { class: 'code-title' }, title), pre);
  return h('details', { class: 'code' }, h('summary', {}, `${title} (${lineCount} lines)`), pre);
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function taskDetails(ctx: DetailsContext, t: TaskModel, node: ViewNode): HTMLElement {
  const root = h('div', { class: 'details-body' });
  const ex = t.executor ? ctx.model.executors[t.executor] : undefined;
  root.appendChild(h('h2', {}, t.name));
  const actions = h('div', { class: 'actions' });
  if (t.subDag && ctx.model.dags[t.subDag]) actions.appendChild(button(`Open ${t.role === 'loop' ? 'loop body' : 'sub-DAG'}`, () => ctx.drill(t.id), 'primary'));
  const sourceLabel = ctx.source.kind === 'python' && ex?.pythonFunction ? `Go to ${ex.pythonFunction}()` : 'Go to source';
  actions.appendChild(button(sourceLabel, () => ctx.openTask(t.id)));
  root.appendChild(actions);
  if (ctx.run) root.appendChild(taskRun(ctx, t, actions));

  const kind = t.kind === 'sub-dag' ? `sub-DAG (${t.role === 'loop' ? 'ParallelFor' : t.role === 'branches' ? 'if/elif/else' : t.role})` : t.kind;
  const overview: [string, string | undefined][] = [
    ['Task', t.id !== t.name ? t.id : undefined],
    ['Kind', kind],
    ['Component', t.component],
    ['Function', ex?.pythonFunction],
    ['Condition', prettyCondition(t, ctx.model)],
    ['Condition (IR)', t.condition !== undefined && prettyCondition(t, ctx.model) !== t.condition ? t.condition : undefined],
    ['Loop', describeLoop(t, ctx.model)],
    ['Loop items', t.iterator?.raw],
    ['Runs', t.strategy === 'ALL_UPSTREAM_TASKS_COMPLETED' ? 'after all upstream tasks complete, even if they fail' : t.strategy],
    ['Caching', t.caching === undefined ? undefined : t.caching ? 'enabled' : 'disabled'],
    ['Retry', t.retry ? [`${t.retry.maxRetryCount ?? '?'} times`, t.retry.backoffDuration && `backoff ${t.retry.backoffDuration}`, t.retry.backoffFactor !== undefined && `×${t.retry.backoffFactor}`, t.retry.backoffMaxDuration && `max ${t.retry.backoffMaxDuration}`].filter(Boolean).join(', ') : undefined],
    ['Depends on', t.dependentTasks.length ? t.dependentTasks.join(', ') : undefined],
    ['Tasks inside', t.subDag && ctx.model.dags[t.subDag] ? String(countTasks(ctx.model, ctx.model.dags[t.subDag])) : undefined],
  ];
  root.appendChild(section('Overview', rows(overview)));

  if (ex?.container) {
    const c = ex.container;
    root.appendChild(section('Container', rows([['Image', c.image]]), codeBlock('Command', c.command), codeBlock('Arguments', c.args)));
    if (c.env?.length) root.appendChild(section('Environment', grid(['Name', 'Value'], c.env.map((e) => [e.name, e.value]))));
    if (c.resources && Object.keys(c.resources).length) {
      root.appendChild(section('Resources', rows(Object.entries(c.resources).map(([k, v]) => [k, formatValue(v)]))));
    }
  }
  if (ex?.importer) {
    const i = ex.importer;
    root.appendChild(section('Importer', rows([
      ['Artifact URI', i.artifactUri === undefined ? undefined : formatValue(i.artifactUri)],
      ['Type', i.typeSchema],
      ['Reimport', i.reimport === undefined ? undefined : String(i.reimport)],
      ['Metadata', i.metadata === undefined ? undefined : formatValue(i.metadata)],
    ])));
  }
  if (ex?.other !== undefined) root.appendChild(section(ex.kind, h('pre', {}, JSON.stringify(ex.other, null, 2))));

  if (t.inputs.length) {
    const params = ctx.run?.parameters;
    const valueOf = (i: (typeof t.inputs)[number]): string => {
      if (!params) return '';
      if (i.source.from === 'constant') return formatValue(i.source.value);
      if (i.source.from === 'input') return params[i.source.input] ?? params[stripChannel(i.source.input)] ?? '';
      return '';
    };
    root.appendChild(
      params
        ? section(`Inputs (${t.inputs.length})`, grid(['Name', 'Type', 'From', 'Value'], t.inputs.map((i) => [stripChannel(i.name), i.type ?? i.kind, describeSource(i, ctx.model), valueOf(i)])))
        : section(`Inputs (${t.inputs.length})`, grid(['Name', 'Type', 'From'], t.inputs.map((i) => [stripChannel(i.name), i.type ?? i.kind, describeSource(i, ctx.model)]))),
    );
  }
  if (t.outputs.length) {
    root.appendChild(section(`Outputs (${t.outputs.length})`, grid(['Name', 'Type'], t.outputs.map((o) => [o.name, o.type + (o.isList ? ' list' : '')]))));
  }
  root.appendChild(connections(ctx, node.id));
  if (ex?.platform) root.appendChild(section('Kubernetes platform settings', h('pre', {}, JSON.stringify(ex.platform, null, 2))));
  return root;
}

/** The task in the run: state, times, error, iterations, and the pods that ran it with their logs. */
function taskRun(ctx: DetailsContext, t: TaskModel, actions: HTMLElement): HTMLElement {
  const run = ctx.run!;
  const o = run.tasks[taskKey(ctx.path ?? [], t.id)];
  if (!o) return section('Run', h('p', { class: 'muted' }, run.live ? 'Not started yet.' : 'Did not run in this run (an upstream task failed, or the run stopped first).'));
  const took = o.started ? formatDuration((o.finished ?? (run.live ? Date.now() : run.readAt)) - o.started) : undefined;
  const body = section(
    'Run',
    rows([
      ['State', h('span', { class: `pill state-${o.state}` }, o.label)],
      ['Started', o.started ? new Date(o.started).toLocaleTimeString() : undefined],
      ['Finished', o.finished ? new Date(o.finished).toLocaleTimeString() : undefined],
      ['Duration', took],
      ['Iterations', o.iterations !== undefined ? String(o.iterations) : undefined],
    ]),
    o.error ? h('pre', { class: 'run-error' }, o.error) : undefined,
  );
  if (o.source && ctx.openFile) {
    const src = o.source;
    const link = h('button', { class: 'link', type: 'button', id: 'failing-line', title: src.file }, `${src.file.split('/').pop()}:${src.line}`);
    link.addEventListener('click', () => ctx.openFile!(src.file, src.line));
    body.appendChild(h('p', {}, 'Failed at ', link));
  }
  if (o.traceback) body.appendChild(h('details', {}, h('summary', {}, 'Traceback'), h('pre', { class: 'traceback' }, o.traceback)));
  if (o.outputs?.length) {
    const table = h('table', { class: 'outputs' }, h('tr', {}, h('th', {}, 'Output'), h('th', {}, 'Value')));
    for (const out of o.outputs) {
      const name = out.iteration !== undefined ? `${out.name} [${out.iteration}]` : out.name;
      let value: Node | string = out.value ?? '';
      const file = out.artifact?.file;
      if (out.artifact) {
        const b = h('button', { class: 'link', type: 'button', title: `${out.artifact.type}${out.artifact.metadata ? ` · ${out.artifact.metadata}` : ''}` }, out.artifact.uri);
        if (file && ctx.openFile) b.addEventListener('click', () => ctx.openFile!(file));
        value = b;
      }
      table.appendChild(h('tr', { class: 'output' }, h('td', {}, name), h('td', {}, value)));
    }
    body.appendChild(section(`Outputs (${o.outputs.length})`, table));
  }
  if (t.kind === 'container' && ctx.debugTask) actions.appendChild(button('Debug Component…', () => ctx.debugTask!(t.id)));
  if (t.kind !== 'sub-dag' && ctx.openLogs) {
    const last = o.attempts[o.attempts.length - 1];
    actions.insertBefore(button('Open Logs', () => ctx.openLogs!(t.id, last?.node), 'primary'), actions.firstChild);
    if (o.attempts.length > 1) {
      const ul = h('ul', { class: 'attempts' });
      for (const a of o.attempts) {
        const b = h('button', { class: `link state-${a.state}`, type: 'button', title: a.node }, a.label || a.node);
        b.addEventListener('click', () => ctx.openLogs!(t.id, a.node));
        ul.appendChild(h('li', {}, b));
      }
      body.appendChild(section(`Pods (${o.attempts.length}): logs`, ul));
    }
  }
  return body;
}

function otherDetails(ctx: DetailsContext, node: ViewNode): HTMLElement {
  const root = h('div', { class: 'details-body' });
  root.appendChild(h('h2', {}, node.label));
  const what = node.kind === 'artifact' ? 'Artifact' : node.kind === 'input' ? (ctx.parents.length ? 'Input of this DAG' : 'Pipeline input') : ctx.parents.length ? 'Output of this DAG' : 'Pipeline output';
  const pairs: [string, string | undefined][] = [['Kind', what], ['Type', node.detail]];
  if (node.kind === 'input') {
    const name = node.id.slice(2);
    const def = ctx.level.dag.inputs.find((i) => i.name === name);
    if (name !== node.label) pairs.push(['Name in the IR', name]);
    if (def?.defaultValue !== undefined) pairs.push(['Default', formatValue(def.defaultValue)]);
    if (def?.optional) pairs.push(['Optional', 'yes']);
    if (def?.description) pairs.push(['Description', def.description]);
  }
  if (node.kind === 'artifact' && node.task) pairs.push(['Produced by', node.task]);
  root.appendChild(section('Overview', rows(pairs)));
  root.appendChild(connections(ctx, node.id));
  return root;
}

function connections(ctx: DetailsContext, id: string): HTMLElement {
  const label = (nid: string): string => ctx.level.nodes.find((n) => n.id === nid)?.label ?? nid;
  const list = (edges: typeof ctx.level.edges, other: (e: (typeof edges)[number]) => string): HTMLElement => {
    const ul = h('ul', { class: 'links' });
    for (const e of edges) {
      const b = h('button', { class: `link ${e.kind}`, type: 'button', title: `${e.kind} edge` }, label(other(e)), h('span', { class: 'muted' }, ` · ${e.kind}${e.always ? ', runs anyway' : ''}${e.label && e.kind !== 'artifact' ? ` · ${e.label}` : ''}`));
      b.addEventListener('click', () => ctx.select(other(e)));
      ul.appendChild(h('li', {}, b));
    }
    return ul;
  };
  const inc = ctx.level.edges.filter((e) => e.to === id);
  const out = ctx.level.edges.filter((e) => e.from === id);
  const wrap = h('div');
  if (inc.length) wrap.appendChild(section(`Upstream (${inc.length})`, list(inc, (e) => e.from)));
  if (out.length) wrap.appendChild(section(`Downstream (${out.length})`, list(out, (e) => e.to)));
  return wrap;
}

function pipelineSummary(ctx: DetailsContext): HTMLElement {
  const m = ctx.model;
  const root = h('div', { class: 'details-body' });
  const parent = ctx.parents[ctx.parents.length - 1];
  root.appendChild(h('h2', {}, parent ? parent.name : m.displayName || m.name || ctx.source.label));
  const total = countTasks(m, m.root);
  const pairs: [string, string | undefined][] = parent
    ? [
        ['Kind', parent.role === 'loop' ? 'ParallelFor body' : parent.role === 'branches' ? 'if / elif / else' : parent.role],
        ['Condition', prettyCondition(parent, ctx.model)],
        ['Loop', describeLoop(parent, ctx.model)],
        ['Component', ctx.level.dag.id],
        ['Tasks here', String(ctx.level.dag.tasks.length)],
      ]
    : [
        ['Pipeline', m.name || '(no name)'],
        ['Description', m.description],
        ['Tasks', `${m.root.tasks.length} at the top level, ${total} in all`],
        ['Sub-DAGs', String(Object.keys(m.dags).length)],
        ['Schema', m.schemaVersion],
        ['SDK', m.sdkVersion],
        ['Pipeline root', m.defaultPipelineRoot],
        ['Platform spec', m.hasPlatformSpec ? 'yes (Kubernetes)' : undefined],
        ['Source', ctx.source.label],
      ];
  root.appendChild(section('Overview', rows(pairs)));
  if (ctx.run && !parent) {
    const counts = new Map<string, number>();
    for (const o of Object.values(ctx.run.tasks)) counts.set(o.state, (counts.get(o.state) ?? 0) + 1);
    root.appendChild(section('Run', rows([
      ['Run', ctx.run.name],
      ['State', h('span', { class: `pill state-${ctx.run.state}` }, ctx.run.apiState.toLowerCase())],
      ['Tasks', [...counts].map(([k, v]) => `${v} ${k}`).join(', ') || 'none started yet'],
      ['Run ID', ctx.run.runId],
    ]), ctx.run.error ? h('pre', { class: 'run-error' }, ctx.run.error) : undefined));
  }
  const inputs = ctx.level.dag.inputs;
  if (inputs.length && parent) {
    root.appendChild(section(`Inputs (${inputs.length})`, grid(['Name', 'Type'], inputs.map((i) => [friendlyInputName(i.name, parent, ctx.model), i.type]))));
  } else if (inputs.length && ctx.run) {
    const params = ctx.run.parameters;
    root.appendChild(section(`Pipeline inputs (${inputs.length})`, grid(['Name', 'Type', 'Default', 'This run'], inputs.map((i) => [i.name, i.type, i.defaultValue === undefined ? '' : formatValue(i.defaultValue), params[i.name] ?? '(default)']))));
  } else if (inputs.length) {
    root.appendChild(section(`Pipeline inputs (${inputs.length})`, grid(['Name', 'Type', 'Default'], inputs.map((i) => [i.name, i.type, i.defaultValue === undefined ? '' : formatValue(i.defaultValue)]))));
  }
  const outputs = ctx.level.dag.outputs;
  if (outputs.length) {
    root.appendChild(section(`Outputs (${outputs.length})`, grid(['Name', 'Type', 'From'], outputs.map((o) => [o.name, o.type, o.sources.map((s) => `${s.task}.${s.output}`).join(o.oneOf ? ' | ' : ', ')]))));
  }
  if (m.diagnostics.length) {
    const ul = h('ul', { class: 'problems' });
    for (const d of m.diagnostics) {
      const b = h('button', { class: `link problem ${d.severity}`, type: 'button' }, h('span', { class: 'sev' }, d.severity), ` line ${d.range.start.line + 1}: ${d.message}`);
      b.addEventListener('click', () => ctx.openLine(d.range.start.line, d.range.start.character));
      ul.appendChild(h('li', {}, b));
    }
    root.appendChild(section(`Problems (${m.diagnostics.length})`, ul));
  }
  root.appendChild(h('p', { class: 'hint' }, 'Select a node for its details. Arrow keys move, Enter opens a sub-DAG, Backspace goes up, / searches.'));
  return root;
}
