// Search over every level of a pipeline: task names and keys, components, images and Python functions.
import type { DagModel, PipelineModel, TaskModel } from './model';

export interface SearchHit {
  /** Task ids from the root to the DAG that holds the task (empty for the root). */
  path: string[];
  task: string;
  name: string;
  /** What matched, e.g. `name`, `component`, `image`. */
  field: string;
}

/** Case-insensitive substring search; results in breadth-first order (root level first), at most `limit`. */
export function searchPipeline(model: PipelineModel, query: string, limit = 200): SearchHit[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const hits: SearchHit[] = [];
  const queue: { dag: DagModel; path: string[] }[] = [{ dag: model.root, path: [] }];
  while (queue.length && hits.length < limit) {
    const { dag, path } = queue.shift() as { dag: DagModel; path: string[] };
    for (const t of dag.tasks) {
      const field = matchField(model, t, q);
      if (field && hits.length < limit) hits.push({ path, task: t.id, name: t.name, field });
      const sub = t.subDag ? model.dags[t.subDag] : undefined;
      // The depth bound only matters for a (malformed) DAG that contains itself.
      if (sub && path.length < 32) queue.push({ dag: sub, path: [...path, t.id] });
    }
  }
  return hits;
}

function matchField(model: PipelineModel, t: TaskModel, q: string): string | undefined {
  if (t.name.toLowerCase().includes(q) || t.id.toLowerCase().includes(q)) return 'name';
  if (t.component.toLowerCase().includes(q)) return 'component';
  const ex = t.executor ? model.executors[t.executor] : undefined;
  if (ex?.container?.image?.toLowerCase().includes(q)) return 'image';
  if (ex?.pythonFunction?.toLowerCase().includes(q)) return 'function';
  if (t.condition?.toLowerCase().includes(q)) return 'condition';
  return undefined;
}
