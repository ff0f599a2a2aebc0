// The Jupyter rig against @jupyterlab/services, the way the extension will attach to a Kubeflow notebook server:
// no token, a /notebook/<ns>/<name>/ base URL, XSRF cookie + header on REST calls.
import assert from 'node:assert/strict';
import { KernelManager, KernelMessage, ServerConnection } from '@jupyterlab/services';
import WebSocket from 'ws';
import { startJupyter, xsrfHeaders, type JupyterServer } from '../rigs/jupyter/index';

function kubeflowSettings(baseUrl: string): ServerConnection.ISettings {
  const extra = xsrfHeaders();
  const fetchWithHeaders = (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const req = new Request(input, init);
    const headers = new Headers(req.headers);
    for (const [k, v] of Object.entries(extra)) headers.set(k, v);
    return fetch(new Request(req, { headers }));
  };
  class CookieWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { Cookie: extra.Cookie }, perMessageDeflate: false });
    }
  }
  return ServerConnection.makeSettings({
    baseUrl,
    token: '',
    appendToken: false,
    fetch: fetchWithHeaders as typeof fetch,
    Request,
    Headers,
    WebSocket: CookieWebSocket as unknown as typeof globalThis.WebSocket,
  });
}

describe('Jupyter rig (jupyter_server 2.x, Kubeflow-style)', function () {
  this.timeout(120_000);
  let jup: JupyterServer | undefined;
  let manager: KernelManager | undefined;

  before(async () => {
    jup = await startJupyter({ baseUrl: '/notebook/kubeflow-user/my-nb' });
  });

  after(async () => {
    manager?.dispose();
    await jup?.stop();
  });

  it('serves the Jupyter API under the notebook prefix and 404s without it', async () => {
    assert.ok(jup);
    assert.equal(jup.baseUrl, '/notebook/kubeflow-user/my-nb/');
    assert.equal(jup.url, `http://127.0.0.1:${jup.port}/notebook/kubeflow-user/my-nb/`);
    const status = await fetch(`${jup.url}api/status`);
    assert.equal(status.status, 200);
    const root = await fetch(`http://127.0.0.1:${jup.port}/api/status`);
    assert.equal(root.status, 404);
    const spec = (await (await fetch(`${jup.url}api/kernelspecs`)).json()) as { default: string; kernelspecs: Record<string, unknown> };
    assert.equal(spec.default, 'python3');
  });

  it('rejects a POST without XSRF and accepts it with cookie + header', async () => {
    assert.ok(jup);
    const bare = await fetch(`${jup.url}api/contents`, { method: 'POST', body: JSON.stringify({ type: 'notebook' }) });
    assert.equal(bare.status, 403);
    const ok = await fetch(`${jup.url}api/contents`, { method: 'POST', headers: xsrfHeaders(), body: JSON.stringify({ type: 'notebook' }) });
    assert.equal(ok.status, 201);
  });

  it("runs print('hi'); 6*7 in a kernel: stream 'hi' and execute_result 42", async () => {
    assert.ok(jup);
    manager = new KernelManager({ serverSettings: kubeflowSettings(jup.url) });
    await manager.ready;
    const kernel = await manager.startNew({ name: 'python3' });
    try {
      const info = await kernel.info;
      assert.equal(info.implementation, 'ipython');
      const future = kernel.requestExecute({ code: "print('hi'); 6*7" });
      const streams: string[] = [];
      const results: string[] = [];
      future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
        if (KernelMessage.isStreamMsg(msg)) streams.push(`${msg.content.name}:${msg.content.text}`);
        if (KernelMessage.isExecuteResultMsg(msg)) results.push(String(msg.content.data['text/plain']));
      };
      const reply = await future.done;
      assert.equal(reply.content.status, 'ok');
      assert.deepEqual(streams, ['stdout:hi\n']);
      assert.deepEqual(results, ['42']);

      // The kernel runs the venv's python (the kernelspec is registered with --sys-prefix).
      const where = kernel.requestExecute({ code: 'import sys, kfp; print(sys.prefix)' });
      let prefix = '';
      where.onIOPub = (msg) => { if (KernelMessage.isStreamMsg(msg)) prefix += msg.content.text; };
      assert.equal((await where.done).content.status, 'ok');
      assert.match(prefix.trim(), /kubeflow-vscode\/venv$|\/venv$/);
    } finally {
      await kernel.shutdown();
    }
    const running = (await (await fetch(`${jup.url}api/kernels`)).json()) as unknown[];
    assert.deepEqual(running, []);
  });

  it('is what a Kubeflow Jupyter image serves: JupyterLab at the server root, matplotlib plots as image/png', async () => {
    assert.ok(jup);
    // The server's default URL (what "Open in Browser" and a bare server link show) is JupyterLab.
    const root = await fetch(jup.url, { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(new URL(root.headers.get('location')!, jup.url).pathname, `${jup.baseUrl}lab`);
    const lab = await fetch(`${jup.url}lab`);
    assert.equal(lab.status, 200);
    assert.match(await lab.text(), /<title>JupyterLab<\/title>/);
    manager ??= new KernelManager({ serverSettings: kubeflowSettings(jup.url) });
    await manager.ready;
    const kernel = await manager.startNew({ name: 'python3' });
    try {
      const future = kernel.requestExecute({ code: 'import matplotlib.pyplot as plt, pandas as pd, numpy as np\npd.DataFrame({"x": np.arange(5), "y": np.arange(5) ** 2}).plot(x="x", y="y")\nplt.show()' });
      const images: string[] = [];
      future.onIOPub = (msg) => {
        if (KernelMessage.isDisplayDataMsg(msg) && typeof msg.content.data['image/png'] === 'string') images.push(msg.content.data['image/png'] as string);
      };
      const reply = await future.done;
      assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
      assert.equal(images.length, 1);
      assert.deepEqual([...Buffer.from(images[0], 'base64').subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
    } finally {
      await kernel.shutdown();
    }
  });
});
