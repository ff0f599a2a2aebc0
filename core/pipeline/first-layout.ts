// The layout of the level a newly opened graph panel draws first (the top level, artifacts and inputs shown), made
// in the extension host, a warm process, and sent with the model: the webview's fresh page would lay it out with
// cold JIT, three times slower (2,000-task pipeline: ~270 ms there vs ~90 ms here under load; 35,000 nodes: 2 s).
// Sent packed in typed arrays (VS Code passes them to the webview as binary buffers, not JSON): a 35,000-node
// level's 160,000 route points are 2.6 MB instead of 10 MB of JSON and as many objects to clone; the page unpacks
// them in tens of milliseconds.
import { buildLevel } from './layer';
import { layoutGraph, type Layout, type LayoutEdge, type Point } from './layout';
import type { PipelineModel } from './model';

/** A Layout in flat arrays, in the order of the level's nodes and edges. */
export interface PackedLayout {
  width: number;
  height: number;
  crossings: number;
  /** x, y (centre), width, height, rank of each node. */
  nodes: Float64Array;
  /** Edge i's points are points[2 * starts[i]] … points[2 * starts[i + 1] - 1], as x, y pairs. */
  starts: Uint32Array;
  points: Float64Array;
}

export interface LevelLayout {
  /** The DAG id, and the view options the layout was made with. */
  dag: string;
  artifacts: boolean;
  io: boolean;
  nodes: number;
  layout: PackedLayout;
}

const NODE_FIELDS = 5;

export function packLayout(l: Layout): PackedLayout {
  const nodes = new Float64Array(l.nodes.length * NODE_FIELDS);
  l.nodes.forEach((n, i) => {
    const o = i * NODE_FIELDS;
    nodes[o] = n.x;
    nodes[o + 1] = n.y;
    nodes[o + 2] = n.width;
    nodes[o + 3] = n.height;
    nodes[o + 4] = n.rank;
  });
  const starts = new Uint32Array(l.edges.length + 1);
  for (let i = 0; i < l.edges.length; i++) starts[i + 1] = starts[i] + l.edges[i].points.length;
  const points = new Float64Array(2 * starts[l.edges.length]);
  let k = 0;
  for (const e of l.edges) {
    for (const p of e.points) {
      points[k++] = p.x;
      points[k++] = p.y;
    }
  }
  return { width: l.width, height: l.height, crossings: l.crossings, nodes, starts, points };
}

/** The Layout of `edges` (the level's, in the order it was laid out with) from its packed form; undefined when the
 * level has other counts of nodes or edges than the layout. */
export function unpackLayout(p: PackedLayout, nodeCount: number, edges: LayoutEdge[]): Layout | undefined {
  if (p.nodes.length !== nodeCount * NODE_FIELDS || p.starts.length !== edges.length + 1) return undefined;
  const nodes = Array.from({ length: p.nodes.length / NODE_FIELDS }, (_, i) => {
    const o = i * NODE_FIELDS;
    return { x: p.nodes[o], y: p.nodes[o + 1], width: p.nodes[o + 2], height: p.nodes[o + 3], rank: p.nodes[o + 4] };
  });
  const placed = edges.map((e, i) => {
    const points: Point[] = [];
    for (let k = p.starts[i]; k < p.starts[i + 1]; k++) points.push({ x: p.points[2 * k], y: p.points[2 * k + 1] });
    return { from: e.from, to: e.to, points };
  });
  return { nodes, edges: placed, width: p.width, height: p.height, crossings: p.crossings };
}

/**
 * Above this many nodes the page lays the level out itself (once): the host's layout would come later than the
 * page's own. 111,782 tasks (a 129,945-node level) in headless Chromium, load ~3: the page paints 4.7 s after the
 * model laying it out itself; handed the layout, 3.2 s after it, but the host needs ~2.9 s more to make it (level
 * and layout) before it can send anything. A 35,000-node level paints 1.4–2.2 s after the model with this layout vs
 * 2.3–3.3 s laying it out (load 5–9).
 */
export const FIRST_LAYOUT_MAX_NODES = 50_000;

/** The top level's layout; undefined for a level of more than FIRST_LAYOUT_MAX_NODES nodes. */
export function firstLevelLayout(model: PipelineModel): LevelLayout | undefined {
  if (model.root.tasks.length > FIRST_LAYOUT_MAX_NODES) return undefined;
  const level = buildLevel(model, model.root, undefined);
  if (level.nodes.length > FIRST_LAYOUT_MAX_NODES) return undefined;
  return { dag: model.root.id, artifacts: true, io: true, nodes: level.nodes.length, layout: packLayout(layoutGraph(level.nodes, level.edges)) };
}

/** The key the panel caches layouts under. */
export const levelLayoutKey = (dag: string, artifacts: boolean, io: boolean): string => `${dag}|${artifacts}|${io}`;
