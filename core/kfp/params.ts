// The run parameter form, without the form: which fields a pipeline takes (`root.inputDefinitions.parameters`), the
// defaults that really apply, values the pipeline branches on (offered as choices), and validation of what the user
// typed into the typed `runtime_config.parameters` the API wants. The extension and the form webview share it, so
// the form checks as the user types and the extension checks again before anything is sent. Browser-safe.

export type ParamType = 'STRING' | 'NUMBER_INTEGER' | 'NUMBER_DOUBLE' | 'BOOLEAN' | 'LIST' | 'STRUCT';

export interface ParamField {
  name: string;
  type: ParamType;
  description?: string;
  /** The IR's `defaultValue`: what the pipeline uses when the parameter is not sent. */
  default?: unknown;
  hasDefault: boolean;
  /** The run can leave it out: it has a default or `isOptional` (then the component sees None). */
  optional: boolean;
  /** Values the pipeline compares this parameter with in `dsl.If`/`dsl.Condition` (for a pick list). */
  suggestions?: string[];
}

export interface FormSpec {
  pipelineName: string;
  displayName?: string;
  description?: string;
  fields: ParamField[];
  /** Root inputs a run cannot set from parameters (artifacts, task final status), with why. */
  skipped: { name: string; reason: string }[];
}

/** What the form holds: the text of every field ('' = not set). Booleans are 'true' / 'false'. */
export type FormValues = Record<string, string>;

export type FieldCheck = { ok: true; value?: unknown } | { ok: false; error: string };

const LEGACY_TYPES: Record<string, ParamType> = { STRING: 'STRING', INT: 'NUMBER_INTEGER', DOUBLE: 'NUMBER_DOUBLE' };
const TYPES = new Set<string>(['STRING', 'NUMBER_INTEGER', 'NUMBER_DOUBLE', 'BOOLEAN', 'LIST', 'STRUCT']);

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

/** The PipelineSpec inside what the API or a file holds: the bare spec, or `{pipeline_spec, platform_spec}`. */
export function unwrapSpec(spec: unknown): Obj | undefined {
  const o = obj(spec);
  if (!o) return undefined;
  const inner = obj(o.pipeline_spec) ?? obj(o.pipelineSpec);
  return inner && !o.root ? inner : o;
}

/** The fields of a pipeline's run form, in the order the pipeline declares them: required ones first. */
export function formSpec(spec: unknown): FormSpec {
  const s = unwrapSpec(spec) ?? {};
  const info = obj(s.pipelineInfo) ?? {};
  const root = obj(s.root) ?? {};
  const defs = obj(root.inputDefinitions) ?? {};
  const fields: ParamField[] = [];
  const skipped: FormSpec['skipped'] = [];
  for (const [name, raw] of Object.entries(obj(defs.parameters) ?? {})) {
    const p = obj(raw) ?? {};
    const declared = String(p.parameterType ?? '');
    const type = TYPES.has(declared) ? (declared as ParamType) : LEGACY_TYPES[String(p.type ?? '')];
    if (!type) {
      skipped.push({ name, reason: declared === 'TASK_FINAL_STATUS' ? 'the status of a task, set by the pipeline itself' : `unsupported parameter type ${declared || String(p.type ?? '(none)')}` });
      continue;
    }
    const hasDefault = 'defaultValue' in p && p.defaultValue !== null && p.defaultValue !== undefined;
    const field: ParamField = { name, type, hasDefault, optional: hasDefault || p.isOptional === true };
    if (hasDefault) field.default = normaliseDefault(type, p.defaultValue);
    if (typeof p.description === 'string' && p.description.trim()) field.description = p.description.trim();
    fields.push(field);
  }
  for (const name of Object.keys(obj(defs.artifacts) ?? {})) {
    skipped.push({ name, reason: 'an input artifact: a run takes parameters only (use dsl.importer in the pipeline)' });
  }
  const suggestions = branchValues(s, new Set(fields.map((f) => f.name)));
  for (const f of fields) {
    const values = suggestions.get(f.name);
    if (values?.size && f.type !== 'BOOLEAN') f.suggestions = [...values];
  }
  // Required first (the user must fill them), then the rest; declaration order within each group.
  fields.sort((a, b) => Number(a.optional) - Number(b.optional));
  const out: FormSpec = { pipelineName: typeof info.name === 'string' ? info.name : '', fields, skipped };
  if (typeof info.displayName === 'string' && info.displayName) out.displayName = info.displayName;
  if (typeof info.description === 'string' && info.description) out.description = info.description;
  return out;
}

/** Integers compiled as `200.0` come back as 200; everything else as written. */
function normaliseDefault(type: ParamType, v: unknown): unknown {
  if (type === 'NUMBER_INTEGER' && typeof v === 'number' && Number.isInteger(v)) return Math.trunc(v);
  if (type === 'NUMBER_INTEGER' && typeof v === 'string' && /^[+-]?\d+(\.0*)?$/.test(v.trim())) return Number.parseInt(v, 10);
  return v;
}

const CHANNEL = String.raw`(?:(?:int|float|str)\()?inputs\.parameter_values\[\s*'pipelinechannel--([A-Za-z0-9_]+)'\s*\]\)?`;
const LITERAL = String.raw`('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)`;
const COMPARE = new RegExp(String.raw`${CHANNEL}\s*(?:==|!=)\s*${LITERAL}|${LITERAL}\s*(?:==|!=)\s*${CHANNEL}`, 'g');

/** Root parameter → the literals the pipeline's conditions compare it with. */
function branchValues(spec: Obj, names: Set<string>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const dags = [obj(spec.root), ...Object.values(obj(spec.components) ?? {}).map(obj)];
  for (const c of dags) {
    for (const t of Object.values(obj(obj(c?.dag)?.tasks) ?? {})) {
      const cond = obj(obj(t)?.triggerPolicy)?.condition;
      if (typeof cond !== 'string') continue;
      for (const m of cond.matchAll(COMPARE)) {
        const name = m[1] ?? m[4];
        const lit = m[2] ?? m[3];
        if (!name || !lit || !names.has(name)) continue;
        const value = /^['"]/.test(lit) ? lit.slice(1, -1).replace(/\\(.)/g, '$1') : lit;
        const set = out.get(name) ?? new Set<string>();
        set.add(value);
        out.set(name, set);
      }
    }
  }
  return out;
}

/** A typed value as the form shows it. */
export function valueToText(type: ParamType, value: unknown): string {
  if (value === undefined || value === null) return '';
  switch (type) {
    case 'STRING':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'BOOLEAN':
      return value === true || value === 'true' ? 'true' : 'false';
    case 'LIST':
    case 'STRUCT':
      return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
    default:
      return String(value);
  }
}

/** The form's first values: the defaults, then each layer (a preset, the last run's values) over them. */
export function initialValues(fields: ParamField[], ...layers: (Record<string, unknown> | undefined)[]): FormValues {
  const values: FormValues = {};
  for (const f of fields) {
    values[f.name] = f.hasDefault ? valueToText(f.type, f.default) : f.type === 'BOOLEAN' && !f.optional ? 'false' : '';
    for (const layer of layers) {
      if (layer && f.name in layer) values[f.name] = valueToText(f.type, layer[f.name]);
    }
  }
  return values;
}

/** Hint shown in an empty field. */
export function placeholder(f: ParamField): string {
  switch (f.type) {
    case 'NUMBER_INTEGER':
      return 'a whole number, e.g. 3';
    case 'NUMBER_DOUBLE':
      return 'a number, e.g. 0.5';
    case 'LIST':
      return 'a JSON list, e.g. ["a", "b"]';
    case 'STRUCT':
      return 'a JSON object, e.g. {"key": 1}';
    case 'BOOLEAN':
      return 'true or false';
    default:
      return f.optional ? (f.hasDefault ? '' : 'optional') : 'text';
  }
}

export const TYPE_LABELS: Record<ParamType, string> = {
  STRING: 'string',
  NUMBER_INTEGER: 'integer',
  NUMBER_DOUBLE: 'float',
  BOOLEAN: 'boolean',
  LIST: 'list (JSON)',
  STRUCT: 'dict (JSON)',
};

const DOUBLE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * One field's text → the value to send. `value` undefined means "leave it out" (its default, or None for an optional
 * input). A required field left empty is an error, so nothing is submitted by half.
 */
export function checkField(f: ParamField, text: string | undefined): FieldCheck {
  const t = (text ?? '').trim();
  if (t === '' && f.type !== 'STRING') {
    return f.optional ? { ok: true } : { ok: false, error: `Required: ${placeholder(f)}.` };
  }
  switch (f.type) {
    case 'STRING':
      if ((text ?? '') === '') return f.optional ? { ok: true } : { ok: false, error: 'Required: enter a value.' };
      return { ok: true, value: text };
    case 'NUMBER_INTEGER': {
      if (!/^[+-]?\d+$/.test(t)) return { ok: false, error: DOUBLE.test(t) ? `${t} is not a whole number.` : `Enter a whole number (e.g. 3), not "${short(t)}".` };
      const n = Number(t);
      if (!Number.isSafeInteger(n)) return { ok: false, error: `${t} is too large (at most ${Number.MAX_SAFE_INTEGER}).` };
      return { ok: true, value: n };
    }
    case 'NUMBER_DOUBLE': {
      if (!DOUBLE.test(t)) return { ok: false, error: `Enter a number (e.g. 0.5 or 1e-3), not "${short(t)}".` };
      const n = Number(t);
      return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, error: `${t} is out of range.` };
    }
    case 'BOOLEAN':
      if (/^(true|false)$/i.test(t)) return { ok: true, value: t.toLowerCase() === 'true' };
      return { ok: false, error: 'Choose true or false.' };
    case 'LIST':
    case 'STRUCT': {
      let v: unknown;
      try {
        v = JSON.parse(t);
      } catch (err) {
        return { ok: false, error: `Not valid JSON: ${(err as Error).message}.` };
      }
      const want = f.type === 'LIST' ? 'list' : 'object';
      const got = Array.isArray(v) ? 'list' : v === null ? 'null' : typeof v;
      if (got !== want) return { ok: false, error: `Expected a JSON ${want === 'list' ? 'list [ … ]' : 'object { … }'}, got ${got === 'object' ? 'an object' : `a ${got}`}.` };
      return { ok: true, value: v };
    }
  }
}

function short(s: string): string {
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

export type BuildResult = { ok: true; parameters: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

/** Every field checked; the typed `runtime_config.parameters` when all are valid. */
export function buildParameters(fields: ParamField[], values: FormValues): BuildResult {
  const parameters: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const r = checkField(f, values[f.name]);
    if (!r.ok) errors[f.name] = r.error;
    else if (r.value !== undefined) parameters[f.name] = r.value;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, parameters };
}

/** Keeps the entries of stored values (a preset, an old run's) that the pipeline still has, as form text. */
export function applicableValues(fields: ParamField[], stored: Record<string, unknown> | undefined): FormValues {
  const out: FormValues = {};
  if (!stored) return out;
  for (const f of fields) if (f.name in stored) out[f.name] = valueToText(f.type, stored[f.name]);
  return out;
}
