// The pipeline model on its way to the graph webview: UTF-8 JSON bytes, not an object. VS Code carries a message's
// typed arrays as binary buffers; an object it turns into JSON in the extension host, parses again in the
// workbench and structured-clones twice more (into the webview's outer frame, then its content frame). For the
// 111,782-task model that object route cost ~10 s in code-server; as bytes the workbench passes a buffer on and the
// page parses once. Leaner than the model's own JSON (70 → 43 MB there): the DAGs' edges are left out and made
// again from the tasks (buildEdges, as the parser makes them), and a task's outputs, which it shares with every
// task of its component, are written once per component. Past 1 MB gzipped (wire.node.ts, level 1, off the
// extension host's thread): VS Code carries a buffer through code-server's WebSocket and two frames at ~20 MB/s, so the
// 111,782-task model's 43 MB took ~2 s there; gzipped it is 3.7 MB, made in ~0.12 s and unpacked by the page's
// native DecompressionStream in ~0.15 s. Browser-safe (TextEncoder / TextDecoder, DecompressionStream).
import { buildEdges } from './edges';
import type { DagModel, IoDef, PipelineModel, TaskModel } from './model';

type WireTask = Omit<TaskModel, 'outputs'> & { outputs: number };
type WireDag = Omit<DagModel, 'edges' | 'tasks'> & { tasks: WireTask[] };
interface WireModel extends Omit<PipelineModel, 'root' | 'dags'> {
  root: WireDag;
  dags: Record<string, WireDag>;
  /** The distinct output lists of the tasks, which name them by index. */
  outputLists: IoDef[][];
}

export function encodeModel(model: PipelineModel): Uint8Array {
  const lists = new Map<IoDef[], number>();
  const lean = (dag: DagModel): WireDag => {
    const { edges: _edges, tasks, ...rest } = dag;
    return {
      ...rest,
      tasks: tasks.map((t) => {
        let n = lists.get(t.outputs);
        if (n === undefined) lists.set(t.outputs, (n = lists.size));
        return { ...t, outputs: n };
      }),
    };
  };
  const wire: WireModel = { ...model, root: lean(model.root), dags: Object.fromEntries(Object.entries(model.dags).map(([k, d]) => [k, lean(d)])), outputLists: [...lists.keys()] };
  return new TextEncoder().encode(JSON.stringify(wire));
}

export function decodeModel(bytes: Uint8Array): PipelineModel {
  const { outputLists, root, dags, ...rest } = JSON.parse(new TextDecoder().decode(bytes)) as WireModel;
  const full = (dag: WireDag): DagModel => {
    const tasks = dag.tasks as unknown as TaskModel[];
    for (const t of dag.tasks) (t as unknown as TaskModel).outputs = outputLists[t.outputs];
    return { ...dag, tasks, edges: buildEdges(tasks) };
  };
  return { ...rest, root: full(root), dags: Object.fromEntries(Object.entries(dags).map(([k, d]) => [k, full(d)])) };
}

/** A model message's payload: encodeModel's bytes, gzipped when `gzip` (packModel in wire.node.ts). */
export interface PackedModel {
  model: Uint8Array;
  gzip: boolean;
}

/** The page's side of packModel: gunzip when gzipped, then decodeModel. */
export async function unpackModel({ model, gzip }: PackedModel): Promise<PipelineModel> {
  if (!gzip) return decodeModel(model);
  const stream = new Blob([model as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  return decodeModel(new Uint8Array(await new Response(stream).arrayBuffer()));
}
