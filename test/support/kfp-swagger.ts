// The KFP v2beta1 swagger (../shared/kubeflow-specs/kfp-v2beta1/) as a checker of requests and answers: every request
// must hit a path and method the spec has, with declared query parameters of the right type, a body that matches the
// operation's schema (JSON) or its form fields (multipart upload); answers must match the operation's 200 schema.
// Schemas are made strict (no property the spec does not define), so a misspelt field fails.
import fs from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import type { HttpRequest } from '../../core/http/transport';
import { sharedPath } from './shared';

type Obj = Record<string, unknown>;

interface Param {
  name: string;
  in: 'query' | 'path' | 'body' | 'formData';
  required?: boolean;
  type?: string;
  schema?: Obj;
  enum?: string[];
}

interface Operation {
  operationId?: string;
  parameters?: Param[];
  responses: Record<string, { schema?: Obj }>;
}

interface Route {
  template: string;
  method: string;
  re: RegExp;
  op: Operation;
}

export const KFP_SPECS = {
  '2.17': sharedPath('kubeflow-specs', 'kfp-v2beta1', 'kfp_api_single_file.swagger.json'),
  '2.15': sharedPath('kubeflow-specs', 'kfp-v2beta1', 'compat-kfp-2.15.0', 'kfp_api_single_file.swagger.json'),
};

/** Fields the server sends that its swagger leaves out (documented in ARCHITECTURE.md). */
const EXTRA_FIELDS: Record<string, string[]> = { v2beta1GetHealthzResponse: ['commit_sha', 'tag_name'] };

function strict(schema: unknown, defName?: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => strict(s));
  if (!schema || typeof schema !== 'object') return schema;
  const s = { ...(schema as Obj) };
  if (s.properties && typeof s.properties === 'object') {
    const props: Obj = {};
    for (const [k, v] of Object.entries(s.properties as Obj)) props[k] = strict(v);
    for (const extra of EXTRA_FIELDS[defName ?? ''] ?? []) props[extra] = { type: 'string' };
    s.properties = props;
    if (!('additionalProperties' in s)) s.additionalProperties = false;
  }
  if (s.items) s.items = strict(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') s.additionalProperties = strict(s.additionalProperties);
  // `$ref` beside other keywords: draft-07 ignores the siblings, which is what swagger means too.
  return s;
}

export class KfpSpec {
  private readonly ajv: Ajv;
  private readonly routes: Route[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(readonly file: string) {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { paths: Record<string, Record<string, Operation>>; definitions: Record<string, unknown> };
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    this.ajv.addFormat('int64', { type: 'string', validate: (v: string) => /^-?\d+$/.test(v) });
    this.ajv.addFormat('uint64', { type: 'string', validate: (v: string) => /^\d+$/.test(v) });
    this.ajv.addFormat('int32', { type: 'number', validate: (v: number) => Number.isInteger(v) });
    this.ajv.addFormat('date-time', { type: 'string', validate: (v: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v) && !Number.isNaN(Date.parse(v)) });
    for (const f of ['double', 'float', 'byte', 'binary']) this.ajv.addFormat(f, true);
    const definitions: Obj = {};
    for (const [k, v] of Object.entries(doc.definitions)) definitions[k] = strict(v, k);
    this.ajv.addSchema({ $id: 'kfp', definitions });
    for (const [template, methods] of Object.entries(doc.paths)) {
      const re = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '([^/:]+)')}$`);
      for (const [method, op] of Object.entries(methods)) this.routes.push({ template, method: method.toUpperCase(), re, op });
    }
  }

  /** A schema with `#/definitions/…` references resolved against the spec. */
  private validator(schema: Obj): ValidateFunction {
    const key = JSON.stringify(schema);
    let v = this.compiled.get(key);
    if (!v) {
      const rewritten = JSON.parse(key.replace(/"#\/definitions\//g, '"kfp#/definitions/')) as Obj;
      v = this.ajv.compile(strict(rewritten) as Obj);
      this.compiled.set(key, v);
    }
    return v;
  }

  definition(name: string): ValidateFunction {
    return this.validator({ $ref: `#/definitions/${name}` });
  }

  route(method: string, path: string): Route | undefined {
    // The most specific template wins (`/pipelines/upload` over `/pipelines/{pipeline_id}`).
    return this.routes
      .filter((r) => r.method === method && r.re.test(path))
      .sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0))[0];
  }

  /** Problems with a request, as readable lines (empty = valid). */
  checkRequest(req: HttpRequest): string[] {
    const problems: string[] = [];
    const route = this.route(req.method, req.path);
    if (!route) return [`${req.method} ${req.path}: no such operation in ${this.file}`];
    const params = route.op.parameters ?? [];
    const what = `${req.method} ${route.template}`;
    for (const [i, value] of (route.re.exec(req.path) ?? []).slice(1).entries()) {
      if (!value || decodeURIComponent(value) === '') problems.push(`${what}: empty path parameter ${i}`);
    }
    const query = Object.entries(req.query ?? {}).filter(([, v]) => v !== undefined);
    for (const [k, v] of query) {
      const p = params.find((x) => x.in === 'query' && x.name === k);
      if (!p) {
        problems.push(`${what}: query parameter ${k} is not in the spec`);
        continue;
      }
      const s = String(v);
      if (p.type === 'integer' && !/^-?\d+$/.test(s)) problems.push(`${what}: ${k}=${s} is not an integer`);
      if (p.type === 'boolean' && !/^(true|false)$/.test(s)) problems.push(`${what}: ${k}=${s} is not a boolean`);
      if (p.enum && !p.enum.includes(s)) problems.push(`${what}: ${k}=${s} is not one of ${p.enum.join(', ')}`);
      if (k === 'filter') {
        const f = this.definition('v2beta1Filter');
        let parsed: unknown;
        try {
          parsed = JSON.parse(s);
        } catch {
          problems.push(`${what}: filter is not JSON: ${s}`);
        }
        if (parsed !== undefined && !f(parsed)) problems.push(`${what}: filter ${s}: ${this.ajv.errorsText(f.errors)}`);
      }
    }
    for (const p of params.filter((x) => x.in === 'query' && x.required)) {
      if (!query.some(([k]) => k === p.name)) problems.push(`${what}: required query parameter ${p.name} is missing`);
    }
    const bodyParam = params.find((x) => x.in === 'body');
    const formParams = params.filter((x) => x.in === 'formData');
    const body = req.body;
    if (bodyParam) {
      if (!body || !('json' in body)) problems.push(`${what}: needs a JSON body`);
      else if (bodyParam.schema) {
        const v = this.validator(bodyParam.schema);
        if (!v(body.json)) problems.push(`${what}: body ${JSON.stringify(body.json).slice(0, 300)}: ${this.ajv.errorsText(v.errors)}`);
      }
    } else if (formParams.length) {
      if (!body || !('multipart' in body)) problems.push(`${what}: needs a multipart/form-data body`);
      else {
        for (const part of body.multipart) {
          const p = formParams.find((x) => x.name === part.name);
          if (!p) problems.push(`${what}: form field ${part.name} is not in the spec`);
          else if (p.type === 'file' && !part.filename) problems.push(`${what}: form field ${part.name} must be a file`);
        }
        for (const p of formParams.filter((x) => x.required)) {
          if (!body.multipart.some((m) => m.name === p.name)) problems.push(`${what}: required form field ${p.name} is missing`);
        }
      }
    } else if (body) {
      problems.push(`${what}: the operation takes no body`);
    }
    return problems;
  }

  /** Problems with a 200 answer's JSON for a request. */
  checkResponse(req: HttpRequest, json: unknown): string[] {
    const route = this.route(req.method, req.path);
    if (!route) return [`${req.method} ${req.path}: no such operation`];
    const schema = route.op.responses['200']?.schema;
    if (!schema) return [];
    const v = this.validator(schema);
    return v(json) ? [] : [`${req.method} ${route.template} answer: ${this.ajv.errorsText(v.errors)}`];
  }

  /** Problems with an error answer (`googleRpcStatus`, plus the gateway's `error` field). */
  checkError(json: unknown): string[] {
    const { error: _e, ...rest } = (json ?? {}) as Obj;
    const v = this.definition('googleRpcStatus');
    return v(rest) ? [] : [`error body: ${this.ajv.errorsText(v.errors)}`];
  }
}
