// Text exports of the graph model: JSON (the model the webview draws, one entry per DAG), Mermaid and Graphviz DOT.
import { describeLoop, prettyCondition } from './describe';
import type { DagModel, EdgeModel, PipelineDiagnostic, PipelineModel, TaskModel } from './model';

export type ExportFormat = 'json' | 'mermaid' | 'dot';

export interface ExportedTask {
  /** The task key; edges refer to tasks by it. */
  name: string;
  /** `taskInfo.name` when it differs from the key. */
  displayName?: string;
  kind: TaskModel['kind'];
  component: string;
  role?: TaskModel['role'];
  /** The DAG component this task opens (sub-DAG tasks). */
  dag?: string;
  condition?: string;
  iterator?: { over: string; parallelism?: number };
  strategy?: string;
  retry?: TaskModel['retry'];
  caching?: boolean;
}

export interface ExportedEdge {
  from: string;
  to: string;
  kind: EdgeModel['kind'];
  parameters?: EdgeModel['parameters'];
  artifacts?: EdgeModel['artifacts'];
  finalStatus?: boolean;
  always?: boolean;
}

export interface ExportedDag {
  /** `root` or the component name. */
  name: string;
  inputs: { name: string; kind: string; type: string }[];
  outputs: { name: string; kind: string; type: string; from: { task: string; output: string }[] }[];
  tasks: ExportedTask[];
  edges: ExportedEdge[];
}

export interface ExportedPipeline {
  pipeline: string;
  schemaVersion?: string;
  sdkVersion?: string;
  dags: ExportedDag[];
  diagnostics: PipelineDiagnostic[];
}

export function exportPipeline(model: PipelineModel, format: ExportFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(toJson(model), null, 2) + '\n';
    case 'mermaid':
      return toMermaid(model);
    case 'dot':
      return toDot(model);
  }
}

/** Root first, then sub-DAG components in file order. */
function allDags(model: PipelineModel): DagModel[] {
  return [model.root, ...Object.values(model.dags)];
}

export function toJson(model: PipelineModel): ExportedPipeline {
  return {
    pipeline: model.name,
    schemaVersion: model.schemaVersion,
    sdkVersion: model.sdkVersion,
    dags: allDags(model).map((d) => ({
      name: d.id,
      inputs: d.inputs.map((i) => ({ name: i.name, kind: i.kind, type: i.type })),
      outputs: d.outputs.map((o) => ({ name: o.name, kind: o.kind, type: o.type, from: o.sources })),
      tasks: d.tasks.map((t) => exportTask(t, model)),
      edges: d.edges.map((e) => ({
        from: e.from,
        to: e.to,
        kind: e.kind,
        ...(e.parameters.length ? { parameters: e.parameters } : {}),
        ...(e.artifacts.length ? { artifacts: e.artifacts } : {}),
        ...(e.finalStatus ? { finalStatus: true } : {}),
        ...(e.always ? { always: true } : {}),
      })),
    })),
    diagnostics: model.diagnostics,
  };
}

function exportTask(t: TaskModel, model: PipelineModel): ExportedTask {
  const out: ExportedTask = { name: t.id, kind: t.kind, component: t.component };
  if (t.name !== t.id) out.displayName = t.name;
  if (t.role) out.role = t.role;
  if (t.subDag) out.dag = t.subDag;
  if (t.condition !== undefined) out.condition = prettyCondition(t, model);
  if (t.iterator) out.iterator = { over: describeLoop(t, model)?.replace(/^for each of /, '').replace(/ · .*$/, '') ?? '', ...(t.iterator.parallelism ? { parallelism: t.iterator.parallelism } : {}) };
  if (t.strategy) out.strategy = t.strategy;
  if (t.retry) out.retry = t.retry;
  if (t.caching !== undefined) out.caching = t.caching;
  return out;
}

function edgeLabel(e: EdgeModel): string {
  const links = [...e.parameters, ...e.artifacts].map((l) => (l.input.startsWith('pipelinechannel--') ? l.output : `${l.output} → ${l.input}`));
  if (e.finalStatus) links.push('final status');
  return links.join(', ');
}

function taskLabel(t: TaskModel, model: PipelineModel): string {
  const extra = t.role === 'loop' ? describeLoop(t, model) : t.condition !== undefined ? `if ${prettyCondition(t, model)}` : t.role === 'exit-handler' ? 'exit handler' : undefined;
  return extra ? `${t.name}\n${extra}` : t.name;
}

// ---- Node ids

/**
 * Readable ids that stay distinct: a slug of the name (letters, digits, `_`), with a counter when another name
 * already has that slug (`write-to-gcs` and `write_to_gcs` are two nodes). Injective by construction.
 */
class Ids {
  private readonly byKey = new Map<string, string>();
  private readonly used = new Set<string>();

  constructor(private readonly prefix: string) {}

  /** The id of a thing of `kind` named by `parts` (always the same id for the same kind and parts). */
  of(kind: string, ...parts: string[]): string {
    const key = JSON.stringify([kind, ...parts]);
    let id = this.byKey.get(key);
    if (id) return id;
    const slug = `${this.prefix}${parts.join('__')}`.replace(/[^A-Za-z0-9_]/g, '_');
    id = slug;
    for (let n = 2; this.used.has(id); n++) id = `${slug}_${n}`;
    this.used.add(id);
    this.byKey.set(key, id);
    return id;
  }
}

// ---- Mermaid

/**
 * A quoted Mermaid label. Everything that Mermaid or the browser could read as markup is written as an entity code
 * (`#60;` for `<`, …), so labels stay text at Mermaid's default (strict) security level; our own line breaks are the
 * only HTML.
 */
function mermaidText(s: string): string {
  const escaped = s.replace(/[#"<>&`|]/g, (c) => `#${c.charCodeAt(0)};`).replace(/\r?\n/g, '<br/>');
  return `"${escaped}"`;
}

export function toMermaid(model: PipelineModel): string {
  const lines = ['flowchart TB'];
  const opens: string[] = [];
  const ids = new Ids('');
  const mermaidId = (dag: string, task?: string) => (task === undefined ? ids.of('dag', 'dag', dag) : ids.of('task', dag, task));
  for (const d of allDags(model)) {
    const title = d.id === 'root' ? model.name || 'pipeline' : d.id;
    lines.push(`  subgraph ${mermaidId(d.id)}[${mermaidText(title)}]`);
    lines.push('    direction TB');
    for (const t of d.tasks) {
      const id = mermaidId(d.id, t.id);
      const label = mermaidText(taskLabel(t, model));
      lines.push(`    ${id}${t.kind === 'sub-dag' ? `[[${label}]]` : t.kind === 'importer' ? `[/${label}/]` : `[${label}]`}`);
      if (t.subDag) opens.push(`  ${id} -.-o ${mermaidId(t.subDag)}`);
    }
    for (const e of d.edges) {
      const from = mermaidId(d.id, e.from);
      const to = mermaidId(d.id, e.to);
      const label = edgeLabel(e);
      const arrow = e.kind === 'data' ? '-->' : '-.->';
      lines.push(`    ${from} ${arrow}${label ? `|${mermaidText(label)}|` : ''} ${to}`);
    }
    lines.push('  end');
  }
  lines.push(...opens);
  return lines.join('\n') + '\n';
}

// ---- Graphviz DOT

function dotText(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export function toDot(model: PipelineModel): string {
  const lines = [`digraph ${dotText(model.name || 'pipeline')} {`, '  rankdir=TB;', '  node [shape=box, style="rounded", fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];', '  compound=true;'];
  const opens: string[] = [];
  // Quoted node ids, injective: the DAG and task names as a JSON pair (names may hold `/`).
  const node = (dag: string, task: string) => dotText(JSON.stringify([dag, task]));
  const anchor = (dag: string) => dotText(JSON.stringify(['cluster-anchor', dag]));
  const clusters = new Ids('cluster_');
  for (const d of allDags(model)) {
    const cluster = clusters.of('dag', d.id);
    lines.push(`  subgraph ${cluster} {`, `    label=${dotText(d.id === 'root' ? model.name || 'pipeline' : d.id)};`);
    for (const t of d.tasks) {
      const attrs = [`label=${dotText(taskLabel(t, model))}`];
      if (t.kind === 'sub-dag') attrs.push('style="rounded,dashed"');
      if (t.kind === 'importer') attrs.push('shape=parallelogram');
      lines.push(`    ${node(d.id, t.id)} [${attrs.join(', ')}];`);
      if (t.subDag) opens.push(`  ${node(d.id, t.id)} -> ${anchor(t.subDag)} [style=dotted, arrowhead=odot, lhead=${clusters.of('dag', t.subDag)}];`);
    }
    // An invisible anchor so edges can point at the cluster.
    lines.push(`    ${anchor(d.id)} [shape=point, style=invis, width=0, label=""];`);
    for (const e of d.edges) {
      const attrs: string[] = [];
      const label = edgeLabel(e);
      if (label) attrs.push(`label=${dotText(label)}`);
      if (e.kind === 'control') attrs.push('style=dashed');
      if (e.always) attrs.push('color="darkorange"');
      lines.push(`    ${node(d.id, e.from)} -> ${node(d.id, e.to)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
    }
    lines.push('  }');
  }
  lines.push(...opens, '}');
  return lines.join('\n') + '\n';
}
