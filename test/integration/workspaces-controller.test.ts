// Kubeflow Notebooks 2.0 against the real Workspace controller (2.0.0-beta.0) on the kube rig with Kubernetes' own
// controllers and scheduler: the sample WorkspaceKind, a Workspace made from it, its state as the Notebooks view
// summarizes it (extension/notebooks/workspaces.ts on the controller's own objects), pause and resume, a notebook
// kernel running cells through the companion daemon's workspace forward (pod by label, the kind's port, the
// /workspace/connect/... base path) on a real Jupyter, and the bad inputs: a Workspace whose kind is missing, a kind
// without a Jupyter port.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KernelMessage } from '@jupyterlab/services';
import { connectDaemon, type DaemonConnection } from '../../companion-daemon/src/client';
import * as P from '../../companion-daemon/src/protocol';
import { JupyterServerClient, jupyterSettings, openSession, probeServer } from '../../extension/notebooks/jupyter';
import type { PodResource } from '../../extension/notebooks/model';
import { summarizeWorkspace, type WorkspaceKindResource, type WorkspaceResource } from '../../extension/notebooks/workspaces';
import { startJupyter, type JupyterServer } from '../rigs/jupyter/index';
import { startKubeRig, type KubeRig } from '../rigs/kube/index';
import { startWorkspacesController, WORKSPACE_LABEL, workspaceConnectPath, workspaceSample, type WorkspacesControllerRig } from '../rigs/workspaces-controller/index';
import { distFile } from '../support/build';
import { until } from '../support/wait';

describe('Notebooks 2.0: the real Workspace controller, a workspace\'s Jupyter through the daemon', function () {
  this.timeout(300_000);
  let rig: KubeRig;
  let wsc: WorkspacesControllerRig;
  let daemon: DaemonConnection;
  const jupyters: JupyterServer[] = [];
  const asked: string[] = [];
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-wsc-'));
  let forward: P.ForwardInfo;
  const ns = () => rig.namespace;
  const getJson = async <T>(args: string[]): Promise<T | undefined> => rig.kubectl([...args, '-o', 'json']).then((t) => JSON.parse(t) as T, () => undefined);
  const workspace = (name: string, kind = 'jupyterlab', o: { imageConfig?: string; podConfig?: string } = {}) => ({
    apiVersion: 'kubeflow.org/v1beta1', kind: 'Workspace', metadata: { name, namespace: ns() },
    spec: { paused: false, kind, podTemplate: { volumes: {}, options: { imageConfig: o.imageConfig ?? 'jupyter-scipy:v1.10.0', podConfig: o.podConfig ?? 'tiny_cpu' } } },
  });
  /** What the Notebooks view shows for it, computed from the controller's objects. */
  const summary = async (name: string) => {
    const ws = await getJson<WorkspaceResource>(['-n', ns(), 'get', 'workspace', name]);
    if (!ws) return undefined;
    const kind = await getJson<WorkspaceKindResource>(['get', 'workspacekind', ws.spec?.kind ?? '']);
    const pods = (await getJson<{ items: PodResource[] }>(['-n', ns(), 'get', 'pods', '-l', `${WORKSPACE_LABEL}=${name}`]))?.items ?? [];
    return summarizeWorkspace(ws, kind, pods);
  };

  before(async () => {
    rig = await startKubeRig({ crds: ['notebooks-v2'], controllers: true });
    wsc = await startWorkspacesController(rig, {
      // the container: a real Jupyter per workspace, served under the base path the controller gives the pod
      backend: async (name, namespace) => {
        asked.push(name);
        const j = await startJupyter({ baseUrl: workspaceConnectPath(namespace, name, 'jupyterlab') });
        jupyters.push(j);
        return j.port;
      },
    });
    await rig.apply([workspaceSample('jupyterlab_v1beta1_workspacekind'), workspaceSample('codeserver_v1beta1_workspacekind')]);
    daemon = await connectDaemon({ kubeconfig: rig.kubeconfigPath, client: 'workspaces-test', daemonScript: distFile('companion-daemon.js'), env: { ...process.env, KUBEFLOW_COMPANION_HOME: home } });
  });
  after(async () => {
    await Promise.resolve().then(() => daemon?.connection.sendRequest(P.shutdown)).catch(() => undefined);
    daemon?.dispose();
    for (const j of jupyters) await j.stop().catch(() => undefined);
    await wsc?.stop();
    await rig?.stop();
  });

  it('a Workspace from the sample kind runs: StatefulSet, pod with NB_PREFIX, state Running', async () => {
    await rig.apply([workspace('ws-a')]);
    const s = await until('workspace ws-a running', 120_000, async () => {
      const x = await summary('ws-a');
      return x?.phase === 'running' ? x : undefined;
    }, 300);
    assert.equal(s.kind, 'Workspace');
    assert.equal(s.state, 'Running');
    assert.equal(s.image, 'ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-scipy:v1.10.0');
    assert.deepEqual(s.jupyter, { portId: 'jupyterlab', port: 8888 });
    const pod = (await getJson<{ items: Array<{ metadata: { name: string }; spec: { nodeName: string; containers: Array<{ env?: Array<{ name: string; value: string }> }> } }> }>(['-n', ns(), 'get', 'pods', '-l', `${WORKSPACE_LABEL}=ws-a`]))!.items[0];
    assert.equal(s.pod, pod.metadata.name);
    assert.match(pod.metadata.name, /^ws-ws-a-[a-z0-9]+-0$/);
    assert.ok([rig.nodes.cpu, rig.nodes.gpu].includes(pod.spec.nodeName), 'the scheduler bound the pod to a kwok node');
    assert.equal(pod.spec.containers[0].env?.find((e) => e.name === 'NB_PREFIX')?.value, '/workspace/connect/kubeflow-user/ws-a/jupyterlab/');
    assert.ok(asked.includes('ws-a'));
  });

  it('a notebook kernel on the workspace runs cells through the daemon\'s workspace forward', async () => {
    forward = await daemon.connection.sendRequest(P.startForward, { target: { kind: 'workspace', namespace: ns(), name: 'ws-a', portId: 'jupyterlab', port: 8888 }, secret: true });
    assert.equal(new URL(forward.url).pathname, '/workspace/connect/kubeflow-user/ws-a/jupyterlab/');
    const client = new JupyterServerClient(jupyterSettings(forward.url, { headers: P.forwardHeaders(forward) }), 'ws-a');
    try {
      const specs = await until('the kernel specs through the forward', 60_000, () => probeServer(client.settings, 'ws-a'), 500);
      assert.equal(specs.default, 'python3');
      const { kernel } = await openSession(client, { path: 'demo.ipynb', kernelName: 'python3', clientId: randomUUID() });
      const f = kernel.requestExecute({ code: 'print("hello from", "ws-a"); 6*7' });
      let out = '';
      let result = '';
      f.onIOPub = (m) => {
        if (KernelMessage.isStreamMsg(m)) out += m.content.text;
        if (KernelMessage.isExecuteResultMsg(m)) result = String(m.content.data['text/plain']);
      };
      assert.equal((await f.done).content.status, 'ok');
      assert.equal(out.trim(), 'hello from ws-a');
      assert.equal(result, '42');
      const list = await daemon.connection.sendRequest(P.listForwards);
      const st = list.find((x) => x.id === forward.id)?.status;
      assert.equal(st?.state, 'ready');
      assert.match(st?.state === 'ready' ? st.pod : '', /^ws-ws-a-/);
      await kernel.shutdown();
    } finally {
      client.dispose();
    }
  });

  it('pause scales it to no pod (Paused); resume brings a new pod (Running)', async () => {
    const first = (await summary('ws-a'))!.pod;
    await rig.kubectl(['-n', ns(), 'patch', 'workspace', 'ws-a', '--type=merge', '-p', '{"spec":{"paused":true}}']);
    const paused = await until('ws-a paused', 90_000, async () => {
      const x = await summary('ws-a');
      return x?.phase === 'stopped' ? x : undefined;
    }, 300);
    assert.equal(paused.state, 'Paused');
    assert.equal(paused.pod, undefined);
    assert.ok(paused.stoppedAt, 'the pause time is shown');
    await rig.kubectl(['-n', ns(), 'patch', 'workspace', 'ws-a', '--type=merge', '-p', '{"spec":{"paused":false}}']);
    const again = await until('ws-a running again', 120_000, async () => {
      const x = await summary('ws-a');
      return x?.phase === 'running' ? x : undefined;
    }, 300);
    assert.equal(again.pod, first, 'the StatefulSet\'s pod name is kept');
    // The forward the kernel used follows the new pod (same local port, same base path): its server answers again.
    const client = new JupyterServerClient(jupyterSettings(forward.url, { headers: P.forwardHeaders(forward) }), 'ws-a');
    try {
      await until('the forward ready on the resumed pod', 90_000, async () => {
        const st = (await daemon.connection.sendRequest(P.listForwards)).find((x) => x.id === forward.id)?.status;
        return st?.state === 'ready' && (await probeServer(client.settings, 'ws-a')).default === 'python3';
      }, 500);
    } finally {
      client.dispose();
    }
  });

  it('bad input: a Workspace whose kind is missing, a kind without a Jupyter port', async () => {
    await rig.apply([workspace('ws-nokind', 'no-such-kind')]);
    const missing = await until('ws-nokind in Error', 60_000, async () => {
      const x = await summary('ws-nokind');
      return x?.state === 'Error' ? x : undefined;
    }, 300);
    assert.equal(missing.phase, 'pending');
    assert.equal(missing.reason, 'Workspace references unknown WorkspaceKind: no-such-kind');
    assert.match(missing.jupyterProblem ?? '', /WorkspaceKind no-such-kind does not exist/);
    const cs = workspaceSample('codeserver_v1beta1_workspacekind') as unknown as WorkspaceKindResource;
    const image = cs.spec!.podTemplate!.options!.imageConfig!.spawner!.default!;
    const pod = cs.spec!.podTemplate!.options!.podConfig!.spawner!.default!;
    await rig.apply([workspace('ws-code', 'codeserver', { imageConfig: image, podConfig: pod })]);
    const code = await until('ws-code summarized', 60_000, async () => {
      const x = await summary('ws-code');
      return x?.state ? x : undefined;
    }, 300);
    assert.match(code.jupyterProblem ?? '', /WorkspaceKind codeserver has no Jupyter port \(its ports: codeserver/);
    assert.equal(code.jupyter, undefined);
  });
});
