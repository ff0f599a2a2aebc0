// The KFP v2beta1 REST contract, read from the upstream swagger (../shared/kubeflow-specs/kfp-v2beta1/
// kfp_api_single_file.swagger.json, Swagger 2.0): the operation table used for routing, and JSON-schema validators
// (ajv) for request bodies, query parameters and responses.
//
// Strictness: every message definition gets `additionalProperties: false` (the server's protojson unmarshaler has
// DiscardUnknown=false, so an unknown request field is an error; its marshaler never emits fields outside the
// message). Free-form protobuf Structs (`type: object` without properties: pipeline_spec, parameters) and
// protobufAny stay open. Stricter than the real server in two places: lowerCamelCase field names and numbers for
// int64 fields are rejected, both of which protojson would also accept.
//
// The client tests check what the KFP client sends and receives with this reading of the spec (kfp-swagger.ts).
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { addApiFormats, matchRoute, templatePattern, type Route } from '../rigs/openapi';

export const SPEC_FILE = 'kfp_api_single_file.swagger.json';

interface SwaggerParameter {
  name: string;
  in: 'path' | 'query' | 'body' | 'formData' | 'header';
  required?: boolean;
  type?: string;
  format?: string;
  items?: { type?: string };
  enum?: string[];
  schema?: { $ref?: string; type?: string };
}

interface SwaggerOperation {
  operationId: string;
  parameters?: SwaggerParameter[];
  responses: Record<string, { schema?: Record<string, unknown> }>;
  consumes?: string[];
}

interface SwaggerDoc {
  info: { version: string };
  paths: Record<string, Record<string, SwaggerOperation>>;
  definitions: Record<string, Record<string, unknown>>;
}

export interface Operation extends Route {
  operationId: string;
  queryParams: SwaggerParameter[];
  body?: SwaggerParameter;
  formData: SwaggerParameter[];
  /** Literal characters in the template: routes with more literal text win (e.g. `/runs/{id}:terminate`). */
  specificity: number;
}

export interface Validation {
  ok: boolean;
  errors: string[];
}

/** Fields a handler sends that the swagger leaves out (main.go's healthz adds them; listed in ARCHITECTURE.md): all strings. */
const EXTRA_FIELDS: Record<string, string[]> = { HealthzService_GetHealthz: ['commit_sha', 'tag_name'] };

export class KfpApiSpec {
  readonly version: string;
  readonly operations: Operation[];
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly responseSchemas = new Map<string, Record<string, Record<string, unknown>>>();

  constructor(readonly file: string) {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as SwaggerDoc;
    this.version = doc.info.version;
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addApiFormats(this.ajv);
    this.ajv.addSchema({ $id: 'kfp', definitions: strictify(doc.definitions) as Record<string, unknown> });

    this.operations = [];
    for (const [template, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const params = op.parameters ?? [];
        this.operations.push({
          operationId: op.operationId,
          method: method.toUpperCase(),
          template,
          ...templatePattern(template),
          queryParams: params.filter((p) => p.in === 'query'),
          body: params.find((p) => p.in === 'body'),
          formData: params.filter((p) => p.in === 'formData'),
          specificity: template.replace(/\{[^}]+\}/g, '').length,
        });
        this.responseSchemas.set(`${method.toUpperCase()} ${template}`, Object.fromEntries(
          Object.entries(op.responses).map(([status, r]) => [status, r.schema ?? {}])));
      }
    }
    this.operations.sort((a, b) => b.specificity - a.specificity);
  }

  /** The operation for a request; `methodMismatch` when the path exists only for other methods. */
  match(method: string, pathname: string): { op: Operation; params: Record<string, string> } | { methodMismatch: boolean } {
    const { route, pathKnown } = matchRoute(this.operations, method, pathname);
    return route ?? { methodMismatch: pathKnown };
  }

  /** Validate a value against `#/definitions/<name>` or an inline schema. */
  validateSchema(schema: Record<string, unknown>, value: unknown): Validation {
    const key = JSON.stringify(schema);
    let v = this.validators.get(key);
    if (!v) {
      v = this.ajv.compile(resolveRefs(strictify(schema) as Record<string, unknown>));
      this.validators.set(key, v);
    }
    const ok = v(value) as boolean;
    return { ok, errors: ok ? [] : formatErrors(v.errors ?? []) };
  }

  validateDefinition(name: string, value: unknown): Validation {
    return this.validateSchema({ $ref: `#/definitions/${name}` }, value);
  }

  /** Validate a request body against the operation's body parameter schema. */
  validateBody(op: Operation, body: unknown): Validation {
    if (!op.body?.schema) return { ok: true, errors: [] };
    return this.validateSchema(op.body.schema as Record<string, unknown>, body);
  }

  /** Validate a response against the schema of its status (or `default`); the handler's extra fields must be strings. */
  validateResponse(op: Operation, status: number, body: unknown): Validation {
    const schemas = this.responseSchemas.get(`${op.method} ${op.template}`) ?? {};
    const schema = schemas[String(status)] ?? schemas.default;
    if (!schema) return { ok: false, errors: [`no response schema for status ${status}`] };
    const extras = status === 200 ? EXTRA_FIELDS[op.operationId] ?? [] : [];
    if (!extras.length || !body || typeof body !== 'object') return this.validateSchema(schema, body);
    const rest = { ...(body as Record<string, unknown>) };
    const missing = extras.filter((k) => typeof rest[k] !== 'string').map((k) => `/: ${k} (outside the swagger) must be a string`);
    for (const k of extras) delete rest[k];
    const v = this.validateSchema(schema, rest);
    return { ok: v.ok && !missing.length, errors: [...v.errors, ...missing] };
  }
}

/** Spec refs are `#/definitions/X`; inside ajv they live in the schema with $id `kfp`. */
function resolveRefs(schema: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\/definitions\//g, '"$ref":"kfp#/definitions/')) as Record<string, unknown>;
}

/** Deep copy; message schemas (with `properties`) refuse unknown fields, except protobufAny. */
function strictify(node: unknown, name = ''): unknown {
  if (Array.isArray(node)) return node.map((n) => strictify(n));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === 'description' || k === 'title') continue;
    if (k === 'definitions' || k === 'properties') {
      out[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([dk, dv]) => [dk, strictify(dv, k === 'definitions' ? dk : '')]));
    } else {
      out[k] = strictify(v);
    }
  }
  if (out.properties && out.additionalProperties === undefined && name !== 'protobufAny') out.additionalProperties = false;
  return out;
}

function formatErrors(errors: ErrorObject[]): string[] {
  return errors.map((e) => {
    const at = e.instancePath || '/';
    if (e.keyword === 'additionalProperties') return `${at}: unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    if (e.keyword === 'enum') return `${at}: ${e.message} (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`;
    return `${at}: ${e.message}`;
  });
}

/** The spec file: $KFVS_SHARED/kubeflow-specs/kfp-v2beta1 (../shared next to the repo by default). */
export function specPath(sharedDir: string): string {
  return path.join(sharedDir, 'kubeflow-specs', 'kfp-v2beta1', SPEC_FILE);
}
