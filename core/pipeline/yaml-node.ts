// Typed, range-aware reading of a parsed pipeline document. The parser walks the IR through this instead of plain
// objects, so every value it keeps can point back to its line in the file. The values are plain JavaScript (with
// aliases as shared references, never expanded); positions are looked up by path only when a range is asked for
// (a diagnostic, go-to-source), so a clean parse pays nothing for them.
import type { Range } from './model';

/** One step of a path from a document's root: a map key or a sequence index. */
export type PathKey = string | number;

/** Where values are in the text, by path (the first step is the document's index in the file). */
export interface SourcePositions {
  /** The range of the key of the map entry at `path` (`key`), or of the value there (`value`). */
  locate(path: readonly PathKey[], part: 'key' | 'value'): Range | undefined;
}

export const ORIGIN: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/**
 * More nodes than this when a value kept as written is expanded, and four times as many as it really holds (its
 * aliases repeat the same nodes): an alias bomb.
 */
export const MAX_EXPANDED_NODES = 100_000;
const MAX_EXPANSION = 4;

/** A value kept as written (`toJS`) would expand its aliases into more than MAX_EXPANDED_NODES nodes. */
export class AliasExpansionError extends Error {
  constructor() {
    super(`This value repeats aliases into more than ${MAX_EXPANDED_NODES.toLocaleString('en-US')} nodes (a YAML alias bomb?), so it is not read.`);
  }
}

export function isPlainMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value of the tree with its place in the file (parent and key), to find its range when needed. */
export class YNode {
  constructor(
    readonly value: unknown,
    private readonly src: SourcePositions,
    private readonly parent: YNode | undefined,
    /** The map key or sequence index in the parent; the document's index for a document's root. */
    private readonly key: PathKey,
  ) {}

  get isMap(): boolean {
    return isPlainMap(this.value);
  }

  get isSeq(): boolean {
    return Array.isArray(this.value);
  }

  /** The steps from the document's root to this node, the document's index first. */
  path(): PathKey[] {
    const out = this.parent ? this.parent.path() : [];
    out.push(this.key);
    return out;
  }

  /** The key's range when known, else the value's: where a diagnostic about this entry should point. */
  get range(): Range {
    return this.keyRange ?? this.valueRange ?? ORIGIN;
  }

  /** The range of the key this node is the value of, when it is a map value. */
  get keyRange(): Range | undefined {
    return this.parent?.isMap ? this.src.locate(this.path(), 'key') : undefined;
  }

  get valueRange(): Range | undefined {
    return this.src.locate(this.path(), 'value');
  }

  /** The value of `key` in a map, or undefined. */
  get(key: string): YNode | undefined {
    const m = this.value;
    if (!isPlainMap(m) || !Object.hasOwn(m, key)) return undefined;
    return new YNode(m[key], this.src, this, key);
  }

  /** A nested value by path, e.g. `at('triggerPolicy', 'condition')`. */
  at(...path: string[]): YNode | undefined {
    return path.reduce<YNode | undefined>((cur, k) => cur?.get(k), this);
  }

  /** The entries of a map, in file order. */
  entries(): [string, YNode][] {
    const m = this.value;
    if (!isPlainMap(m)) return [];
    return Object.keys(m).map((k) => [k, new YNode(m[k], this.src, this, k)]);
  }

  keys(): string[] {
    return isPlainMap(this.value) ? Object.keys(this.value) : [];
  }

  /** The items of a sequence. */
  items(): YNode[] {
    const s = this.value;
    return Array.isArray(s) ? s.map((v, i) => new YNode(v, this.src, this, i)) : [];
  }

  /** A scalar as a string (numbers and booleans are stringified); undefined for maps, sequences and null. */
  str(): string | undefined {
    const v = this.value;
    return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : undefined;
  }

  num(): number | undefined {
    const v = this.value;
    const n = typeof v === 'number' ? v : typeof v === 'string' || typeof v === 'boolean' ? Number(v) : NaN;
    return Number.isFinite(n) ? n : undefined;
  }

  bool(): boolean | undefined {
    return typeof this.value === 'boolean' ? this.value : undefined;
  }

  strings(): string[] {
    return this.items().map((i) => i.str() ?? '').filter((s) => s !== '');
  }

  /**
   * Gives `target` a `range` (this node's `range`) computed on first use. Not enumerable: the file's positions are
   * indexed only when go-to-source asks for it, and it is not copied into messages to the webview. Keeps the path,
   * not the tree. One getter shared by all targets (a getter per object would give each its own hidden class: a
   * 111,782-task model then takes several times its size and every later walk over its tasks is slow).
   */
  defineRange(target: object): void {
    Object.defineProperty(target, LAZY_RANGE, { value: { src: this.src, path: this.path(), isEntry: this.parent?.isMap ?? false }, enumerable: false, configurable: true, writable: true });
    Object.defineProperty(target, 'range', RANGE_PROPERTY);
  }

  /**
   * The plain JavaScript value (for values kept as written: defaults, platform settings, resources). Throws
   * AliasExpansionError when its aliases would expand it beyond MAX_EXPANDED_NODES (it would be expanded when the
   * model is serialised).
   */
  toJS(): unknown {
    checkExpansion(this.value);
    return this.value ?? null;
  }
}

interface LazyRange {
  src: SourcePositions;
  path: PathKey[];
  isEntry: boolean;
  range?: Range;
}

const LAZY_RANGE = Symbol('lazyRange');

const RANGE_PROPERTY: PropertyDescriptor = {
  enumerable: false,
  configurable: true,
  get(this: { [LAZY_RANGE]: LazyRange }): Range {
    const l = this[LAZY_RANGE];
    return (l.range ??= (l.isEntry ? l.src.locate(l.path, 'key') : undefined) ?? l.src.locate(l.path, 'value') ?? ORIGIN);
  },
};

/** Counts the nodes of `value` as a tree (shared references counted each time), stopping at the bound. */
function checkExpansion(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  const seen = new Set<object>();
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (++count > MAX_EXPANDED_NODES && count > MAX_EXPANSION * seen.size) throw new AliasExpansionError();
    seen.add(v);
    if (Array.isArray(v)) for (const x of v) stack.push(x);
    else for (const k in v) stack.push((v as Record<string, unknown>)[k]);
  }
}
