// A TEST-SIDE stand-in for the KServe controller (Serverless mode), for the kube rig (which has no controllers): it
// watches InferenceServices and does what KServe + Knative visibly do, so deploy, readiness, canary rollouts,
// promotion and rollback can be tested end to end against the real apiserver and the real CRD.
//
//   const kserve = await startFakeKServe(rig, namespace);
//   ... create / patch InferenceServices; read their status, pods, logs; port-forward to the predictor ...
//   await kserve.stop();
//
// - A new predictor spec (anything in spec.predictor but canaryTrafficPercent) is a new revision
//   `<name>-predictor-0000N`: a pod labelled like KServe's (serving.kserve.io/inferenceservice, component=predictor,
//   serving.knative.dev/revision) on the CPU node (GPU node when it asks for nvidia.com/gpu), with model-server logs,
//   and a port-forward of its port 8080 to a small model server here that answers KServe v1 (`:predict`) and v2
//   (`/infer`) requests, naming the revision in a response header.
// - Status as KServe writes it: conditions IngressReady, PredictorConfigurationReady, PredictorRouteReady,
//   PredictorReady, Ready (False with reason RevisionMissing while the new revision's pod is not Running); url,
//   address; components.predictor with latestCreatedRevision, latestReadyRevision, latestRolledoutRevision,
//   previousRolledoutRevision and the traffic split: with `canaryTrafficPercent` N the latest revision gets N% (tag
//   latest) and the previously rolled-out one 100−N (tag prev); without it the latest takes 100% and becomes the
//   rolled-out revision; modelStatus; observedGeneration.
// - A storageUri containing `does-not-exist` fails to load: PredictorReady/Ready False, reason ModelLoadFailed,
//   modelStatus.lastFailureInfo, transitionStatus BlockedByFailedLoad (as KServe reports a missing model).
// Revisions that hold no traffic and are neither latest nor previous lose their pods. Polls every 300 ms.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KubeRig } from './kube/index';

interface Isvc {
  metadata: { name: string; namespace: string; generation?: number; deletionTimestamp?: string; annotations?: Record<string, string> };
  spec: { predictor: Record<string, unknown> & { canaryTrafficPercent?: number; model?: { storageUri?: string; protocolVersion?: string; resources?: { limits?: Record<string, unknown> } } } };
  status?: Record<string, unknown> & { components?: { predictor?: { latestCreatedRevision?: string; latestRolledoutRevision?: string; previousRolledoutRevision?: string } } };
}

interface Pod { metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string }; status?: { phase?: string } }

interface Revision {
  name: string;
  hash: string;
  pod: string;
  server: http.Server;
  port: number;
}

interface State {
  revisions: Revision[];
  /** The revision that last had all the traffic. */
  rolledOut?: string;
  /** The one before it. */
  previous?: string;
}

export interface FakeKServe {
  /** Requests the model servers answered: revision, path, body. */
  readonly requests: Array<{ revision: string; path: string; body: unknown }>;
  stop(): Promise<void>;
}

const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function predictorHash(p: Isvc['spec']['predictor']): string {
  const { canaryTrafficPercent: _c, ...rest } = p;
  const stable = (v: unknown): unknown => (Array.isArray(v) ? v.map(stable) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, stable((v as Record<string, unknown>)[k])])) : v);
  return JSON.stringify(stable(rest));
}

export async function startFakeKServe(rig: KubeRig, namespace: string, o: { intervalMs?: number; domain?: string } = {}): Promise<FakeKServe> {
  const agent = new https.Agent({ keepAlive: true, ca: fs.readFileSync(rig.pki.caCert), cert: fs.readFileSync(rig.pki.adminCert), key: fs.readFileSync(rig.pki.adminKey) });
  const call = (method: string, p: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: unknown }> => new Promise((resolve, reject) => {
    const req = https.request(`${rig.server}${p}`, { method, agent, headers: { 'content-type': contentType } }, (res) => {
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () => {
        let json: unknown;
        try {
          json = data ? JSON.parse(data) : undefined;
        } catch {
          json = data;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
  const ns = encodeURIComponent(namespace);
  const domain = o.domain ?? 'example.com';
  const states = new Map<string, State>();
  const requests: FakeKServe['requests'] = [];
  let stopped = false;
  let busy = false;

  /** The model server behind one revision's pod: KServe v1 and v2 prediction answers. */
  const modelServer = async (isvc: string, revision: string): Promise<{ server: http.Server; port: number }> => {
    const server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (d) => (raw += d));
      req.on('end', () => {
        let body: unknown;
        try {
          body = raw ? JSON.parse(raw) : undefined;
        } catch {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'Unrecognized request format: the body is not JSON' }));
          return;
        }
        const url = req.url ?? '/';
        requests.push({ revision, path: url, body });
        const send = (status: number, o: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json', 'x-kserve-revision': revision });
          res.end(JSON.stringify(o));
        };
        const v1 = new RegExp(`^/v1/models/${isvc}:predict$`).test(url);
        const v2 = new RegExp(`^/v2/models/${isvc}/infer$`).test(url);
        if (req.method === 'GET' && (url === `/v1/models/${isvc}` || url === `/v2/models/${isvc}/ready`)) return send(200, { name: isvc, ready: true });
        if (req.method !== 'POST' || (!v1 && !v2)) return send(404, { error: `Model with name ${url.split('/')[3]?.split(':')[0] ?? '?'} does not exist.` });
        const b = (body ?? {}) as { instances?: unknown[]; inputs?: Array<{ name?: string; shape?: number[]; data?: unknown[] }> };
        if (v1) {
          if (!Array.isArray(b.instances)) return send(400, { error: 'Expected "instances" to be a list' });
          return send(200, { predictions: b.instances.map((_, i) => i % 2) });
        }
        if (!Array.isArray(b.inputs)) return send(400, { error: 'Expected "inputs" to be a list' });
        const n = b.inputs[0]?.shape?.[0] ?? 1;
        return send(200, { model_name: isvc, id: `req-${requests.length}`, outputs: [{ name: 'output-0', shape: [n], datatype: 'INT64', data: Array.from({ length: n }, (_, i) => i % 2) }] });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return { server, port: (server.address() as AddressInfo).port };
  };

  const newRevision = async (o: Isvc, st: State, hash: string): Promise<Revision> => {
    const n = st.revisions.length + 1;
    const name = `${o.metadata.name}-predictor-${String(n).padStart(5, '0')}`;
    const pod = `${name}-deployment-${Math.random().toString(36).slice(2, 7)}`;
    const { server, port } = await modelServer(o.metadata.name, name);
    const model = o.spec.predictor.model ?? {};
    const gpus = Number(model.resources?.limits?.['nvidia.com/gpu'] ?? 0);
    const failing = String(model.storageUri ?? '').includes('does-not-exist');
    await rig.podLogs(namespace, pod, failing
      ? [`INFO:root:Copying contents of ${model.storageUri} to local`, `ERROR:kserve.storage:Failed to download ${model.storageUri}: NoSuchKey: The specified key does not exist.`, 'RuntimeError: Failed to fetch model. No model found in /mnt/models.']
      : [
        `INFO:root:Copying contents of ${model.storageUri} to local`,
        'INFO:kserve:Loading model from /mnt/models',
        `INFO:kserve:Registering model: ${o.metadata.name}`,
        'INFO:kserve:Setting max asyncio worker threads as 5',
        'INFO:kserve:Starting uvicorn with 1 workers',
        'INFO:     Started server process [1]',
        'INFO:     Waiting for application startup.',
        'INFO:     Application startup complete.',
        'INFO:     Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)',
      ], { containers: ['kserve-container'] });
    await rig.forwardPodPort(namespace, pod, 8080, port);
    await call('POST', `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name: pod,
        labels: {
          'serving.kserve.io/inferenceservice': o.metadata.name, component: 'predictor',
          'serving.knative.dev/revision': name, 'serving.knative.dev/configuration': `${o.metadata.name}-predictor`, 'serving.knative.dev/service': `${o.metadata.name}-predictor`,
          app: name,
        },
      },
      spec: {
        nodeName: gpus > 0 ? rig.nodes.gpu : rig.nodes.cpu,
        containers: [{ name: 'kserve-container', image: 'kserve/sklearnserver:v0.15.2', ports: [{ name: 'http1', containerPort: 8080 }], ...(gpus ? { resources: { limits: { 'nvidia.com/gpu': String(gpus) } } } : {}) }],
      },
    });
    const rev = { name, hash, pod, server, port };
    st.revisions.push(rev);
    return rev;
  };

  const reconcile = async (o: Isvc, pods: Pod[]): Promise<void> => {
    const key = o.metadata.name;
    let st = states.get(key);
    if (!st) {
      st = { revisions: [] };
      states.set(key, st);
    }
    const hash = predictorHash(o.spec.predictor);
    let latest = st.revisions[st.revisions.length - 1];
    if (!latest || latest.hash !== hash) latest = await newRevision(o, st, hash);
    const podOf = (r: Revision | undefined) => (r ? pods.find((p) => p.metadata.name === r.pod && !p.metadata.deletionTimestamp) : undefined);
    const failing = String(o.spec.predictor.model?.storageUri ?? '').includes('does-not-exist');
    const latestReady = podOf(latest)?.status?.phase === 'Running' && !failing;
    const canary = typeof o.spec.predictor.canaryTrafficPercent === 'number' ? o.spec.predictor.canaryTrafficPercent : undefined;
    // Knative: the latest revision takes the traffic once ready; with a canary percentage only that share.
    if (latestReady && canary === undefined && st.rolledOut !== latest.name) {
      if (st.rolledOut) st.previous = st.rolledOut;
      st.rolledOut = latest.name;
    }
    const readyRevision = latestReady ? latest : st.revisions.filter((r) => r.name === st!.rolledOut)[0];
    const traffic: Array<Record<string, unknown>> = [];
    const tagUrl = (tag: string) => `http://${tag}-${o.metadata.name}-predictor.${namespace}.${domain}`;
    if (latestReady && canary !== undefined && st.rolledOut && st.rolledOut !== latest.name) {
      traffic.push({ revisionName: latest.name, percent: canary, latestRevision: true, tag: 'latest', url: tagUrl('latest') });
      traffic.push({ revisionName: st.rolledOut, percent: 100 - canary, latestRevision: false, tag: 'prev', url: tagUrl('prev') });
    } else if (latestReady) {
      traffic.push({ revisionName: latest.name, percent: 100, latestRevision: true, tag: 'latest', url: tagUrl('latest') });
    } else if (st.rolledOut) {
      traffic.push({ revisionName: st.rolledOut, percent: 100, latestRevision: false, tag: 'prev', url: tagUrl('prev') });
    }
    // Scale revisions without traffic that are neither latest nor the previous one to zero.
    const keep = new Set([latest.name, st.rolledOut, st.previous].filter(Boolean) as string[]);
    for (const r of st.revisions) {
      const p = podOf(r);
      if (!keep.has(r.name) && p) await call('DELETE', `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(r.pod)}?gracePeriodSeconds=0`);
    }
    const ready = latestReady;
    const t = now();
    const cond = (type: string, ok: boolean, reason?: string, message?: string) => ({ type, status: ok ? 'True' : 'False', lastTransitionTime: t, ...(ok ? {} : { reason, message }) });
    const notReadyReason = failing ? 'ModelLoadFailed' : 'RevisionMissing';
    const notReadyMessage = failing ? `Failed to fetch model ${o.spec.predictor.model?.storageUri}: no such key` : `Configuration "${o.metadata.name}-predictor" is waiting for a Revision to become ready.`;
    const status = {
      observedGeneration: o.metadata.generation ?? 1,
      deploymentMode: 'Serverless',
      url: `http://${o.metadata.name}.${namespace}.${domain}`,
      address: { url: `http://${o.metadata.name}.${namespace}.svc.cluster.local` },
      conditions: [
        cond('IngressReady', true),
        cond('PredictorConfigurationReady', latestReady, notReadyReason, notReadyMessage),
        cond('PredictorReady', ready, notReadyReason, notReadyMessage),
        cond('PredictorRouteReady', !!readyRevision, 'RevisionMissing', notReadyMessage),
        cond('Ready', ready, notReadyReason, notReadyMessage),
      ],
      components: {
        predictor: {
          latestCreatedRevision: latest.name,
          ...(readyRevision ? { latestReadyRevision: readyRevision.name } : {}),
          ...(st.rolledOut ? { latestRolledoutRevision: st.rolledOut } : {}),
          ...(st.previous ? { previousRolledoutRevision: st.previous } : {}),
          url: `http://${o.metadata.name}-predictor.${namespace}.${domain}`,
          address: { url: `http://${o.metadata.name}-predictor.${namespace}.svc.cluster.local` },
          traffic,
        },
      },
      modelStatus: failing
        ? { transitionStatus: 'BlockedByFailedLoad', states: { activeModelState: 'FailedToLoad', targetModelState: 'FailedToLoad' }, copies: { failedCopies: 1, totalCopies: 1 }, lastFailureInfo: { reason: 'ModelLoadFailed', message: notReadyMessage, location: latest.pod, time: t } }
        : { transitionStatus: latestReady ? 'UpToDate' : 'InProgress', states: { activeModelState: latestReady ? 'Loaded' : 'Pending', targetModelState: latestReady ? 'Loaded' : 'Loading' }, copies: { failedCopies: 0, totalCopies: 1 } },
    };
    // Write only when something a reader sees changed (not the timestamps).
    const strip = (s: unknown) => JSON.stringify(s, (k, v) => (k === 'lastTransitionTime' || k === 'time' ? undefined : v));
    if (strip(o.status) === strip(status)) return;
    const r = await call('PATCH', `/apis/serving.kserve.io/v1beta1/namespaces/${ns}/inferenceservices/${encodeURIComponent(o.metadata.name)}/status`, { status: { ...status, modelStatus: { ...status.modelStatus, lastFailureInfo: failing ? status.modelStatus.lastFailureInfo : null } } }, 'application/merge-patch+json');
    if (r.status >= 300) throw new Error(`fake KServe: status of ${o.metadata.name}: ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`);
  };

  const tick = async (): Promise<void> => {
    if (busy || stopped) return;
    busy = true;
    try {
      const list = await call('GET', `/apis/serving.kserve.io/v1beta1/namespaces/${ns}/inferenceservices`);
      const items = ((list.json as { items?: Isvc[] }).items ?? []).filter((x) => !x.metadata.deletionTimestamp);
      const pods = ((await call('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=component%3Dpredictor`)).json as { items?: Pod[] }).items ?? [];
      for (const o of items) await reconcile(o, pods).catch((e: unknown) => process.stderr.write(`${(e as Error).message}\n`));
      // Deleted services: their pods and model servers go.
      for (const [name, st] of states) {
        if (items.some((x) => x.metadata.name === name)) continue;
        for (const r of st.revisions) {
          r.server.close();
          await call('DELETE', `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(r.pod)}?gracePeriodSeconds=0`);
        }
        states.delete(name);
      }
    } catch (e) {
      // the next tick tries again
      if (process.env.KFVS_RIG_DEBUG === '1') process.stderr.write(`fake KServe: ${(e as Error).message}\n`);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), o.intervalMs ?? 300);
  timer.unref();
  return {
    requests,
    async stop() {
      stopped = true;
      clearInterval(timer);
      for (const st of states.values()) for (const r of st.revisions) r.server.close();
      agent.destroy();
    },
  };
}
