// A few Kubernetes REST calls the rigs make (the pod player, the Argo and KServe rigs, pod backends: create/patch/get/
// watch pods, namespaces), straight to the kube rig's apiserver with its admin certificate: cheaper than a kubectl
// process per call.
import fs from 'node:fs';
import https from 'node:https';
import type { KubeRig } from './index';

export class KubeApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export class KubeApi {
  private readonly agent: https.Agent;
  private readonly base: URL;

  constructor(rig: Pick<KubeRig, 'server' | 'pki'>) {
    this.base = new URL(rig.server);
    this.agent = new https.Agent({
      ca: fs.readFileSync(rig.pki.caCert),
      cert: fs.readFileSync(rig.pki.adminCert),
      key: fs.readFileSync(rig.pki.adminKey),
      keepAlive: true,
      maxSockets: 8,
    });
  }

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const text = await this.requestText(method, path, body, contentType);
    return (text ? JSON.parse(text) : {}) as T;
  }

  requestText(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<string> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = https.request({
        host: this.base.hostname, port: this.base.port, path, method, agent: this.agent, timeout: 15_000,
        headers: { accept: 'application/json', ...(data ? { 'content-type': contentType, 'content-length': data.length } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if ((res.statusCode ?? 500) >= 300) {
            let msg = text;
            try { msg = (JSON.parse(text) as { message?: string }).message ?? text; } catch { /* not JSON */ }
            reject(new KubeApiError(res.statusCode ?? 500, `${method} ${path}: ${res.statusCode} ${msg}`));
            return;
          }
          resolve(text);
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  async ensureNamespace(name: string): Promise<void> {
    try {
      await this.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    } catch (e) {
      if (!(e instanceof KubeApiError && e.status === 409)) throw e;
    }
  }

  createPod(namespace: string, pod: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.request('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, pod);
  }

  patchPod(namespace: string, name: string, patch: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.request('PATCH', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`, patch, 'application/merge-patch+json');
  }

  async podPhase(namespace: string, name: string): Promise<string | undefined> {
    try {
      const pod = await this.request<{ status?: { phase?: string } }>('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`);
      return pod.status?.phase;
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    try {
      await this.request('DELETE', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}?gracePeriodSeconds=0`);
    } catch (e) {
      if (!(e instanceof KubeApiError && e.status === 404)) throw e;
    }
  }

  apply(kind: 'services', namespace: string, obj: Record<string, unknown>): Promise<unknown> {
    const name = (obj.metadata as { name: string }).name;
    return this.request('PATCH', `/api/v1/namespaces/${encodeURIComponent(namespace)}/${kind}/${encodeURIComponent(name)}?fieldManager=kfvs-kfp-rig&force=true`,
      obj, 'application/apply-patch+yaml');
  }

  close(): void {
    this.agent.destroy();
  }
}
