// Validation of Kubeflow YAML against the JSON schemas of dist/schemas (scripts/gen-schemas.mjs). VS Code-free, so
// unit tests use it directly; feature.ts turns its findings into diagnostics.
//
//   const v = new KubeflowYamlValidator(index, (file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
//   v.validate(text)  →  { recognized: true, findings: [{ start, end, message }] }   (offsets into text)
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { isMap, isNode, isScalar, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';

/** One entry of dist/schemas/index.json. */
export interface SchemaIndexEntry {
  id: string;
  apiVersion: string;
  kind: string;
  file: string;
  source: string;
}

export interface Finding {
  /** Offsets into the text. */
  start: number;
  end: number;
  message: string;
  /** The document's kind, or undefined for YAML syntax errors. */
  kind?: string;
  /** JSON pointer of the value the finding is about ('' for the document). */
  path: string;
}

export interface ValidationResult {
  /** At least one document has the apiVersion + kind of a kind we have a schema for. */
  recognized: boolean;
  findings: Finding[];
  /** For convenience: 0-based line and column of an offset. */
  position(offset: number): { line: number; character: number };
}

export class KubeflowYamlValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(
    readonly index: readonly SchemaIndexEntry[],
    private readonly loadSchema: (file: string) => object,
  ) {}

  /** The index entry for an apiVersion + kind, if we know the kind. */
  entryFor(apiVersion: unknown, kind: unknown): SchemaIndexEntry | undefined {
    return this.index.find((e) => e.apiVersion === apiVersion && e.kind === kind);
  }

  /** Compiled lazily: the KServe schema alone is ~600 KB. */
  private validator(e: SchemaIndexEntry): ValidateFunction {
    let v = this.compiled.get(e.id);
    if (!v) {
      const schema = { ...this.loadSchema(e.file) } as Record<string, unknown>;
      delete schema.$id; // several validators may load the same files
      v = this.ajv.compile(schema);
      this.compiled.set(e.id, v);
    }
    return v;
  }

  validate(text: string): ValidationResult {
    const lineCounter = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
    const findings: Finding[] = [];
    let recognized = false;
    const syntax: Finding[] = [];
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      for (const err of doc.errors) {
        syntax.push({ start: err.pos[0], end: Math.max(err.pos[1], err.pos[0] + 1), message: err.message.split('\n')[0], path: '' });
      }
      const obj: unknown = doc.errors.length ? safeToJS(doc) : doc.toJS();
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) continue;
      const { apiVersion, kind } = obj as { apiVersion?: unknown; kind?: unknown };
      const entry = this.entryFor(apiVersion, kind);
      if (!entry) {
        // A known kind under another version: say which version we know.
        const known = this.index.find((e) => e.kind === kind && typeof apiVersion === 'string' && e.apiVersion.split('/')[0] === apiVersion.split('/')[0]);
        if (known) {
          recognized = true;
          const node = nodeAt(doc, ['apiVersion']) ?? doc.contents;
          const [start, end] = rangeOf(node, text);
          findings.push({ start, end, kind: String(kind), path: '/apiVersion', message: `${String(kind)}: this extension knows ${known.apiVersion}, not ${String(apiVersion)}` });
        }
        continue;
      }
      recognized = true;
      const validate = this.validator(entry);
      if (validate(obj)) continue;
      for (const e of simplify(validate.errors ?? [])) {
        const segs = pointerSegments(e.instancePath);
        let node: Node | null | undefined;
        let message = messageOf(e);
        if (e.keyword === 'additionalProperties') {
          const extra = String((e.params as { additionalProperty: string }).additionalProperty);
          node = keyNode(nodeAt(doc, segs), extra) ?? nodeAt(doc, segs);
          message = `unknown field "${extra}"${segs.length ? ` in ${e.instancePath}` : ''}`;
        } else if (e.keyword === 'required') {
          node = keyNodeOfParent(doc, segs) ?? nodeAt(doc, segs);
        } else {
          node = nodeAt(doc, segs);
        }
        const [start, end] = rangeOf(node ?? doc.contents, text);
        findings.push({ start, end, kind: entry.kind, path: e.instancePath, message: `${entry.kind}: ${message}` });
      }
    }
    if (recognized) findings.unshift(...syntax);
    return {
      recognized,
      findings,
      position(offset: number) {
        const p = lineCounter.linePos(offset);
        return { line: p.line - 1, character: p.col - 1 };
      },
    };
  }
}

function safeToJS(doc: Document.Parsed): unknown {
  try {
    return doc.toJS();
  } catch {
    return undefined;
  }
}

function pointerSegments(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer.slice(1).split('/').map((s) => {
    const k = s.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(k) ? Number(k) : k;
  });
}

function nodeAt(doc: Document.Parsed, segs: (string | number)[]): Node | undefined {
  if (segs.length === 0) return (doc.contents ?? undefined) as Node | undefined;
  const n = doc.getIn(segs, true);
  return isNode(n) ? n : undefined;
}

/** The key node of `name` in a map node: an unknown field is reported on its key. */
function keyNode(map: Node | undefined, name: string): Node | undefined {
  if (!map || !isMap(map)) return undefined;
  for (const pair of map.items) {
    if (isScalar(pair.key) && String(pair.key.value) === name) return pair.key;
  }
  return undefined;
}

/** For a missing field: the key of the object that lacks it (e.g. `runtimeRef:`), which is where the user looks. */
function keyNodeOfParent(doc: Document.Parsed, segs: (string | number)[]): Node | undefined {
  if (segs.length === 0) return undefined;
  const last = segs[segs.length - 1];
  if (typeof last !== 'string') return undefined;
  return keyNode(nodeAt(doc, segs.slice(0, -1)), last);
}

function rangeOf(node: Node | null | undefined, text: string): [number, number] {
  const r = node?.range;
  if (!r) return [0, Math.min(1, text.length)];
  const start = r[0];
  let end = r[1];
  // A multi-line value (a map): underline its first line only.
  const nl = text.indexOf('\n', start);
  if (nl >= 0 && nl < end) end = nl;
  if (end <= start) end = start + 1;
  return [start, end];
}

function messageOf(e: ErrorObject): string {
  const where = e.instancePath || '(document)';
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'enum':
      return `${where} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${where} must be ${JSON.stringify(p.allowedValue)}`;
    case 'required':
      return `missing required field "${String(p.missingProperty)}"${e.instancePath ? ` in ${e.instancePath}` : ''}`;
    default:
      return `${where} ${e.message ?? 'is invalid'}`;
  }
}

/**
 * ajv with allErrors reports every branch of an anyOf (int-or-string) and the if/then wrappers; keep the errors
 * that say something: drop anyOf/if summaries when a more specific error exists at the same or a deeper path, and
 * the 'type' errors of anyOf branches when the anyOf itself is reported.
 */
function simplify(errors: ErrorObject[]): ErrorObject[] {
  const out: ErrorObject[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') {
      out.push({ ...e, message: 'must be an integer or a string' });
      continue;
    }
    if (/\/(anyOf|oneOf)\/\d+\//.test(e.schemaPath)) continue;
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}
