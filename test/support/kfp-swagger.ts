// The KFP v2beta1 swagger (../shared/kubeflow-specs/kfp-v2beta1/) as a checker of what a client sends and receives.
// It reads the spec with kfp-api-spec.ts (routes, strict schemas, formats, the healthz extras). On top, what the gateway would
// silently ignore is a problem here: every query parameter must be declared and of its type, a multipart upload
// carries only declared form fields, and an operation without a body gets none.
import type { HttpRequest, HttpTransport } from '../../core/http/transport';
import { KfpApiSpec } from './kfp-api-spec';
import { sharedPath } from './shared';

export const KFP_SPECS = {
  '2.17': sharedPath('kubeflow-specs', 'kfp-v2beta1', 'kfp_api_single_file.swagger.json'),
  '2.15': sharedPath('kubeflow-specs', 'kfp-v2beta1', 'compat-kfp-2.15.0', 'kfp_api_single_file.swagger.json'),
};

export class KfpSpec extends KfpApiSpec {
  /** Problems with a request, as readable lines (empty = valid). */
  checkRequest(req: HttpRequest): string[] {
    const m = this.match(req.method, req.path);
    if (!('op' in m)) return [`${req.method} ${req.path}: no such operation in ${this.file}`];
    const op = m.op;
    const what = `${req.method} ${op.template}`;
    const problems: string[] = [];
    const query = Object.entries(req.query ?? {}).filter(([, v]) => v !== undefined);
    for (const [k, v] of query) {
      const p = op.queryParams.find((x) => x.name === k);
      if (!p) {
        problems.push(`${what}: query parameter ${k} is not in the spec`);
        continue;
      }
      const s = String(v);
      if (p.type === 'integer' && !/^-?\d+$/.test(s)) problems.push(`${what}: ${k}=${s} is not an integer`);
      if (p.type === 'boolean' && !/^(true|false)$/.test(s)) problems.push(`${what}: ${k}=${s} is not a boolean`);
      if (p.enum && !p.enum.includes(s)) problems.push(`${what}: ${k}=${s} is not one of ${p.enum.join(', ')}`);
      if (k === 'filter') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(s);
        } catch {
          problems.push(`${what}: filter is not JSON: ${s}`);
        }
        const f = parsed === undefined ? undefined : this.validateDefinition('v2beta1Filter', parsed);
        if (f && !f.ok) problems.push(`${what}: filter ${s}: ${f.errors.join('; ')}`);
      }
    }
    for (const p of op.queryParams.filter((x) => x.required)) {
      if (!query.some(([k]) => k === p.name)) problems.push(`${what}: required query parameter ${p.name} is missing`);
    }
    const body = req.body;
    if (op.body) {
      if (!body || !('json' in body)) problems.push(`${what}: needs a JSON body`);
      else {
        const v = this.validateBody(op, body.json);
        if (!v.ok) problems.push(`${what}: body ${JSON.stringify(body.json).slice(0, 300)}: ${v.errors.join('; ')}`);
      }
    } else if (op.formData.length) {
      if (!body || !('multipart' in body)) problems.push(`${what}: needs a multipart/form-data body`);
      else {
        for (const part of body.multipart) {
          const p = op.formData.find((x) => x.name === part.name);
          if (!p) problems.push(`${what}: form field ${part.name} is not in the spec`);
          else if (p.type === 'file' && !part.filename) problems.push(`${what}: form field ${part.name} must be a file`);
        }
        for (const p of op.formData.filter((x) => x.required)) {
          if (!body.multipart.some((part) => part.name === p.name)) problems.push(`${what}: required form field ${p.name} is missing`);
        }
      }
    } else if (body) {
      problems.push(`${what}: the operation takes no body`);
    }
    return problems;
  }

  /** Problems with a 200 answer's JSON for a request. */
  checkResponse(req: HttpRequest, json: unknown): string[] {
    const m = this.match(req.method, req.path);
    if (!('op' in m)) return [`${req.method} ${req.path}: no such operation`];
    const v = this.validateResponse(m.op, 200, json);
    return v.ok ? [] : [`${req.method} ${m.op.template} answer: ${v.errors.join('; ')}`];
  }

  /** Problems with an error answer: `googleRpcStatus`, plus the `error` field the real gateway adds (the stand-in does not). */
  checkError(json: unknown): string[] {
    const { error: _e, ...rest } = (json ?? {}) as Record<string, unknown>;
    const v = this.validateDefinition('googleRpcStatus', rest);
    return v.ok ? [] : [`error body: ${v.errors.join('; ')}`];
  }
}

/** `inner`, with every /apis/v2beta1 request and 200 answer checked against `spec()`; problems are pushed to `problems`. */
export function checkedTransport(spec: () => KfpSpec, problems: string[], inner: HttpTransport): HttpTransport {
  return async (req) => {
    if (req.path.startsWith('/apis/v2beta1/')) problems.push(...spec().checkRequest(req));
    const res = await inner(req);
    if (req.path.startsWith('/apis/v2beta1/') && res.status === 200 && res.text.trim()) problems.push(...spec().checkResponse(req, JSON.parse(res.text)));
    return res;
  };
}
