// The pipeline graph panel: toolbar (breadcrumbs, search, toggles, zoom), the canvas for the current level and the
// details pane. Keeps the level, selection and toggles across re-reads of the file and webview reloads.
import type { RunOverlay } from '../../core/kfp/overlay';
import { formatDuration, STATE_LABELS, taskKey, type TaskState } from '../../core/kfp/runState';
import { resolvePath } from '../../core/pipeline/describe';
import { buildLevel, taskNodeId, type LevelView } from '../../core/pipeline/layer';
import { type LevelLayout, levelLayoutKey, unpackLayout } from '../../core/pipeline/first-layout';
import { layoutGraph, type Layout } from '../../core/pipeline/layout';
import type { PipelineModel, PipelineSource, TaskModel } from '../../core/pipeline/model';
import { searchPipeline, type SearchHit } from '../../core/pipeline/search';
import { unpackModel } from '../../core/pipeline/wire';
import type { Channel } from '../shared/ipc';
import { GraphCanvas, type NodeState } from './canvas';
import { renderDetails } from './details';
import { clear, h } from '../shared/dom';
import type { FromGraph, GraphViewState, RunAction, ToGraph } from './protocol';

interface Current {
  model: PipelineModel;
  source: PipelineSource;
  version: number;
}

interface ValueElement extends HTMLElement {
  value: string;
}

interface CheckElement extends HTMLElement {
  checked: boolean;
}

export class GraphApp {
  private channel!: Channel<FromGraph, GraphViewState>;
  private current: Current | undefined;
  private state: GraphViewState = { path: [], artifacts: true, io: true, details: true };
  private level: LevelView | undefined;
  private parents: TaskModel[] = [];
  private layouts = new Map<string, Layout>();
  /** The layout the extension sent with the model (packed), unpacked when its level is drawn. */
  private given: LevelLayout | undefined;
  /** A layout message, kept for the model message of its version that follows it. */
  private arrived: { version: number; layout: LevelLayout } | undefined;
  private hits: SearchHit[] = [];
  private hitIndex = -1;
  private receivedAt = 0;
  private levelGeneration = 0;
  /** Set in a run view: the run's state over the graph. */
  private run: RunOverlay | undefined;
  private ticker: number | undefined;

  private readonly canvas: GraphCanvas;
  private readonly crumbs = h('nav', { class: 'crumbs', 'aria-label': 'Pipeline level' });
  private readonly search = h('vscode-text-field', { placeholder: 'Search tasks, components, images', 'aria-label': 'Search tasks', size: 28 }) as ValueElement;
  private readonly searchCount = h('span', { class: 'search-count', 'aria-live': 'polite' });
  private readonly results = h('ul', { class: 'search-results', role: 'listbox', 'aria-label': 'Search results', hidden: true });
  private readonly artifactsBox = h('vscode-checkbox', { checked: true }, 'Artifacts') as CheckElement;
  private readonly ioBox = h('vscode-checkbox', { checked: true }, 'Inputs/outputs') as CheckElement;
  private readonly banner = h('div', { class: 'banner', role: 'status', hidden: true });
  private readonly details = h('aside', { class: 'details', 'aria-label': 'Details', tabindex: -1 });
  private readonly main = h('main', { class: 'main' });
  private readonly empty = h('div', { class: 'empty', hidden: true });
  private readonly live = h('div', { class: 'sr-only', 'aria-live': 'polite' });
  private readonly runBar = h('div', { class: 'runbar', role: 'region', 'aria-label': 'Run', hidden: true });
  private readonly localNote = h('div', { class: 'banner local', role: 'status', hidden: true });
  private readonly submitButton = h('vscode-button', { appearance: 'primary', hidden: true, title: 'Submit a run of this pipeline to Kubeflow Pipelines', id: 'submit-run' }, 'Submit Run…');
  private readonly localButton = h('vscode-button', { appearance: 'secondary', hidden: true, title: 'Run this pipeline on this machine with kfp.local (no cluster)', id: 'run-locally' }, 'Run Locally…');
  private refreshButton: HTMLElement | undefined;

  constructor(private readonly root: HTMLElement) {
    this.canvas = new GraphCanvas({
      select: (id, reveal) => this.select(id, reveal),
      open: (id) => this.open(id),
      up: () => this.go(this.state.path.slice(0, -1)),
      focusSearch: () => this.search.focus(),
      moved: (t) => {
        this.state.view = t;
        this.save();
      },
    });
    this.build();
  }

  attach(channel: Channel<FromGraph, GraphViewState>): void {
    this.channel = channel;
    const saved = channel.state();
    if (saved) this.state = { ...this.state, ...saved };
    this.artifactsBox.checked = this.state.artifacts;
    this.ioBox.checked = this.state.io;
    this.main.classList.toggle('no-details', !this.state.details);
  }

  /** Messages are handled in the order they came; a model is unpacked asynchronously (DecompressionStream). */
  private inbox: Promise<void> = Promise.resolve();

  receive(msg: ToGraph): void {
    const receivedAt = performance.now();
    this.inbox = this.inbox
      .then(() => this.handle(msg, receivedAt))
      .catch((err: unknown) => this.showStatus('error', `The graph could not be shown: ${err instanceof Error ? err.message : String(err)}`));
  }

  private async handle(msg: ToGraph, receivedAt: number): Promise<void> {
    switch (msg.type) {
      case 'layout':
        this.arrived = msg;
        break;
      case 'model': {
        const given = this.arrived?.version === msg.version ? this.arrived.layout : undefined;
        this.arrived = undefined;
        const model = await unpackModel(msg);
        this.receivedAt = receivedAt;
        this.onModel({ model, source: msg.source, version: msg.version }, given);
        break;
      }
      case 'status':
        this.showStatus(msg.state, msg.message);
        break;
      case 'reveal':
        this.go(msg.path, taskNodeId(msg.task));
        break;
      case 'run':
        this.onRun(msg.run);
        break;
      case 'canSubmit':
        this.submitButton.hidden = !msg.value || Boolean(this.run);
        this.localButton.hidden = !msg.local || Boolean(this.run);
        break;
    }
  }

  private onRun(run: RunOverlay): void {
    this.run = run;
    this.submitButton.hidden = true;
    this.localButton.hidden = true;
    this.root.classList.add('run-view');
    if (this.refreshButton) this.refreshButton.title = 'Read the run again';
    this.renderRunBar();
    this.canvas.setStates(this.levelStates());
    this.renderDetails();
    if (this.ticker === undefined && run.live) this.ticker = window.setInterval(() => this.tick(), 1000);
    if (!run.live && this.ticker !== undefined) {
      window.clearInterval(this.ticker);
      this.ticker = undefined;
    }
    this.live.textContent = `Run ${STATE_LABELS[run.state]}`;
  }

  /** The run's task states for the nodes of the level in view. */
  private levelStates(): Map<string, NodeState> | undefined {
    const run = this.run;
    if (!run || !this.level) return undefined;
    const out = new Map<string, NodeState>();
    for (const t of this.level.dag.tasks) {
      const o = run.tasks[taskKey(this.state.path, t.id)];
      out.set(taskNodeId(t.id), o ? { state: o.state, label: o.label } : { state: 'notrun', label: run.live ? 'Not started yet' : 'Did not run' });
    }
    return out;
  }

  private renderRunBar(): void {
    const run = this.run;
    if (!run) return;
    clear(this.runBar);
    this.runBar.hidden = false;
    const pill = h('span', { class: `pill state-${run.state}`, id: 'run-state', title: run.apiState }, h('span', { class: 'glyph' }, RUN_GLYPHS[run.state] ?? '•'), STATE_LABELS[run.state]);
    const meta = [run.experiment ? `experiment ${run.experiment}` : '', run.pipeline ?? '', run.created ? `started ${new Date(run.created).toLocaleString()}` : ''].filter(Boolean).join(' · ');
    const duration = h('span', { class: 'duration', id: 'run-duration' }, this.durationText());
    const actions = h('span', { class: 'run-actions' });
    const act = (label: string, action: Exclude<RunAction, 'openLocal'>, title: string, primary = false) => {
      const b = h('vscode-button', { appearance: primary ? 'primary' : 'secondary', title }, label);
      b.addEventListener('click', () => this.channel.post({ type: 'runAction', action }));
      actions.appendChild(b);
    };
    if (run.kind === 'local') {
      if (run.canTerminate) act('Stop', 'terminate', 'Stop the local run and the processes of its tasks');
      if (run.canRetry) act('Re-run', 'retry', 'Run the pipeline file again locally with these parameters');
      act('Run Again…', 'clone', 'The local run form with these parameters');
    } else {
      if (run.canTerminate) act('Terminate', 'terminate', 'Stop the run (it goes Canceling, then Canceled)');
      if (run.canRetry) act('Retry', 'retry', 'Re-run the failed and canceled tasks of this run');
      act('Outputs', 'outputs', 'What the run produced: each task\'s parameters, artifacts and metrics (ML Metadata)');
      act('Clone…', 'clone', 'A new run of the same pipeline version with these parameters, in the form');
    }
    this.runBar.appendChild(h('div', { class: 'run-title' }, pill, h('strong', { class: 'run-name', title: run.runId }, run.name), duration, run.live ? h('span', { class: 'muted small', title: 'The view refreshes while the run is active' }, 'live') : undefined, h('span', { class: 'spacer' }), actions));
    if (meta) this.runBar.appendChild(h('div', { class: 'muted small' }, meta));
    if (run.error) this.runBar.appendChild(h('div', { class: 'run-error', role: 'alert' }, run.error));
    const params = Object.entries(run.parameters);
    if (params.length) {
      const d = h('details', { class: 'run-params' }, h('summary', {}, `Parameters (${params.length}): ${params.map(([k, v]) => `${k}=${v.length > 24 ? `${v.slice(0, 23)}…` : v}`).join(', ')}`));
      const dl = h('dl');
      for (const [k, v] of params) dl.append(h('dt', {}, k), h('dd', {}, h('code', {}, v)));
      d.appendChild(dl);
      this.runBar.appendChild(d);
    }
    clear(this.localNote);
    if (run.local && !run.local.same) {
      this.localNote.className = 'banner local warn';
      const b = h('vscode-button', { appearance: 'secondary' }, 'Open Local Graph');
      b.addEventListener('click', () => this.channel.post({ type: 'runAction', action: 'openLocal' }));
      this.localNote.append(h('span', { class: 'grow', title: run.local.changes.join('\n') }, `${run.local.file} differs from this run's pipeline: ${run.local.changes.slice(0, 3).join('; ')}${run.local.changes.length > 3 ? ` (+${run.local.changes.length - 3} more)` : ''}.`), b);
      this.localNote.hidden = false;
    } else if (run.local?.same) {
      this.localNote.className = 'banner local same';
      this.localNote.append(h('span', {}, `${run.local.file} is this run's pipeline.`));
      this.localNote.hidden = false;
    } else {
      this.localNote.hidden = true;
    }
  }

  private durationText(): string {
    const run = this.run;
    if (!run?.created) return '';
    const end = run.finished ?? (run.live ? Date.now() : run.readAt);
    return formatDuration(end - run.created);
  }

  private tick(): void {
    const el = this.runBar.querySelector('#run-duration');
    if (el) el.textContent = this.durationText();
  }

  private build(): void {
    const zoomOut = iconButton('−', 'Zoom out (-)', () => this.canvas.zoomBy(0.8));
    const zoomIn = iconButton('+', 'Zoom in (+)', () => this.canvas.zoomBy(1.25));
    const fit = iconButton('⤢', 'Fit to view (0)', () => this.canvas.fit());
    const refresh = iconButton('↻', 'Read the file again', () => this.channel.post({ type: 'refresh' }));
    this.refreshButton = refresh;
    this.submitButton.addEventListener('click', () => this.channel.post({ type: 'submitRun' }));
    this.localButton.addEventListener('click', () => this.channel.post({ type: 'runLocally' }));
    const detailsToggle = iconButton('▤', 'Show or hide the details pane', () => {
      this.state.details = !this.state.details;
      this.main.classList.toggle('no-details', !this.state.details);
      this.save();
    });
    const searchWrap = h('div', { class: 'search' }, this.search, this.searchCount, this.results);
    const toolbar = h('header', { class: 'toolbar' }, this.crumbs, searchWrap, this.artifactsBox, this.ioBox, h('span', { class: 'spacer' }), zoomOut, fit, zoomIn, detailsToggle, refresh, this.localButton, this.submitButton);
    this.main.append(this.canvas.element, this.empty, this.details);
    this.root.append(toolbar, this.runBar, this.localNote, this.banner, this.main, this.live);

    this.search.addEventListener('input', () => this.runSearch(this.search.value));
    this.search.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        this.nextHit(e.shiftKey ? -1 : 1);
        e.preventDefault();
      } else if (e.key === 'ArrowDown' && !this.results.hidden) {
        (this.results.querySelector('button') as HTMLButtonElement | null)?.focus();
        e.preventDefault();
      } else if (e.key === 'Escape') {
        this.search.value = '';
        this.runSearch('');
        this.canvas.element.focus();
      }
    });
    this.results.addEventListener('keydown', (e) => {
      const items = [...this.results.querySelectorAll('button')];
      const i = items.indexOf(document.activeElement as HTMLButtonElement);
      if (e.key === 'ArrowDown') items[Math.min(items.length - 1, i + 1)]?.focus();
      else if (e.key === 'ArrowUp') (i <= 0 ? this.search : items[i - 1]).focus();
      else if (e.key === 'Escape') this.search.focus();
      else return;
      e.preventDefault();
    });
    document.addEventListener('pointerdown', (e) => {
      if (!(e.target instanceof Node) || !searchWrap.contains(e.target)) this.results.hidden = true;
    });
    this.artifactsBox.addEventListener('change', () => this.setOption('artifacts', this.artifactsBox.checked));
    this.ioBox.addEventListener('change', () => this.setOption('io', this.ioBox.checked));
    document.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'f') {
        this.search.focus();
        e.preventDefault();
      }
    });
  }

  private setOption(key: 'artifacts' | 'io', value: boolean): void {
    if (this.state[key] === value) return;
    this.state[key] = value;
    this.save();
    const t = this.canvas.transform;
    this.showLevel(false);
    this.canvas.transform = t;
  }

  private save(): void {
    this.channel.setState(this.state);
  }

  private onModel(next: Current, given?: LevelLayout): void {
    const prev = this.current;
    // A reloaded page (hidden and shown, or a window reload) has no model yet: its saved state says which file it showed.
    const sameFile = (prev?.source.label ?? this.state.file) === next.source.label;
    this.current = next;
    this.layouts.clear();
    this.given = given;
    if (!sameFile) {
      this.state.path = [];
      this.state.selected = undefined;
      this.state.view = undefined;
    }
    this.state.file = next.source.label;
    this.banner.hidden = true;
    const keep = sameFile ? (prev ? this.canvas.transform : this.state.view) : undefined;
    this.showLevel(!keep, this.state.selected);
    if (keep && this.level) this.canvas.transform = keep;
    if (this.search.value) this.runSearch(this.search.value);
    this.showProblems();
  }

  private showProblems(): void {
    const m = this.current?.model;
    const errors = m?.diagnostics.filter((d) => d.severity === 'error').length ?? 0;
    if (!m || errors === 0) return;
    this.setBanner('error', `${errors} problem${errors === 1 ? '' : 's'} in this file: the graph shows what could be read. Details list them.`);
  }

  private showStatus(state: 'compiling' | 'error' | 'idle', message?: string): void {
    if (state === 'idle') {
      this.banner.hidden = true;
      this.showProblems();
      return;
    }
    this.setBanner(state, message ?? (state === 'compiling' ? 'Compiling…' : 'Failed.'));
  }

  private setBanner(kind: 'compiling' | 'error', text: string): void {
    clear(this.banner);
    this.banner.className = `banner ${kind}`;
    if (kind === 'compiling') this.banner.appendChild(h('vscode-progress-ring', { class: 'ring' }));
    this.banner.appendChild(h('span', {}, text));
    this.banner.hidden = false;
  }

  /** Opens a level by its path of task ids; selects `select` there. */
  private go(path: string[], select?: string): void {
    const from = this.state.path;
    this.state.path = path;
    const back = path.length < from.length && from.slice(0, path.length).every((p, i) => p === path[i]) ? taskNodeId(from[path.length]) : undefined;
    this.showLevel(true, select ?? back);
    this.canvas.element.focus();
  }

  private showLevel(fit: boolean, select?: string): void {
    const cur = this.current;
    if (!cur) return;
    const started = performance.now();
    const { dag, parents } = resolvePath(cur.model, this.state.path);
    this.state.path = parents.map((p) => p.id);
    this.parents = parents;
    const level = buildLevel(cur.model, dag, parents[parents.length - 1], { artifacts: this.state.artifacts, io: this.state.io });
    this.level = level;
    const key = levelLayoutKey(dag.id, this.state.artifacts, this.state.io);
    const given = this.given && levelLayoutKey(this.given.dag, this.given.artifacts, this.given.io) === key ? this.given : undefined;
    let layout = this.layouts.get(key);
    if (!layout && given) layout = unpackLayout(given.layout, level.nodes.length, level.edges);
    if (!layout || layout.nodes.length !== level.nodes.length) layout = layoutGraph(level.nodes, level.edges);
    this.layouts.set(key, layout);
    const laidOut = performance.now();
    if (this.run) this.canvas.setStates(this.levelStates());
    this.canvas.render(level, layout, fit);
    this.empty.hidden = level.nodes.length > 0;
    clear(this.empty);
    if (level.nodes.length === 0) this.empty.appendChild(h('p', {}, cur.model.diagnostics.length ? 'Nothing could be drawn: see the problems in the details pane.' : 'This DAG has no tasks.'));
    this.renderCrumbs();
    const sel = select && this.canvas.has(select) ? select : undefined;
    this.state.selected = sel;
    // The details pane is not needed for the first paint of the graph: fill it right after.
    const gen = ++this.levelGeneration;
    requestAnimationFrame(() => setTimeout(() => {
      if (gen === this.levelGeneration) this.renderDetails();
    }, 0));
    if (sel) this.canvas.select(sel, true);
    this.applyMatches();
    this.save();
    const rendered = performance.now();
    const receivedAt = this.receivedAt;
    this.receivedAt = 0;
    requestAnimationFrame(() =>
      setTimeout(() => {
        const now = performance.now();
        this.channel.post({
          type: 'rendered',
          level: dag.id,
          nodes: level.nodes.length,
          edges: level.edges.length,
          layoutMs: round(laidOut - started),
          renderMs: round(rendered - laidOut),
          sinceMessageMs: receivedAt ? round(now - receivedAt) : round(now - started),
          sinceStartMs: round(now),
        });
      }, 0),
    );
  }

  private renderCrumbs(): void {
    clear(this.crumbs);
    const cur = this.current;
    if (!cur) return;
    const names = [cur.model.displayName || cur.model.name || cur.source.label, ...this.parents.map((p) => p.name)];
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      const b = h('button', { class: 'crumb', type: 'button', 'aria-current': last ? 'location' : undefined, title: name }, name);
      if (!last) b.addEventListener('click', () => this.go(this.state.path.slice(0, i)));
      this.crumbs.appendChild(b);
      if (!last) this.crumbs.appendChild(h('span', { class: 'sep', 'aria-hidden': 'true' }, '›'));
    });
    const tasks = this.level?.dag.tasks.length ?? 0;
    this.crumbs.appendChild(h('span', { class: 'level-size', title: `${this.level?.nodes.length.toLocaleString('en-US') ?? 0} nodes drawn in this level` }, `${tasks.toLocaleString('en-US')} ${tasks === 1 ? 'task' : 'tasks'}`));
  }

  private select(id: string | undefined, reveal = true): void {
    this.state.selected = id;
    this.canvas.select(id, reveal);
    this.renderDetails();
    this.save();
    const node = id ? this.level?.nodes.find((n) => n.id === id) : undefined;
    this.live.textContent = node ? `${node.label}, ${node.kind === 'task' ? node.style.replace('sub-dag ', 'sub-DAG, ') : node.kind}${node.detail ? `, ${node.detail}` : ''}` : '';
  }

  private open(id: string): void {
    const task = id.startsWith('t:') ? this.level?.dag.tasks.find((t) => taskNodeId(t.id) === id) : undefined;
    if (!task) return;
    if (task.subDag && this.current?.model.dags[task.subDag]) this.go([...this.state.path, task.id]);
    else this.channel.post({ type: 'openTask', path: this.state.path, task: task.id });
  }

  private renderDetails(): void {
    const cur = this.current;
    if (!cur || !this.level) return;
    // A run view re-renders on every refresh: keep the reader's place.
    const scroll = this.details.scrollTop;
    const open = [...this.details.querySelectorAll('details[open] > summary')].map((x) => x.textContent ?? '');
    requestAnimationFrame(() => (this.details.scrollTop = scroll));
    clear(this.details);
    this.details.appendChild(
      renderDetails(
        {
          model: cur.model,
          source: cur.source,
          level: this.level,
          parents: this.parents,
          select: (nid) => this.select(nid),
          drill: (task) => this.go([...this.state.path, task]),
          openTask: (task) => this.channel.post({ type: 'openTask', path: this.state.path, task }),
          openLine: (line, character) => this.channel.post({ type: 'openLine', line, character }),
          ...(this.run ? { run: this.run, path: this.state.path, openLogs: (task: string, node?: string) => this.channel.post({ type: 'openLogs', path: this.state.path, task, ...(node ? { node } : {}) }) } : {}),
          ...(this.run?.kind === 'local'
            ? {
                openFile: (file: string, line?: number) => this.channel.post({ type: 'openFile', file, ...(line ? { line } : {}) }),
                debugTask: (task: string) => this.channel.post({ type: 'debugTask', path: this.state.path, task }),
              }
            : {}),
        },
        this.state.selected,
      ),
    );
    for (const d of this.details.querySelectorAll('details')) if (open.includes(d.querySelector(':scope > summary')?.textContent ?? '\u0000')) d.open = true;
  }

  private runSearch(query: string): void {
    const cur = this.current;
    this.hits = cur ? searchPipeline(cur.model, query) : [];
    this.hitIndex = -1;
    clear(this.results);
    this.searchCount.textContent = query.trim() ? `${this.hits.length}${this.hits.length === 200 ? '+' : ''} found` : '';
    for (const [i, hit] of this.hits.slice(0, 50).entries()) {
      const where = hit.path.length ? ` in ${hit.path.join(' › ')}` : '';
      const b = h('button', { type: 'button', role: 'option' }, hit.name, h('span', { class: 'muted' }, `${where}${hit.field !== 'name' ? ` (${hit.field})` : ''}`));
      b.addEventListener('click', () => this.showHit(i));
      b.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') {
          this.showHit(i);
          e.preventDefault();
        }
      });
      this.results.appendChild(h('li', {}, b));
    }
    this.results.hidden = this.hits.length === 0 || !query.trim();
    this.applyMatches();
  }

  private applyMatches(): void {
    if (!this.search.value?.trim()) {
      this.canvas.setMatches(undefined);
      return;
    }
    const here = this.state.path.join('/');
    this.canvas.setMatches(new Set(this.hits.filter((hit) => hit.path.join('/') === here).map((hit) => taskNodeId(hit.task))));
  }

  private nextHit(step: number): void {
    if (!this.hits.length) return;
    this.hitIndex = (this.hitIndex + step + this.hits.length) % this.hits.length;
    this.showHit(this.hitIndex);
    this.search.focus();
  }

  private showHit(i: number): void {
    const hit = this.hits[i];
    if (!hit) return;
    this.hitIndex = i;
    this.results.hidden = true;
    const id = taskNodeId(hit.task);
    if (hit.path.join('/') !== this.state.path.join('/')) {
      this.state.path = hit.path;
      this.showLevel(true, id);
    } else {
      this.select(id);
    }
    this.searchCount.textContent = `${i + 1} of ${this.hits.length}`;
  }
}

const RUN_GLYPHS: Partial<Record<TaskState, string>> = { running: '↻', pending: '…', succeeded: '✓', failed: '✕', canceled: '■', canceling: '■', skipped: '⤼' };

function iconButton(glyph: string, label: string, onClick: () => void): HTMLElement {
  const b = h('vscode-button', { appearance: 'icon', 'aria-label': label, title: label }, h('span', { class: 'glyph' }, glyph));
  b.addEventListener('click', onClick);
  return b;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
