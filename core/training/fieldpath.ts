/**
 * From an API validation error to the place in the YAML the user wrote: the apiserver names fields as paths
 * (`spec.pytorchReplicaSpecs[Worker].replicas`, `spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].image`,
 * `metadata.labels[app.kubernetes.io/name]`, strict decoding's `unknown field "spec.foo"`), and the `yaml` package
 * knows the offsets of every node. Pure; the extension turns the offsets into diagnostics.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type Pair } from 'yaml';

export type PathSegment = string | number;

/** `a.b[0].c[key.with/dots]` → `['a', 'b', 0, 'c', 'key.with/dots']`. A leading dot is allowed. */
export function parseFieldPath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  let cur = '';
  let i = 0;
  const push = (): void => {
    if (cur) out.push(cur);
    cur = '';
  };
  while (i < path.length) {
    const ch = path[i]!;
    if (ch === '.') {
      push();
      i++;
    } else if (ch === '[') {
      push();
      const end = path.indexOf(']', i);
      const inner = end < 0 ? path.slice(i + 1) : path.slice(i + 1, end);
      out.push(/^\d+$/.test(inner) ? Number(inner) : inner.replace(/^["']|["']$/g, ''));
      i = end < 0 ? path.length : end + 1;
    } else {
      cur += ch;
      i++;
    }
  }
  push();
  return out;
}

export interface Located {
  /** Offsets into the whole file text. */
  start: number;
  end: number;
  /** False when only a prefix of the path exists (a missing required field points at its parent). */
  exact: boolean;
}

function keyText(p: Pair): string | undefined {
  return isScalar(p.key) ? String(p.key.value) : undefined;
}

/** Where `path` is in a document: the value of a scalar, the key of a map/list entry, or the deepest parent found. */
export function locatePath(doc: Document, path: PathSegment[]): Located | undefined {
  let node: unknown = doc.contents;
  let keyRange: [number, number] | undefined;
  let lastRange: [number, number] | undefined = rangeOf(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (isSeq(node)) {
      const idx = typeof seg === 'number' ? seg : /^\d+$/.test(seg) ? Number(seg) : NaN;
      const item = Number.isNaN(idx) ? undefined : node.items[idx];
      if (item === undefined) return at(keyRange ?? lastRange, false);
      node = item;
      keyRange = undefined;
      lastRange = headOf(item) ?? lastRange;
      continue;
    }
    if (isMap(node)) {
      // Map keys may contain dots (`nvidia.com/gpu`, label keys) that a dotted path split apart: try longer joins.
      let found: Pair | undefined;
      let used = 1;
      for (let j = i + 1; j <= path.length && !found; j++) {
        const key = path.slice(i, j).join('.');
        found = (node.items as Pair[]).find((p) => isPair(p) && keyText(p) === key);
        used = j - i;
      }
      if (!found) return at(keyRange ?? lastRange, false);
      i += used - 1;
      keyRange = rangeOf(found.key);
      node = found.value;
      lastRange = rangeOf(found.value) ?? keyRange;
      continue;
    }
    return at(keyRange ?? lastRange, false);
  }
  // A scalar: its value. A map or list: its key (the whole block would be a wall of red).
  if (isScalar(node) && !(node.value === null && keyRange)) return at(rangeOf(node) ?? keyRange, true);
  return at(keyRange ?? lastRange, true);
}

/** The first line of a list item: its first key when it is a map (a `- name: x` entry), else the item. */
function headOf(n: unknown): [number, number] | undefined {
  if (isMap(n) && n.items.length && isPair(n.items[0])) return rangeOf(n.items[0].key) ?? rangeOf(n);
  return rangeOf(n);
}

function rangeOf(n: unknown): [number, number] | undefined {
  const r = (n as Node | null | undefined)?.range;
  return r ? [r[0], r[1]] : undefined;
}

function at(r: [number, number] | undefined, exact: boolean): Located | undefined {
  return r ? { start: r[0], end: Math.max(r[0], r[1]), exact } : undefined;
}

export interface ApiCause {
  field?: string;
  reason?: string;
  message?: string;
}

export interface FieldProblem {
  /** The API's field path, or undefined when the error names none. */
  field?: string;
  message: string;
}

/**
 * The field problems of a failed request: the Status's `details.causes` when the answer carried them, else parsed
 * from its message (`… is invalid: [a.b: Invalid value: …, c: Required value]`, `unknown field "spec.x"`).
 */
export function fieldProblems(message: string, causes?: ApiCause[]): FieldProblem[] {
  return withoutEchoes(rawProblems(message, causes));
}

/**
 * Drops what only repeats another problem: "some validation rules were not checked because the object was invalid"
 * (said whenever schema errors stop CEL rules) and CEL's "accessor error" on a field whose type error is already listed.
 */
function withoutEchoes(problems: FieldProblem[]): FieldProblem[] {
  const kept = problems.filter((p, i) => {
    if (/some validation rules were not checked/.test(p.message)) return false;
    if (/accessor error: .* is of the type/.test(p.message)) return !problems.some((q, j) => j !== i && q.field === p.field && !/accessor error/.test(q.message));
    return true;
  });
  return kept.length ? kept : problems;
}

function rawProblems(message: string, causes?: ApiCause[]): FieldProblem[] {
  if (causes?.length) {
    return causes.map((c) => {
      const field = c.field && c.field !== '<nil>' ? c.field.replace(/^\./, '') : undefined;
      const strict = /unknown field "([^"]+)"/.exec(c.message ?? '');
      return { ...(field ? { field } : strict ? { field: strict[1]! } : {}), message: c.message ?? c.reason ?? message };
    });
  }
  const out: FieldProblem[] = [];
  for (const m of message.matchAll(/unknown field "([^"]+)"/g)) out.push({ field: m[1]!.replace(/^\./, ''), message: `unknown field "${m[1]}"` });
  if (out.length) return out;
  // A Go admission webhook that cannot decode the object (it sees it before the schema does): "json: cannot unmarshal
  // string into Go struct field PredictorSpec.spec.predictor.ComponentExtensionSpec.minReplicas of type int32". The
  // path after the type name, without the embedded structs' names (capitalised), is the field.
  const go = /json: cannot unmarshal (\S+) into Go struct field [A-Za-z0-9_]+\.([\w.]+) of type (\S+)/.exec(message);
  if (go) return [{ field: go[2]!.split('.').filter((p) => !/^[A-Z]/.test(p)).join('.'), message: `${go[1]} given where ${go[3]} is expected (${message.replace(/^.*denied the request: /s, '')})` }];
  const invalid = /is invalid: \[?(.*?)\]?$/s.exec(message);
  if (invalid) {
    // Causes are joined with ", " and each starts with "<path>: <Type>"; split where a path-looking token starts.
    const body = invalid[1]!;
    const parts = body.split(/, (?=(?:<nil>|[A-Za-z_.][\w.[\]/-]*): (?:Invalid value|Required value|Unsupported value|Forbidden|Duplicate value|Too many|Too long|Not found|Internal error))/);
    for (const part of parts) {
      const m = /^(<nil>|[A-Za-z_.][\w.[\]/-]*): (.*)$/s.exec(part.trim());
      if (m) out.push({ ...(m[1] !== '<nil>' ? { field: m[1]!.replace(/^\./, '') } : {}), message: `${m[2]}` });
      else out.push({ message: part.trim() });
    }
    if (out.length) return out;
  }
  return [{ message }];
}

export interface YamlResource {
  /** The parsed object (undefined for an empty document). */
  object: Record<string, unknown> | undefined;
  doc: Document;
  /** Offset range of the whole document in the file. */
  start: number;
  end: number;
  /** YAML syntax errors of this document: offset + message. */
  errors: Array<{ start: number; end: number; message: string }>;
}

/** Every document of a (multi-document) YAML file, with offsets in the file text. */
export function readYamlResources(text: string): { resources: YamlResource[]; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, keepSourceTokens: false });
  const list = Array.isArray(docs) ? docs : [];
  const resources = list.map((doc) => {
    const errors = doc.errors.map((e) => ({ start: e.pos[0], end: Math.max(e.pos[0] + 1, e.pos[1]), message: e.message.split('\n')[0]! }));
    let object: Record<string, unknown> | undefined;
    try {
      const v = errors.length ? undefined : doc.toJS({ maxAliasCount: 100 });
      object = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch (err) {
      errors.push({ start: doc.range[0], end: doc.range[1], message: (err as Error).message });
    }
    return { object, doc, start: doc.range[0], end: doc.range[2], errors };
  });
  return { resources, lineCounter };
}
