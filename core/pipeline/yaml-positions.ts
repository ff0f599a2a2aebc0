// Source positions for the values of a parsed pipeline, by path. Two kinds: for text read by the fast parser
// (js-yaml), an index built on first use by parsing once more with js-yaml's node listener, which gives the offsets
// of every map and sequence; for text read by the lenient parser (`yaml`), its documents' own node ranges.
import { CORE_SCHEMA, loadAll, type State } from 'js-yaml';
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { Range } from './model';
import { isPlainMap, type PathKey, type SourcePositions } from './yaml-node';

/** Zero-based line/character positions of offsets in a text (line starts found on first use). */
export class LineIndex {
  private starts: number[] | undefined;

  constructor(private readonly text: string) {}

  private lineStarts(): number[] {
    if (this.starts) return this.starts;
    const starts = [0];
    for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) starts.push(i + 1);
    return (this.starts = starts);
  }

  position(offset: number): { line: number; character: number } {
    const starts = this.lineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - starts[lo] };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }
}

export const JS_YAML_OPTIONS = { schema: CORE_SCHEMA, maxDepth: 1000 } as const;

interface Spans {
  docs: unknown[];
  /** [start, end) offsets of each map and sequence, by identity (the first occurrence for an aliased one). */
  spans: Map<object, [number, number]>;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class JsYamlPositions implements SourcePositions {
  private index: Spans | undefined;
  private readonly lines: LineIndex;

  constructor(private readonly text: string) {
    this.lines = new LineIndex(text);
  }

  private build(): Spans {
    if (this.index) return this.index;
    const spans = new Map<object, [number, number]>();
    const opened: number[] = [];
    const docs: unknown[] = [];
    const listener = (event: 'open' | 'close', state: State) => {
      if (event === 'open') {
        opened.push(state.position);
        return;
      }
      const start = opened.pop() ?? 0;
      const r: unknown = state.result;
      if (typeof r === 'object' && r !== null && !spans.has(r)) spans.set(r, [start, state.position]);
    };
    loadAll(this.text, (d) => docs.push(d), { ...JS_YAML_OPTIONS, listener });
    return (this.index = { docs, spans });
  }

  locate(path: readonly PathKey[], part: 'key' | 'value'): Range | undefined {
    const { docs, spans } = this.build();
    let value: unknown = docs[Number(path[0])];
    // The innermost map or sequence on the path above the target.
    let holder: [number, number] | undefined = isObject(value) ? spans.get(value) : undefined;
    for (let i = 1; i < path.length; i++) {
      const k = path[i];
      value = Array.isArray(value) ? value[Number(k)] : isPlainMap(value) ? value[String(k)] : undefined;
      const span = isObject(value) ? spans.get(value) : undefined;
      if (i < path.length - 1) {
        // A path through a scalar or a missing entry: point at the deepest place found.
        if (!span) return holder && this.trimmed(holder[0], holder[1]);
        holder = span;
      } else if (span) {
        // The target is a map or sequence: its value range is its span, its key is just before it.
        if (part === 'value') return this.trimmed(span[0], span[1]);
        return this.toRange(this.keyBefore(span[0], String(k)) ?? this.keyIn(holder, String(k))) ?? this.trimmed(span[0], span[1]);
      }
    }
    if (!holder) return undefined;
    if (path.length === 1) return this.trimmed(holder[0], holder[1]);
    const last = path[path.length - 1];
    // A scalar: found in the text of the map or sequence that holds it.
    if (typeof last === 'string') {
      const key = this.keyIn(holder, last);
      if (!key || part === 'key') return this.toRange(key);
      return this.toRange(this.scalarAfterKey(key[1]) ?? key);
    }
    return this.toRange(this.scalarIn(holder, value)) ?? this.trimmed(holder[0], holder[1]);
  }

  private toRange(span: [number, number] | undefined): Range | undefined {
    return span && this.lines.range(span[0], span[1]);
  }

  /** A range without the whitespace the parser includes around a node. */
  private trimmed(start: number, end: number): Range {
    const t = this.text;
    let a = start;
    let b = end;
    while (a < b && /\s/.test(t[a])) a++;
    while (b > a && /\s/.test(t[b - 1])) b--;
    return this.lines.range(a, b);
  }

  /** The key written right before a value that starts at `valueStart` (`key:` or `"key":`). */
  private keyBefore(valueStart: number, key: string): [number, number] | undefined {
    const t = this.text;
    let i = valueStart - 1;
    while (i >= 0 && (t[i] === ' ' || t[i] === '\t')) i--;
    if (t[i] !== ':') return undefined;
    i--;
    while (i >= 0 && (t[i] === ' ' || t[i] === '\t')) i--;
    const quoted = t[i] === '"' || t[i] === "'";
    const end = quoted ? i : i + 1;
    const start = end - key.length;
    if (start < 0 || t.slice(start, end) !== key) return undefined;
    return quoted ? [start - 1, end + 1] : [start, end];
  }

  /** The key `key` directly in the map spanning `holder`: among its occurrences, the least indented one. */
  private keyIn(holder: [number, number] | undefined, key: string): [number, number] | undefined {
    if (!holder) return undefined;
    const body = this.text.slice(holder[0], holder[1]);
    const re = new RegExp(`(^|[\\s{,?])(["']?)${escapeRe(key)}\\2[ \\t]*:(?=\\s|$|[{\\["'])`, 'gm');
    let best: { at: number; len: number; indent: number } | undefined;
    for (let m = re.exec(body); m; m = re.exec(body)) {
      const at = m.index + m[1].length;
      const lineStart = body.lastIndexOf('\n', at) + 1;
      const indent = at - lineStart;
      if (!best || indent < best.indent) best = { at, len: key.length + 2 * m[2].length, indent };
    }
    return best && [holder[0] + best.at, holder[0] + best.at + best.len];
  }

  /** The scalar after a key that ends at `keyEnd`, to the end of its line. */
  private scalarAfterKey(keyEnd: number): [number, number] | undefined {
    const t = this.text;
    const colon = t.indexOf(':', keyEnd);
    let end = t.indexOf('\n', keyEnd);
    if (end < 0) end = t.length;
    if (colon < 0 || colon > end) return undefined;
    let a = colon + 1;
    while (a < end && /\s/.test(t[a])) a++;
    while (end > a && /\s/.test(t[end - 1])) end--;
    return a < end ? [a, end] : undefined;
  }

  private scalarIn(holder: [number, number], value: unknown): [number, number] | undefined {
    const s = typeof value === 'string' ? value : value === null || value === undefined ? undefined : String(value);
    if (!s) return undefined;
    const at = this.text.indexOf(s, holder[0]);
    return at >= 0 && at < holder[1] ? [at, at + s.length] : undefined;
  }
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

/** Positions of text read by the `yaml` package: its nodes' ranges, walked by path. */
export class DocumentPositions implements SourcePositions {
  private readonly lines: { range(a: number, b: number): Range };

  constructor(
    private readonly docs: Document[],
    lines: LineCounter,
  ) {
    this.lines = {
      range: (a, b) => {
        const s = lines.linePos(a);
        const e = lines.linePos(Math.max(a, b));
        return { start: { line: s.line - 1, character: s.col - 1 }, end: { line: e.line - 1, character: e.col - 1 } };
      },
    };
  }

  locate(path: readonly PathKey[], part: 'key' | 'value'): Range | undefined {
    const doc = this.docs[Number(path[0])];
    if (!doc) return undefined;
    const resolve = (n: unknown): Node | null => {
      let r = n;
      for (let i = 0; i < 8 && isAlias(r); i++) r = r.resolve(doc) ?? null;
      return (r as Node | null) ?? null;
    };
    let node: Node | null = doc.contents;
    let key: Node | null = null;
    for (let i = 1; i < path.length && node; i++) {
      const n = resolve(node);
      const k = path[i];
      if (isMap(n)) {
        const pair = (n.items as Pair[]).find((p) => isScalar(p.key) && String(p.key.value) === String(k));
        key = (pair?.key as Node | null) ?? null;
        node = (pair?.value as Node | null) ?? null;
      } else if (isSeq(n)) {
        key = null;
        node = (n.items[Number(k)] as Node | null) ?? null;
      } else {
        node = null;
      }
    }
    const target = part === 'key' ? key : node;
    const r = target?.range;
    return r ? this.lines.range(r[0], r[1]) : undefined;
  }
}

/** Converts `yaml` documents to plain values, aliases as shared references (as js-yaml reads them). */
export function plainValue(doc: Document): unknown {
  const memo = new Map<Node, unknown>();
  const conv = (n: unknown): unknown => {
    if (isAlias(n)) {
      const target = n.resolve(doc);
      return target ? conv(target) : null;
    }
    if (isScalar(n)) return n.value ?? null;
    if (!isMap(n) && !isSeq(n)) return null;
    const cached = memo.get(n);
    if (cached !== undefined) return cached;
    if (isSeq(n)) {
      const out: unknown[] = [];
      memo.set(n, out);
      for (const item of n.items) out.push(conv(item));
      return out;
    }
    const out: Record<string, unknown> = {};
    memo.set(n, out);
    for (const pair of n.items as Pair[]) {
      const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (!Object.hasOwn(out, k)) Object.defineProperty(out, k, { value: conv(pair.value), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  return conv(doc.contents);
}
