// KFP v2 pipeline IR as the API server reads it: upload parsing and validation (template/template.go, v2_template.go
// NewV2SpecTemplate: multi-document YAML, the document that is a PipelineSpec, an optional PlatformSpec, schema
// version 2.1.0, a pipeline name, a root), run parameter checks (validatePipelineJobInputs), and a small evaluator for
// the CEL conditions the SDK writes into `triggerPolicy.condition`.
import YAML from 'yaml';
import { invalidInput, KfpError, Code } from './errors';

export interface ParameterSpec {
  parameterType?: string;
  defaultValue?: unknown;
  isOptional?: boolean;
}

export interface TaskSpec {
  componentRef?: { name?: string };
  dependentTasks?: string[];
  inputs?: { parameters?: Record<string, TaskInputParameter>; artifacts?: Record<string, unknown> };
  taskInfo?: { name?: string };
  triggerPolicy?: { condition?: string; strategy?: string };
  parameterIterator?: { itemInput?: string; items?: { raw?: string; inputParameter?: string } };
  artifactIterator?: { itemInput?: string; items?: { inputArtifact?: string } };
  iteratorPolicy?: { parallelismLimit?: number };
  cachingOptions?: { enableCache?: boolean };
  retryPolicy?: unknown;
}

export interface TaskInputParameter {
  componentInputParameter?: string;
  runtimeValue?: { constant?: unknown };
  taskOutputParameter?: { producerTask?: string; outputParameterKey?: string };
  taskFinalStatus?: { producerTask?: string };
}

export interface DagSpec {
  tasks?: Record<string, TaskSpec>;
  outputs?: { parameters?: Record<string, { valueFromParameter?: { producerSubtask?: string; outputParameterKey?: string } }> };
}

export interface ComponentSpec {
  executorLabel?: string;
  dag?: DagSpec;
  inputDefinitions?: { parameters?: Record<string, ParameterSpec> };
  outputDefinitions?: { parameters?: Record<string, ParameterSpec>; artifacts?: Record<string, unknown> };
}

export interface ExecutorSpec {
  container?: { image?: string; command?: string[]; args?: string[] };
  importer?: unknown;
}

export interface PipelineSpec {
  pipelineInfo: { name: string; displayName?: string; description?: string };
  root: ComponentSpec;
  components?: Record<string, ComponentSpec>;
  deploymentSpec?: { executors?: Record<string, ExecutorSpec> };
  schemaVersion?: string;
  sdkVersion?: string;
  defaultPipelineRoot?: string;
}

export interface ParsedPipeline {
  spec: PipelineSpec;
  platformSpec?: Record<string, unknown>;
  /** What the API returns in pipeline_spec: the IR, or {pipeline_spec, platform_spec} when there is a platform spec. */
  apiSpec: Record<string, unknown>;
}

/** Top-level fields of the PipelineSpec proto (protojson refuses others, so such a document is not a pipeline spec). */
const PIPELINE_SPEC_FIELDS = new Set(['pipelineInfo', 'deploymentSpec', 'sdkVersion', 'schemaVersion', 'components', 'root', 'defaultPipelineRoot',
  'pipeline_info', 'deployment_spec', 'sdk_version', 'schema_version', 'default_pipeline_root']);

const invalidSpec = (detail: string) =>
  new KfpError(Code.InvalidArgument, detail, `InvalidInputError: ${detail}: pipeline spec is invalid`);

function isPipelineSpec(doc: unknown): doc is PipelineSpec {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return false;
  const d = doc as Record<string, unknown>;
  if (!Object.keys(d).every((k) => PIPELINE_SPEC_FIELDS.has(k))) return false;
  const info = d.pipelineInfo as { name?: unknown } | undefined;
  return typeof info?.name === 'string' && info.name !== '' && !!d.root && typeof d.root === 'object';
}

function isPlatformSpec(doc: unknown): boolean {
  const p = (doc as { platforms?: Record<string, unknown> } | null)?.platforms;
  return !!p && typeof p === 'object' && 'kubernetes' in p;
}

/** File name checks of ReadPipelineFile: YAML or JSON here (archives are a gap of the stand-in). */
export function checkPipelineFileName(fileName: string): void {
  if (/\.(ya?ml|json)$/i.test(fileName)) return;
  if (/\.(zip|tar\.gz|tgz)$/i.test(fileName)) {
    throw invalidInput('Unexpected pipeline file format. The KFP API stand-in reads .yaml, .yml and .json (archives are not implemented)');
  }
  throw invalidInput('Unexpected pipeline file format. Support .zip, .tar.gz, .json or YAML.');
}

/** template.New + NewV2SpecTemplate. */
export function parsePipeline(text: string): ParsedPipeline {
  let docs: unknown[];
  try {
    docs = YAML.parseAllDocuments(text).map((d) => {
      if (d.errors.length) throw d.errors[0];
      return d.toJS({ maxAliasCount: 1000 }) as unknown;
    });
  } catch (e) {
    throw invalidSpec(`failed to parse pipeline spec YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  docs = docs.filter((d) => d !== null && d !== undefined);
  if (docs.some((d) => typeof d === 'object' && d && (d as { kind?: string }).kind === 'Workflow' && String((d as { apiVersion?: string }).apiVersion).startsWith('argoproj.io/'))) {
    throw invalidInput('Argo workflow (v1) pipelines are not supported by the KFP API stand-in');
  }
  const specs = docs.filter(isPipelineSpec);
  if (specs.length === 0) throw invalidSpec('unknown template format');
  if (specs.length > 1) throw invalidSpec('multiple pipeline specs provided');
  const spec = specs[0]!;
  if (spec.schemaVersion !== '2.1.0') {
    throw invalidSpec(`KFP only supports schema version 2.1.0, but the pipeline spec has version ${spec.schemaVersion ?? ''}`);
  }
  // upstream's regexp is unanchored: any name with one lowercase alphanumeric passes
  if (!/[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/.test(spec.pipelineInfo.name)) {
    throw invalidSpec("invalid v2 pipeline spec: name should consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
  }
  const platforms = docs.filter(isPlatformSpec);
  if (platforms.length > 1) throw new KfpError(Code.InvalidArgument, 'multiple platform specs provided', 'InvalidInputError: multiple platform specs provided: platform spec is invalid');
  const platformSpec = platforms[0] as Record<string, unknown> | undefined;
  const apiSpec = platformSpec ? { pipeline_spec: spec, platform_spec: platformSpec } : (spec as unknown as Record<string, unknown>);
  return { spec, platformSpec, apiSpec };
}

/** A run's inline pipeline_spec (a Struct): either the IR itself or {pipeline_spec, platform_spec}. */
export function parseInlineSpec(struct: Record<string, unknown>): ParsedPipeline {
  const inner = struct.pipeline_spec && typeof struct.pipeline_spec === 'object' ? struct.pipeline_spec : struct;
  const docs = [inner, ...(struct.platform_spec ? [struct.platform_spec] : [])];
  return parsePipeline(docs.map((d) => YAML.stringify(d)).join('---\n'));
}

const TYPE_NAMES: Record<string, string> = {
  NUMBER_DOUBLE: 'double or integer', NUMBER_INTEGER: 'double or integer', STRING: 'string', BOOLEAN: 'bool', LIST: 'list', STRUCT: 'struct',
};

/** validatePipelineJobInputs (v2_template.go), same messages. */
export function validateRunParameters(spec: PipelineSpec, params: Record<string, unknown> | undefined): void {
  const defs = spec.root.inputDefinitions?.parameters ?? {};
  if (params === undefined) {
    const names = Object.keys(defs);
    if (names.length) throw invalidInput(`pipeline requiring input has no parameter(s) provided. Need parameter(s): ${names.join(', ')}`);
    return;
  }
  for (const [name, def] of Object.entries(defs)) {
    if (!(name in params)) {
      if (!def.isOptional && def.defaultValue === undefined) {
        throw invalidInput(`parameter ${name} is not optional, yet has neither default value nor user provided value`);
      }
      continue;
    }
    const v = params[name];
    const t = def.parameterType ?? 'PARAMETER_TYPE_ENUM_UNSPECIFIED';
    const ok = t === 'NUMBER_DOUBLE' || t === 'NUMBER_INTEGER' ? typeof v === 'number'
      : t === 'STRING' ? typeof v === 'string'
        : t === 'BOOLEAN' ? typeof v === 'boolean'
          : t === 'LIST' ? Array.isArray(v)
            : t === 'STRUCT' ? !!v && typeof v === 'object' && !Array.isArray(v)
              : undefined;
    if (ok === undefined) {
      if (t === 'PARAMETER_TYPE_ENUM_UNSPECIFIED') throw invalidInput(`input parameter ${name} has unspecified type`);
      if (t === 'TASK_FINAL_STATUS') throw invalidInput(`input parameter ${name} requires type TASK_FINAL_STATUS, which is invalid for root component`);
      throw invalidInput(`input parameter ${name} requires type unknown`);
    }
    if (!ok) {
      const what = t === 'STRING' ? 'requires type string, but the input parameter is not of string value type'
        : t.startsWith('NUMBER') ? 'requires type double or integer, but the parameter value is not of number value type'
          : `requires type ${TYPE_NAMES[t]}, but the input parameter is not of ${TYPE_NAMES[t]} value type`;
      throw invalidInput(`input parameter ${name} ${what}`);
    }
  }
  const extra = Object.keys(params).filter((n) => !(n in defs));
  if (extra.length) throw invalidInput(`parameter(s) provided are not required by pipeline: ${extra.join(', ')}`);
}

// ------------------------------------------------------------------------------------------------
// CEL conditions: `inputs.parameter_values['k'] == 'x'`, `!(...) && ...`, `||`, comparisons, int()/double()/string().

/** A task output the stand-in does not compute: the first literal it is compared with becomes its value. */
export class UnknownValue {
  bound?: unknown;
  bind(v: unknown): unknown {
    if (this.bound === undefined) this.bound = v;
    return this.bound;
  }
}

type Tok = { t: 'str' | 'num' | 'id' | 'op'; v: string };

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let v = '';
      while (j < s.length && s[j] !== c) { if (s[j] === '\\') j++; v += s[j]; j++; }
      out.push({ t: 'str', v });
      i = j + 1;
      continue;
    }
    const num = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(s.slice(i));
    if (num && (out.length === 0 || out[out.length - 1]!.t === 'op')) { out.push({ t: 'num', v: num[0] }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i));
    if (id) { out.push({ t: 'id', v: id[0] }); i += id[0].length; continue; }
    const op = /^(==|!=|<=|>=|&&|\|\||[<>!()[\].,])/.exec(s.slice(i));
    if (!op) throw new Error(`unexpected ${JSON.stringify(c)} in condition`);
    out.push({ t: 'op', v: op[0] });
    i += op[0].length;
  }
  return out;
}

/** Evaluate a trigger condition; `params` are the task's resolved input parameter values. Throws on syntax it does not know. */
export function evalCondition(expr: string, params: Record<string, unknown>): boolean {
  const toks = tokenize(expr);
  let p = 0;
  const peek = () => toks[p];
  const eat = (v?: string) => {
    const t = toks[p++];
    if (!t || (v !== undefined && t.v !== v)) throw new Error(`expected ${v ?? 'a token'} in condition ${expr}`);
    return t;
  };
  const unwrap = (v: unknown) => (v instanceof UnknownValue ? v.bound : v);
  const cmp = (op: string, a: unknown, b: unknown): boolean => {
    if (a instanceof UnknownValue) a = b instanceof UnknownValue ? unwrap(a) : a.bind(b);
    if (b instanceof UnknownValue) b = b.bind(a);
    switch (op) {
      case '==': return JSON.stringify(a) === JSON.stringify(b) || (typeof a === 'number' && typeof b === 'number' && a === b);
      case '!=': return !(JSON.stringify(a) === JSON.stringify(b));
      case '<': return (a as number) < (b as number);
      case '<=': return (a as number) <= (b as number);
      case '>': return (a as number) > (b as number);
      default: return (a as number) >= (b as number);
    }
  };
  const primary = (): unknown => {
    const t = peek();
    if (!t) throw new Error(`unexpected end of condition ${expr}`);
    if (t.v === '(' && t.t === 'op') { eat('('); const v = or(); eat(')'); return v; }
    if (t.v === '!' && t.t === 'op') { eat('!'); return !truthy(primary()); }
    if (t.t === 'str') { p++; return t.v; }
    if (t.t === 'num') { p++; return Number(t.v); }
    if (t.t === 'id') {
      p++;
      if (t.v === 'true') return true;
      if (t.v === 'false') return false;
      if (t.v === 'inputs') {
        eat('.');
        const field = eat().v;
        if (field !== 'parameter_values' && field !== 'parameters') throw new Error(`unsupported inputs.${field}`);
        eat('[');
        const key = eat().v;
        eat(']');
        return params[key];
      }
      if (['int', 'double', 'string'].includes(t.v)) {
        eat('(');
        const v = or();
        eat(')');
        if (v instanceof UnknownValue) return v;
        return t.v === 'string' ? String(v) : t.v === 'int' ? Math.trunc(Number(v)) : Number(v);
      }
      throw new Error(`unsupported identifier ${t.v} in condition`);
    }
    throw new Error(`unexpected ${t.v} in condition ${expr}`);
  };
  const truthy = (v: unknown) => (v instanceof UnknownValue ? v.bind(true) === true : v === true);
  const comparison = (): unknown => {
    const a = primary();
    const t = peek();
    if (t && t.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) { p++; return cmp(t.v, a, primary()); }
    return a;
  };
  const and = (): unknown => {
    let v = comparison();
    while (peek()?.v === '&&') { p++; const r = comparison(); v = truthy(v) && truthy(r); }
    return v;
  };
  const or = (): unknown => {
    let v = and();
    while (peek()?.v === '||') { p++; const r = and(); v = truthy(v) || truthy(r); }
    return v;
  };
  const result = or();
  if (p !== toks.length) throw new Error(`trailing tokens in condition ${expr}`);
  return truthy(result);
}
