// A running cell whose notebook server has no pod any more, inside a real extension host: the kernel's socket is
// down (the forward's tunnel is cut and nothing answers any more) and the forward says it waits for a pod; after
// the kernel's pod-gone wait (30 s in the product, shortened here) the run ends with a message saying so, not
// before. The kernel is the real NotebookKernel on a real Jupyter server (test/rigs/jupyter), reached through a TCP
// proxy that plays the forward's local port; the forward's state and the running cell are TEST-SIDE stand-ins.
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type * as P from '../../../companion-daemon/src/protocol';
import type { CellRun } from '../../../extension/notebooks/execute';
import type { ServerForwards } from '../../../extension/notebooks/forward';
import { NotebookKernel, ServerClients } from '../../../extension/notebooks/kernel';
import type { ServerRef } from '../../../extension/notebooks/servers';
import { tcpProxy, type TcpProxy } from '../../support/tcp-proxy';
import { until } from './wait';

// code-server gives the extension host its own XDG_CACHE_HOME: find the rig's venv from $KFVS_CACHE or the home.
process.env.KFVS_CACHE ||= path.join(os.homedir(), '.cache', 'kubeflow-vscode');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- after KFVS_CACHE is set
const { startJupyter } = require('../../rigs/jupyter/index') as typeof import('../../rigs/jupyter/index');

const POD_GONE_MS = 3_000;

suite('notebook kernel: a running cell when the server has no pod (extension host)', function () {
  this.timeout(120_000);
  const server: ServerRef = { contextName: 'test', namespace: 'kubeflow-user', name: 'gone-nb' };
  let jupyter: Awaited<ReturnType<typeof startJupyter>> | undefined;
  let proxy: TcpProxy | undefined;
  let kernel: NotebookKernel | undefined;
  const log = vscode.window.createOutputChannel('Kubeflow kernel test', { log: true });

  suiteTeardown(async () => {
    kernel?.dispose();
    proxy?.close();
    await jupyter?.stop();
    log.dispose();
  });

  test(`ends the run with a message after ${POD_GONE_MS / 1000} s without a pod, not before`, async () => {
    jupyter = await startJupyter({ baseUrl: `/notebook/${server.namespace}/${server.name}` });
    proxy = await tcpProxy(`http://127.0.0.1:${jupyter.port}`);
    const local = new URL(proxy.url).port;
    let status: P.ForwardState = { state: 'ready', pod: `${server.name}-0`, podPort: 8888 };
    const info = (): P.ForwardInfo => ({
      id: 'f1', target: { kind: 'notebook', namespace: server.namespace, name: server.name }, localPort: Number(local),
      url: `http://127.0.0.1:${local}/notebook/${server.namespace}/${server.name}/`, status, connections: 0, bytesIn: 0, bytesOut: 0, createdAt: new Date().toISOString(),
    });
    const ready = new vscode.EventEmitter<P.ForwardInfo>();
    const forwards = {
      ensure: () => Promise.resolve(info()),
      info: () => info(),
      forServer: () => () => true,
      onDidBecomeReady: ready.event,
      problem: () => undefined,
      refresh: () => Promise.resolve(),
    } as unknown as ServerForwards;
    const clients = new ServerClients(forwards, () => Promise.resolve({}));
    kernel = new NotebookKernel(server, { path: 'gone.ipynb', kernelName: 'python3', clientId: 'kernel-test' }, clients, log, () => undefined, POD_GONE_MS);
    const k = await kernel.ensure();
    await until('the kernel is connected', () => (k.connectionStatus === 'connected' ? true : undefined));
    const ended: Array<{ name: string; message: string; at: number }> = [];
    const run = { fail: (name: string, message: string) => (ended.push({ name, message, at: Date.now() }), Promise.resolve()) } as unknown as CellRun;
    kernel.runs.add(run);

    // The pod goes away: the forward waits for one, the tunnel is cut and its port answers no more.
    status = { state: 'waiting-for-pod', reason: 'no running pod: gone-nb-0: Terminating' };
    const cutAt = Date.now();
    proxy.close();
    await until('the kernel notices its socket is down', () => (k.connectionStatus !== 'connected' ? true : undefined), 30_000);
    const end = await until('the run to end', () => ended[0], POD_GONE_MS + 30_000);
    assert.equal(end.name, 'PodGone');
    assert.equal(end.message, `The notebook server gone-nb has had no running pod for ${POD_GONE_MS / 1000} s (no running pod: gone-nb-0: Terminating): the cell was ended. If the server comes back with its kernel, the kernel's variables are kept.`);
    assert.ok(end.at - cutAt >= POD_GONE_MS, `ended ${end.at - cutAt} ms after the pod went, not before ${POD_GONE_MS} ms`);
    ready.dispose();
  });
});
