// Lays out a graph with plain @dagrejs/dagre (top to bottom, the same node sizes and gaps as ours) and prints the
// time and the edge routes as JSON. Run as a child process by pipeline-graph.bench.ts so a slow run can be stopped.
import fs from 'node:fs';
import dagre from '@dagrejs/dagre';

const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as { nodes: { id: string; width: number; height: number }[]; edges: { from: string; to: string }[] };
const g = new dagre.graphlib.Graph({ multigraph: true });
g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 56 });
g.setDefaultEdgeLabel(() => ({}));
for (const n of input.nodes) g.setNode(n.id, { width: n.width, height: n.height });
input.edges.forEach((e, i) => g.setEdge(e.from, e.to, {}, `e${i}`));
const started = performance.now();
dagre.layout(g);
const ms = performance.now() - started;
const routes = input.edges.map((e, i) => (g.edge({ v: e.from, w: e.to, name: `e${i}` }) as { points?: { x: number; y: number }[] }).points ?? []);
const graph = g.graph() as { width?: number; height?: number };
process.stdout.write(JSON.stringify({ ms, routes, width: graph.width ?? 0, height: graph.height ?? 0 }));
