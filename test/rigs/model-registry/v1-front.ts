/**
 * The v1 front: a thin path-translating HTTP proxy before the real v0.3.8 server, answering the Model Registry API the
 * way registries of Kubeflow Hub do, under `/api/model_registry/v1`. On the wire v1 differs from v1alpha3 only in the
 * prefix and in the operations it has (the 40 of ../shared/kubeflow-specs/model-registry/v1-paths-python-client-0.3.18.txt:
 * no experiments or experiment runs); query parameter names are the same. Anything else, v1alpha3 included, gets
 * chi's plain `404 page not found`, as a v1-only registry answers; the health checks (`/readyz/…`) pass through. A test-side stand-in for a newer server only in
 * that translation: every answer comes from the real server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const V1_PREFIX = '/api/model_registry/v1';
/** What the real v0.3.8 server serves. */
export const API_PREFIX = '/api/model_registry/v1alpha3';

const ID = '[^/]+';
/** The v1 operations (method + path under the prefix), as the official client 0.3.18 calls them. */
const V1_OPERATIONS: Array<[string, RegExp]> = ([
  ['GET', `/artifact`], ['GET', `/artifacts`], ['POST', `/artifacts`], ['GET', `/artifacts/${ID}`], ['PATCH', `/artifacts/${ID}`],
  ['GET', `/inference_service`], ['GET', `/inference_services`], ['POST', `/inference_services`],
  ['GET', `/inference_services/${ID}`], ['PATCH', `/inference_services/${ID}`], ['GET', `/inference_services/${ID}/model`],
  ['GET', `/inference_services/${ID}/serves`], ['POST', `/inference_services/${ID}/serves`], ['GET', `/inference_services/${ID}/version`],
  ['GET', `/model_artifact`], ['GET', `/model_artifacts`], ['POST', `/model_artifacts`], ['GET', `/model_artifacts/${ID}`], ['PATCH', `/model_artifacts/${ID}`],
  ['GET', `/model_version`], ['GET', `/model_versions`], ['POST', `/model_versions`], ['GET', `/model_versions/${ID}`], ['PATCH', `/model_versions/${ID}`],
  ['GET', `/model_versions/${ID}/artifacts`], ['POST', `/model_versions/${ID}/artifacts`],
  ['GET', `/registered_model`], ['GET', `/registered_models`], ['POST', `/registered_models`], ['GET', `/registered_models/${ID}`],
  ['PATCH', `/registered_models/${ID}`], ['GET', `/registered_models/${ID}/versions`], ['POST', `/registered_models/${ID}/versions`],
  ['GET', `/serving_environment`], ['GET', `/serving_environments`], ['POST', `/serving_environments`],
  ['GET', `/serving_environments/${ID}`], ['PATCH', `/serving_environments/${ID}`],
  ['GET', `/serving_environments/${ID}/inference_services`], ['POST', `/serving_environments/${ID}/inference_services`],
] as const).map(([m, p]) => [m, new RegExp(`^${p}$`)]);

/** The server path for a v1 request, or undefined when a v1 registry has no such operation. */
export function toServerPath(method: string, url: string): string | undefined {
  const [p, q] = [url.split('?')[0]!, url.includes('?') ? url.slice(url.indexOf('?')) : ''];
  if (method === 'GET' && p.startsWith('/readyz/')) return url; // the server's own health checks, unprefixed
  if (!p.startsWith(V1_PREFIX + '/')) return undefined;
  const rest = p.slice(V1_PREFIX.length);
  return V1_OPERATIONS.some(([m, re]) => m === method && re.test(rest)) ? API_PREFIX + rest + q : undefined;
}

export async function startV1Front(serverUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(serverUrl);
  const srv = http.createServer((req, res) => {
    const to = toServerPath(req.method ?? 'GET', req.url ?? '/');
    if (!to) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: to, headers: { ...req.headers, host: target.host } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', (e) => { if (!res.headersSent) res.writeHead(502).end(String(e)); else res.destroy(); });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => { srv.closeAllConnections(); srv.close(() => resolve()); }),
  };
}
