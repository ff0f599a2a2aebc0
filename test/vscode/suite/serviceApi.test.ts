// The HTTP API of an in-cluster service (extension/cluster/serviceApi.ts) inside a real extension host, over a
// daemon that is played here only in what the API asks of it (start a forward, then say it is ready), in front of a
// real HTTP server on this machine. What it guards: a reset while a new forward is still `connecting` (a setting
// or a stored credential changed: creating the KFP connection used to delete the old credential key, which fired
// one) answered no request at all, so an agent tool waited until its test timed out.
import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import * as vscode from 'vscode';
import * as P from '../../../companion-daemon/src/protocol';
import { ServiceApi } from '../../../extension/cluster/serviceApi';
import type { Ctx } from '../../../extension/ctx';

/** A daemon whose `startForward` answers `connecting` and then, when `ready()` is called, notifies the forward ready. */
function connectingDaemon(port: number): { daemon: Ctx['daemon']; started: Promise<void>; ready(): void } {
  const handlers: Array<(p: unknown) => void> = [];
  let startedNow!: () => void;
  const started = new Promise<void>((r) => (startedNow = r));
  const info: P.ForwardInfo = {
    id: 'f1',
    target: { kind: 'service', namespace: 'kubeflow', name: 'ml-pipeline', port: 8888 },
    localPort: port,
    url: `http://127.0.0.1:${port}`,
    status: { state: 'connecting' },
    connections: 0,
    bytesIn: 0,
    bytesOut: 0,
    createdAt: new Date().toISOString(),
  };
  const daemon = {
    request: async (type: { method: string }) => {
      if (type.method !== P.startForward.method) throw new Error(`unexpected daemon request ${type.method}`);
      setImmediate(startedNow);
      return info;
    },
    onNotification: (_type: unknown, fn: (p: unknown) => void) => {
      handlers.push(fn);
      return new vscode.Disposable(() => handlers.splice(handlers.indexOf(fn), 1));
    },
  } as unknown as Ctx['daemon'];
  const ready = (): void => {
    const now = { ...info, status: { state: 'ready', pod: 'ml-pipeline-0', podPort: 8888 } };
    for (const h of [...handlers]) h(now);
  };
  return { daemon, started, ready };
}

suite('service API through a daemon forward (extension host)', function () {
  this.timeout(60_000);

  test('a reset while the new forward is still connecting: the request is answered once the forward is ready', async () => {
    const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const d = connectingDaemon(port);
    const log = vscode.window.createOutputChannel('Kubeflow service API test', { log: true });
    const ctx = { daemon: d.daemon, log, kube: { context: () => undefined } } as unknown as Ctx;
    const api = new ServiceApi(ctx, { title: 'Kubeflow Pipelines API', url: () => undefined, service: () => ({ namespace: 'kubeflow', name: 'ml-pipeline', port: 8888 }) });
    try {
      const answer = api.transport({ method: 'GET', path: '/apis/v2beta1/healthz' });
      await d.started;
      api.reset();
      d.ready();
      const bound = new Promise<'no answer'>((r) => setTimeout(() => r('no answer'), 5_000));
      const res = await Promise.race([answer, bound]);
      assert.notEqual(res, 'no answer', 'the request got no answer 5 s after the forward was ready');
      assert.equal((res as { status: number }).status, 200);
    } finally {
      api.dispose();
      log.dispose();
      server.close();
    }
  });
});
