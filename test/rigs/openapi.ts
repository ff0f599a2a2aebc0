// What the KFP swagger reader test/support/kfp-api-spec.ts (Swagger 2.0) and the Model Registry checks (test/support/model-registry-rules.ts:
// OpenAPI 3.0) read from their specs
// the same way: the route table built from path templates, and the string/number formats the specs use. Each spec
// module keeps its own schema conversion (how messages are closed to unknown fields differs between the two servers).
import type Ajv from 'ajv/dist/core';

/** A route from a path template such as /apis/v2beta1/runs/{run_id}:terminate. */
export interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  /** The template's `{names}`, in the order of the pattern's groups. */
  paramNames: string[];
}

export interface MatchedRoute<R extends Route> {
  op: R;
  params: Record<string, string>;
}

/** The pattern of a path template: a parameter is one or more characters other than `/`, within a segment or all of it. */
export function templatePattern(template: string, opts: { trailingSlash?: boolean } = {}): Pick<Route, 'pattern' | 'paramNames'> {
  const paramNames: string[] = [];
  const body = template.split(/(\{[^}]+\})/).map((part) => {
    const m = /^\{([^}]+)\}$/.exec(part);
    if (m) {
      paramNames.push(m[1]!);
      return '([^/]+?)';
    }
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('');
  return { pattern: new RegExp(`^${body}${opts.trailingSlash ? '/?' : ''}$`), paramNames };
}

/**
 * The first route (in the caller's order) for a method and a path, with its decoded parameters; `pathKnown` tells
 * "the path exists for other methods" (405 / Unimplemented) from "no such path" (404).
 */
export function matchRoute<R extends Route>(routes: readonly R[], method: string, pathname: string): { route?: MatchedRoute<R>; pathKnown: boolean } {
  let pathKnown = false;
  for (const op of routes) {
    const m = op.pattern.exec(pathname);
    if (!m) continue;
    pathKnown = true;
    if (op.method !== method) continue;
    const params: Record<string, string> = {};
    op.paramNames.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]!); });
    return { route: { op, params }, pathKnown };
  }
  return { pathKnown };
}

/**
 * The formats of protobuf-generated specs, as the servers' JSON decoders check them: 64-bit integers are decimal
 * strings within range, 32-bit ones JSON integers, `byte` is base64, times are RFC 3339.
 */
export function addApiFormats(ajv: Ajv): void {
  const inRange = (x: string, min: bigint, max: bigint) => BigInt(x) >= min && BigInt(x) <= max;
  ajv.addFormat('int64', { type: 'string', validate: (x: string) => /^-?\d{1,19}$/.test(x) && inRange(x, -(2n ** 63n), 2n ** 63n - 1n) });
  ajv.addFormat('uint64', { type: 'string', validate: (x: string) => /^\d{1,20}$/.test(x) && inRange(x, 0n, 2n ** 64n - 1n) });
  ajv.addFormat('int32', { type: 'number', validate: (x: number) => Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 31 });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('byte', { type: 'string', validate: (x: string) => /^[A-Za-z0-9+/_-]*={0,2}$/.test(x) });
  ajv.addFormat('binary', true);
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (x: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(x) && !Number.isNaN(Date.parse(x)),
  });
  ajv.addFormat('uri', { type: 'string', validate: (x: string) => { try { new URL(x); return true; } catch { return false; } } });
}
