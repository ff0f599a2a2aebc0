// Typed, range-aware reading of a `yaml` document tree. The parser walks the IR through this instead of plain
// objects, so every value it keeps can point back to its line in the file (YAML or JSON: JSON is read as YAML).
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Document, type Node, type Pair } from 'yaml';
import type { Range } from './model';

/** Converts `yaml` offsets to zero-based line/character ranges. */
export class Locator {
  constructor(private readonly lines: LineCounter) {}

  range(start: number, end: number): Range {
    const a = this.lines.linePos(start);
    const b = this.lines.linePos(Math.max(start, end));
    return { start: { line: a.line - 1, character: a.col - 1 }, end: { line: b.line - 1, character: b.col - 1 } };
  }

  /** The range of a node's value (no trailing comments or blank lines). */
  of(node: Node | null | undefined): Range | undefined {
    const r = node?.range;
    return r ? this.range(r[0], r[1]) : undefined;
  }
}

/** A node of the tree with the document it belongs to (to resolve aliases) and its key's range. */
export class YNode {
  constructor(
    readonly node: Node | null,
    readonly doc: Document,
    readonly loc: Locator,
    /** The range of the key this node is the value of, when it is a map value. */
    readonly keyRange?: Range,
  ) {}

  private resolved(): Node | null {
    let n: unknown = this.node;
    for (let i = 0; i < 8 && isAlias(n); i++) n = n.resolve(this.doc) ?? null;
    return (n as Node | null) ?? null;
  }

  get isMap(): boolean {
    return isMap(this.resolved());
  }

  get isSeq(): boolean {
    return isSeq(this.resolved());
  }

  /** The key's range when known, else the value's: where a diagnostic about this entry should point. */
  get range(): Range {
    return this.keyRange ?? this.valueRange ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  }

  get valueRange(): Range | undefined {
    return this.loc.of(this.node);
  }

  /** The value of `key` in a map, or undefined. */
  get(key: string): YNode | undefined {
    const m = this.resolved();
    if (!isMap(m)) return undefined;
    for (const pair of m.items as Pair[]) {
      if (isScalar(pair.key) && String(pair.key.value) === key) return this.child(pair);
    }
    return undefined;
  }

  /** A nested value by path, e.g. `at('triggerPolicy', 'condition')`. */
  at(...path: string[]): YNode | undefined {
    return path.reduce<YNode | undefined>((cur, k) => cur?.get(k), this);
  }

  /** The entries of a map, in file order. */
  entries(): [string, YNode][] {
    const m = this.resolved();
    if (!isMap(m)) return [];
    const out: [string, YNode][] = [];
    for (const pair of m.items as Pair[]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      out.push([key, this.child(pair)]);
    }
    return out;
  }

  keys(): string[] {
    return this.entries().map(([k]) => k);
  }

  /** The items of a sequence. */
  items(): YNode[] {
    const s = this.resolved();
    if (!isSeq(s)) return [];
    return s.items.map((n) => new YNode(n as Node, this.doc, this.loc));
  }

  /** A scalar as a string (numbers and booleans are stringified); undefined for maps, sequences and null. */
  str(): string | undefined {
    const n = this.resolved();
    if (!isScalar(n) || n.value === null || n.value === undefined) return undefined;
    return String(n.value);
  }

  num(): number | undefined {
    const n = this.resolved();
    if (!isScalar(n)) return undefined;
    const v = typeof n.value === 'number' ? n.value : Number(n.value);
    return Number.isFinite(v) ? v : undefined;
  }

  bool(): boolean | undefined {
    const n = this.resolved();
    return isScalar(n) && typeof n.value === 'boolean' ? n.value : undefined;
  }

  strings(): string[] {
    return this.items().map((i) => i.str() ?? '').filter((s) => s !== '');
  }

  /** The plain JavaScript value (for values kept as written: defaults, platform settings, resources). */
  toJS(): unknown {
    const n = this.resolved();
    if (!n) return null;
    return n.toJS(this.doc, { maxAliasCount: 1000 });
  }

  private child(pair: Pair): YNode {
    const keyRange = isScalar(pair.key) ? this.loc.of(pair.key) : undefined;
    return new YNode((pair.value as Node | null) ?? null, this.doc, this.loc, keyRange);
  }
}

export { LineCounter };
