// A run's task states on the pipeline graph. The API's `run_details.task_details` lists the orchestrator's nodes (one
// per Argo node: drivers, executors, DAGs, loop iterations, retry attempts, the pods), linked by `child_tasks`. This
// walks that tree against the pipeline's DAGs: a node whose display name is a task key of the DAG being walked is
// that task; a sub-DAG task's node opens its DAG (conditions, loops, exit handlers, nested pipelines); everything
// else is plumbing walked through. Loop iterations of one task are folded into one state with counts, as the graph
// draws the loop body once. Browser-safe.
import type { DagModel, PipelineModel, TaskModel } from '../pipeline/model';
import { apiTime, type PipelineTaskDetail, type RuntimeState } from './types';

export type TaskState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cached' | 'canceling' | 'canceled' | 'unknown';

export interface TaskAttempt {
  /** Node id (= pod name for pod nodes): what the logs are read by. */
  node: string;
  state: TaskState;
  started?: number;
  finished?: number;
}

/** One execution of a task: the task itself, or one loop iteration of it. */
export interface TaskInstance {
  node: string;
  state: TaskState;
  started?: number;
  finished?: number;
  iteration?: number;
  /** The pod nodes that ran the step, oldest first (several when it was retried). */
  attempts: TaskAttempt[];
  error?: string;
}

export interface TaskRun {
  /** Task ids of the DAGs that lead to the task's DAG (as in the graph's drill-down path). */
  path: string[];
  task: string;
  state: TaskState;
  instances: TaskInstance[];
  /** How many instances are in each state (loop iterations). */
  counts: Partial<Record<TaskState, number>>;
  started?: number;
  finished?: number;
  error?: string;
}

export interface RunTasks {
  /** By `taskKey(path, task)`. */
  tasks: Record<string, TaskRun>;
  /** Nodes the walk could not place (for the log; plumbing nodes are not counted). */
  unplaced: string[];
}

export function taskKey(path: readonly string[], task: string): string {
  return [...path, task].join('/');
}

export function toTaskState(s: RuntimeState | undefined): TaskState {
  switch (s) {
    case 'PENDING':
    case 'PAUSED':
      return 'pending';
    case 'RUNNING':
      return 'running';
    case 'SUCCEEDED':
      return 'succeeded';
    case 'SKIPPED':
      return 'skipped';
    case 'FAILED':
      return 'failed';
    case 'CANCELING':
      return 'canceling';
    case 'CANCELED':
      return 'canceled';
    default:
      return 'unknown';
  }
}

export const STATE_LABELS: Record<TaskState, string> = {
  pending: 'Pending',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  skipped: 'Skipped',
  cached: 'Cached',
  canceling: 'Canceling',
  canceled: 'Canceled',
  unknown: 'Unknown',
};

/** The state of several executions (loop iterations) as one: anything live wins, then failures. */
export function foldStates(states: TaskState[]): TaskState {
  if (states.length === 0) return 'unknown';
  const has = (s: TaskState) => states.includes(s);
  if (has('running')) return 'running';
  if (has('canceling')) return 'canceling';
  if (has('failed')) return 'failed';
  if (has('pending')) return 'pending';
  if (has('canceled')) return 'canceled';
  if (states.every((s) => s === 'skipped')) return 'skipped';
  if (states.every((s) => s === 'cached')) return 'cached';
  if (states.every((s) => s === 'cached' || s === 'skipped' || s === 'succeeded')) return 'succeeded';
  return 'unknown';
}

const ITERATION = /\((\d+)(?::[^)]*)?\)$/;
const ATTEMPT = /\((\d+)\)$/;

interface Ctx {
  dag: DagModel;
  path: string[];
  /** The loop iteration the walk is in, for the tasks of a loop body. */
  iteration?: number;
  /** The loop task that opened this DAG (a ParallelFor body). */
  loop?: string;
}

/**
 * Argo links a DAG's nodes as a graph: a task's node (or its pod) has the tasks that depend on it as children, and
 * a DAG node has its first tasks. So the walk follows every child; a task found in an outer DAG (the sibling after
 * a sub-DAG, an exit handler's hook) is placed there, with that DAG's iteration.
 */
export function mapTaskDetails(model: PipelineModel, details: readonly PipelineTaskDetail[]): RunTasks {
  const byId = new Map<string, PipelineTaskDetail>();
  const nodeIds = argoNodeIds(details, dependentsOf(model));
  for (const d of details) {
    const id = d.pod_name || nodeIds.get(d) || d.task_id;
    if (id) byId.set(id, d);
  }
  const children = new Map<string, string[]>();
  const isChild = new Set<string>();
  const link = (parent: string, child: string) => {
    if (!byId.has(child) || parent === child) return;
    const list = children.get(parent) ?? [];
    if (!list.includes(child)) list.push(child);
    children.set(parent, list);
    isChild.add(child);
  };
  for (const [id, d] of byId) {
    for (const c of d.child_tasks ?? []) {
      const cid = c.pod_name || c.task_id;
      if (cid) link(id, cid);
    }
    if (d.parent_task_id) link(d.parent_task_id, id);
  }
  const tasks: Record<string, TaskRun> = {};
  const drivers = new Map<string, TaskState>();
  const dagKeys = new Set<string>();
  const seen = new Set<string>();
  const placed = new Set<string>();
  const name = (id: string): string => byId.get(id)?.display_name ?? '';

  const find = (stack: Ctx[], n: string): { at: number; task: TaskModel } | undefined => {
    if (!n) return undefined;
    for (let i = stack.length - 1; i >= 0; i--) {
      const dag = stack[i]!.dag;
      const task = dag.tasks.find((t) => t.id === n) ?? dag.tasks.find((t) => t.name === n);
      if (task) return { at: i, task };
    }
    return undefined;
  };
  const driverOf = (stack: Ctx[], n: string) => {
    const m = /^(.*)-driver$/.exec(n);
    return m ? find(stack, m[1]!) : undefined;
  };
  const isBoundary = (stack: Ctx[], n: string): boolean => find(stack, n) !== undefined || driverOf(stack, n) !== undefined;

  /** The pod nodes of a container task: the ends of its own part of the graph, oldest first. */
  const podsUnder = (id: string, stack: Ctx[]): TaskAttempt[] => {
    const out: TaskAttempt[] = [];
    const visited = new Set<string>();
    const visit = (n: string) => {
      if (visited.has(n)) return;
      visited.add(n);
      const kids = (children.get(n) ?? []).filter((k) => !isBoundary(stack, name(k)));
      if (kids.length) {
        kids.forEach(visit);
        return;
      }
      const d = byId.get(n)!;
      const a: TaskAttempt = { node: n, state: toTaskState(d.state) };
      const s = apiTime(d.start_time);
      const f = apiTime(d.end_time);
      if (s) a.started = s;
      if (f) a.finished = f;
      out.push(a);
      placed.add(n);
    };
    visit(id);
    const attemptNo = (a: TaskAttempt) => Number(ATTEMPT.exec(name(a.node))?.[1] ?? -1);
    return out.sort((a, b) => (a.started ?? 0) - (b.started ?? 0) || attemptNo(a) - attemptNo(b));
  };

  const record = (ctx: Ctx, t: TaskModel, id: string, stack: Ctx[]) => {
    const d = byId.get(id)!;
    const key = taskKey(ctx.path, t.id);
    const run = (tasks[key] ??= { path: ctx.path, task: t.id, state: 'unknown', instances: [], counts: {} });
    const inst: TaskInstance = { node: id, state: toTaskState(d.state), attempts: [] };
    const started = apiTime(d.start_time);
    const finished = apiTime(d.end_time);
    if (started) inst.started = started;
    if (finished) inst.finished = finished;
    if (ctx.iteration !== undefined) inst.iteration = ctx.iteration;
    if (d.error?.message) inst.error = d.error.message;
    if (t.kind !== 'sub-dag') inst.attempts = podsUnder(id, stack);
    else dagKeys.add(key);
    run.instances.push(inst);
    placed.add(id);
  };

  const walk = (id: string, stack: Ctx[]) => {
    if (seen.has(id)) return;
    seen.add(id);
    const n = name(id);
    const hit = find(stack, n);
    if (hit) {
      const here = stack.slice(0, hit.at + 1);
      const ctx = here[here.length - 1]!;
      record(ctx, hit.task, id, here);
      const t = hit.task;
      const next = t.kind === 'sub-dag' && t.subDag && model.dags[t.subDag]
        ? [...here, { dag: model.dags[t.subDag]!, path: [...ctx.path, t.id], ...(t.iterator ? { loop: t.id } : ctx.iteration !== undefined ? { iteration: ctx.iteration } : {}) }]
        : here;
      for (const c of children.get(id) ?? []) walk(c, next);
      return;
    }
    const driven = driverOf(stack, n);
    if (driven) {
      const ctx = stack[driven.at]!;
      drivers.set(`${taskKey(ctx.path, driven.task.id)}#${ctx.iteration ?? ''}`, toTaskState(byId.get(id)?.state));
      placed.add(id);
      for (const c of children.get(id) ?? []) walk(c, stack.slice(0, driven.at + 1));
      return;
    }
    // Plumbing (the workflow, root, iteration groups, executor DAGs, pods): walk through. In a loop body, an
    // iteration node — Argo's `iteration-iterations(2:2)`, or `<loop>(2)` — sets the iteration.
    const inner = stack[stack.length - 1]!;
    const it = inner.loop ? ITERATION.exec(n) : null;
    const base = it ? n.slice(0, it.index) : '';
    const isIteration = it !== null && (base === inner.loop || base.startsWith('iteration') || !ATTEMPT.test(n));
    const next = isIteration ? [...stack.slice(0, -1), { ...inner, iteration: Number(it[1]) }] : stack;
    for (const c of children.get(id) ?? []) walk(c, next);
  };

  const roots = [...byId.keys()].filter((id) => !isChild.has(id));
  for (const r of roots) walk(r, [{ dag: model.root, path: [] }]);

  for (const [key, run] of Object.entries(tasks)) {
    for (const inst of run.instances) {
      // An executor skipped though its driver succeeded: the driver found a cached execution. (A sub-DAG skipped
      // after its driver is a condition that was false.)
      if (!dagKeys.has(key) && inst.state === 'skipped' && drivers.get(`${key}#${inst.iteration ?? ''}`) === 'succeeded') inst.state = 'cached';
      // A step that succeeded without running its pod (the pod node skipped) took a cached result.
      if (!dagKeys.has(key) && inst.state === 'succeeded' && inst.attempts.length > 0 && inst.attempts.every((a) => a.state === 'skipped') && inst.attempts[0]!.node !== inst.node) inst.state = 'cached';
    }
    run.instances.sort((a, b) => (a.iteration ?? 0) - (b.iteration ?? 0) || (a.started ?? 0) - (b.started ?? 0));
    run.state = foldStates(run.instances.map((i) => i.state));
    for (const i of run.instances) run.counts[i.state] = (run.counts[i.state] ?? 0) + 1;
    const starts = run.instances.map((i) => i.started).filter((x): x is number => x !== undefined);
    const ends = run.instances.map((i) => i.finished).filter((x): x is number => x !== undefined);
    if (starts.length) run.started = Math.min(...starts);
    if (ends.length && ends.length === run.instances.length) run.finished = Math.max(...ends);
    const err = run.instances.find((i) => i.error)?.error;
    if (err) run.error = err;
  }
  // Details with no display name are no Argo node (the real server also lists the rows the driver and launcher write
  // for an execution: a task_id, times, an execution_id, no state or children): nothing to place them by.
  const unplaced = [...byId.keys()].filter((id) => !placed.has(id) && name(id) !== '' && !isPlumbing(name(id)) && !children.has(id));
  return { tasks, unplaced };
}

/** FNV-1a, 32 bits, of the UTF-8 bytes: how Argo derives node ids from node names. */
export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(s)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The Argo node id of each task detail. The API server lists a task's children by node id (`child_tasks[].pod_name`)
 * but does not say which node id a task detail itself has (it sends only its own `task_id`). Argo names a node
 * `<enclosing DAG node's name>.<display name>` (a retry attempt or loop iteration `<parent>(<n>)`) and its id is
 * `<workflow>-<fnv32a(name)>`, the workflow's own node having the workflow's name as id; so the ids follow from the
 * display names, top down. A child is named in the node's own DAG (a DAG node's first tasks, as the stand-in links
 * every node), or in an enclosing one (the real Argo links a task's node or pod to the tasks depending on it).
 * Entries with the same display name (a task in every loop iteration) are told apart by their own children; leaves
 * (pods) by the order of the list, which the server sorts by node id, else by state and time within their parent.
 */
export function argoNodeIds(details: readonly PipelineTaskDetail[], dependents?: ReadonlyMap<string, ReadonlySet<string>>): Map<PipelineTaskDetail, string> {
  const out = new Map<PipelineTaskDetail, string>();
  if (details.some((d) => d.pod_name)) return out;
  const childIds = (d: PipelineTaskDetail) => (d.child_tasks ?? []).map((c) => c.pod_name).filter((x): x is string => Boolean(x));
  const root = details.find((d) => d.display_name && childIds(d).length > 0 && childIds(d).every((c) => c.startsWith(`${d.display_name}-`)));
  if (!root?.display_name) return out;
  const wf = root.display_name;
  const idOf = (name: string) => `${wf}-${fnv32a(name)}`;
  out.set(root, wf);
  const byName = new Map<string, PipelineTaskDetail[]>();
  for (const d of details) if (d !== root && d.display_name) byName.set(d.display_name, [...(byName.get(d.display_name) ?? []), d]);
  const taken = new Set<PipelineTaskDetail>([root]);
  /** The DAG scopes a node named `name` is in: the name itself (a DAG's children are its tasks) and every enclosing
   * one (a task's or pod's children are the tasks that depend on it, named in their own DAG, an outer one for the
   * outbound pods of a sub-DAG). Display names can hold dots (`exit-handler-1.onExit`): every cut is tried. */
  const scopes = (name: string): string[] => {
    const out = [name];
    for (let i = name.lastIndexOf('.'); i >= wf.length; i = name.lastIndexOf('.', i - 1)) out.push(name.slice(0, i));
    return out;
  };
  /** The node names a child with display `dn` of node `name` (display `display`) can have. */
  const candidates = (name: string, display: string, dn: string) => [...scopes(name).map((s) => `${s}.${dn}`), ...(dn.startsWith(`${display}(`) ? [`${name}${dn.slice(display.length)}`] : [])];
  /** Whether x's own children are children a node named `name` can have. */
  const fits = (x: PipelineTaskDetail, name: string) => {
    const kids = childIds(x);
    if (kids.length === 0) return true;
    const known = new Set<string>();
    for (const dn of byName.keys()) for (const c of candidates(name, x.display_name ?? '', dn)) known.add(idOf(c));
    return kids.every((k) => known.has(k));
  };
  /** Whether x started and ended within node d's start and end. */
  const within = (x: PipelineTaskDetail, d: PipelineTaskDetail) => {
    const [xs, xe, ds, de] = [x.start_time, x.end_time, d.start_time, d.end_time].map(apiTime);
    return xs !== undefined && xe !== undefined && ds !== undefined && de !== undefined && xs >= ds && xe <= de;
  };
  /** Whether every child of x (a node named `name` under the task node shown as `task`) is a retry attempt of x or
   * the first node of a task that depends on that task, and at least one is the latter. */
  const leadsToDependents = (x: PipelineTaskDetail, name: string, task: string): boolean => {
    const deps = dependents?.get(task);
    if (!deps) return false;
    let any = false;
    for (const kid of childIds(x)) {
      const dn = [...byName.keys()].find((k) => candidates(name, x.display_name ?? '', k).some((c) => idOf(c) === kid));
      // A dependent's first node: its driver, or the task itself (a ParallelFor has no driver of its own).
      const driven = dn && (deps.has(dn) ? dn : /^(.*)-driver$/.exec(dn)?.[1]);
      if (driven && deps.has(driven)) any = true;
      else if (!dn?.startsWith(`${x.display_name}(`)) return false;
    }
    return any;
  };
  const pendingLeaves = new Map<string, { id: string; name: string; display: string; parent: PipelineTaskDetail }[]>();
  const queue: { d: PipelineTaskDetail; name: string; display: string }[] = [{ d: root, name: wf, display: wf }];
  for (let i = 0; i < queue.length; i++) {
    const { d, name, display } = queue[i]!;
    const wanted = new Set(childIds(d));
    for (const [dn, list] of byName) {
      if (wanted.size === 0) break;
      for (const candidate of candidates(name, display, dn)) {
        const id = idOf(candidate);
        if (!wanted.has(id)) continue;
        wanted.delete(id);
        const free = list.filter((x) => !taken.has(x));
        const fitting = free.filter((x) => childIds(x).length > 0 && fits(x, candidate));
        // Sibling executors whose dependents sit in the same DAG (make-items' and flip-coin's) fit alike: the one
        // whose children are the drivers of this task's dependents is its own; else the one that ran within this
        // node's own time, closest to it (the API's times are whole seconds: two siblings can both be within).
        const pick = free.length === 1 ? free[0] : fitting.length === 1 ? fitting[0] : alone(fitting.filter((x) => leadsToDependents(x, candidate, display))) ?? closest(fitting.filter((x) => within(x, d)), d);
        if (pick) {
          taken.add(pick);
          out.set(pick, id);
          queue.push({ d: pick, name: candidate, display: dn });
        } else if (free.length > 1) {
          // Leaves that look alike: matched after the walk.
          pendingLeaves.set(dn, [...(pendingLeaves.get(dn) ?? []), { id, name: candidate, display: dn, parent: d }]);
        }
      }
    }
  }
  // Is the list in node-id order (as the server writes it)? Then like-named leaves follow that order too.
  const ordered = [...out.entries()].filter(([d]) => d !== root).sort((a, b) => details.indexOf(a[0]) - details.indexOf(b[0])).map(([, id]) => id);
  const sortedById = ordered.every((id, i) => i === 0 || ordered[i - 1]! < id);
  for (const [dn, wants] of pendingLeaves) {
    let free = (byName.get(dn) ?? []).filter((x) => !taken.has(x));
    const sorted = sortedById ? [...wants].sort((a, b) => (a.id < b.id ? -1 : 1)) : wants;
    for (const w of sorted) {
      const score = (x: PipelineTaskDetail) => {
        if (sortedById) return 0;
        const ps = apiTime(w.parent.start_time) ?? 0;
        const pe = apiTime(w.parent.end_time) ?? Infinity;
        const xs = apiTime(x.start_time) ?? ps;
        return (x.state === w.parent.state ? 2 : 0) + (xs >= ps && xs <= pe ? 1 : 0);
      };
      const pick = [...free].sort((a, b) => score(b) - score(a))[0];
      if (!pick) break;
      free = free.filter((x) => x !== pick);
      taken.add(pick);
      out.set(pick, w.id);
    }
  }
  return out;
}

/** The one element of a list of one. */
function alone<T>(xs: T[]): T | undefined {
  return xs.length === 1 ? xs[0] : undefined;
}

/** The detail whose start and end are nearest to d's, if no other is as near. */
function closest(xs: PipelineTaskDetail[], d: PipelineTaskDetail): PipelineTaskDetail | undefined {
  const gap = (x: PipelineTaskDetail) => Math.abs((apiTime(x.start_time) ?? 0) - (apiTime(d.start_time) ?? 0)) + Math.abs((apiTime(x.end_time) ?? 0) - (apiTime(d.end_time) ?? 0));
  const sorted = [...xs].sort((a, b) => gap(a) - gap(b));
  return sorted.length === 1 || (sorted.length > 1 && gap(sorted[0]!) < gap(sorted[1]!)) ? sorted[0] : undefined;
}

/** For each task key (and display name), the keys of the tasks in its DAG that depend on it. */
export function dependentsOf(model: PipelineModel): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const dag of [model.root, ...Object.values(model.dags)]) {
    for (const t of dag.tasks) {
      for (const dep of t.dependentTasks) {
        const producer = dag.tasks.find((p) => p.id === dep);
        for (const key of new Set([dep, producer?.name ?? dep])) {
          const set = out.get(key) ?? new Set<string>();
          set.add(t.id);
          out.set(key, set);
        }
      }
    }
  }
  return out;
}

/** Names of orchestration nodes that stand for no pipeline task. */
function isPlumbing(name: string): boolean {
  return /(^|-)driver$|^iteration|^executor$|^root$|\.(onExit|hooks)/.test(name) || ITERATION.test(name);
}

/** "3 of 5 succeeded · 1 running · 1 failed" for a loop's folded state. */
export function describeCounts(run: TaskRun): string {
  const n = run.instances.length;
  if (n <= 1) return STATE_LABELS[run.state];
  const order: TaskState[] = ['succeeded', 'cached', 'running', 'pending', 'failed', 'canceling', 'canceled', 'skipped', 'unknown'];
  const parts = order.filter((s) => run.counts[s]).map((s) => `${run.counts[s]} ${STATE_LABELS[s].toLowerCase()}`);
  return `${n} iterations: ${parts.join(' · ')}`;
}

/** `1h 2m`, `3m 4s`, `12s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}
