// The task-to-task edges of one DAG, from its tasks' inputs and dependencies: made by the parser, and again by the
// graph page from a model that came without them (core/pipeline/wire.ts). Browser-safe.
import type { EdgeModel, TaskModel } from './model';

const ALL_UPSTREAM = 'ALL_UPSTREAM_TASKS_COMPLETED';

/** Task-to-task edges of one DAG: one per producer/consumer pair, data when a value flows, else control. */
export function buildEdges(tasks: TaskModel[]): EdgeModel[] {
  const edges: EdgeModel[] = [];
  const byTarget = new Map<string, EdgeModel>();
  let target = '';
  // One task's edges at a time: keyed by their producer only.
  const edge = (from: string, to: string): EdgeModel => {
    if (to !== target) {
      byTarget.clear();
      target = to;
    }
    let e = byTarget.get(from);
    if (!e) {
      e = { from, to, kind: 'control', parameters: [], artifacts: [] };
      byTarget.set(from, e);
      edges.push(e);
    }
    return e;
  };
  for (const t of tasks) {
    for (const input of t.inputs) {
      const s = input.source;
      if (s.from === 'task' && s.task) {
        const e = edge(s.task, t.id);
        (input.kind === 'artifact' ? e.artifacts : e.parameters).push({ output: s.output, input: input.name });
        e.kind = 'data';
      } else if (s.from === 'final-status' && s.task) {
        edge(s.task, t.id).finalStatus = true;
      }
    }
    for (const dep of t.dependentTasks) edge(dep, t.id);
  }
  const strategy = new Map(tasks.map((t) => [t.id, t.strategy]));
  for (const e of edges) if (strategy.get(e.to) === ALL_UPSTREAM) e.always = true;
  return edges;
}
