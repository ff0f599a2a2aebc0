// Layered (Sugiyama-style) layout for directed graphs, top to bottom, made for thousands of nodes: plain dagre
// takes about a minute for a 2,000-task pipeline level on a 2-core machine, this takes tens of milliseconds
// (`npm run bench` measures both on the same graphs, with edge crossings as the quality measure).
//
// Steps, per connected component: reverse back edges (DFS) → longest-path ranks, sources pulled down next to their
// first consumer, then each node moved to the rank that shortens its edges most → long edges split by dummy nodes →
// DFS order, then median sweeps (alternating the side ties go to) each followed by transposition of neighbours,
// keeping the order with the fewest crossings, then sifting (each vertex moved to its best place in its rank) → x by
// weighted isotonic regression towards the median of each node's neighbours (keeps the order, keeps the gaps,
// straightens long edges) → edges routed through their dummies. Components are then packed in rows.

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
}

export interface LayoutEdge {
  from: string;
  to: string;
}

export interface LayoutOptions {
  /** Horizontal gap between neighbouring nodes. */
  nodeSep?: number;
  /** Vertical gap between ranks. */
  rankSep?: number;
  /** Gap between packed components. */
  componentSep?: number;
  /** Upper bound on median sweeps (each is one down and one up pass) before sifting; default 12, 1 past 3,000 vertices. */
  sweeps?: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode {
  /** Centre. */
  x: number;
  y: number;
  width: number;
  height: number;
  rank: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  /** From the bottom of `from` to the top of `to`, through the edge's bends. */
  points: Point[];
}

export interface Layout {
  /** In the order of the input nodes. */
  nodes: PlacedNode[];
  /** In the order of the input edges (edges to unknown nodes get no points). */
  edges: PlacedEdge[];
  width: number;
  height: number;
  /** Edge crossings left between adjacent ranks (a quality measure). */
  crossings: number;
}

interface Options {
  nodeSep: number;
  rankSep: number;
  componentSep: number;
  sweeps: number | undefined;
}

/** Vertices (nodes and the dummies of long edges) beyond which a component gets the lean crossing reduction. */
const HUGE_VERTICES = 50_000;
/**
 * Bounds the work of a sifting pass: each vertex is tried at most this many / vertices places either side (64 on the
 * 2,000-task benchmark level, whose widest rank has 148: 29,841 crossings, 29,796 unbounded), so that wide ranks
 * cost time in proportion to their width, not its square.
 */
const SIFT_PAIRS = 250_000;

export function layoutGraph(nodes: LayoutNode[], edges: LayoutEdge[], options: LayoutOptions = {}): Layout {
  const opts: Options = { nodeSep: 28, rankSep: 56, componentSep: 48, ...options, sweeps: options.sweeps };
  const index = new Map<string, number>();
  for (let i = 0; i < nodes.length; i++) index.set(nodes[i].id, i);
  const placed: PlacedNode[] = nodes.map((n) => ({ x: 0, y: 0, width: n.width, height: n.height, rank: 0 }));
  // Filled per component below; an edge to an unknown node keeps none.
  const routes: Point[][] = new Array<Point[]>(edges.length);

  const uniq = distinctPairs(nodes.length, edges.map((e) => index.get(e.from) ?? -1), edges.map((e) => index.get(e.to) ?? -1));

  // Connected components (union-find).
  const parent = nodes.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (const e of uniq) parent[find(e.from)] = find(e.to);
  const groups = new Map<number, number[]>();
  nodes.forEach((_, i) => {
    const r = find(i);
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  });
  const edgesOf = new Map<number, typeof uniq>();
  for (const e of uniq) {
    const r = find(e.from);
    const list = edgesOf.get(r);
    if (list) list.push(e);
    else edgesOf.set(r, [e]);
  }

  let crossings = 0;
  const local = new Int32Array(nodes.length);
  const boxes: { members: number[]; edges: typeof uniq; width: number; height: number }[] = [];
  for (const [root, members] of groups) {
    const compEdges = edgesOf.get(root) ?? [];
    const res = layoutComponent(members, compEdges, nodes, placed, opts, local);
    crossings += res.crossings;
    compEdges.forEach((e, i) => {
      for (const input of e.inputs) routes[input] = res.routes[i];
    });
    boxes.push({ members, edges: compEdges, width: res.width, height: res.height });
  }

  // Pack components in rows, biggest first, rows about as wide as the biggest component or the square root of the area.
  const order = boxes.map((_, i) => i).sort((a, b) => boxes[b].members.length - boxes[a].members.length || a - b);
  const area = boxes.reduce((s, b) => s + (b.width + opts.componentSep) * (b.height + opts.componentSep), 0);
  const rowLimit = Math.max(...boxes.map((b) => b.width), Math.sqrt(area) * 1.6, 0);
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  let width = 0;
  for (const i of order) {
    const b = boxes[i];
    if (x > 0 && x + b.width > rowLimit) {
      x = 0;
      y += rowHeight + opts.componentSep;
      rowHeight = 0;
    }
    for (const m of b.members) {
      placed[m].x += x;
      placed[m].y += y;
    }
    if (x !== 0 || y !== 0) {
      for (const e of b.edges) {
        for (const input of e.inputs) routes[input] = routes[input].map((p) => ({ x: p.x + x, y: p.y + y }));
      }
    }
    width = Math.max(width, x + b.width);
    rowHeight = Math.max(rowHeight, b.height);
    x += b.width + opts.componentSep;
  }
  const height = boxes.length ? y + rowHeight : 0;
  return {
    nodes: placed,
    edges: edges.map((e, i) => ({ from: e.from, to: e.to, points: routes[i] ?? [] })),
    width,
    height,
    crossings,
  };
}

/**
 * Distinct edges between known (index ≥ 0), different nodes, in the order of their first input edge; parallel edges
 * share one route. Found per source node with a stamp array: no keys to hash for hundreds of thousands of edges.
 */
function distinctPairs(n: number, from: number[], to: number[]): { from: number; to: number; inputs: number[] }[] {
  const m = from.length;
  const bucketStart = new Int32Array(n + 1);
  for (let i = 0; i < m; i++) if (from[i] >= 0) bucketStart[from[i] + 1]++;
  for (let v = 0; v < n; v++) bucketStart[v + 1] += bucketStart[v];
  const fill = bucketStart.slice(0, n);
  const bySource = new Int32Array(bucketStart[n]);
  for (let i = 0; i < m; i++) if (from[i] >= 0) bySource[fill[from[i]]++] = i;
  // first[i]: the first edge with the same ends as edge i (i itself for the first).
  const first = new Int32Array(m).fill(-1);
  const stamp = new Int32Array(n).fill(-1);
  const firstTo = new Int32Array(n);
  for (let a = 0; a < n; a++) {
    for (let k = bucketStart[a]; k < bucketStart[a + 1]; k++) {
      const i = bySource[k];
      const b = to[i];
      if (b < 0 || b === a) continue;
      if (stamp[b] !== a) {
        stamp[b] = a;
        firstTo[b] = i;
      }
      first[i] = firstTo[b];
    }
  }
  const pairs: { from: number; to: number; inputs: number[] }[] = [];
  const pairOf = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    if (first[i] < 0) continue;
    if (first[i] === i) {
      pairOf[i] = pairs.length;
      pairs.push({ from: from[i], to: to[i], inputs: [i] });
    } else pairs[pairOf[first[i]]].inputs.push(i);
  }
  return pairs;
}

interface ComponentResult {
  routes: Point[][];
  width: number;
  height: number;
  crossings: number;
}

function layoutComponent(
  members: number[],
  compEdges: { from: number; to: number }[],
  nodes: LayoutNode[],
  placed: PlacedNode[],
  opts: Options,
  /** Scratch, one slot per node of the graph: a member's index in `members`. */
  local: Int32Array,
): ComponentResult {
  const n = members.length;
  for (let i = 0; i < n; i++) local[members[i]] = i;
  if (n === 1) {
    const p = placed[members[0]];
    p.x = p.width / 2;
    p.y = p.height / 2;
    return { routes: [], width: p.width, height: p.height, crossings: 0 };
  }
  const es = compEdges.map((e) => ({ from: local[e.from], to: local[e.to], reversed: false }));
  // Each node's edges (indices into es), in order.
  const outs = csr(n, es.length, (i) => es[i].from, (i) => i);

  // 1. Break cycles: edges into a node still on the DFS stack are reversed.
  const state = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const stackV = new Int32Array(n);
  const stackK = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    if (state[s]) continue;
    let top = 0;
    stackV[0] = s;
    stackK[0] = outs.start[s];
    state[s] = 1;
    while (top >= 0) {
      const v = stackV[top];
      const k = stackK[top];
      if (k < outs.start[v + 1]) {
        stackK[top]++;
        const e = es[outs.list[k]];
        if (state[e.to] === 1) e.reversed = true;
        else if (state[e.to] === 0) {
          state[e.to] = 1;
          top++;
          stackV[top] = e.to;
          stackK[top] = outs.start[e.to];
        }
      } else {
        state[v] = 2;
        top--;
      }
    }
  }
  const head = (i: number): number => (es[i].reversed ? es[i].from : es[i].to);
  const tail = (i: number): number => (es[i].reversed ? es[i].to : es[i].from);
  const succ = csr(n, es.length, tail, head);
  const pred = csr(n, es.length, head, tail);

  // 2. Ranks: longest path from the sources, then sources moved down next to their nearest consumer.
  const indeg = new Int32Array(n);
  for (let v = 0; v < n; v++) indeg[v] = pred.start[v + 1] - pred.start[v];
  const topo: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) topo.push(i);
  for (let i = 0; i < topo.length; i++) {
    const v = topo[i];
    for (let j = succ.start[v]; j < succ.start[v + 1]; j++) if (--indeg[succ.list[j]] === 0) topo.push(succ.list[j]);
  }
  const rank = new Int32Array(n);
  for (const v of topo) for (let j = succ.start[v]; j < succ.start[v + 1]; j++) rank[succ.list[j]] = Math.max(rank[succ.list[j]], rank[v] + 1);
  for (let i = topo.length - 1; i >= 0; i--) {
    const v = topo[i];
    if (pred.start[v + 1] === pred.start[v] && succ.start[v + 1] > succ.start[v]) {
      let m = Infinity;
      for (let j = succ.start[v]; j < succ.start[v + 1]; j++) m = Math.min(m, rank[succ.list[j]]);
      rank[v] = m - 1;
    }
  }
  tightenRanks(rank, pred, succ, topo, 4);
  let maxRank = 0;
  for (let i = 0; i < n; i++) maxRank = Math.max(maxRank, rank[i]);

  // 3. Split long edges with dummy nodes. Vertices 0..n-1 are real, n.. are dummies.
  const vRank: number[] = Array.from(rank);
  const vWidth: number[] = members.map((m) => nodes[m].width);
  // Each edge's chain of vertices, from its higher rank to its lower one (turned back for reversed edges below).
  const chains: number[][] = [];
  for (const e of es) {
    const [a, b] = e.reversed ? [e.to, e.from] : [e.from, e.to];
    const chain = [a];
    for (let r = vRank[a] + 1; r < vRank[b]; r++) {
      chain.push(vRank.length);
      vRank.push(r);
      vWidth.push(0);
    }
    chain.push(b);
    chains.push(chain);
  }
  const total = vRank.length;
  const down = adjacency(total, chains, false);
  const up = adjacency(total, chains, true);
  es.forEach((e, i) => e.reversed && chains[i].reverse());
  const isDummy = (v: number): boolean => v >= n;

  // 4. Order within ranks: DFS order as a start, then barycenter sweeps; keep the best.
  const layers: number[][] = Array.from({ length: maxRank + 1 }, () => []);
  const seen = new Uint8Array(total);
  const visit = (s: number): void => {
    const stack = [s];
    while (stack.length) {
      const v = stack.pop() as number;
      if (seen[v]) continue;
      seen[v] = 1;
      layers[vRank[v]].push(v);
      for (let i = down.start[v + 1] - 1; i >= down.start[v]; i--) if (!seen[down.list[i]]) stack.push(down.list[i]);
    }
  };
  for (const v of topo) if (up.start[v + 1] === up.start[v]) visit(v);
  for (let v = 0; v < total; v++) if (!seen[v]) visit(v);

  const pos = new Float64Array(total);
  const setPos = (): void => {
    for (const layer of layers) for (let i = 0; i < layer.length; i++) pos[layer[i]] = i;
  };
  const scratch = new Scratch();
  setPos();
  let best = layers.map((l) => l.slice());
  let bestCross = countCrossings(layers, down, pos, scratch);
  const sweepRank = (r: number, neighbours: Adjacency): void => {
    const layer = layers[r];
    const key = new Float64Array(layer.length);
    const { start, list } = neighbours;
    for (let i = 0; i < layer.length; i++) {
      const s = start[layer[i]];
      const k = start[layer[i] + 1] - s;
      // Median of the neighbours' positions (graphviz), the mean of the two for two neighbours.
      if (k === 0) key[i] = i;
      else if (k === 1) key[i] = pos[list[s]];
      else if (k === 2) key[i] = (pos[list[s]] + pos[list[s + 1]]) / 2;
      else {
        const ps = scratch.sorted(k, (j) => pos[list[s + j]]);
        const m = k >> 1;
        key[i] = k % 2 ? ps[m] : (ps[m - 1] + ps[m]) / 2;
      }
    }
    const next = sortedByKey(layer, key, bias);
    layers[r] = next;
    for (let i = 0; i < next.length; i++) pos[next[i]] = i;
  };
  let stale = 0;
  let bias = false;
  // Sifting after the sweeps removes far more crossings than later sweeps do (2,000-task benchmark pipeline, sifting
  // unbounded: 1 sweep and 2 sifting passes 29,796 edge crossings, 2 sweeps 29,771, 6 sweeps and no sifting 36,134), so
  // big graphs get 1 sweep. Past HUGE_VERTICES (a level of tens of thousands of tasks, of which the panel draws what
  // is in view) one sweep too, with one transposition pass and no sifting: a second sweep left the crossings of the
  // 111,782-task level as they were (25,195,590) and those of the 50,000-task one within 0.01%, for 25–45% more time.
  const huge = total > HUGE_VERTICES;
  const big = total > 3000;
  const sweeps = opts.sweeps ?? (big ? 1 : 12);
  const keepBest = (): void => {
    transpose(layers, up, down, pos, huge ? 1 : 4);
    const c = countCrossings(layers, down, pos, scratch);
    if (c < bestCross) {
      bestCross = c;
      best = layers.map((l) => l.slice());
      stale = 0;
    } else stale++;
  };
  for (let it = 0; it < sweeps && bestCross > 0 && stale < 4; it++) {
    bias = it % 2 === 1;
    for (let r = 1; r <= maxRank; r++) sweepRank(r, up);
    keepBest();
    for (let r = maxRank - 1; r >= 0; r--) sweepRank(r, down);
    keepBest();
  }
  for (let r = 0; r <= maxRank; r++) layers[r] = best[r];
  setPos();
  if (!huge && bestCross > 0) {
    const reach = Math.max(1, Math.floor(SIFT_PAIRS / total));
    for (let p = 0; p < (big ? 2 : 4); p++) {
      let removed = 0;
      if (p % 2 === 0) for (let r = 0; r <= maxRank; r++) removed += sift(layers[r], up, down, pos, reach);
      else for (let r = maxRank; r >= 0; r--) removed += sift(layers[r], up, down, pos, reach);
      bestCross -= removed;
      if (removed === 0 || bestCross === 0) break;
    }
  }

  // 5. x: each rank is pulled towards its neighbours' medians while keeping order and gaps.
  const x = new Float64Array(total);
  const gap = (a: number, b: number): number => {
    const g = isDummy(a) && isDummy(b) ? opts.nodeSep / 3 : isDummy(a) || isDummy(b) ? opts.nodeSep / 2 : opts.nodeSep;
    return (vWidth[a] + vWidth[b]) / 2 + g;
  };
  let widest = 0;
  const packed: number[][] = layers.map((layer) => {
    const offs = [0];
    for (let i = 1; i < layer.length; i++) offs.push(offs[i - 1] + gap(layer[i - 1], layer[i]));
    widest = Math.max(widest, offs[offs.length - 1] ?? 0);
    return offs;
  });
  layers.forEach((layer, r) => {
    const shift = -(packed[r][packed[r].length - 1] ?? 0) / 2;
    layer.forEach((v, i) => (x[v] = packed[r][i] + shift));
  });
  const place = (r: number, neighbours: Adjacency[]): void => {
    const layer = layers[r];
    if (layer.length === 0) return;
    const target = new Float64Array(layer.length);
    const weight = new Float64Array(layer.length);
    for (let i = 0; i < layer.length; i++) {
      const v = layer[i];
      const a = neighbours[0];
      const b = neighbours.length > 1 ? neighbours[1] : undefined;
      const sa = a.start[v];
      const ka = a.start[v + 1] - sa;
      const sb = b ? b.start[v] : 0;
      const k = ka + (b ? b.start[v + 1] - sb : 0);
      if (k === 0) {
        target[i] = x[v];
        weight[i] = 0.05;
        continue;
      }
      if (k === 1) target[i] = x[ka ? a.list[sa] : (b as Adjacency).list[sb]];
      else {
        const xs = scratch.sorted(k, (j) => x[j < ka ? a.list[sa + j] : (b as Adjacency).list[sb + j - ka]]);
        const mid = k >> 1;
        target[i] = k % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
      }
      weight[i] = isDummy(v) ? 4 : 1;
    }
    const solved = isotonic(target, weight, packed[r]);
    for (let i = 0; i < layer.length; i++) x[layer[i]] = solved[i];
  };
  // Past HUGE_VERTICES one pass down and up (then the final one both ways): a second moves few nodes on such levels.
  const passes = huge ? 1 : total > 3000 ? 2 : 4;
  for (let p = 0; p < passes; p++) {
    for (let r = 1; r <= maxRank; r++) place(r, [up]);
    for (let r = maxRank - 1; r >= 0; r--) place(r, [down]);
  }
  for (let r = 0; r <= maxRank; r++) place(r, [up, down]);

  // 6. y by rank, then normalise so the component starts at (0, 0).
  const rankHeight = new Float64Array(maxRank + 1);
  for (let i = 0; i < n; i++) rankHeight[rank[i]] = Math.max(rankHeight[rank[i]], nodes[members[i]].height);
  const rankY = new Float64Array(maxRank + 1);
  for (let r = 1; r <= maxRank; r++) rankY[r] = rankY[r - 1] + rankHeight[r - 1] / 2 + opts.rankSep + rankHeight[r] / 2;
  let minX = Infinity;
  let maxX = -Infinity;
  for (let v = 0; v < total; v++) {
    minX = Math.min(minX, x[v] - vWidth[v] / 2);
    maxX = Math.max(maxX, x[v] + vWidth[v] / 2);
  }
  const top = rankHeight[0] / 2;
  members.forEach((m, i) => {
    const p = placed[m];
    p.x = x[i] - minX;
    p.y = rankY[rank[i]] + top;
    p.rank = rank[i];
  });
  const routes = chains.map((chain) => {
    const pts: Point[] = [];
    chain.forEach((v, k) => {
      const y = rankY[vRank[v]] + top;
      const h = v < n ? nodes[members[v]].height / 2 : 0;
      if (k === 0) pts.push({ x: x[v] - minX, y: y + (vRank[v] < vRank[chain[chain.length - 1]] ? h : -h) });
      else if (k === chain.length - 1) pts.push({ x: x[v] - minX, y: y + (vRank[v] > vRank[chain[0]] ? -h : h) });
      else pts.push({ x: x[v] - minX, y });
    });
    return pts;
  });
  spreadPorts(routes, chains, n, (v) => nodes[members[v]].width);
  const height = rankY[maxRank] + rankHeight[maxRank] / 2 + top;
  return { routes, width: maxX - minX, height, crossings: bestCross };
}

const TIE_BITS = 2 ** 21;

/**
 * `layer` by `key`, ties in the layer's order (or the reverse with `bias`). Keys are positions or medians of them,
 * so multiples of ½: twice the key and the tie-break fit one double, and a typed array sorts those natively, several
 * times faster than an index array with a comparator (a 129,945-node level sorts its ranks ~10 times).
 */
function sortedByKey(layer: number[], key: Float64Array, bias: boolean): number[] {
  const len = layer.length;
  const packed = new Float64Array(len);
  let exact = len < TIE_BITS;
  for (let i = 0; i < len && exact; i++) {
    const k2 = 2 * key[i];
    exact = Number.isInteger(k2) && k2 >= 0;
    packed[i] = k2 * TIE_BITS + (bias ? len - 1 - i : i);
  }
  if (!exact) return layer.map((_, i) => i).sort((a, b) => key[a] - key[b] || (bias ? b - a : a - b)).map((i) => layer[i]);
  packed.sort();
  const next = new Array<number>(len);
  for (let i = 0; i < len; i++) {
    const t = packed[i] % TIE_BITS;
    next[i] = layer[bias ? len - 1 - t : t];
  }
  return next;
}

/**
 * Spreads the ends of the edges that meet a node along its top or bottom side, ordered by where each edge comes
 * from, instead of joining them all in the middle.
 */
function spreadPorts(routes: Point[][], chains: number[][], realCount: number, widthOf: (v: number) => number): void {
  // Each edge end at a real node, bucketed by node and side (2v its top, 2v + 1 its bottom) with a counting sort: no
  // keys to hash and no object per end (a 129,945-node level has ~390,000 ends). End 2c is chain c's first vertex,
  // 2c + 1 its last; a bucket holds its ends in that order.
  const buckets = 2 * realCount;
  const start = new Int32Array(buckets + 1);
  const bucketOf = new Int32Array(2 * chains.length).fill(-1);
  for (let c = 0; c < chains.length; c++) {
    const r = routes[c];
    if (r.length < 2) continue;
    const chain = chains[c];
    const a = chain[0];
    const b = chain[chain.length - 1];
    if (a < realCount) start[(bucketOf[2 * c] = 2 * a + (r[0].y < r[1].y ? 1 : 0)) + 1]++;
    if (b < realCount) start[(bucketOf[2 * c + 1] = 2 * b + (r[r.length - 1].y > r[r.length - 2].y ? 0 : 1)) + 1]++;
  }
  for (let k = 0; k < buckets; k++) start[k + 1] += start[k];
  const fill = start.slice(0, buckets);
  const ends = new Int32Array(start[buckets]);
  for (let e = 0; e < bucketOf.length; e++) if (bucketOf[e] >= 0) ends[fill[bucketOf[e]]++] = e;
  const point = (e: number): Point => {
    const r = routes[e >> 1];
    return r[e & 1 ? r.length - 1 : 0];
  };
  // Where the edge goes from this end: the next point along it.
  const towards = (e: number): number => {
    const r = routes[e >> 1];
    return r[e & 1 ? r.length - 2 : 1].x;
  };
  for (let k = 0; k < buckets; k++) {
    const n = start[k + 1] - start[k];
    if (n < 2) continue;
    const span = Math.min(widthOf(k >> 1) * 0.7, (n - 1) * 16);
    const list = Array.from(ends.subarray(start[k], start[k + 1])).sort((p, q) => towards(p) - towards(q) || p - q);
    const centre = point(list[0]).x;
    for (let i = 0; i < n; i++) point(list[i]).x = centre - span / 2 + (span * i) / (n - 1);
  }
}

/**
 * Weighted isotonic regression with minimum gaps: positions as close as possible to `target` (weighted least
 * squares) such that x[i+1] - x[i] >= offs[i+1] - offs[i]. Pool-adjacent-violators on target - offs.
 */
function isotonic(target: Float64Array, weight: Float64Array, offs: number[]): Float64Array {
  const m = target.length;
  const bw: number[] = [];
  const bv: number[] = [];
  const bn: number[] = [];
  for (let i = 0; i < m; i++) {
    let w = weight[i];
    let v = target[i] - offs[i];
    let c = 1;
    while (bv.length && bv[bv.length - 1] > v) {
      const pw = bw.pop() as number;
      const pv = bv.pop() as number;
      c += bn.pop() as number;
      v = (v * w + pv * pw) / (w + pw);
      w += pw;
    }
    bw.push(w);
    bv.push(v);
    bn.push(c);
  }
  const out = new Float64Array(m);
  let i = 0;
  for (let b = 0; b < bv.length; b++) {
    for (let k = 0; k < bn[b]; k++, i++) out[i] = bv[b] + offs[i];
  }
  return out;
}

/**
 * Moves each node, within the ranks its edges allow (below its lowest predecessor, above its highest successor), to
 * the rank that makes its edges shortest in total (the median of its neighbours' ranks): fewer and shorter long
 * edges, so fewer dummy nodes and crossings. A few passes over the nodes approximate dagre's network simplex.
 */
function tightenRanks(rank: Int32Array, pred: Adjacency, succ: Adjacency, topo: number[], passes: number): void {
  const rs: number[] = [];
  for (let p = 0; p < passes; p++) {
    let moved = false;
    for (let k = 0; k < topo.length; k++) {
      const v = p % 2 ? topo[k] : topo[topo.length - 1 - k];
      let lo = -Infinity;
      let hi = Infinity;
      rs.length = 0;
      for (let j = pred.start[v]; j < pred.start[v + 1]; j++) {
        const w = pred.list[j];
        lo = Math.max(lo, rank[w] + 1);
        rs.push(rank[w] + 1);
      }
      for (let j = succ.start[v]; j < succ.start[v + 1]; j++) {
        const w = succ.list[j];
        hi = Math.min(hi, rank[w] - 1);
        rs.push(rank[w] - 1);
      }
      if (rs.length === 0 || lo === hi) continue;
      rs.sort((a, b) => a - b);
      // Any rank between the two middle ones is as short; stay put when already there.
      const a = rs[(rs.length - 1) >> 1];
      const b = rs[rs.length >> 1];
      let target = rank[v] < a ? a : rank[v] > b ? b : rank[v];
      target = Math.min(hi, Math.max(lo, target));
      if (target !== rank[v]) {
        rank[v] = target;
        moved = true;
      }
    }
    if (!moved) return;
  }
  let min = Infinity;
  for (const r of rank) min = Math.min(min, r);
  for (let i = 0; i < rank.length; i++) rank[i] -= min;
}

/** Neighbours of each vertex in flat arrays: those of v are list[start[v]] … list[start[v + 1] - 1]. */
interface Adjacency {
  start: Int32Array;
  list: Int32Array;
}

/**
 * The vertices below each vertex (`upward` false) or above it (true) along the chains (each from its higher rank
 * down), in the order of the chains.
 */
function adjacency(total: number, chains: number[][], upward: boolean): Adjacency {
  const start = new Int32Array(total + 1);
  for (const c of chains) for (let k = 0; k + 1 < c.length; k++) start[(upward ? c[k + 1] : c[k]) + 1]++;
  for (let v = 0; v < total; v++) start[v + 1] += start[v];
  const fill = start.slice(0, total);
  const list = new Int32Array(start[total]);
  for (const c of chains) {
    for (let k = 0; k + 1 < c.length; k++) {
      if (upward) list[fill[c[k + 1]]++] = c[k];
      else list[fill[c[k]]++] = c[k + 1];
    }
  }
  return { start, list };
}

/** For `count` items, `value(i)` listed under vertex `key(i)`, in the order of the items. */
function csr(total: number, count: number, key: (i: number) => number, value: (i: number) => number): Adjacency {
  const start = new Int32Array(total + 1);
  for (let i = 0; i < count; i++) start[key(i) + 1]++;
  for (let v = 0; v < total; v++) start[v + 1] += start[v];
  const fill = start.slice(0, total);
  const list = new Int32Array(start[total]);
  for (let i = 0; i < count; i++) list[fill[key(i)]++] = value(i);
  return { start, list };
}

/** A reused buffer for the sorted values of a node's neighbours (most nodes have one or two, some thousands). */
class Scratch {
  private buf = new Float64Array(64);

  /** The `k` values `value(0)`…`value(k - 1)`, sorted ascending (valid until the next call). */
  sorted(k: number, value: (j: number) => number): Float64Array {
    if (this.buf.length < k) this.buf = new Float64Array(Math.max(k, 2 * this.buf.length));
    const b = this.buf;
    for (let j = 0; j < k; j++) b[j] = value(j);
    if (k <= 16) {
      for (let j = 1; j < k; j++) {
        const t = b[j];
        let i = j - 1;
        for (; i >= 0 && b[i] > t; i--) b[i + 1] = b[i];
        b[i + 1] = t;
      }
      return b;
    }
    return b.subarray(0, k).sort();
  }
}

/** Crossings between the edges of `u` and those of `v` (in that order) towards one neighbouring rank. */
function pairCrossings(adj: Adjacency, u: number, v: number, pos: Float64Array): number {
  const { start, list } = adj;
  let c = 0;
  for (let i = start[u]; i < start[u + 1]; i++) for (let j = start[v]; j < start[v + 1]; j++) if (pos[list[i]] > pos[list[j]]) c++;
  return c;
}

/**
 * Transposition heuristic (as graphviz's `transpose`): swaps neighbours within a rank while that removes
 * crossings with both adjacent ranks, until a pass over all ranks swaps nothing (at most a few passes).
 */
function transpose(layers: number[][], up: Adjacency, down: Adjacency, pos: Float64Array, passes: number): void {
  for (let pass = 0; pass < passes; pass++) {
    let improved = false;
    for (const layer of layers) {
      for (let i = 0; i + 1 < layer.length; i++) {
        const u = layer[i];
        const v = layer[i + 1];
        const keep = pairCrossings(up, u, v, pos) + pairCrossings(down, u, v, pos);
        if (keep === 0) continue;
        const swap = pairCrossings(up, v, u, pos) + pairCrossings(down, v, u, pos);
        if (swap < keep) {
          layer[i] = v;
          layer[i + 1] = u;
          pos[u] = i + 1;
          pos[v] = i;
          improved = true;
        }
      }
    }
    if (!improved) return;
  }
}

/**
 * Sifting (Matuszewski, Schönfeld, Molitor), one rank with its neighbouring ranks fixed: each vertex in turn moves
 * to the place, at most `reach` places away, where its edges cross the fewest edges of the others towards both
 * neighbouring ranks (staying put on a tie). Returns the crossings removed.
 */
function sift(layer: number[], up: Adjacency, down: Adjacency, pos: Float64Array, reach: number): number {
  const len = layer.length;
  if (len < 2) return 0;
  // The neighbours' places (fixed while this rank is sifted) of the j-th vertex of `order`, flat: up ones in
  // ns[start[2j]..start[2j+1]), down ones in ns[start[2j+1]..start[2j+2]).
  const order = layer.slice();
  const start = new Int32Array(2 * len + 1);
  const degree = (a: Adjacency, v: number): number => a.start[v + 1] - a.start[v];
  for (let j = 0; j < len; j++) {
    start[2 * j + 1] = start[2 * j] + degree(up, order[j]);
    start[2 * j + 2] = start[2 * j + 1] + degree(down, order[j]);
  }
  const ns = new Float64Array(start[2 * len]);
  // By place in the rank: the place of the vertex's one neighbour above / below (most vertices are dummies, with
  // one each), else -1.
  const above = new Int32Array(len).fill(-1);
  const below = new Int32Array(len).fill(-1);
  for (let j = 0, k = 0; j < len; j++) {
    const u = order[j];
    if (degree(up, u) === 1) above[j] = pos[up.list[up.start[u]]];
    if (degree(down, u) === 1) below[j] = pos[down.list[down.start[u]]];
    for (let e = up.start[u]; e < up.start[u + 1]; e++) ns[k++] = pos[up.list[e]];
    for (let e = down.start[u]; e < down.start[u + 1]; e++) ns[k++] = pos[down.list[e]];
  }
  // How the crossings between the edges of j and q towards one rank change when j moves from left of q to its right.
  const delta = (a0: number, a1: number, b0: number, b1: number): number => {
    let d = 0;
    for (let x = a0; x < a1; x++) {
      const pa = ns[x];
      for (let y = b0; y < b1; y++) d += pa < ns[y] ? 1 : pa > ns[y] ? -1 : 0;
    }
    return d;
  };
  const cur = new Int32Array(len); // place → index in order
  const place = new Int32Array(len);
  for (let j = 0; j < len; j++) cur[j] = place[j] = j;
  let removed = 0;
  for (let j = 0; j < len; j++) {
    const at = place[j];
    const lo = Math.max(0, at - reach);
    const hi = Math.min(len - 1, at + reach);
    const u0 = start[2 * j];
    const u1 = start[2 * j + 1];
    const u2 = start[2 * j + 2];
    const a = above[at];
    const b = below[at];
    // Crossings relative to j at place `lo`; moving j past q changes them by the two deltas.
    let cost = 0;
    let here = 0;
    let bestCost = 0;
    let bestAt = lo;
    for (let i = lo, k = lo; i <= hi; i++) {
      if (i === at) {
        here = cost;
        if (cost <= bestCost) {
          bestCost = cost;
          bestAt = k;
        }
        continue;
      }
      const qa = above[i];
      const qb = below[i];
      if (a >= 0 && qa >= 0) cost += a < qa ? 1 : a > qa ? -1 : 0;
      else cost += delta(u0, u1, start[2 * cur[i]], start[2 * cur[i] + 1]);
      if (b >= 0 && qb >= 0) cost += b < qb ? 1 : b > qb ? -1 : 0;
      else cost += delta(u1, u2, start[2 * cur[i] + 1], start[2 * cur[i] + 2]);
      k++;
      if (cost < bestCost) {
        bestCost = cost;
        bestAt = k;
      }
    }
    if (bestCost >= here) continue;
    removed += here - bestCost;
    for (const byPlace of [cur, above, below]) {
      const moved = byPlace[at];
      if (bestAt < at) byPlace.copyWithin(bestAt + 1, bestAt, at);
      else byPlace.copyWithin(at, at + 1, bestAt + 1);
      byPlace[bestAt] = moved;
    }
    for (let i = Math.min(at, bestAt); i <= Math.max(at, bestAt); i++) place[cur[i]] = i;
  }
  for (let i = 0; i < len; i++) {
    layer[i] = order[cur[i]];
    pos[layer[i]] = i;
  }
  return removed;
}

/** Crossings between adjacent ranks, counted by inversions (Barth, Jünger, Mutzel), O(E log V) per rank pair. */
function countCrossings(layers: number[][], down: Adjacency, pos: Float64Array, scratch: Scratch): number {
  let total = 0;
  let south = new Int32Array(1024);
  let tree = new Int32Array(1024);
  for (let r = 0; r + 1 < layers.length; r++) {
    let n = 0;
    for (const v of layers[r]) {
      const s = down.start[v];
      const deg = down.start[v + 1] - s;
      if (n + deg > south.length) {
        const grown = new Int32Array(Math.max(2 * south.length, n + deg));
        grown.set(south.subarray(0, n));
        south = grown;
      }
      if (deg === 1) south[n++] = pos[down.list[s]];
      else if (deg > 1) {
        const ts = scratch.sorted(deg, (k) => pos[down.list[s + k]]);
        for (let k = 0; k < deg; k++) south[n++] = ts[k];
      }
    }
    const size = layers[r + 1].length;
    if (tree.length < size + 1) tree = new Int32Array(Math.max(2 * tree.length, size + 1));
    else tree.fill(0, 0, size + 1);
    for (let i = n - 1; i >= 0; i--) {
      // Count already-inserted targets strictly left of this one.
      for (let j = south[i]; j > 0; j -= j & -j) total += tree[j];
      for (let j = south[i] + 1; j <= size; j += j & -j) tree[j]++;
    }
  }
  return total;
}
