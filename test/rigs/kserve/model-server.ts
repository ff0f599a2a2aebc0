// The one part of KServe the rig plays: the model server inside a predictor pod's `kserve-container` (containers do
// not run under kwok). A small HTTP server per pod answers KServe's v1 (`:predict`) and Open Inference Protocol v2
// (`/infer`) requests the way kserve's Python model servers do, naming the pod that answered in a response header,
// and records what it was sent.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ModelServerRequest {
  pod: string;
  path: string;
  body: unknown;
}

/** The header naming the pod whose model server answered. */
export const SERVED_BY_HEADER = 'x-kserve-pod';

export async function startModelServer(model: string, pod: string, requests: ModelServerRequest[]): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const send = (status: number, o: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', [SERVED_BY_HEADER]: pod });
        res.end(JSON.stringify(o));
      };
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        return send(400, { error: 'Unrecognized request format: the body is not JSON' });
      }
      const url = req.url ?? '/';
      requests.push({ pod, path: url, body });
      const v1 = url === `/v1/models/${model}:predict`;
      const v2 = url === `/v2/models/${model}/infer`;
      if (req.method === 'GET' && (url === `/v1/models/${model}` || url === `/v2/models/${model}/ready`)) return send(200, { name: model, ready: true });
      if (req.method !== 'POST' || (!v1 && !v2)) return send(404, { error: `Model with name ${url.split('/')[3]?.split(':')[0] ?? '?'} does not exist.` });
      const b = (body ?? {}) as { instances?: unknown[]; inputs?: Array<{ shape?: number[] }> };
      if (v1) {
        if (!Array.isArray(b.instances)) return send(400, { error: 'Expected "instances" to be a list' });
        return send(200, { predictions: b.instances.map((_, i) => i % 2) });
      }
      if (!Array.isArray(b.inputs)) return send(400, { error: 'Expected "inputs" to be a list' });
      const n = b.inputs[0]?.shape?.[0] ?? 1;
      return send(200, { model_name: model, id: `req-${requests.length}`, outputs: [{ name: 'output-0', shape: [n], datatype: 'INT64', data: Array.from({ length: n }, (_, i) => i % 2) }] });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}

/** What kserve's model server logs while it loads a model and starts (the predictor logs the user opens). */
export function modelServerLogs(model: string, storageUri: string | undefined): string[] {
  return [
    `INFO:root:Copying contents of ${storageUri ?? '/mnt/models'} to local`,
    'INFO:kserve:Loading model from /mnt/models',
    `INFO:kserve:Registering model: ${model}`,
    'INFO:kserve:Setting max asyncio worker threads as 5',
    'INFO:kserve:Starting uvicorn with 1 workers',
    'INFO:     Started server process [1]',
    'INFO:     Waiting for application startup.',
    'INFO:     Application startup complete.',
    'INFO:     Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)',
  ];
}
