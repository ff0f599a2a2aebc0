// Human-readable descriptions of model parts: friendly names for compiler-made inputs (`pipelinechannel--…`),
// conditions with their inputs spelled out, loop summaries, task counts.
import type { DagModel, PipelineModel, TaskInput, TaskModel } from './model';

const CHANNEL = 'pipelinechannel--';

/** `pipelinechannel--flip-coin-op-Output` → `flip-coin-op-Output`. */
export function stripChannel(name: string): string {
  return name.startsWith(CHANNEL) ? name.slice(CHANNEL.length) : name;
}

const outputsByTask = new WeakMap<PipelineModel, Map<string, Set<string>>>();

/**
 * The task output a compiler-made channel name stands for: `pipelinechannel--flip-coin-op-Output` →
 * `flip-coin-op.Output` when the pipeline has a task `flip-coin-op` with an output `Output`.
 */
export function channelSource(name: string, model: PipelineModel | undefined): string | undefined {
  if (!model || !name.startsWith(CHANNEL)) return undefined;
  let outputs = outputsByTask.get(model);
  if (!outputs) {
    outputs = new Map();
    for (const dag of [model.root, ...Object.values(model.dags)]) {
      for (const t of dag.tasks) outputs.set(t.id, new Set([...(outputs.get(t.id) ?? []), ...t.outputs.map((o) => o.name)]));
    }
    outputsByTask.set(model, outputs);
  }
  const rest = name.slice(CHANNEL.length);
  for (let i = rest.lastIndexOf('-'); i > 0; i = rest.lastIndexOf('-', i - 1)) {
    if (outputs.get(rest.slice(0, i))?.has(rest.slice(i + 1))) return `${rest.slice(0, i)}.${rest.slice(i + 1)}`;
  }
  return undefined;
}

/** A DAG input or channel name for people: the task output it carries, else the name without the prefix. */
export function channelName(name: string, model?: PipelineModel): string {
  return channelSource(name, model) ?? stripChannel(name);
}

/** Where a task input comes from, in words: `flip-coin-op.Output`, `msg`, `"hello"`, `status of exit-handler-1`. */
export function describeSource(input: TaskInput, model?: PipelineModel): string {
  const s = input.source;
  switch (s.from) {
    case 'task':
      return `${s.task}.${s.output}`;
    case 'input':
      return channelName(s.input, model) + (input.selector ? ` ${input.selector.replace('parseJson(string_value)', '')}` : '');
    case 'constant':
      return JSON.stringify(s.value);
    case 'final-status':
      return `final status of ${s.task}`;
    default:
      return '(default)';
  }
}

/**
 * A DAG input's name as the parent task sees it: a sub-DAG's `pipelinechannel--flip-coin-op-Output` is
 * `flip-coin-op.Output` when the parent task wires it from that task's output; a loop's item input is `item of …`.
 */
export function friendlyInputName(name: string, parent: TaskModel | undefined, model?: PipelineModel): string {
  if (parent) {
    const wired = parent.inputs.find((i) => i.name === name);
    if (wired && wired.source.from !== 'none' && wired.source.from !== 'constant') return describeSource(wired, model);
    const it = parent.iterator;
    if (it && name === it.itemInput) return `item of ${it.input ? friendlyInputName(it.input, undefined, model) : 'the list'}`;
    if (it && name.startsWith(it.itemInput)) return `item${name.slice(it.itemInput.length).replace(/^-subvar-/, '.')}`;
  }
  return channelName(name, model).replace(/-loop-item$/, ' (loop item)');
}

/** `inputs.parameter_values['pipelinechannel--flip-coin-op-Output'] == 'heads'` → `flip-coin-op.Output == 'heads'`. */
export function prettyCondition(task: TaskModel, model?: PipelineModel): string | undefined {
  if (task.condition === undefined) return undefined;
  return task.condition.replace(/inputs\.(parameter_values|artifacts)\[(['"])(.*?)\2\]/g, (_, _kind, _q, name: string) => {
    const wired = task.inputs.find((i) => i.name === name);
    return wired && wired.source.from !== 'none' ? describeSource(wired, model) : channelName(name, model);
  });
}

/** `for each of 3 items · at most 2 at a time`. */
export function describeLoop(task: TaskModel, model?: PipelineModel): string | undefined {
  const it = task.iterator;
  if (!it) return undefined;
  const wired = it.input ? task.inputs.find((i) => i.name === it.input) : undefined;
  const over = it.count !== undefined ? `${it.count} item${it.count === 1 ? '' : 's'}` : wired ? describeSource(wired, model) : it.input ? channelName(it.input, model) : 'items';
  return `for each of ${over}${it.parallelism ? ` · at most ${it.parallelism} at a time` : ''}`;
}

/** The number of tasks in a DAG, counting those inside its sub-DAGs (each reuse counted; cycles cut). */
export function countTasks(model: PipelineModel, dag: DagModel, memo = new Map<string, number>(), stack = new Set<string>()): number {
  const cached = memo.get(dag.id);
  if (cached !== undefined) return cached;
  stack.add(dag.id);
  let n = 0;
  for (const t of dag.tasks) {
    n += 1;
    const sub = t.subDag ? model.dags[t.subDag] : undefined;
    if (sub && !stack.has(sub.id)) n += countTasks(model, sub, memo, stack);
  }
  stack.delete(dag.id);
  memo.set(dag.id, n);
  return n;
}

/** The DAG a task opens, if any. */
export function subDagOf(model: PipelineModel, task: TaskModel): DagModel | undefined {
  return task.subDag ? model.dags[task.subDag] : undefined;
}

/** Follows a path of task ids from the root; returns the DAGs passed and the tasks that opened them. */
export function resolvePath(model: PipelineModel, path: readonly string[]): { dag: DagModel; parents: TaskModel[] } {
  let dag = model.root;
  const parents: TaskModel[] = [];
  for (const id of path) {
    const task = dag.tasks.find((t) => t.id === id);
    const sub = task && subDagOf(model, task);
    if (!task || !sub) break;
    parents.push(task);
    dag = sub;
  }
  return { dag, parents };
}

/** Short form of a container image for labels: `python:3.9`, `gcr.io/…/trainer:v2` → `trainer:v2`. */
export function shortImage(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const last = image.split('/').pop() ?? image;
  return last.split('@')[0];
}
