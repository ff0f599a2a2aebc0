/**
 * Plain REST calls to the Kubernetes API with the kubeconfig's credentials (client-node's `applyToHTTPSOptions`),
 * for the editor's reads and writes. Errors carry the API's Status message.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';
import { ErrorCode } from '../protocol';
import { DaemonError, toDaemonError } from './errors';

export interface RestRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

const API_PATH = /^\/(api|apis)(\/[A-Za-z0-9._~%:@+-]+)*\/?$/;

export async function kubeRest(kc: KubeConfig, r: RestRequest): Promise<unknown> {
  if (typeof r.path !== 'string' || !API_PATH.test(r.path) || r.path.includes('..')) {
    throw new DaemonError(ErrorCode.BadRequest, `Not an API path: ${String(r.path)}`, 'BadPath');
  }
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new DaemonError(ErrorCode.Kubeconfig, 'The kubeconfig context has no cluster.', 'NoCluster');
  const url = new URL(server.replace(/\/$/, '') + r.path);
  for (const [k, v] of Object.entries(r.query ?? {})) url.searchParams.set(k, String(v));
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const method = r.method.toUpperCase();
  const contentType = r.contentType ?? (method === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
  const payload = r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  const headers: Record<string, string> = { ...(opts.headers as Record<string, string>), Accept: 'application/json' };
  if (payload !== undefined) {
    headers['Content-Type'] = contentType;
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  const mod = url.protocol === 'https:' ? https : http;
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = mod.request(url, { ...opts, method, headers, signal: r.signal, timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('the API did not answer in 30 s'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(payload);
  }).catch((err: unknown) => {
    throw toDaemonError(err, `${method} ${r.path}`);
  });
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  if (status >= 200 && status < 300) return body;
  const message = (body as { message?: string })?.message ?? (text.slice(0, 300) || `HTTP ${status}`);
  // Validation errors name their fields here; the editor maps them to lines of the user's YAML.
  const causes = (body as { details?: { causes?: Array<{ field?: string; reason?: string; message?: string }> } })?.details?.causes;
  const e = toDaemonError({ code: status, body }, `${method} ${r.path}`);
  if (e.reason.startsWith('Http')) throw new DaemonError(status === 422 ? ErrorCode.BadRequest : e.code, message, (body as { reason?: string })?.reason ?? e.reason, message, causes);
  throw e;
}
