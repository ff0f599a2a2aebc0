/**
 * The Model Registry OpenAPI document (shared/kubeflow-specs/model-registry/model-registry.yaml) as the tests read it: the route table (path templates, methods, operationIds) and ajv validators for every request body,
 * query parameter and response body.
 *
 * Two conversions make the OpenAPI 3.0 schemas checkable by a JSON Schema (2019-09) validator:
 * - `oneOf` + `discriminator` (Artifact, ArtifactCreate, ArtifactUpdate, MetadataValue): every branch of these accepts
 *   every other branch's objects (no branch forbids extra properties), so a plain `oneOf` rejects everything. They
 *   become "the discriminator property is required and one of the mapping keys; if it is K, the object must match
 *   mapping[K]", which is what the Go server's generated UnmarshalJSON does.
 * - Strictness: the Go server decodes request bodies with `DisallowUnknownFields`, so an unknown property is a 400.
 *   Every schema used as a value (request/response root, array items, mapping targets, property values; not the
 *   parts of an `allOf`) gets `unevaluatedProperties: false`. Responses are held to the same rule, so a field the
 *   server sends that the spec does not declare is caught.
 *
 * The client tests check what the Model Registry client sends and receives with this same reading of the spec
 * (test/support/model-registry-spec.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv2019, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2019';
import YAML from 'yaml';
import { sharedDir } from '../rigs/kube/index';
import { addApiFormats, matchRoute, templatePattern, type MatchedRoute as Matched, type Route } from '../rigs/openapi';

export const API_PREFIX = '/api/model_registry/v1alpha3';

type Json = Record<string, unknown>;

export interface QueryParam {
  name: string;
  /** Schema name for enum-typed parameters (OrderByField, SortOrder, ArtifactTypeQueryParam). */
  enumSchema?: string;
  enumValues?: string[];
}

export interface Operation extends Route {
  operationId: string;
  query: QueryParam[];
  /** Component schema name of the request body. */
  requestSchema?: string;
  /** Status code → component schema name of the response body. */
  responses: Map<number, string>;
}

export type MatchedRoute = Matched<Operation>;

export interface BodyProblem {
  /** 400: malformed / wrong type / unknown field / bad enum; 422: a required field missing (Go's RequiredError). */
  status: 400 | 422;
  message: string;
}

export function defaultSpecPath(): string {
  return path.join(sharedDir(), 'kubeflow-specs', 'model-registry', 'model-registry.yaml');
}

export class RegistrySpec {
  readonly operations: Operation[];
  private readonly ajv: InstanceType<typeof Ajv2019>;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly schemas: Record<string, Json>;

  constructor(readonly file: string = defaultSpecPath()) {
    if (!fs.existsSync(file)) throw new Error(`model registry rig: the OpenAPI spec is missing: ${file} (../shared absent? set KFVS_SHARED)`);
    const doc = YAML.parse(fs.readFileSync(file, 'utf8')) as Json;
    const components = doc.components as Json;
    const original = components.schemas as Record<string, Json>;
    this.schemas = convertSchemas(original);
    this.ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: true });
    addApiFormats(this.ajv);
    this.ajv.addSchema({ $id: 'mr', components: { schemas: this.schemas } });
    this.operations = readOperations(doc);
  }

  /** The operation for a method + path; `pathKnown` tells a 405 (path exists, method does not) from a 404. */
  match(method: string, pathname: string): { route?: MatchedRoute; pathKnown: boolean } {
    return matchRoute(this.operations, method, pathname);
  }

  /** Validates a request body against the operation's schema; undefined = valid. */
  checkRequest(op: Operation, body: unknown): BodyProblem | undefined {
    if (!op.requestSchema) return undefined;
    const v = this.validator(op.requestSchema);
    if (!v(body)) return describeRequestErrors(op.requestSchema, v.errors ?? [], body);
    // Go's Assert*Required: a required field holding its zero value ("") is missing too
    for (const field of this.requiredFields(op.requestSchema)) {
      if ((body as Json)[field] === '') return { status: 422, message: `required field '${field}' is zero value.` };
    }
    return undefined;
  }

  /** Validates a response body: undefined = valid, else the reason . */
  checkResponse(op: Operation, status: number, body: unknown): string | undefined {
    const schema = op.responses.get(status);
    if (!schema) return `status ${status} is not a documented response of ${op.operationId} (documented: ${[...op.responses.keys()].join(', ')})`;
    return this.checkSchema(schema, body);
  }

  /** Validates a value against `components/schemas/<name>` (strict): undefined = valid, else the reason. */
  checkSchema(schemaName: string, body: unknown): string | undefined {
    const v = this.validator(schemaName);
    if (v(body)) return undefined;
    return `${schemaName}: ${this.ajv.errorsText(v.errors, { dataVar: 'body' })}`;
  }

  /** The top-level property names a schema allows (through allOf), e.g. to tell built-in fields from custom ones. */
  propertyNames(schemaName: string): Set<string> {
    const out = new Set<string>();
    const visit = (s: Json | undefined): void => {
      if (!s) return;
      if (typeof s.$ref === 'string') visit(this.schemas[refName(s.$ref)]);
      for (const k of Object.keys((s.properties as Json | undefined) ?? {})) out.add(k);
      for (const part of (s.allOf as Json[] | undefined) ?? []) visit(part);
    };
    visit(this.schemas[schemaName]);
    return out;
  }

  /** `required` of a schema at its top level (through allOf). */
  requiredFields(schemaName: string): Set<string> {
    const out = new Set<string>();
    const visit = (s: Json | undefined): void => {
      if (!s) return;
      if (typeof s.$ref === 'string') visit(this.schemas[refName(s.$ref)]);
      for (const k of (s.required as string[] | undefined) ?? []) out.add(k);
      for (const part of (s.allOf as Json[] | undefined) ?? []) visit(part);
    };
    visit(this.schemas[schemaName]);
    return out;
  }

  private validator(schemaName: string): ValidateFunction {
    let v = this.validators.get(schemaName);
    if (!v) {
      v = this.ajv.compile({ $ref: `mr#/components/schemas/${strictName(schemaName)}` });
      this.validators.set(schemaName, v);
    }
    return v;
  }
}

// ------------------------------------------------------------------------------------------------
// routes

function readOperations(doc: Json): Operation[] {
  const components = doc.components as Json;
  const paramDefs = (components.parameters ?? {}) as Record<string, Json>;
  const responseDefs = (components.responses ?? {}) as Record<string, Json>;
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths as Record<string, Json>)) {
    const route = templatePattern(template, { trailingSlash: true });
    const shared = (item.parameters as Json[] | undefined) ?? [];
    for (const method of ['get', 'post', 'patch', 'put', 'delete']) {
      const o = item[method] as Json | undefined;
      if (!o) continue;
      const params = [...shared, ...((o.parameters as Json[] | undefined) ?? [])]
        .map((p) => (typeof p.$ref === 'string' ? paramDefs[refName(p.$ref)]! : p))
        .filter((p) => p.in === 'query');
      const query: QueryParam[] = params.map((p) => {
        const schema = p.schema as Json | undefined;
        const enumSchema = typeof schema?.$ref === 'string' ? refName(schema.$ref) : undefined;
        const enumValues = enumSchema ? ((components.schemas as Record<string, Json>)[enumSchema]?.enum as string[] | undefined) : undefined;
        return { name: p.name as string, enumSchema, enumValues };
      });
      const rb = o.requestBody as Json | undefined;
      const rbRef = ((rb?.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema as Json | undefined;
      const responses = new Map<number, string>();
      for (const [code, r] of Object.entries((o.responses ?? {}) as Record<string, Json>)) {
        const def = typeof r.$ref === 'string' ? responseDefs[refName(r.$ref)]! : r;
        const s = ((def.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema as Json | undefined;
        if (typeof s?.$ref === 'string') responses.set(Number(code), refName(s.$ref));
      }
      ops.push({
        operationId: o.operationId as string,
        method: method.toUpperCase(),
        template,
        ...route,
        query,
        requestSchema: typeof rbRef?.$ref === 'string' ? refName(rbRef.$ref) : undefined,
        responses,
      });
    }
  }
  return ops;
}

// ------------------------------------------------------------------------------------------------
// schema conversion

const refName = (ref: string): string => ref.slice(ref.lastIndexOf('/') + 1);
const strictName = (name: string): string => `${name}__strict`;

function convertSchemas(original: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [name, schema] of Object.entries(original)) {
    out[name] = convert(structuredClone(schema), false) as Json;
    out[strictName(name)] = { $ref: `#/components/schemas/${name}`, unevaluatedProperties: false };
  }
  return out;
}

/** `inAllOf`: the node is a direct element of an allOf (a part of a bigger object), so it must stay open. */
function convert(node: unknown, inAllOf: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => convert(n, false));
  if (!node || typeof node !== 'object') return node;
  const s = node as Json;
  if (typeof s.$ref === 'string' && !inAllOf) s.$ref = `#/components/schemas/${strictName(refName(s.$ref))}`;
  const disc = s.discriminator as { propertyName: string; mapping: Record<string, string> } | undefined;
  if (Array.isArray(s.oneOf) && disc?.mapping) {
    const keys = Object.keys(disc.mapping);
    const prop = disc.propertyName;
    const replaced: Json = {
      type: 'object',
      required: [prop],
      properties: { [prop]: { type: 'string', enum: keys } },
      allOf: keys.map((k) => ({
        if: { properties: { [prop]: { const: k } }, required: [prop] },
        then: { $ref: `#/components/schemas/${strictName(refName(disc.mapping[k]!))}` },
      })),
    };
    if (s.description) replaced.description = s.description;
    return replaced;
  }
  for (const [k, v] of Object.entries(s)) {
    if (k === 'allOf' && Array.isArray(v)) s[k] = v.map((part) => convert(part, true));
    else if (k === 'example' || k === 'examples' || k === 'enum' || k === 'default') continue;
    else s[k] = convert(v, false);
  }
  return s;
}

// ------------------------------------------------------------------------------------------------
// request errors worded like the Go server's

/**
 * The Go server decodes with encoding/json (DisallowUnknownFields), then runs the generated Assert*Required checks:
 * - unknown field → 400 `json: unknown field "x"`
 * - wrong JSON type → 400 `json: cannot unmarshal number into Go struct field RegisteredModelCreate.name of type string`
 * - bad enum → 400 `invalid value 'X' for RegisteredModelState: valid values are [LIVE ARCHIVED]`
 * - missing required field → 422 `required field 'name' is zero value.`
 */
const DISCRIMINATORS = ['artifactType', 'metadataType'];

function describeRequestErrors(schemaName: string, errors: ErrorObject[], body: unknown): BodyProblem {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { status: 400, message: `json: cannot unmarshal ${jsonKind(body)} into Go value of type openapi.${schemaName}` };
  }
  // the deepest, most specific error first; "if/then" and "allOf" wrappers say nothing useful
  const useful = errors.filter((e) => !['if', 'allOf', 'oneOf', 'anyOf', '$ref'].includes(e.keyword));
  const pick = (kw: string) => useful.find((e) => e.keyword === kw);
  // a missing or unknown discriminator is a decode failure in Go (no type to decode into)
  const disc = useful.find((e) => (e.keyword === 'required' && DISCRIMINATORS.includes(String(e.params.missingProperty))) ||
    (e.keyword === 'enum' && DISCRIMINATORS.includes(e.instancePath.split('/').pop() ?? '')));
  if (disc) {
    const where = disc.keyword === 'required' ? disc.instancePath : disc.instancePath.split('/').slice(0, -1).join('/');
    const field = disc.keyword === 'required' ? String(disc.params.missingProperty) : disc.instancePath.split('/').pop()!;
    const got = valueAt(body, `${where}/${field}`);
    return { status: 400, message: `failed to unmarshal JSON into ${where ? `${schemaName}${where.replace(/\//g, '.')}` : schemaName}: ` +
      `${field} ${got === undefined ? 'is missing' : `'${String(got)}' is not one of [${(disc.keyword === 'enum' ? disc.params.allowedValues as string[] : []).join(' ')}]`}` };
  }
  const unknown = pick('unevaluatedProperties');
  if (unknown) return { status: 400, message: `json: unknown field "${String(unknown.params.unevaluatedProperty)}"` };
  const type = pick('type');
  if (type) {
    const field = type.instancePath.split('/').filter(Boolean).join('.');
    const got = jsonKind(valueAt(body, type.instancePath));
    return { status: 400, message: `json: cannot unmarshal ${got} into Go struct field ${schemaName}.${field} of type ${goType(String(type.params.type))}` };
  }
  const en = pick('enum') ?? pick('const');
  if (en) {
    const value = valueAt(body, en.instancePath);
    const allowed = (en.params.allowedValues as unknown[] | undefined) ?? [en.params.allowedValue];
    const enumName = /\/components\/schemas\/([^/]+)/.exec(en.schemaPath)?.[1]?.replace(/__strict$/, '') ?? 'value';
    return { status: 400, message: `invalid value '${String(value)}' for ${enumName}: valid values are [${allowed.join(' ')}]` };
  }
  const fmt = pick('format');
  if (fmt) return { status: 400, message: `invalid value for ${fmt.instancePath.split('/').filter(Boolean).join('.')}: must be ${String(fmt.params.format)}` };
  const req = pick('required');
  if (req) return { status: 422, message: `required field '${String(req.params.missingProperty)}' is zero value.` };
  const first = useful[0] ?? errors[0];
  return { status: 400, message: `invalid ${schemaName}: ${first ? `${first.instancePath || 'body'} ${first.message}` : 'does not match the schema'}` };
}

function valueAt(body: unknown, pointer: string): unknown {
  let cur: unknown = body;
  for (const seg of pointer.split('/').filter(Boolean)) cur = (cur as Json | undefined)?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  return cur;
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

function goType(t: string): string {
  return ({ string: 'string', integer: 'int64', number: 'float64', boolean: 'bool', object: 'map[string]interface {}', array: '[]interface {}' } as Record<string, string>)[t] ?? t;
}
