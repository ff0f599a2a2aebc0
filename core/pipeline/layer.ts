// One level of a pipeline as the view draws it: the tasks of one DAG, optionally their artifacts and the DAG's
// inputs and outputs as nodes, and the edges between them. Sizes are fixed per node kind so thousands of nodes
// need no text measuring.
import { channelName, countTasks, describeLoop, friendlyInputName, prettyCondition, shortImage } from './describe';
import type { DagModel, Link, PipelineModel, TaskModel } from './model';

export type ViewNodeKind = 'task' | 'artifact' | 'input' | 'output';

export interface ViewNode {
  id: string;
  kind: ViewNodeKind;
  label: string;
  /** Second line: image, loop summary, condition, artifact type. */
  detail?: string;
  /** Short flags shown on the node: `no cache`, `retry 3`, `always runs`, `12 tasks`. */
  badges: string[];
  width: number;
  height: number;
  /** The task id, for task nodes and for the artifacts a task produces. */
  task?: string;
  /** Style class: task kind / sub-DAG role / io kind. */
  style: string;
}

export type ViewEdgeKind = 'data' | 'control' | 'artifact' | 'io';

export interface ViewEdge {
  from: string;
  to: string;
  kind: ViewEdgeKind;
  /** The names carried, e.g. `Output → text`. */
  label: string;
  always?: boolean;
}

export interface LevelView {
  dag: DagModel;
  nodes: ViewNode[];
  edges: ViewEdge[];
}

export interface LevelOptions {
  /** Draw task output artifacts as nodes between producer and consumers (default true). */
  artifacts?: boolean;
  /** Draw the DAG's inputs and outputs (default true). */
  io?: boolean;
}

export const NODE_SIZE = {
  task: { width: 220, height: 54 },
  artifact: { width: 180, height: 34 },
  input: { width: 180, height: 30 },
  output: { width: 180, height: 30 },
} as const;

/**
 * The most tasks one level may have to be drawn: above the largest real pipelines seen (111,782 tasks, 50 MB). A
 * level that big is drawn only where the view is (the canvas's VIRTUAL_ABOVE_NODES); beyond this, its layout alone
 * would not fit the webview's memory.
 */
export const MAX_LEVEL_TASKS = 200_000;

/** Why the graph view will not draw this pipeline (a DAG level beyond MAX_LEVEL_TASKS), or undefined. */
export function oversizedLevel(model: PipelineModel): string | undefined {
  for (const dag of [model.root, ...Object.values(model.dags)]) {
    if (dag.tasks.length > MAX_LEVEL_TASKS) {
      const where = dag.id === 'root' ? 'The top level of the pipeline' : `The DAG \`${dag.id}\``;
      return `${where} has ${dag.tasks.length.toLocaleString('en-US')} tasks; the graph view draws at most ${MAX_LEVEL_TASKS.toLocaleString('en-US')} per level. Export the graph instead (Kubeflow: Export Pipeline Graph, or \`kubeflow-companion graph FILE --format dot\`).`;
    }
  }
  return undefined;
}

export const taskNodeId = (task: string): string => `t:${task}`;
export const artifactNodeId = (task: string, key: string): string => `a:${task}:${key}`;

export function buildLevel(model: PipelineModel, dag: DagModel, parent: TaskModel | undefined, options: LevelOptions = {}): LevelView {
  const showArtifacts = options.artifacts ?? true;
  const showIo = options.io ?? true;
  const nodes: ViewNode[] = [];
  const edges: ViewEdge[] = [];
  const memo = new Map<string, number>();
  // The second line of a container task, per executor: one image name to shorten per component, not per task.
  const details = new Map<string | undefined, string | undefined>();

  // Each node id made once, edges reuse the same string: the layout's lookups by id then hash each string once.
  const taskIds = new Map<string, string>();
  for (const t of dag.tasks) {
    const node = taskNode(model, t, memo, details);
    nodes.push(node);
    taskIds.set(t.id, node.id);
  }

  /** The artifact nodes' ids by task and output. */
  const artifactIds = new Map<string, Map<string, string>>();
  const artifactOf = (task: string, output: string): string | undefined => artifactIds.get(task)?.get(output);
  if (showArtifacts) {
    for (const t of dag.tasks) {
      for (const out of t.outputs) {
        if (out.kind !== 'artifact') continue;
        const id = artifactNodeId(t.id, out.name);
        let ids = artifactIds.get(t.id);
        if (!ids) artifactIds.set(t.id, (ids = new Map()));
        ids.set(out.name, id);
        nodes.push({
          id,
          kind: 'artifact',
          label: out.name,
          detail: out.type.replace(/^system\./, '') + (out.isList ? ' list' : ''),
          badges: [],
          ...NODE_SIZE.artifact,
          task: t.id,
          style: `artifact ${artifactStyle(out.type)}`,
        });
        edges.push({ from: taskIds.get(t.id) as string, to: id, kind: 'artifact', label: out.name });
      }
    }
  }

  // Edges that could repeat a pair of nodes and kind are merged where they are made (mergeInto): only edges of one
  // producer/consumer pair, of one consumer's inputs or of one DAG output can, since node ids differ by prefix.
  const known = new Set(dag.tasks.map((t) => t.id));
  for (const e of dag.edges) {
    if (!known.has(e.from) || !known.has(e.to)) continue;
    const to = taskIds.get(e.to) as string;
    const viaArtifacts = showArtifacts && e.artifacts.length ? e.artifacts.filter((a) => artifactOf(e.from, a.output) !== undefined) : NONE;
    const direct = viaArtifacts.length === 0 ? (e.artifacts.length ? [...e.parameters, ...e.artifacts] : e.parameters) : [...e.parameters, ...e.artifacts.filter((a) => !viaArtifacts.includes(a))];
    if (viaArtifacts.length === 1) edges.push(withAlways({ from: artifactOf(e.from, viaArtifacts[0].output) as string, to, kind: 'data', label: linkLabel(viaArtifacts[0]) }, e.always));
    else if (viaArtifacts.length > 1) {
      const group = new Map<string, ViewEdge>();
      for (const a of viaArtifacts) mergeInto(group, edges, withAlways({ from: artifactOf(e.from, a.output) as string, to, kind: 'data', label: linkLabel(a) }, e.always));
    }
    if (direct.length > 0 || viaArtifacts.length === 0) {
      const label = direct.length === 1 ? linkLabel(direct[0]) : direct.length ? direct.map(linkLabel).join(', ') : e.finalStatus ? 'final status' : 'after';
      edges.push(withAlways({ from: taskIds.get(e.from) as string, to, kind: direct.length ? 'data' : 'control', label }, e.always));
    }
  }

  if (showIo) {
    const used = new Set<string>();
    const names = new Map<string, string>();
    const inputIds = new Map<string, string>();
    const inputId = (input: string): string => {
      let id = inputIds.get(input);
      if (id === undefined) inputIds.set(input, (id = `i:${input}`));
      return id;
    };
    const friendly = (input: string): string => {
      let n = names.get(input);
      if (n === undefined) names.set(input, (n = friendlyInputName(input, parent, model)));
      return n;
    };
    for (const t of dag.tasks) {
      let group: Map<string, ViewEdge> | undefined;
      for (const i of t.inputs) {
        if (i.source.from !== 'input') continue;
        used.add(i.source.input);
        mergeInto((group ??= new Map()), edges, { from: inputId(i.source.input), to: taskIds.get(t.id) as string, kind: 'io', label: linkLabel({ output: friendly(i.source.input), input: i.name }) });
      }
    }
    for (const input of dag.inputs) {
      if (!used.has(input.name)) continue;
      nodes.push({
        id: inputId(input.name),
        kind: 'input',
        label: friendly(input.name),
        detail: input.type,
        badges: [],
        ...NODE_SIZE.input,
        style: `input ${input.kind}`,
      });
    }
    for (const out of dag.outputs) {
      const id = `o:${out.name}`;
      nodes.push({ id, kind: 'output', label: channelName(out.name, model), detail: out.type + (out.oneOf ? ' · one of' : ''), badges: [], ...NODE_SIZE.output, style: `output ${out.kind}` });
      const group = new Map<string, ViewEdge>();
      for (const s of out.sources) {
        if (!known.has(s.task)) continue;
        const from = (out.kind === 'artifact' ? artifactOf(s.task, s.output) : undefined) ?? (taskIds.get(s.task) as string);
        mergeInto(group, edges, { from, to: id, kind: 'io', label: `${s.task}.${s.output}` });
      }
    }
  }
  return { dag, nodes, edges };
}

const NONE: never[] = [];

function withAlways(e: ViewEdge, always: boolean | undefined): ViewEdge {
  if (always) e.always = true;
  return e;
}

/** One edge per pair of nodes and kind: a task wired twice from one input (a loop's item and its parameter) gets one
 * edge (and one "Upstream" row) whose label names what it carries once. `group` holds the edges that could repeat. */
function mergeInto(group: Map<string, ViewEdge>, edges: ViewEdge[], e: ViewEdge): void {
  const key = `${e.from}\u0000${e.to}\u0000${e.kind}`;
  const seen = group.get(key);
  if (!seen) {
    group.set(key, e);
    edges.push(e);
    return;
  }
  const labels = new Set([...seen.label.split(', '), ...e.label.split(', ')].filter(Boolean));
  seen.label = [...labels].join(', ');
  if (e.always) seen.always = true;
}

function taskNode(model: PipelineModel, t: TaskModel, memo: Map<string, number>, details: Map<string | undefined, string | undefined>): ViewNode {
  const badges: string[] = [];
  let detail: string | undefined;
  let style: string = t.kind;
  const sub = t.subDag ? model.dags[t.subDag] : undefined;
  if (t.kind === 'sub-dag') {
    style = `sub-dag ${t.role ?? 'pipeline'}`;
    switch (t.role) {
      case 'loop':
        detail = describeLoop(t, model);
        break;
      case 'condition':
        detail = prettyCondition(t, model) ? `if ${prettyCondition(t, model)}` : 'condition';
        break;
      case 'branches':
        detail = `if / elif / else · ${sub?.tasks.length ?? 0} branches`;
        break;
      case 'exit-handler':
        detail = 'exit handler: guarded tasks';
        break;
      default:
        detail = 'pipeline';
    }
    if (sub) {
      const n = countTasks(model, sub, memo);
      badges.push(`${n} task${n === 1 ? '' : 's'}`);
    }
  } else {
    const ex = t.executor ? model.executors[t.executor] : undefined;
    if (t.kind === 'importer') detail = `importer${ex?.importer?.typeSchema ? ` · ${ex.importer.typeSchema.replace(/^system\./, '')}` : ''}`;
    else if (details.has(t.executor) && t.kind === 'container') detail = details.get(t.executor);
    else {
      detail = shortImage(ex?.container?.image) ?? t.kind;
      if (t.kind === 'container') details.set(t.executor, detail);
    }
    if (t.condition !== undefined) detail = `if ${prettyCondition(t, model)}`;
  }
  if (t.strategy === 'ALL_UPSTREAM_TASKS_COMPLETED') badges.push('always runs');
  if (t.retry) badges.push(`retry ${t.retry.maxRetryCount ?? ''}`.trim());
  if (t.caching === false && t.kind !== 'sub-dag') badges.push('no cache');
  return { id: taskNodeId(t.id), kind: 'task', label: t.name, detail, badges, ...NODE_SIZE.task, task: t.id, style };
}

/** `Output → text`; just `Output` when the consumer is a sub-DAG that passes it on under a compiler-made name. */
function linkLabel(l: Link): string {
  return l.input.startsWith('pipelinechannel--') ? l.output : `${l.output} → ${l.input}`;
}

function artifactStyle(type: string): string {
  if (/Metrics|HTML|Markdown/.test(type)) return 'metrics';
  if (/Model/.test(type)) return 'model';
  if (/Dataset/.test(type)) return 'dataset';
  return 'generic';
}
