// Proper crossings between the polylines of different edges: the one quality measure applied to our layout and to
// dagre's alike (the layout test and `npm run bench`).
import type { Point } from '../../core/pipeline/layout';

export function edgeCrossings(routes: Point[][]): number {
  const segs: { a: Point; b: Point; e: number; x0: number; x1: number }[] = [];
  routes.forEach((r, e) => {
    for (let i = 1; i < r.length; i++) segs.push({ a: r[i - 1], b: r[i], e, x0: Math.min(r[i - 1].x, r[i].x), x1: Math.max(r[i - 1].x, r[i].x) });
  });
  segs.sort((p, q) => p.x0 - q.x0);
  const orient = (p: Point, q: Point, r: Point) => Math.sign((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));
  let n = 0;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    for (let j = i + 1; j < segs.length && segs[j].x0 <= s.x1; j++) {
      const t = segs[j];
      if (t.e === s.e) continue;
      if (orient(s.a, s.b, t.a) * orient(s.a, s.b, t.b) < 0 && orient(t.a, t.b, s.a) * orient(t.a, t.b, s.b) < 0) n++;
    }
  }
  return n;
}

