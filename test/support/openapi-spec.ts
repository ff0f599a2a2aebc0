// Checks HTTP requests and responses against an OpenAPI 3.0 document (the Model Registry's model-registry.yaml):
// the operation exists, every query parameter is declared and valid, the request body matches its schema with no
// undeclared top-level field, and the response matches the schema of its status. Ajv (draft 2019-09) does the schema
// work; OpenAPI's `discriminator` + `mapping` and `nullable` are rewritten into plain JSON Schema first.
//
//   const spec = OpenApiSpec.load(sharedPath('kubeflow-specs/model-registry/model-registry.yaml'));
//   const problems: string[] = [];
//   const transport = spec.checking(inner, problems);   // every call through it is checked; problems collect here
import fs from 'node:fs';
import Ajv2019, { type ValidateFunction } from 'ajv/dist/2019';
import YAML from 'yaml';
import type { HttpRequest, HttpResponse, HttpTransport } from '../../core/http/transport';

type Json = Record<string, unknown>;

interface Operation {
  method: string;
  template: string;
  op: Json;
  params: Json[];
}

/** OpenAPI 3.0 schema → JSON Schema 2019-09. */
function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (!node || typeof node !== 'object') return node;
  const o = node as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'example' || k === 'examples' || k === 'discriminator' || k === 'nullable' || k === 'xml' || k === 'externalDocs') continue;
    out[k] = convert(v);
  }
  const d = o.discriminator as { propertyName: string; mapping?: Record<string, string> } | undefined;
  if (d?.mapping && Array.isArray(o.oneOf)) {
    // oneOf over schemas whose tag property has only a default: several branches match. Select the branch by the tag.
    delete out.oneOf;
    out.type = 'object';
    out.required = [...new Set([...((out.required as string[]) ?? []), d.propertyName])];
    out.properties = { ...((out.properties as Json) ?? {}), [d.propertyName]: { enum: Object.keys(d.mapping) } };
    out.allOf = [
      ...((out.allOf as unknown[]) ?? []),
      ...Object.entries(d.mapping).map(([tag, ref]) => ({ if: { properties: { [d.propertyName]: { const: tag } }, required: [d.propertyName] }, then: { $ref: ref } })),
    ];
  }
  if (o.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

export class OpenApiSpec {
  private readonly ajv: Ajv2019;
  private readonly ops: Operation[] = [];
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(readonly doc: Json) {
    this.ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: true });
    this.ajv.addFormat('int64', { type: 'string', validate: (s: string) => /^-?\d+$/.test(s) });
    this.ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    this.ajv.addFormat('double', { type: 'number', validate: () => true });
    this.ajv.addFormat('uri', { type: 'string', validate: (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s) });
    this.ajv.addFormat('date-time', { type: 'string', validate: (s: string) => !Number.isNaN(Date.parse(s)) });
    this.ajv.addSchema({ $id: 'spec', components: convert((doc.components as Json) ?? {}) } as Json);
    for (const [template, item] of Object.entries((doc.paths as Json) ?? {})) {
      const pathParams = ((item as Json).parameters as Json[] | undefined) ?? [];
      for (const [method, op] of Object.entries(item as Json)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        this.ops.push({ method: method.toUpperCase(), template, op: op as Json, params: [...pathParams, ...(((op as Json).parameters as Json[]) ?? [])].map((p) => this.deref(p)) });
      }
    }
  }

  static load(file: string): OpenApiSpec {
    return new OpenApiSpec(YAML.parse(fs.readFileSync(file, 'utf8')) as Json);
  }

  private deref(p: Json): Json {
    const ref = p.$ref as string | undefined;
    if (!ref) return p;
    let cur: unknown = this.doc;
    for (const part of ref.replace(/^#\//, '').split('/')) cur = (cur as Json)[part];
    return this.deref(cur as Json);
  }

  /** The operation for a method and a concrete path (literal segments beat templates). */
  operation(method: string, path: string): Operation | undefined {
    const candidates = this.ops.filter((o) => o.method === method && new RegExp(`^${o.template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`).test(path));
    return candidates.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0))[0];
  }

  private validator(key: string, schema: unknown): ValidateFunction {
    let v = this.cache.get(key);
    if (!v) {
      const s = JSON.parse(JSON.stringify(convert(schema)).replace(/"#\/components\//g, '"spec#/components/')) as Json;
      v = this.ajv.compile(s);
      this.cache.set(key, v);
    }
    return v;
  }

  private errors(v: ValidateFunction): string {
    return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'unevaluatedProperty' in e.params ? ` (${String(e.params.unevaluatedProperty)})` : ''}`).join('; ');
  }

  /** Validates data against `components/schemas/<name>`; returns problems. */
  checkSchema(name: string, data: unknown): string[] {
    const v = this.validator(`schema:${name}`, { $ref: `#/components/schemas/${name}` });
    return v(data) ? [] : [`${name}: ${this.errors(v)}`];
  }

  checkRequest(req: HttpRequest): string[] {
    const problems: string[] = [];
    const path = req.path.split('?')[0]!;
    const op = this.operation(req.method, path);
    if (!op) return [`${req.method} ${path}: no such operation in the spec`];
    const where = `${req.method} ${op.template}`;
    for (const [k, value] of Object.entries(req.query ?? {})) {
      if (value === undefined) continue;
      const p = op.params.find((x) => x.in === 'query' && x.name === k);
      if (!p) {
        problems.push(`${where}: query parameter ${k} is not declared`);
        continue;
      }
      const v = this.validator(`param:${op.method}:${op.template}:${k}`, p.schema ?? {});
      if (!v(typeof value === 'number' || typeof value === 'boolean' ? String(value) : value)) problems.push(`${where}: query ${k}=${String(value)}: ${this.errors(v)}`);
    }
    const rb = op.op.requestBody ? this.deref(op.op.requestBody as Json) : undefined;
    const schema = (rb?.content as Json | undefined)?.['application/json'] as Json | undefined;
    if (req.body && 'json' in req.body) {
      if (!schema) problems.push(`${where}: takes no JSON body`);
      else {
        const v = this.validator(`body:${op.method}:${op.template}`, { allOf: [schema.schema], unevaluatedProperties: false });
        if (!v(req.body.json)) problems.push(`${where} body: ${this.errors(v)}`);
      }
    } else if (rb?.required) problems.push(`${where}: the body is required`);
    return problems;
  }

  checkResponse(req: HttpRequest, res: HttpResponse): string[] {
    const op = this.operation(req.method, req.path.split('?')[0]!);
    if (!op) return [];
    const where = `${req.method} ${op.template} → ${res.status}`;
    const responses = (op.op.responses as Json) ?? {};
    const r = responses[String(res.status)] ?? responses.default;
    if (!r) return [`${where}: status not declared (declared: ${Object.keys(responses).join(', ')})`];
    const schema = ((this.deref(r as Json).content as Json | undefined)?.['application/json'] as Json | undefined)?.schema;
    if (!schema || !res.text.trim()) return [];
    let data: unknown;
    try {
      data = JSON.parse(res.text);
    } catch {
      return [`${where}: body is not JSON: ${res.text.slice(0, 80)}`];
    }
    const v = this.validator(`res:${op.method}:${op.template}:${res.status}`, schema);
    return v(data) ? [] : [`${where}: ${this.errors(v)}`];
  }

  /** A transport that checks every request and response through `inner`, collecting problems. */
  checking(inner: HttpTransport, problems: string[]): HttpTransport {
    return async (req) => {
      problems.push(...this.checkRequest(req));
      const res = await inner(req);
      problems.push(...this.checkResponse(req, res));
      return res;
    };
  }
}
