// Draws one laid-out level as SVG and handles pan, zoom, selection and keyboard navigation. Panning and zooming
// move the whole SVG with a CSS transform (composited while a gesture runs), so thousands of nodes stay smooth;
// text is hidden when zoomed far out.
import type { Layout, Point } from '../../core/pipeline/layout';
import type { LevelView, ViewEdge, ViewNode } from '../../core/pipeline/layer';
import { clear, s } from '../shared/dom';

export interface CanvasEvents {
  /** `reveal` false: picked with the pointer, where it is (moving it would send a double-click's second click astray). */
  select(id: string | undefined, reveal?: boolean): void;
  /** Enter or double-click: drill into a sub-DAG, or open a task's source. */
  open(id: string): void;
  /** Backspace: up one level. */
  up(): void;
  focusSearch(): void;
  /** Pan or zoom settled (to keep it across reloads). */
  moved?(t: ViewTransform): void;
}

export interface ViewTransform {
  x: number;
  y: number;
  k: number;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Drawn {
  box: Box;
  node: ViewNode;
  el?: SVGGElement;
}

interface DrawnEdge {
  edge: ViewEdge;
  bounds?: Box;
  points: Point[];
  el?: SVGPathElement;
}

/** A node's state in a run: a style class and the words for its tooltip. */
export interface NodeState {
  state: string;
  label: string;
}

const STATE_GLYPHS: Record<string, string> = {
  running: '↻',
  pending: '…',
  succeeded: '✓',
  cached: '⚡',
  failed: '✕',
  skipped: '⤼',
  canceling: '■',
  canceled: '■',
  unknown: '?',
};

const PAD = 40;
const MIN_K = 0.02;
const MAX_K = 3;
/** The first view of a level never shrinks node labels (12.5 px) below about 11 px; the user may zoom out further. */
const READABLE_K = 0.88;
/**
 * Levels with more nodes are drawn only where the view is (redrawn when a pan or zoom settles), never whole: a
 * 129,945-node level drawn whole exhausts the page's memory.
 */
export const VIRTUAL_ABOVE_NODES = 8000;
/** In a virtual level, drawn elements beyond this many are dropped when they are out of view. */
const VIRTUAL_KEEP = 4000;

export class GraphCanvas {
  readonly element: HTMLDivElement;
  private readonly svg: SVGSVGElement;
  private readonly edgeLayer: SVGGElement;
  private readonly labelLayer: SVGGElement;
  private readonly nodeLayer: SVGGElement;
  private nodes = new Map<string, Drawn>();
  private edgesByNode = new Map<string, DrawnEdge[]>();
  /** Nodes and edges still to draw after the first paint. */
  private pending: { nodes: Drawn[]; edges: DrawnEdge[] } | undefined;
  /** Set for a level drawn only in view (more than VIRTUAL_ABOVE_NODES nodes): all its edges. */
  private virtualEdges: DrawnEdge[] | undefined;
  private generation = 0;
  private matches: Set<string> | undefined;
  private states: Map<string, NodeState> | undefined;
  private width = 0;
  private height = 0;
  private t: ViewTransform = { x: 0, y: 0, k: 1 };
  private selected: string | undefined;
  private settleTimer: number | undefined;
  /** A virtual level's redraw while a pan or zoom goes on (at most every 120 ms). */
  private drawTimer: number | undefined;
  /** A fit asked for while the canvas had no size (hidden panel); done when it gets one. */
  private pendingFit: boolean | undefined;

  constructor(private readonly events: CanvasEvents) {
    this.element = document.createElement('div');
    this.element.className = 'canvas';
    this.element.tabIndex = 0;
    this.element.setAttribute('role', 'application');
    this.element.setAttribute('aria-roledescription', 'pipeline graph');
    this.element.setAttribute('aria-label', 'Pipeline graph. Arrow keys move between nodes, Enter opens, Backspace goes up a level, plus and minus zoom, 0 fits.');
    this.svg = s('svg', { class: 'graph', xmlns: 'http://www.w3.org/2000/svg' });
    this.svg.appendChild(markers());
    this.edgeLayer = s('g', { class: 'edges' });
    this.labelLayer = s('g', { class: 'edge-labels' });
    this.nodeLayer = s('g', { class: 'nodes' });
    this.svg.append(this.edgeLayer, this.nodeLayer, this.labelLayer);
    this.element.appendChild(this.svg);
    this.bindPointer();
    this.bindKeys();
    new ResizeObserver(() => {
      if (this.pendingFit !== undefined && this.element.clientWidth > 0) this.fit(this.pendingFit);
    }).observe(this.element);
  }

  /**
   * Draws a level. With `fit`, first picks the view (fit, or a readable zoom on a huge level), then draws what is
   * in view at once and the rest in chunks after the first paint; anything that needs the whole drawing
   * (selection, search marks) finishes it first.
   */
  render(level: LevelView, layout: Layout, fit: boolean): void {
    clear(this.edgeLayer);
    clear(this.nodeLayer);
    clear(this.labelLayer);
    this.nodes.clear();
    this.edgesByNode.clear();
    this.selected = undefined;
    this.matches = undefined;
    this.generation++;
    this.width = layout.width + 2 * PAD;
    this.height = layout.height + 2 * PAD;
    this.svg.setAttribute('width', String(this.width));
    this.svg.setAttribute('height', String(this.height));
    this.svg.setAttribute('viewBox', `${-PAD} ${-PAD} ${this.width} ${this.height}`);

    level.nodes.forEach((node, i) => {
      const p = layout.nodes[i];
      this.nodes.set(node.id, { box: { x: p.x - node.width / 2, y: p.y - node.height / 2, w: node.width, h: node.height }, node });
    });
    const edges: DrawnEdge[] = [];
    level.edges.forEach((edge, i) => {
      const points = layout.edges[i]?.points ?? [];
      if (points.length < 2) return;
      const e: DrawnEdge = { edge, points };
      edges.push(e);
      for (const id of [edge.from, edge.to]) {
        const list = this.edgesByNode.get(id) ?? [];
        list.push(e);
        this.edgesByNode.set(id, list);
      }
    });
    if (fit) this.fit(true);
    this.virtualEdges = this.nodes.size > VIRTUAL_ABOVE_NODES ? edges : undefined;
    this.svg.classList.toggle('virtual', Boolean(this.virtualEdges));
    if (this.virtualEdges) {
      this.pending = undefined;
      this.drawInView();
      return;
    }

    // What is in view (with a margin) now, the rest later.
    const view = this.visibleArea(300);
    const inView = (b: Box): boolean => b.x < view.right && b.x + b.w > view.left && b.y < view.bottom && b.y + b.h > view.top;
    const nodesNow: Drawn[] = [];
    const nodesLater: Drawn[] = [];
    for (const n of this.nodes.values()) (inView(n.box) ? nodesNow : nodesLater).push(n);
    const edgesNow: DrawnEdge[] = [];
    const edgesLater: DrawnEdge[] = [];
    for (const e of edges) (inView(boundsOf(e.points)) ? edgesNow : edgesLater).push(e);
    this.drawSome(nodesNow, edgesNow);
    this.pending = { nodes: nodesLater, edges: edgesLater };
    if (nodesLater.length || edgesLater.length) {
      const gen = this.generation;
      const step = (): void => {
        if (gen !== this.generation || !this.pending) return;
        const p = this.pending;
        this.drawSome(p.nodes.splice(0, 400), p.edges.splice(0, 600));
        if (p.nodes.length || p.edges.length) window.setTimeout(step, 0);
        else this.pending = undefined;
      };
      // After the first paint.
      requestAnimationFrame(() => window.setTimeout(step, 0));
    } else {
      this.pending = undefined;
    }
  }

  /** Draws everything not drawn yet, now. */
  private flush(): void {
    if (!this.pending) return;
    const p = this.pending;
    this.pending = undefined;
    this.drawSome(p.nodes, p.edges);
  }

  /**
   * A virtual level: draws what is in view (with a margin) and not drawn yet; once more than VIRTUAL_KEEP elements
   * are drawn, drops those far out of view.
   */
  private drawInView(): void {
    const all = this.virtualEdges;
    if (!all) return;
    const near = this.visibleArea(400);
    const far = this.visibleArea(1600);
    const inside = (b: Box, v: typeof near): boolean => b.x < v.right && b.x + b.w > v.left && b.y < v.bottom && b.y + b.h > v.top;
    const nodes: Drawn[] = [];
    let drawn = 0;
    for (const n of this.nodes.values()) {
      if (n.el) drawn++;
      else if (inside(n.box, near)) nodes.push(n);
    }
    const edges: DrawnEdge[] = [];
    for (const e of all) {
      if (e.el) drawn++;
      else if (inside((e.bounds ??= boundsOf(e.points)), near)) edges.push(e);
    }
    if (drawn + nodes.length + edges.length > VIRTUAL_KEEP) {
      for (const n of this.nodes.values()) {
        if (n.el && !inside(n.box, far)) {
          n.el.remove();
          n.el = undefined;
        }
      }
      for (const e of all) {
        if (e.el && !inside(e.bounds ?? boundsOf(e.points), far)) {
          e.el.remove();
          e.el = undefined;
        }
      }
    }
    this.drawSome(nodes, edges);
  }

  private drawSome(nodes: Drawn[], edges: DrawnEdge[]): void {
    const edgeFrag = document.createDocumentFragment();
    for (const e of edges) {
      const lit = this.selected !== undefined && (e.edge.from === this.selected || e.edge.to === this.selected);
      const cls = `edge ${e.edge.kind}${e.edge.always ? ' always' : ''}${lit ? ' hl' : ''}`;
      e.el = s('path', { class: cls, d: pathOf(e.points), 'marker-end': `url(#arrow-${e.edge.always ? 'always' : e.edge.kind})` }, s('title', {}, e.edge.label));
      edgeFrag.appendChild(e.el);
    }
    this.edgeLayer.appendChild(edgeFrag);
    const nodeFrag = document.createDocumentFragment();
    for (const n of nodes) {
      n.el = drawNode(n.node, n.box);
      if (this.matches?.has(n.node.id)) n.el.classList.add('match');
      if (n.node.id === this.selected) n.el.classList.add('selected');
      if (this.states) applyState(n.el, n.node, n.box, this.states.get(n.node.id));
      nodeFrag.appendChild(n.el);
    }
    this.nodeLayer.appendChild(nodeFrag);
  }

  /** The part of the graph in view, in graph coordinates, widened by `margin` screen pixels. */
  private visibleArea(margin: number): { left: number; top: number; right: number; bottom: number } {
    const { x, y, k } = this.t;
    const vw = this.element.clientWidth || 1200;
    const vh = this.element.clientHeight || 800;
    return { left: (-x - margin) / k - PAD, top: (-y - margin) / k - PAD, right: (vw - x + margin) / k - PAD, bottom: (vh - y + margin) / k - PAD };
  }

  /** The node ids in reading order (top to bottom, left to right). */
  ordered(): string[] {
    return [...this.nodes.values()].sort((a, b) => a.box.y - b.box.y || a.box.x - b.box.x).map((n) => n.node.id);
  }

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  select(id: string | undefined, reveal = true): void {
    this.flush();
    if (this.selected) {
      this.nodes.get(this.selected)?.el?.classList.remove('selected');
      for (const e of this.edgesByNode.get(this.selected) ?? []) e.el?.classList.remove('hl');
    }
    clear(this.labelLayer);
    this.selected = id && this.nodes.has(id) ? id : undefined;
    this.svg.classList.toggle('has-selection', Boolean(this.selected));
    if (!this.selected) return;
    const n = this.nodes.get(this.selected);
    n?.el?.classList.add('selected');
    const edges = this.edgesByNode.get(this.selected) ?? [];
    for (const e of edges) {
      if (!e.el) continue;
      e.el.classList.add('hl');
      // Bring highlighted edges to the front of the edge layer.
      this.edgeLayer.appendChild(e.el);
    }
    for (const e of edges.slice(0, 60)) {
      if (e.edge.kind === 'artifact') continue;
      const mid = midpoint(e.points);
      this.labelLayer.appendChild(s('text', { class: 'edge-label', x: mid.x + 6, y: mid.y }, e.edge.label));
    }
    if (reveal && n) this.reveal(n.box);
  }

  /** Marks search matches (and dims the rest); undefined clears. */
  setMatches(ids: Set<string> | undefined): void {
    this.matches = ids;
    this.svg.classList.toggle('searching', Boolean(ids));
    for (const [id, n] of this.nodes) n.el?.classList.toggle('match', Boolean(ids?.has(id)));
  }

  /** Marks task nodes with their state in a run; undefined clears (a file's graph). */
  setStates(states: Map<string, NodeState> | undefined): void {
    const before = this.states;
    this.states = states;
    this.svg.classList.toggle('run', Boolean(states));
    for (const [id, n] of this.nodes) {
      if (!n.el || (!states && !before)) continue;
      applyState(n.el, n.node, n.box, states?.get(id));
    }
  }

  get transform(): ViewTransform {
    return { ...this.t };
  }

  set transform(t: ViewTransform) {
    this.t = { ...t, k: clamp(t.k, MIN_K, MAX_K) };
    this.apply();
  }

  /** Fits the whole level; with `readable`, a level too big for that starts at a readable zoom at its top instead. */
  fit(readable = false): void {
    const vw = this.element.clientWidth;
    const vh = this.element.clientHeight;
    if (vw === 0 || vh === 0) {
      this.pendingFit = readable;
      return;
    }
    this.pendingFit = undefined;
    let k = Math.min(vw / this.width, vh / this.height, 1);
    if (readable && k < READABLE_K) {
      k = READABLE_K;
      const w = this.width * k;
      const h = this.height * k;
      // Centred where it fits; else around the first node, with no empty margin beyond the drawing's edges.
      const first = this.ordered()[0];
      const box = first ? this.nodes.get(first)?.box : undefined;
      const x = w <= vw ? (vw - w) / 2 : clamp(box ? vw / 2 - (box.x + box.w / 2 + PAD) * k : 0, vw - w, 0);
      this.t = { k, x, y: h <= vh ? (vh - h) / 2 : 0 };
    } else {
      this.t = { k, x: (vw - this.width * k) / 2, y: (vh - this.height * k) / 2 };
    }
    this.apply();
  }

  zoomBy(factor: number, at?: { x: number; y: number }): void {
    const vw = this.element.clientWidth;
    const vh = this.element.clientHeight;
    const cx = at?.x ?? vw / 2;
    const cy = at?.y ?? vh / 2;
    const k = clamp(this.t.k * factor, MIN_K, MAX_K);
    const f = k / this.t.k;
    this.t = { k, x: cx - (cx - this.t.x) * f, y: cy - (cy - this.t.y) * f };
    this.apply();
  }

  private reveal(box: Box): void {
    const vw = this.element.clientWidth;
    const vh = this.element.clientHeight;
    const k = this.t.k;
    const left = (box.x + PAD) * k + this.t.x;
    const top = (box.y + PAD) * k + this.t.y;
    const right = left + box.w * k;
    const bottom = top + box.h * k;
    if (left >= 0 && top >= 0 && right <= vw && bottom <= vh) return;
    this.t.x += vw / 2 - (left + right) / 2;
    this.t.y += vh / 2 - (top + bottom) / 2;
    this.apply();
  }

  private apply(): void {
    const { x, y, k } = this.t;
    this.svg.style.transform = `translate(${x}px, ${y}px) scale(${k})`;
    this.svg.classList.toggle('lod-mid', k < 0.55);
    this.svg.classList.toggle('lod-low', k < 0.25);
    // Composite while moving; drop the hint afterwards so the text is re-rastered sharp at the new scale.
    this.svg.style.willChange = 'transform';
    if (this.virtualEdges && this.drawTimer === undefined) {
      this.drawTimer = window.setTimeout(() => {
        this.drawTimer = undefined;
        this.drawInView();
      }, 120);
    }
    if (this.settleTimer !== undefined) window.clearTimeout(this.settleTimer);
    this.settleTimer = window.setTimeout(() => {
      this.svg.style.willChange = 'auto';
      this.settleTimer = undefined;
      this.drawInView();
      this.events.moved?.({ ...this.t });
    }, 180);
  }

  private nodeAt(target: EventTarget | null): string | undefined {
    const el = target instanceof Element ? target.closest('[data-id]') : null;
    return el?.getAttribute('data-id') ?? undefined;
  }

  private bindPointer(): void {
    let start: { x: number; y: number; tx: number; ty: number; id: number } | undefined;
    let moved = false;
    this.element.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      start = { x: e.clientX, y: e.clientY, tx: this.t.x, ty: this.t.y, id: e.pointerId };
      moved = false;
    });
    this.element.addEventListener('pointermove', (e) => {
      if (!start || e.pointerId !== start.id) return;
      const dx = e.clientX - start.x;
      const dy = e.clientY - start.y;
      if (!moved && Math.hypot(dx, dy) < 4) return;
      if (!moved) {
        moved = true;
        this.element.setPointerCapture(e.pointerId);
        this.element.classList.add('panning');
      }
      this.t.x = start.tx + dx;
      this.t.y = start.ty + dy;
      this.apply();
    });
    const end = (e: PointerEvent): void => {
      if (!start || e.pointerId !== start.id) return;
      if (!moved) this.events.select(this.nodeAt(e.target), false);
      this.element.classList.remove('panning');
      start = undefined;
    };
    this.element.addEventListener('pointerup', end);
    this.element.addEventListener('pointercancel', () => {
      start = undefined;
      this.element.classList.remove('panning');
    });
    this.element.addEventListener('dblclick', (e) => {
      const id = this.nodeAt(e.target);
      if (id) this.events.open(id);
    });
    this.element.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const r = this.element.getBoundingClientRect();
        if (e.shiftKey && !e.ctrlKey) {
          this.t.x -= e.deltaY || e.deltaX;
          this.apply();
          return;
        }
        const scale = e.deltaMode === 1 ? 0.05 : 0.0025;
        this.zoomBy(Math.exp(-e.deltaY * scale), { x: e.clientX - r.left, y: e.clientY - r.top });
      },
      { passive: false },
    );
  }

  private bindKeys(): void {
    this.element.addEventListener('keydown', (e) => {
      const dirs: Record<string, [number, number]> = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
      if (e.key in dirs && e.altKey && e.key === 'ArrowUp') {
        this.events.up();
      } else if (e.key in dirs && e.shiftKey) {
        const [dx, dy] = dirs[e.key];
        this.t.x -= dx * 120;
        this.t.y -= dy * 120;
        this.apply();
      } else if (e.key in dirs) {
        const next = this.selected ? this.neighbour(this.selected, dirs[e.key]) : this.ordered()[0];
        if (next) this.events.select(next);
      } else if ((e.key === 'Enter' || e.key === ' ') && this.selected) {
        this.events.open(this.selected);
      } else if (e.key === 'Backspace') {
        this.events.up();
      } else if (e.key === '+' || e.key === '=') {
        this.zoomBy(1.25);
      } else if (e.key === '-' || e.key === '_') {
        this.zoomBy(0.8);
      } else if (e.key === '0') {
        this.fit();
      } else if (e.key === 'Escape') {
        this.events.select(undefined);
      } else if (e.key === '/' || ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'f')) {
        this.events.focusSearch();
      } else if (e.key === 'Home') {
        const first = this.ordered()[0];
        if (first) this.events.select(first);
      } else {
        return;
      }
      e.preventDefault();
      e.stopPropagation();
    });
  }

  /** The nearest node in a direction: distance along it plus a penalty for drifting sideways. */
  private neighbour(from: string, [dx, dy]: [number, number]): string | undefined {
    const a = this.nodes.get(from)?.box;
    if (!a) return undefined;
    const ax = a.x + a.w / 2;
    const ay = a.y + a.h / 2;
    let best: string | undefined;
    let bestScore = Infinity;
    for (const [id, n] of this.nodes) {
      if (id === from) continue;
      const bx = n.box.x + n.box.w / 2 - ax;
      const by = n.box.y + n.box.h / 2 - ay;
      const along = bx * dx + by * dy;
      if (along <= 1) continue;
      const across = Math.abs(bx * dy - by * dx);
      const score = along + across * 2.5;
      if (score < bestScore) {
        bestScore = score;
        best = id;
      }
    }
    return best;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

/** Vertical-tangent cubic segments through the route's points. */
function pathOf(points: Point[]): string {
  let d = `M${points[0].x.toFixed(1)},${points[0].y.toFixed(1)}`;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    const my = (a.y + b.y) / 2;
    d += `C${a.x.toFixed(1)},${my.toFixed(1)} ${b.x.toFixed(1)},${my.toFixed(1)} ${b.x.toFixed(1)},${b.y.toFixed(1)}`;
  }
  return d;
}

function boundsOf(points: Point[]): Box {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

function midpoint(points: Point[]): Point {
  if (points.length % 2 === 1) return points[(points.length - 1) / 2];
  const a = points[points.length / 2 - 1];
  const b = points[points.length / 2];
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

function markers(): SVGDefsElement {
  const defs = s('defs');
  for (const kind of ['data', 'control', 'artifact', 'io', 'always']) {
    defs.appendChild(
      s('marker', { id: `arrow-${kind}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse', class: `marker ${kind}` },
        s('path', { d: 'M0,0 L10,5 L0,10 z' })),
    );
  }
  return defs;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(1, max - 1))}…` : text;
}

/** Sets a node's state class, its status badge and tooltip; no state removes them. */
function applyState(g: SVGGElement, node: ViewNode, box: Box, st: NodeState | undefined): void {
  for (const c of [...g.classList]) if (c.startsWith('state-')) g.classList.remove(c);
  g.querySelector(':scope > .status')?.remove();
  const title = g.querySelector(':scope > title');
  const base = [node.label, node.detail, node.badges.join(' · ')].filter(Boolean).join('\n');
  if (title) title.textContent = st ? `${base}\n${st.label}` : base;
  if (node.kind !== 'task') return;
  g.classList.add(`state-${st?.state ?? 'none'}`);
  if (!st || st.state === 'notrun') return;
  const badge = s('g', { class: 'status', transform: `translate(${box.w - 2},2)` }, s('circle', { r: 9 }), s('text', { 'text-anchor': 'middle', y: 4 }, STATE_GLYPHS[st.state] ?? '?'));
  g.appendChild(badge);
}

function drawNode(node: ViewNode, box: Box): SVGGElement {
  const g = s('g', { class: `node ${node.kind} ${node.style}`, 'data-id': node.id, transform: `translate(${box.x},${box.y})` });
  const tooltip = [node.label, node.detail, node.badges.join(' · ')].filter(Boolean).join('\n');
  g.appendChild(s('title', {}, tooltip));
  const { w, h } = box;
  if (node.kind === 'task') {
    if (node.style.startsWith('sub-dag')) g.appendChild(s('rect', { class: 'stack', x: 5, y: 5, width: w, height: h, rx: 7 }));
    g.appendChild(s('rect', { class: 'box', width: w, height: h, rx: 7 }));
    g.appendChild(s('rect', { class: 'stripe', width: 5, height: h - 2, x: 1, y: 1, rx: 2 }));
    g.appendChild(s('text', { class: 'label', x: 14, y: 22 }, truncate(node.label, 27)));
    const badges = node.badges.join(' · ');
    const room = 33 - Math.ceil(badges.length * 0.95);
    if (node.detail) g.appendChild(s('text', { class: 'detail', x: 14, y: 41 }, truncate(node.detail, Math.max(6, room))));
    if (badges) g.appendChild(s('text', { class: 'badge', x: w - 10, y: 41, 'text-anchor': 'end' }, badges));
    if (node.style.startsWith('sub-dag')) g.appendChild(s('text', { class: 'drill', x: w - 12, y: 22, 'text-anchor': 'end' }, '⤵'));
  } else {
    g.appendChild(s('rect', { class: 'box', width: w, height: h, rx: h / 2 }));
    const labelY = node.kind === 'artifact' ? 15 : h / 2 + 4;
    g.appendChild(s('text', { class: 'label', x: w / 2, y: labelY, 'text-anchor': 'middle' }, truncate(node.label, 24)));
    if (node.kind === 'artifact' && node.detail) g.appendChild(s('text', { class: 'detail', x: w / 2, y: 28, 'text-anchor': 'middle' }, truncate(node.detail, 28)));
  }
  return g;
}
