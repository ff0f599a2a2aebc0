import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createMessageConnection, ResponseError, type MessageConnection } from 'vscode-jsonrpc/node';
import { daemonPaths } from '../../../companion-daemon/src/paths';
import * as P from '../../../companion-daemon/src/protocol';
import { Daemon } from '../../../companion-daemon/src/server';

/** A daemon in this process on a private socket, whose kubeconfig points at a port where nothing listens. */
async function startDaemon(): Promise<{ daemon: Daemon; home: string; socket: string; close(): Promise<void> }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-daemon-'));
  const kubeconfig = path.join(home, 'kubeconfig');
  const dead = await freePort();
  fs.writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:${dead}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: not-logged}}]
contexts: [{name: ctx, context: {cluster: c, user: u, namespace: team-a}}]
current-context: ctx
`);
  const paths = daemonPaths(kubeconfig, { KUBEFLOW_COMPANION_HOME: home });
  fs.mkdirSync(paths.runDir, { recursive: true, mode: 0o700 });
  const logs: string[] = [];
  const daemon = new Daemon({ paths, log: (m) => logs.push(m), idleExitMs: 0 });
  await daemon.listen();
  return { daemon, home, socket: paths.socket, close: () => daemon.close() };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function client(socket: string): Promise<MessageConnection> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socket);
    s.once('error', reject);
    s.once('connect', () => {
      const c = createMessageConnection(s, s);
      c.listen();
      resolve(c);
    });
  });
}

async function rejects(p: Promise<unknown>, code: number, reason: string): Promise<ResponseError<P.ErrorData>> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ResponseError, `expected a ResponseError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal((e.data as P.ErrorData).reason, reason);
    return e as ResponseError<P.ErrorData>;
  }
  assert.fail('expected the request to fail');
}

describe('companion daemon protocol (no cluster)', () => {
  let d: Awaited<ReturnType<typeof startDaemon>>;
  let c: MessageConnection;
  before(async () => {
    d = await startDaemon();
    c = await client(d.socket);
  });
  after(async () => {
    c.dispose();
    await d.close();
  });

  it('answers the versioned handshake and reports its state', async () => {
    const hello = await c.sendRequest(P.hello, { protocolVersion: P.PROTOCOL_VERSION, client: 'test' });
    assert.equal(hello.protocolVersion, P.PROTOCOL_VERSION);
    assert.equal(hello.pid, process.pid);
    const s = await c.sendRequest(P.status);
    assert.equal(s.currentContext, 'ctx');
    assert.equal(s.clients, 1);
    assert.ok(s.rssBytes > 0);
  });

  it('is reachable by its user only: 0700 directory, 0600 socket', () => {
    assert.equal(fs.statSync(path.dirname(d.socket)).mode & 0o777, 0o700);
    assert.equal(fs.statSync(d.socket).mode & 0o777, 0o600);
  });

  it('refuses a malformed target with a reason, and keeps serving', async () => {
    const e = await rejects(c.sendRequest(P.startForward, { target: { kind: 'pod', namespace: 'x', name: 'bad name', port: 80 } }), P.ErrorCode.BadRequest, 'BadTarget');
    assert.match(e.message, /invalid name/);
    await rejects(c.sendRequest(P.stopForward, { id: 'nope' }), P.ErrorCode.NotFound, 'NoSuchForward');
    assert.deepEqual(await c.sendRequest(P.listForwards), []);
  });

  it('says which local port is taken by another program', async () => {
    const busy = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => busy.once('listening', r));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const e = await rejects(c.sendRequest(P.startForward, { target: { kind: 'notebook', namespace: 'team-a', name: 'nb' }, localPort: port }), P.ErrorCode.PortInUse, 'PortInUse');
      assert.match(e.message, new RegExp(`port ${port} is already in use`));
    } finally {
      busy.close();
    }
  });

  it('listens at once and reports an unreachable cluster as the forward\'s state, over notifications', async () => {
    const changes: P.ForwardInfo[] = [];
    c.onNotification(P.didChangeForward, (i) => changes.push(i));
    const info = await c.sendRequest(P.startForward, { target: { kind: 'notebook', namespace: 'team-a', name: 'nb' } });
    assert.ok(info.localPort > 0);
    assert.equal(info.url, `http://127.0.0.1:${info.localPort}/notebook/team-a/nb/`);
    const deadline = Date.now() + 10_000;
    while (!changes.some((i) => i.status.state === 'error') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const err = changes.find((i) => i.status.state === 'error')?.status;
    assert.ok(err && err.state === 'error', `states seen: ${changes.map((i) => i.status.state).join(', ')}`);
    assert.equal(err.code, P.ErrorCode.Unreachable);
    assert.match(err.reason, /cannot reach the cluster/);
    // The same target again is the same forward; a second client sees it too.
    const again = await c.sendRequest(P.startForward, { target: { kind: 'notebook', namespace: 'team-a', name: 'nb', port: 8888 } });
    assert.equal(again.id, info.id);
    const c2 = await client(d.socket);
    assert.deepEqual((await c2.sendRequest(P.listForwards)).map((f) => f.id), [info.id]);
    c2.dispose();
    await c.sendRequest(P.stopForward, { id: info.id });
    assert.deepEqual(await c.sendRequest(P.listForwards), []);
  });

  it('persists forwards so a new daemon restores them on the same port', async () => {
    const info = await c.sendRequest(P.startForward, { target: { kind: 'pod', namespace: 'team-a', name: 'web-0', port: 8080 } });
    const state = JSON.parse(fs.readFileSync(path.join(d.daemon.status().stateDir, 'state.json'), 'utf8')) as { forwards: Array<{ id: string; localPort: number }> };
    assert.deepEqual(state.forwards.map((f) => [f.id, f.localPort]), [[info.id, info.localPort]]);
    await c.sendRequest(P.stopForward, { id: info.id });
  });
});
