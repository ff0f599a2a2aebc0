// Proves the real Kubernetes rig (etcd + kube-apiserver + kwok, test/rigs/kube) works from TypeScript with
// @kubernetes/client-node: CRD list/watch, pods on fake nodes, logs (incl. follow), port-forward (also across a pod
// delete + recreate, as the companion daemon must survive), and RBAC denial for a limited user.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { streamLogLines } from '../../companion-daemon/src/logs/stream';
import { COMPLETE_LABEL, FAIL_ANNOTATIONS, FAIL_LABEL, sharedDir, startKubeRig, type KubeRig } from '../rigs/kube/index';

const NB = { group: 'kubeflow.org', version: 'v1', plural: 'notebooks' };

function podBody(name: string, nodeName: string, extra: Partial<k8s.V1PodSpec> = {}): k8s.V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name } },
    spec: {
      nodeName,
      containers: [{ name: 'main', image: 'example.invalid/jupyter:1', ports: [{ containerPort: 8888 }] }],
      ...extra,
    },
  };
}

async function until<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) { lastErr = e; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastErr ? `: ${String(lastErr)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A local TCP listener that pipes each connection through client-node's PortForward (WebSocket) to pod:port. */
async function localForward(kc: k8s.KubeConfig, ns: string, pod: string, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const pf = new k8s.PortForward(kc);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    pf.portForward(ns, pod, [port], socket, null, socket).then((ws) => {
      const w = typeof ws === 'function' ? ws() : ws;
      socket.on('close', () => w?.close());
      w?.on('close', () => socket.end());
    }).catch((e) => socket.destroy(e as Error));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('http timeout')));
    req.on('error', reject);
  });
}

describe('kube rig: etcd + kube-apiserver + kwok', function () {
  this.timeout(60_000);
  let rig: KubeRig;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let custom: k8s.CustomObjectsApi;
  let ns: string;

  before(async function () {
    this.timeout(180_000);
    const t0 = Date.now();
    rig = await startKubeRig();
    console.log(`      rig started in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${rig.server}`);
    kc = new k8s.KubeConfig();
    kc.loadFromFile(rig.kubeconfigPath);
    core = kc.makeApiClient(k8s.CoreV1Api);
    custom = kc.makeApiClient(k8s.CustomObjectsApi);
    ns = rig.namespace;
  });

  after(async function () {
    this.timeout(30_000);
    await rig?.stop();
  });

  it('has a GPU node (nvidia.com/gpu: 8) and a CPU node, both Ready', async () => {
    const nodes = await core.listNode();
    const byName = new Map(nodes.items.map((n) => [n.metadata!.name!, n]));
    const gpu = byName.get(rig.nodes.gpu);
    const cpu = byName.get(rig.nodes.cpu);
    assert.ok(gpu && cpu, `nodes: ${[...byName.keys()].join(', ')}`);
    assert.equal(gpu.status?.allocatable?.['nvidia.com/gpu'], '8');
    assert.equal(cpu.status?.allocatable?.['nvidia.com/gpu'], undefined);
    for (const n of [gpu, cpu]) {
      assert.equal(n.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    }
  });

  it('serves the Kubeflow CRDs and, with ../shared, the default ClusterTrainingRuntimes', async () => {
    const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
    const names = (await ext.listCustomResourceDefinition()).items.map((c) => c.metadata!.name!);
    for (const n of ['notebooks.kubeflow.org', 'profiles.kubeflow.org', 'pytorchjobs.kubeflow.org', 'tfjobs.kubeflow.org',
      'mpijobs.kubeflow.org', 'trainjobs.trainer.kubeflow.org', 'experiments.kubeflow.org', 'trials.kubeflow.org',
      'inferenceservices.serving.kserve.io', 'logs.kwok.x-k8s.io', 'portforwards.kwok.x-k8s.io']) {
      assert.ok(names.includes(n), `missing CRD ${n}`);
    }
    if (existsSync(path.join(sharedDir(), 'kubeflow-specs'))) {
      const rt = await custom.listClusterCustomObject({ group: 'trainer.kubeflow.org', version: 'v1alpha1', plural: 'clustertrainingruntimes' }) as
        { items: Array<{ metadata: { name: string } }> };
      assert.ok(rt.items.some((r) => r.metadata.name === 'torch-distributed'), JSON.stringify(rt.items.map((r) => r.metadata.name)));
    }
  });

  it('(a) lists and watches Notebooks: ADDED then MODIFIED on a status update', async () => {
    const events: Array<{ type: string; name: string; ready?: number }> = [];
    const watch = new k8s.Watch(kc);
    const ctrl = await watch.watch(`/apis/${NB.group}/${NB.version}/namespaces/${ns}/${NB.plural}`, {},
      (type, obj: { metadata: { name: string }; status?: { readyReplicas?: number } }) => {
        events.push({ type, name: obj.metadata.name, ready: obj.status?.readyReplicas });
      }, () => undefined);
    try {
      await custom.createNamespacedCustomObject({
        ...NB, namespace: ns,
        body: {
          apiVersion: 'kubeflow.org/v1', kind: 'Notebook', metadata: { name: 'nb-watch' },
          spec: { template: { spec: { containers: [{ name: 'nb-watch', image: 'kubeflownotebookswg/jupyter-scipy:v1.10.0' }] } } },
        },
      });
      const list = await custom.listNamespacedCustomObject({ ...NB, namespace: ns }) as { items: Array<{ metadata: { name: string } }> };
      assert.deepEqual(list.items.map((i) => i.metadata.name), ['nb-watch']);
      await until('ADDED', 10_000, () => events.find((e) => e.type === 'ADDED' && e.name === 'nb-watch'));

      // act as the notebook controller: report the pod ready through the status subresource
      await custom.patchNamespacedCustomObjectStatus({
        ...NB, namespace: ns, name: 'nb-watch',
        body: [{ op: 'add', path: '/status', value: { readyReplicas: 1, conditions: [], containerState: { running: { startedAt: new Date().toISOString() } } } }],
      });
      const mod = await until('MODIFIED', 10_000, () => events.find((e) => e.type === 'MODIFIED' && e.name === 'nb-watch'));
      assert.equal(mod.ready, 1);
    } finally {
      ctrl.abort();
    }
  });

  it('(b) runs a pod on the GPU node and reads its logs, following appended lines', async () => {
    const pod = 'logs-pod';
    // register the log file before the pod exists (order does not matter: kwok reads the rule per request)
    const logs = await rig.podLogs(ns, pod, ['hello from the fake pod', 'second line']);
    await core.createNamespacedPod({
      namespace: ns,
      body: podBody(pod, rig.nodes.gpu, { containers: [{ name: 'main', image: 'x.invalid/train:1', resources: { limits: { 'nvidia.com/gpu': '1' } } }] }),
    });
    const running = await rig.waitForPod(ns, pod) as { status: { podIP?: string; hostIP?: string } };
    assert.ok(running.status.podIP, 'kwok assigns a pod IP');

    const text = await core.readNamespacedPodLog({ name: pod, namespace: ns, container: 'main' });
    assert.equal(text, 'hello from the fake pod\nsecond line\n');
    const tail1 = await core.readNamespacedPodLog({ name: pod, namespace: ns, tailLines: 1 });
    assert.equal(tail1, 'second line\n');

    let followed = '';
    const sink = new Writable({ write(chunk: Buffer, _enc, cb) { followed += chunk.toString(); cb(); } });
    const ctrl = await new k8s.Log(kc).log(ns, pod, 'main', sink, { follow: true });
    try {
      await until('initial lines', 10_000, () => followed.includes('second line'));
      await logs.append(['appended 1']);
      await until('appended 1', 10_000, () => followed.includes('appended 1\n'));
      await logs.append(['appended 2', 'appended 3'], 'stderr');
      await until('appended 3', 10_000, () => followed.includes('appended 3\n'));
      assert.equal(followed, 'hello from the fake pod\nsecond line\nappended 1\nappended 2\nappended 3\n');
    } finally {
      ctrl.abort();
    }
  });

  it('(c) port-forwards to a pod with client-node PortForward, also after the pod is deleted and recreated', async () => {
    const pod = 'pf-pod';
    let hits = 0;
    const target = http.createServer((req, res) => { hits++; res.end(`hello ${req.url} #${hits}`); });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const targetPort = (target.address() as net.AddressInfo).port;
    const fwd = await localForward(kc, ns, pod, 8888);
    try {
      await rig.forwardPodPort(ns, pod, 8888, targetPort);
      await core.createNamespacedPod({ namespace: ns, body: podBody(pod, rig.nodes.cpu) });
      await rig.waitForPod(ns, pod);

      const r1 = await httpGet(fwd.port, '/api/status');
      assert.deepEqual(r1, { status: 200, body: 'hello /api/status #1' });

      // act as the StatefulSet controller: delete the pod, wait until kwok has removed it, create it again
      const uid1 = (await core.readNamespacedPod({ name: pod, namespace: ns })).metadata?.uid;
      await core.deleteNamespacedPod({ name: pod, namespace: ns });
      await until('pod gone', 20_000, async () => {
        try { await core.readNamespacedPod({ name: pod, namespace: ns }); return undefined; } catch (e) {
          if ((e as { code?: number }).code === 404) return true;
          throw e;
        }
      });
      await core.createNamespacedPod({ namespace: ns, body: podBody(pod, rig.nodes.cpu) });
      const again = await rig.waitForPod(ns, pod) as { metadata: { uid: string } };
      assert.notEqual(again.metadata.uid, uid1);

      const r2 = await httpGet(fwd.port, '/again');
      assert.deepEqual(r2, { status: 200, body: 'hello /again #2' });
    } finally {
      await fwd.close();
      await new Promise((r) => target.close(r));
    }
  });

  it('(c2) ends a deleted pod\'s port-forward streams and log follows, as a kubelet does', async () => {
    const pod = 'pf-gone';
    // The "process in the pod" takes requests and never answers them: only the pod's end can end the connection.
    const held = new Set<net.Socket>();
    const target = net.createServer((s) => { held.add(s); s.on('error', () => undefined); });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const fwd = await localForward(kc, ns, pod, 8888);
    try {
      await rig.forwardPodPort(ns, pod, 8888, (target.address() as net.AddressInfo).port);
      await rig.podLogs(ns, pod, ['log line']);
      await core.createNamespacedPod({ namespace: ns, body: podBody(pod, rig.nodes.cpu) });
      await rig.waitForPod(ns, pod);
      const client = net.connect(fwd.port, '127.0.0.1');
      let closedAt = 0;
      client.on('close', () => { closedAt = Date.now(); }).on('error', () => undefined);
      client.write('GET /api/kernels HTTP/1.1\r\nHost: x\r\n\r\n');
      await until('the request to reach the pod', 20_000, () => held.size > 0);
      let logEnded = 0;
      let logLines = 0;
      const ctrl = new AbortController();
      const follow = streamLogLines(kc, { namespace: ns, pod, container: 'main', follow: true }, () => logLines++, ctrl.signal);
      void follow.catch(() => undefined).finally(() => { logEnded = Date.now(); });
      await until('the log follow to start', 20_000, () => logLines > 0);
      const deleted = Date.now();
      await core.deleteNamespacedPod({ name: pod, namespace: ns });
      await until('the port-forward connection to end', 20_000, () => closedAt > 0);
      assert.ok(closedAt - deleted < 10_000, `ended ${closedAt - deleted} ms after the delete`);
      await until('the log follow to end', 20_000, () => logEnded > 0);
      ctrl.abort();
    } finally {
      for (const s of held) s.destroy();
      await fwd.close();
      await new Promise((r) => target.close(r));
    }
  });

  it('(d) an RBAC-limited user gets 403 outside its grants', async () => {
    await rig.apply([
      {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'pod-reader', namespace: ns },
        rules: [
          { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] },
          { apiGroups: [''], resources: ['pods/portforward'], verbs: ['get'] }, // no 'create': WebSocket upgrade is denied
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'alice-pod-reader', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
      },
    ]);
    const ukc = new k8s.KubeConfig();
    ukc.loadFromFile(await rig.userKubeconfig('alice', ['kubeflow-users']));
    const ucore = ukc.makeApiClient(k8s.CoreV1Api);
    const ucustom = ukc.makeApiClient(k8s.CustomObjectsApi);

    const pods = await ucore.listNamespacedPod({ namespace: ns });
    assert.ok(Array.isArray(pods.items));

    const code = async (p: Promise<unknown>) => {
      try { await p; return 200; } catch (e) { return (e as { code?: number }).code; }
    };
    assert.equal(await code(ucustom.listNamespacedCustomObject({ ...NB, namespace: ns })), 403);
    assert.equal(await code(ucore.listNamespace()), 403);
    assert.equal(await code(ucore.listNamespacedPod({ namespace: 'default' })), 403);
    assert.equal(await code(ucore.createNamespacedPod({ namespace: ns, body: podBody('nope', rig.nodes.cpu) })), 403);

    // k8s >= 1.35: a WebSocket port-forward needs `create` on pods/portforward; `get` alone is rejected
    await core.createNamespacedPod({ namespace: ns, body: podBody('rbac-pod', rig.nodes.cpu) });
    await rig.waitForPod(ns, 'rbac-pod');
    const devnull = new Writable({ write(_c, _e, cb) { cb(); } });
    await assert.rejects(
      new k8s.PortForward(ukc).portForward(ns, 'rbac-pod', [8888], devnull, null, new PassThrough()),
      (e: { message?: string }) => /\b403\b/.test(e.message ?? ''),
    );
  });

  it('(e) drives pod phases by label (Succeeded, Failed) and serves per-container and previous logs', async () => {
    const ok = podBody('done-pod', rig.nodes.cpu);
    ok.metadata!.labels![COMPLETE_LABEL] = 'true';
    const bad = podBody('oom-pod', rig.nodes.gpu, {
      containers: [{ name: 'main', image: 'x.invalid/a:1' }, { name: 'sidecar', image: 'x.invalid/b:1' }],
    });
    bad.metadata!.labels![FAIL_LABEL] = 'true';
    bad.metadata!.annotations = { [FAIL_ANNOTATIONS.exitCode]: '137', [FAIL_ANNOTATIONS.reason]: 'OOMKilled',
      [FAIL_ANNOTATIONS.containerName]: 'main', [FAIL_ANNOTATIONS.delay]: '100ms', [FAIL_ANNOTATIONS.jitterDelay]: '0s' };
    await rig.podLogs(ns, 'oom-pod', ['epoch 1', 'Killed'], { containers: ['main'], previous: ['previous run'] });
    await rig.podLogs(ns, 'oom-pod', ['sidecar says hi']);
    await core.createNamespacedPod({ namespace: ns, body: ok });
    await core.createNamespacedPod({ namespace: ns, body: bad });

    const done = await rig.waitForPod(ns, 'done-pod', { phase: 'Succeeded' }) as { status: k8s.V1PodStatus };
    assert.equal(done.status.containerStatuses?.[0]?.state?.terminated?.exitCode, 0);
    const failed = await rig.waitForPod(ns, 'oom-pod', { phase: 'Failed' }) as { status: k8s.V1PodStatus };
    const main = failed.status.containerStatuses?.find((c) => c.name === 'main');
    assert.equal(main?.state?.terminated?.exitCode, 137);
    assert.equal(main?.state?.terminated?.reason, 'OOMKilled');

    assert.equal(await core.readNamespacedPodLog({ name: 'oom-pod', namespace: ns, container: 'main' }), 'epoch 1\nKilled\n');
    assert.equal(await core.readNamespacedPodLog({ name: 'oom-pod', namespace: ns, container: 'main', previous: true }), 'previous run\n');
    assert.equal(await core.readNamespacedPodLog({ name: 'oom-pod', namespace: ns, container: 'sidecar' }), 'sidecar says hi\n');
  });
});
