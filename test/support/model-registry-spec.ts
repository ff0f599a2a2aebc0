// The Model Registry OpenAPI document (../shared/kubeflow-specs/model-registry/model-registry.yaml) as a checker of
// what a client sends and receives. It is one strict reading of the spec (model-registry-rules.ts:
// routes, discriminators, strict schemas, formats, Go's zero-value rule), so the client is held to what the Go server decodes
// and to what the spec promises back. On top, what the server would silently ignore is a problem here: an undeclared query
// parameter, a body sent to an operation that takes none.
//
//   const spec = new ModelRegistrySpec(sharedPath('kubeflow-specs/model-registry/model-registry.yaml'));
//   const problems: string[] = [];
//   const transport = spec.checking(inner, problems);   // every call through it is checked; problems collect here
import type { HttpRequest, HttpResponse, HttpTransport } from '../../core/http/transport';
import { RegistrySpec } from './model-registry-rules';

export class ModelRegistrySpec {
  readonly rules: RegistrySpec;

  constructor(file: string) {
    this.rules = new RegistrySpec(file);
  }

  /** Validates data against `components/schemas/<name>`; returns problems. */
  checkSchema(name: string, data: unknown): string[] {
    const problem = this.rules.checkSchema(name, data);
    return problem ? [problem] : [];
  }

  checkRequest(req: HttpRequest): string[] {
    if (outsideSpec(req)) return [];
    const path = specPath(req.path);
    const { route } = this.rules.match(req.method, path);
    if (!route) return [`${req.method} ${path}: no such operation in the spec`];
    const op = route.op;
    const where = `${req.method} ${op.template}`;
    const problems: string[] = [];
    for (const [k, value] of Object.entries(req.query ?? {})) {
      if (value === undefined) continue;
      const p = op.query.find((x) => x.name === k);
      if (!p) problems.push(`${where}: query parameter ${k} is not declared`);
      else if (p.enumValues && !p.enumValues.includes(String(value))) problems.push(`${where}: query ${k}=${String(value)} is not one of ${p.enumSchema} [${p.enumValues.join(' ')}]`);
    }
    if (req.body && 'json' in req.body) {
      if (!op.requestSchema) problems.push(`${where}: takes no JSON body`);
      else {
        const problem = this.rules.checkRequest(op, req.body.json);
        if (problem) problems.push(`${where} body (${problem.status}): ${problem.message}`);
      }
    } else if (op.requestSchema) problems.push(`${where}: the body is required`);
    return problems;
  }

  checkResponse(req: HttpRequest, res: HttpResponse): string[] {
    // the server's own health check, and chi's answer for a path it does not serve (a prefix probe)
    if (outsideSpec(req) || (res.status === 404 && res.text === '404 page not found\n')) return [];
    const { route } = this.rules.match(req.method, specPath(req.path));
    if (!route) return [];
    const op = route.op;
    const where = `${req.method} ${op.template} → ${res.status}`;
    if (op.responses.has(res.status) && !res.text.trim()) return [];
    let data: unknown;
    try {
      data = res.text.trim() ? JSON.parse(res.text) : undefined;
    } catch {
      return [`${where}: body is not JSON: ${res.text.slice(0, 80)}`];
    }
    const problem = this.rules.checkResponse(op, res.status, data);
    return problem ? [`${where}: ${problem}`] : [];
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

/** v1 registries serve the same operations as the spec's v1alpha3 under another prefix. */
function specPath(p: string): string {
  return p.split('?')[0]!.replace(/^\/api\/model_registry\/v1\//, '/api/model_registry/v1alpha3/');
}

function outsideSpec(req: HttpRequest): boolean {
  return req.path.startsWith('/readyz/');
}

/**
 * Where the real v0.3.8 server answers with a status its spec does not document: createInferenceService answers 201
 * (the spec says 200); a bad filter on getRegisteredModels and a non-numeric id on getRegisteredModel are 400s; a
 * missing required field on a create is a 422. Problems matching these are the server's, not the client's.
 */
export const SERVER_DEVIATIONS: readonly RegExp[] = [
  /^POST \/api\/model_registry\/v1alpha3\/inference_services → 201: status 201 is not a documented response of createInferenceService/,
  /^GET \/api\/model_registry\/v1alpha3\/registered_models → 400: status 400 is not a documented response of getRegisteredModels/,
  / → 422: status 422 is not a documented response of create\w+ /,
  /^GET \/api\/model_registry\/v1alpha3\/registered_models\/\{registeredmodelId\} → 400: status 400 is not a documented response/,
];

/** `problems` less the server's known deviations. */
export function unexpectedProblems(problems: string[]): string[] {
  return problems.filter((p) => !SERVER_DEVIATIONS.some((k) => k.test(p)));
}
