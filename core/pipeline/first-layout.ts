// The layout of the level a newly opened graph panel draws first (the top level, artifacts and inputs shown), made
// in the extension host, a warm process, and sent with the model: the webview's fresh page would lay it out with
// cold JIT, three times slower (2,000-task pipeline: ~270 ms there vs ~90 ms here under load).
import { buildLevel } from './layer';
import { layoutGraph, type Layout } from './layout';
import type { PipelineModel } from './model';

export interface LevelLayout {
  /** The DAG id, and the view options the layout was made with. */
  dag: string;
  artifacts: boolean;
  io: boolean;
  nodes: number;
  layout: Layout;
}

/** Above this many nodes the panel lays the level out itself (drawn only in view, see canvas.ts). */
export const FIRST_LAYOUT_MAX_NODES = 5000;

export function firstLevelLayout(model: PipelineModel): LevelLayout | undefined {
  if (model.root.tasks.length > FIRST_LAYOUT_MAX_NODES) return undefined;
  const level = buildLevel(model, model.root, undefined);
  if (level.nodes.length > FIRST_LAYOUT_MAX_NODES) return undefined;
  return { dag: model.root.id, artifacts: true, io: true, nodes: level.nodes.length, layout: layoutGraph(level.nodes, level.edges) };
}

/** The key the panel caches layouts under. */
export const levelLayoutKey = (dag: string, artifacts: boolean, io: boolean): string => `${dag}|${artifacts}|${io}`;
