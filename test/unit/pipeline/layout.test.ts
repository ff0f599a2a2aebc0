// The layered layout: nodes never overlap, edges point down the ranks, disconnected parts are packed instead of
// strung out in one row, cycles do not hang it, and a 2,000-task pipeline level lays out fast.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import dagre from '@dagrejs/dagre';
import { firstLevelLayout, unpackLayout } from '../../../core/pipeline/first-layout';
import { buildLevel } from '../../../core/pipeline/layer';
import { layoutGraph, type Layout, type LayoutEdge, type LayoutNode, type Point } from '../../../core/pipeline/layout';
import { parsePipeline } from '../../../core/pipeline/parse';
import { edgeCrossings } from '../../support/edge-crossings';
import { requireShared } from '../../support/shared';
import { syntheticPipeline } from '../../support/synthetic-pipeline';

function overlaps(nodes: LayoutNode[], l: Layout): string[] {
  const out: string[] = [];
  const boxes = l.nodes.map((p, i) => ({ id: nodes[i].id, x0: p.x - p.width / 2, x1: p.x + p.width / 2, y0: p.y - p.height / 2, y1: p.y + p.height / 2 }));
  boxes.sort((a, b) => a.x0 - b.x0);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length && boxes[j].x0 < boxes[i].x1; j++) {
      if (boxes[j].y0 < boxes[i].y1 && boxes[i].y0 < boxes[j].y1) out.push(`${boxes[i].id}/${boxes[j].id}`);
    }
  }
  return out;
}

/** Plain dagre's routes for the same graph, top to bottom, with our gaps (as scripts/bench/dagre-layout.ts). */
function dagreRoutes(nodes: LayoutNode[], edges: LayoutEdge[]): Point[][] {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 56 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  edges.forEach((e, i) => g.setEdge(e.from, e.to, {}, `e${i}`));
  dagre.layout(g);
  return edges.map((e, i) => (g.edge({ v: e.from, w: e.to, name: `e${i}` }) as { points?: Point[] }).points ?? []);
}

const box = (id: string): LayoutNode => ({ id, width: 200, height: 50 });

describe('pipeline graph layout', function () {
  // Building and parsing the 2,000-task pipeline takes a second or two on a busy 2-core machine.
  this.timeout(30_000);
  it('a diamond: one rank per step, the two branches side by side, edges from bottom to top', function () {
    const nodes = ['a', 'b', 'c', 'd'].map(box);
    const edges: LayoutEdge[] = [{ from: 'a', to: 'b' }, { from: 'a', to: 'c' }, { from: 'b', to: 'd' }, { from: 'c', to: 'd' }];
    const l = layoutGraph(nodes, edges);
    const [a, b, c, d] = l.nodes;
    assert.deepEqual([a.rank, b.rank, c.rank, d.rank], [0, 1, 1, 2]);
    assert.equal(b.y, c.y);
    assert.ok(Math.abs(b.x - c.x) >= 200, 'the branches do not overlap');
    assert.ok(Math.abs(a.x - (b.x + c.x) / 2) < 1 && Math.abs(d.x - a.x) < 1, 'the fork and the join are centred over the branches');
    for (const e of l.edges) assert.ok(e.points[0].y < e.points[e.points.length - 1].y);
    assert.equal(l.crossings, 0);
    assert.deepEqual(overlaps(nodes, l), []);
  });

  it('long edges bend around the ranks they cross instead of through nodes', function () {
    const nodes = ['a', 'b', 'c', 'd'].map(box);
    const l = layoutGraph(nodes, [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'c', to: 'd' }, { from: 'a', to: 'd' }]);
    const long = l.edges[3].points;
    assert.equal(long.length, 4, 'a point per crossed rank');
    for (const p of long.slice(1, -1)) {
      for (const n of l.nodes) assert.ok(!(Math.abs(p.x - n.x) < n.width / 2 && Math.abs(p.y - n.y) < n.height / 2), 'the bend is not inside a node');
    }
  });

  it('a cycle is laid out (one edge reversed) rather than looping forever', function () {
    const nodes = ['a', 'b', 'c'].map(box);
    const l = layoutGraph(nodes, [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'c', to: 'a' }]);
    assert.equal(new Set(l.nodes.map((n) => n.rank)).size, 3);
    assert.ok(l.edges.every((e) => e.points.length >= 2));
  });

  it('many independent tasks are packed in rows, not one line thousands of pixels wide', function () {
    const nodes = Array.from({ length: 400 }, (_, i) => box(`t${i}`));
    const l = layoutGraph(nodes, []);
    assert.deepEqual(overlaps(nodes, l), []);
    assert.ok(l.width < 400 * 228 / 5, `width ${l.width}`);
    assert.ok(l.width / l.height < 4 && l.height / l.width < 4, `aspect ${l.width}x${l.height}`);
  });

  it('is deterministic', function () {
    const s = syntheticPipeline({ tasks: 300, seed: 7 });
    const m = parsePipeline(s.text);
    const level = buildLevel(m, m.root, undefined);
    assert.deepEqual(layoutGraph(level.nodes, level.edges), layoutGraph(level.nodes, level.edges));
  });

  it('the layout the extension host sends packed (typed arrays) is the same layout unpacked in the page; one of another level is not used', function () {
    const m = parsePipeline(syntheticPipeline({ tasks: 300, seed: 7 }).text);
    const first = firstLevelLayout(m);
    assert.ok(first);
    assert.ok(first.layout.points instanceof Float64Array && first.layout.nodes instanceof Float64Array);
    const level = buildLevel(m, m.root, undefined);
    assert.equal(first.nodes, level.nodes.length);
    assert.deepEqual(unpackLayout(first.layout, level.nodes.length, level.edges), layoutGraph(level.nodes, level.edges));
    const bare = buildLevel(m, m.root, undefined, { artifacts: false });
    assert.equal(unpackLayout(first.layout, bare.nodes.length, bare.edges), undefined);
  });

  it('the root level of a 2,000-task pipeline: no overlaps, every edge routed, in well under 1.5 s', function () {
    const s = syntheticPipeline({ tasks: 2000 });
    const m = parsePipeline(s.text);
    const level = buildLevel(m, m.root, undefined);
    assert.ok(level.nodes.length > 1800);
    const started = performance.now();
    const l = layoutGraph(level.nodes, level.edges);
    const ms = performance.now() - started;
    assert.deepEqual(overlaps(level.nodes, l), []);
    assert.ok(l.edges.every((e) => e.points.length >= 2));
    for (const [i, e] of level.edges.entries()) {
      const [from, to] = [level.nodes.findIndex((n) => n.id === e.from), level.nodes.findIndex((n) => n.id === e.to)];
      assert.ok(l.nodes[from].rank < l.nodes[to].rank, `edge ${i} points down`);
    }
    assert.ok(ms < 1500, `${ms.toFixed(0)} ms`);
  });

  it('has no more edge crossings than dagre on the largest fixtures, their sub-DAGs and two synthetic pipelines', function () {
    const dir = requireShared('fixtures', 'kfp-ir');
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'INDEX.json'), 'utf8')) as { file: string; bytes: number }[];
    const files = index.filter((e) => e.file.startsWith('sdk-compiled/valid/')).sort((a, b) => b.bytes - a.bytes).slice(0, 6).map((e) => e.file);
    files.push('sdk-compiled/valid/pipeline_with_loops_and_conditions.yaml', 'sdk-compiled/valid/xgboost_sample_pipeline.yaml');
    const graphs: [string, string][] = files.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]);
    graphs.push(['synthetic-400', syntheticPipeline({ tasks: 400, seed: 3 }).text]);
    // Median sweeps and transposition alone left 1,821 crossings here, dagre 1,704 (sifting: 1,485).
    graphs.push(['synthetic-300', syntheticPipeline({ tasks: 300, seed: 1 }).text]);
    let compared = 0;
    let withCrossings = 0;
    for (const [name, text] of graphs) {
      const m = parsePipeline(text);
      for (const dag of [m.root, ...Object.values(m.dags)]) {
        const level = buildLevel(m, dag, undefined);
        const ours = edgeCrossings(layoutGraph(level.nodes, level.edges).edges.map((e) => e.points));
        const theirs = edgeCrossings(dagreRoutes(level.nodes, level.edges));
        assert.ok(ours <= theirs, `${name} ${dag.id}: ${ours} crossings, dagre ${theirs}`);
        compared++;
        if (theirs > 0) withCrossings++;
      }
    }
    assert.ok(compared > 20 && withCrossings >= 3, `${compared} levels compared, ${withCrossings} where dagre has crossings`);
  });
});
