// The notebook kernel connection (extension/notebooks/jupyter.ts, no vscode) against the sandbox: a real Jupyter
// server behind a Notebook's pod, reached through the companion daemon's forward as the extension reaches it.
// Sessions start in the notebook's folder on the volume; a dropped connection rejoined with the same clientId gets
// the output it missed; a forward that comes back resumes the same kernel (resumeKernel); a restarted server's
// kernel is reported dead (never hangs); password servers and missing kernel specs give errors that say so. The
// forward is the editor's (with its per-forward secret): a local connection without the secret gets nothing.
import http from 'node:http';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KernelMessage, type Kernel } from '@jupyterlab/services';
import { connectDaemon, type DaemonConnection } from '../../companion-daemon/src/client';
import * as P from '../../companion-daemon/src/protocol';
import { JupyterError, JupyterServerClient, chooseKernelSpec, jupyterSettings, kernelExists, openSession, probeServer, resumeKernel, type SessionRef } from '../../extension/notebooks/jupyter';
import { startJupyter } from '../rigs/jupyter/index';
import { startSandbox, type Sandbox } from '../rigs/sandbox';
import { distFile } from '../support/build';
import { until } from '../support/wait';

/** Runs code; resolves stdout text and the reply status. */
async function run(kernel: Kernel.IKernelConnection, code: string): Promise<{ out: string; status: string; result?: string }> {
  const f = kernel.requestExecute({ code });
  let out = '';
  let result: string | undefined;
  f.onIOPub = (m) => {
    if (KernelMessage.isStreamMsg(m)) out += m.content.text;
    if (KernelMessage.isExecuteResultMsg(m)) result = String(m.content.data['text/plain']);
  };
  const reply = await f.done;
  return { out, status: reply.content.status, result };
}

describe('notebook kernels through the daemon forward (sandbox)', function () {
  this.timeout(240_000);
  let sandbox: Sandbox;
  let daemon: DaemonConnection;
  let url = '';
  let forward: P.ForwardInfo;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-nbk-'));
  const clients: JupyterServerClient[] = [];
  const client = (u = url): JupyterServerClient => {
    // As the editor connects (extension/notebooks/kernel.ts): the forward's secret on every request and upgrade.
    const c = new JupyterServerClient(jupyterSettings(u, { headers: P.forwardHeaders(forward) }), 'sandbox-nb');
    clients.push(c);
    return c;
  };

  before(async () => {
    sandbox = await startSandbox();
    daemon = await connectDaemon({ kubeconfig: sandbox.rig.kubeconfigPath, client: 'notebooks-test', daemonScript: distFile('companion-daemon.js'), env: { ...process.env, KUBEFLOW_COMPANION_HOME: home } });
    forward = await daemon.connection.sendRequest(P.startForward, { target: { kind: 'notebook', namespace: sandbox.namespace, name: sandbox.notebook }, secret: true });
    url = forward.url;
    fs.mkdirSync(path.join(sandbox.volume, 'work'), { recursive: true });
  });
  after(async () => {
    for (const c of clients) c.dispose();
    await Promise.resolve().then(() => daemon?.connection.sendRequest(P.shutdown)).catch(() => undefined);
    daemon?.dispose();
    await sandbox?.stop();
  });

  it('lists kernel specs through the forward and starts the kernel in the notebook\'s folder on the volume', async () => {
    const c = client();
    const specs = await probeServer(c.settings, 'sandbox-nb');
    assert.equal(specs.default, 'python3');
    assert.equal(chooseKernelSpec(specs, undefined, 'x'), 'python3');
    assert.equal(chooseKernelSpec(specs, 'python3', 'x'), 'python3');
    assert.throws(() => chooseKernelSpec(specs, 'ir', 'sandbox-nb'), (e: JupyterError) => e.problem === 'kernel-spec' && /no kernel "ir" \(it has: python3\)/.test(e.message));
    const { kernel, reattached } = await openSession(c, { path: 'work/demo.ipynb', kernelName: 'python3', clientId: randomUUID() });
    assert.equal(reattached, false);
    const r = await run(kernel, "import os; print(os.getcwd()); 6*7");
    assert.equal(r.status, 'ok');
    assert.equal(r.out.trim(), fs.realpathSync(path.join(sandbox.volume, 'work')));
    assert.equal(r.result, '42');
    // A notebook whose folder is not on the volume runs in the nearest existing folder.
    const other = await openSession(c, { path: 'elsewhere/deep/x.ipynb', kernelName: 'python3', clientId: randomUUID() });
    assert.equal((await run(other.kernel, 'import os; print(os.getcwd())')).out.trim(), fs.realpathSync(sandbox.volume));
    await other.kernel.shutdown();
  });

  it('another local user\'s connection without the forward secret is refused; a browser gets in through the login URL', async () => {
    assert.ok(forward.secret && forward.secret.length >= 32, 'the editor\'s forward has a secret');
    const get = (p: string, headers: Record<string, string> = {}) => new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: forward.localPort, path: p, headers, agent: false, timeout: 30_000 }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      }).on('error', reject);
    });
    const api = `${new URL(url).pathname}api/kernels`;
    const none = await get(api);
    assert.equal(none.status, 403);
    assert.match(none.body, /admits only the editor that started it/);
    assert.equal((await get(api, { [P.FORWARD_SECRET_HEADER]: `${forward.secret!.slice(0, -1)}x` })).status, 403);
    // A kernel's channels cannot be opened without it either (what running code in the pod would take).
    const ws = await get(`${api}/x/channels`, { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' });
    assert.equal(ws.status, 403);
    assert.equal((await get(api, P.forwardHeaders(forward))).status, 200);
    // "Open in Browser": the login path sets this port's cookie and redirects; with the cookie the server answers.
    const login = await get(new URL(P.browserUrl(forward, api)).pathname);
    assert.equal(login.status, 302);
    assert.equal(login.headers.location, api);
    const cookie = String(login.headers['set-cookie']?.[0]).split(';')[0];
    assert.equal((await get(api, { cookie })).status, 200);
  });

  it('a window that comes back with the same clientId gets the output of the cell that kept running', async () => {
    const ref: SessionRef = { path: 'work/reload.ipynb', kernelName: 'python3', clientId: randomUUID() };
    const first = await openSession(client(), ref);
    ref.sessionId = first.session.id;
    const f = first.kernel.requestExecute({ code: 'import time\nfor i in range(6):\n    print("tick", i, flush=True)\n    time.sleep(0.5)\n"done"' });
    const msgId = f.msg.header.msg_id;
    let before = '';
    f.onIOPub = (m) => { if (KernelMessage.isStreamMsg(m)) before += m.content.text; };
    await until('the first tick', 20_000, () => before.includes('tick 0'));
    first.session.dispose(); // the window reloads: its socket closes, the kernel keeps running
    await new Promise((r) => setTimeout(r, 1500));
    const again = await openSession(client(), ref);
    assert.equal(again.reattached, true);
    assert.equal(again.kernel.id, first.kernel.id);
    let after = '';
    let result = '';
    let reply = '';
    again.kernel.iopubMessage.connect((_k, m) => {
      if ((m.parent_header as KernelMessage.IHeader).msg_id !== msgId) return;
      if (KernelMessage.isStreamMsg(m)) after += m.content.text;
      if (KernelMessage.isExecuteResultMsg(m)) result = String(m.content.data['text/plain']);
    });
    again.kernel.unhandledMessage.connect((_k, m) => {
      if ((m.parent_header as KernelMessage.IHeader).msg_id === msgId && m.header.msg_type === 'execute_reply') reply = String((m.content as { status: string }).status);
    });
    await until('the reply of the orphaned run', 30_000, () => reply !== '');
    assert.equal(reply, 'ok');
    assert.equal(result, "'done'");
    const ticks = (before + after).match(/tick \d/g) ?? [];
    assert.deepEqual([...new Set(ticks)], ['tick 0', 'tick 1', 'tick 2', 'tick 3', 'tick 4', 'tick 5'], `before: ${before} after: ${after}`);
    assert.ok(after.includes('tick 5'), `the replay delivered the ticks after the reload: ${after}`);
  });

  it('when the pod is replaced and the forward is ready again, the editor\'s resume (resumeKernel) gets the same kernel back at once', async () => {
    const { kernel } = await openSession(client(), { path: 'work/drop.ipynb', kernelName: 'python3', clientId: randomUUID() });
    await run(kernel, 'x = 41');
    const states: string[] = [];
    daemon.connection.onNotification(P.didChangeForward, (i) => states.push(i.status.state));
    await sandbox.restartNotebookPod();
    await until('the forward to be ready again', 60_000, () => states.includes('waiting-for-pod') && states.at(-1) === 'ready');
    // What the extension does once the forward is ready again.
    const t0 = Date.now();
    assert.equal(await resumeKernel(client(), kernel), 'connected');
    const reconnectMs = Date.now() - t0;
    const r = await run(kernel, 'x + 1');
    assert.equal(r.result, '42', 'the same kernel, with its variables');
    assert.ok(reconnectMs < 5000, `reconnected in ${reconnectMs} ms`);
  });

  it('when the server restarts with the pod, the kernel is reported gone (no hang) and the next session starts a new one', async () => {
    const ref: SessionRef = { path: 'work/restart.ipynb', kernelName: 'python3', clientId: randomUUID() };
    const c = client();
    const opened = await openSession(c, ref);
    ref.sessionId = opened.session.id;
    await run(opened.kernel, 'y = 1');
    assert.equal(await kernelExists(c, opened.kernel.id), true);
    const statuses: string[] = [];
    opened.kernel.statusChanged.connect((_k, s) => statuses.push(s));
    await sandbox.restartNotebookPod({ restartServer: true });
    await until('the forward to be ready again', 60_000, async () => (await daemon.connection.sendRequest(P.listForwards))[0]?.status.state === 'ready');
    // What the extension does when the forward is ready again: ask the server whether the kernel still exists.
    const t0 = Date.now();
    const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no answer in ${ms} ms`)), ms))]);
    assert.equal(await until('the new server to answer', 30_000, async () => ((await within(kernelExists(c, opened.kernel.id), 5000)) ? undefined : 'gone')), 'gone');
    assert.ok(Date.now() - t0 < 10_000, `known within ${Date.now() - t0} ms`);
    assert.equal(await resumeKernel(c, opened.kernel), 'gone');
    assert.ok(statuses.includes('dead'), statuses.join(' → '));
    const fresh = await within(openSession(client(), ref), 30_000);
    assert.equal(fresh.reattached, false);
    assert.notEqual(fresh.kernel.id, opened.kernel.id);
    assert.equal((await within(run(fresh.kernel, "'y' in dir()"), 30_000)).result, 'False');
  });

  it('a server that asks for a token says so; with the token it works; a missing kernel spec is named', async () => {
    const locked = await startJupyter({ baseUrl: '/notebook/kubeflow-user/locked', token: 's3cret' });
    try {
      await assert.rejects(probeServer(jupyterSettings(locked.url), 'locked'), (e: JupyterError) => e.problem === 'auth' && /password or token \(40[13]\)/.test(e.message));
      const ok = await probeServer(jupyterSettings(locked.url, { token: 's3cret' }), 'locked');
      assert.equal(ok.default, 'python3');
      const c = new JupyterServerClient(jupyterSettings(locked.url, { token: 's3cret' }), 'locked');
      clients.push(c);
      await assert.rejects(openSession(c, { path: 'a.ipynb', kernelName: 'julia-1.10', clientId: randomUUID() }), (e: JupyterError) => e.problem === 'kernel-spec' && /no kernel "julia-1.10"/.test(e.message));
    } finally {
      await locked.stop();
    }
  });
});
