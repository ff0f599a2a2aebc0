// The daemon's port-forward data path (the built bundle, as users run it) against the real apiserver + kwok rig,
// once per protocol the API server may pick: SPDY/3.1 tunnelled in a WebSocket (Kubernetes 1.30+, one session
// carries every connection) and v4.channel.k8s.io (an API server with PortForwardWebsockets off, one WebSocket per
// connection). Bytes arrive unchanged both ways at volume, many connections at once stay apart, and a pod that dies
// under a connection drops only that connection while the forward moves on to the new pod on the same port.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connectDaemon, type DaemonConnection } from '../../companion-daemon/src/client';
import * as P from '../../companion-daemon/src/protocol';
import { startKubeRig, type KubeRig } from '../rigs/kube/index';
import { distFile } from '../support/build';
import { tcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { until } from '../support/wait';

/** A TCP server standing in for a pod's process: says its name on a line, then echoes every byte. */
async function echoServer(name: string): Promise<{ port: number; kill(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s)).on('error', () => s.destroy());
    s.write(`${name}\n`);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    // As the pod's process dies: open connections reset, nothing listens any more.
    kill: () => {
      server.close();
      for (const s of sockets) s.resetAndDestroy();
    },
  };
}

/** A client connection: the banner line, then everything after it. */
class Conn {
  readonly socket: net.Socket;
  banner = '';
  private head = '';
  readonly received: Buffer[] = [];
  receivedBytes = 0;
  readonly closed: Promise<void>;
  private onBytes: (() => void) | undefined;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('error', () => undefined);
    this.closed = new Promise((r) => this.socket.once('close', () => r()));
    this.socket.on('data', (d: Buffer) => {
      if (!this.banner) {
        this.head += d.toString('latin1');
        const nl = this.head.indexOf('\n');
        if (nl < 0) return;
        this.banner = this.head.slice(0, nl);
        d = Buffer.from(this.head.slice(nl + 1), 'latin1');
      }
      if (d.length) {
        this.received.push(d);
        this.receivedBytes += d.length;
      }
      this.onBytes?.();
    });
  }

  async bannerLine(): Promise<string> {
    await until('the banner', 20_000, () => this.banner !== '');
    return this.banner;
  }

  /** Resolves once `n` bytes came back after the banner. */
  async waitFor(n: number, timeoutMs: number): Promise<void> {
    if (this.receivedBytes >= n) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.receivedBytes} of ${n} bytes came back`)), timeoutMs);
      this.onBytes = () => {
        if (this.receivedBytes >= n) {
          clearTimeout(t);
          resolve();
        }
      };
      this.socket.once('close', () => {
        clearTimeout(t);
        if (this.receivedBytes >= n) resolve();
        else reject(new Error(`closed after ${this.receivedBytes} of ${n} bytes`));
      });
    });
  }

  async write(b: Buffer): Promise<void> {
    if (!this.socket.write(b)) await new Promise((r) => this.socket.once('drain', r));
  }
}

function pod(name: string, node: string): object {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } }, spec: { nodeName: node, containers: [{ name: 'main', image: 'example.invalid/echo:1', ports: [{ containerPort: 9000 }] }] } };
}

const MODES = [
  { title: 'SPDY/3.1 tunnelled in a WebSocket (Kubernetes 1.30+)', apiserverArgs: [] as string[], multiplexed: true },
  { title: 'v4.channel.k8s.io WebSocket (API server without SPDY tunnelling)', apiserverArgs: ['--feature-gates=PortForwardWebsockets=false'], multiplexed: false },
];

for (const mode of MODES) {
  describe(`daemon port-forwards over ${mode.title}`, function () {
    this.timeout(180_000);
    const ns = 'kubeflow-user';
    let rig: KubeRig;
    let home: string;
    let d: DaemonConnection;
    let proxy: TcpProxy;
    let podA: Awaited<ReturnType<typeof echoServer>>;
    let forward: P.ForwardInfo;
    const state = async () => (await d.connection.sendRequest(P.listForwards)).find((f) => f.id === forward.id)!.status;

    before(async () => {
      rig = await startKubeRig({ crds: false, apiserverArgs: mode.apiserverArgs });
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-forward-'));
      proxy = await tcpProxy(rig.server);
      const kubeconfig = path.join(home, 'proxied.kubeconfig');
      fs.writeFileSync(kubeconfig, fs.readFileSync(rig.kubeconfigPath, 'utf8').replace(rig.server, proxy.url));
      podA = await echoServer('pod A');
      await rig.forwardPodPort(ns, 'echo-0', 9000, podA.port);
      await rig.apply([pod('echo-0', rig.nodes.cpu)]);
      await rig.waitForPod(ns, 'echo-0');
      d = await connectDaemon({ kubeconfig, client: 'integration-test', daemonScript: distFile('companion-daemon.js'), env: { ...process.env, KUBEFLOW_COMPANION_HOME: home } });
      forward = await d.connection.sendRequest(P.startForward, { target: { kind: 'pod', namespace: ns, name: 'echo-0', port: 9000 } });
      await until('the forward to be ready', 30_000, async () => (await state()).state === 'ready');
    });
    after(async () => {
      await d?.connection.sendRequest(P.shutdown).catch(() => undefined);
      d?.dispose();
      proxy?.close();
      podA?.kill();
      await rig?.stop();
    });

    it('carries 100 MB up and back unchanged on one connection', async () => {
      const block = crypto.randomBytes(1024 * 1024);
      const sent = crypto.createHash('sha256');
      const c = new Conn(forward.localPort);
      assert.equal(await c.bannerLine(), 'pod A');
      for (let i = 0; i < 100; i++) {
        const chunk = Buffer.from(block);
        chunk.writeUInt32BE(i, (i * 4099) % (chunk.length - 4)); // no two megabytes alike
        sent.update(chunk);
        await c.write(chunk);
      }
      await c.waitFor(100 * 1024 * 1024, 120_000);
      assert.equal(c.receivedBytes, 100 * 1024 * 1024);
      assert.equal(crypto.createHash('sha256').update(Buffer.concat(c.received)).digest('hex'), sent.digest('hex'));
      c.socket.end();
      await c.closed;
    });

    it(`keeps 40 concurrent connections apart, over ${mode.multiplexed ? 'one API connection' : 'one API connection each'}`, async () => {
      const before = proxy.connections();
      const conns = Array.from({ length: 40 }, () => new Conn(forward.localPort));
      const data = conns.map(() => crypto.randomBytes(256 * 1024));
      await Promise.all(
        conns.map(async (c, i) => {
          assert.equal(await c.bannerLine(), 'pod A');
          for (let off = 0; off < data[i].length; off += 16 * 1024) await c.write(data[i].subarray(off, off + 16 * 1024));
          await c.waitFor(data[i].length, 60_000);
          assert.ok(Buffer.concat(c.received).equals(data[i]), `connection ${i} got its own bytes back`);
          c.socket.end();
          await c.closed;
        }),
      );
      const opened = proxy.connections() - before;
      if (mode.multiplexed) assert.ok(opened <= 2, `${opened} API connections for 40 client connections`);
      else assert.ok(opened >= 40, `${opened} API connections for 40 client connections`);
    });

    it('drops only the connection whose pod dies under it, then reaches the new pod on the same port', async () => {
      const c = new Conn(forward.localPort);
      assert.equal(await c.bannerLine(), 'pod A');
      const sent: Buffer[] = [];
      let writing = true;
      const writer = (async () => {
        while (writing && !c.socket.destroyed) {
          const chunk = crypto.randomBytes(64 * 1024);
          sent.push(chunk);
          await c.write(chunk);
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await c.waitFor(256 * 1024, 20_000);

      // The pod's process dies and the pod is replaced by one served elsewhere.
      const podB = await echoServer('pod B');
      try {
        await rig.forwardPodPort(ns, 'echo-0', 9000, podB.port);
        podA.kill();
        await rig.kubectl(['-n', ns, 'delete', 'pod', 'echo-0', '--grace-period=1', '--wait=true']);
        await Promise.race([c.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('the connection to the dead pod stayed open')), 20_000))]);
        writing = false;
        await writer;
        const got = Buffer.concat(c.received);
        assert.ok(got.length > 0 && got.equals(Buffer.concat(sent).subarray(0, got.length)), 'what came back before the drop is what was sent, in order');

        await until('waiting-for-pod', 20_000, async () => (await state()).state === 'waiting-for-pod');
        const waiting = new Conn(forward.localPort); // made while no pod runs: waits for the new one
        await rig.apply([pod('echo-0', rig.nodes.cpu)]);
        await until('ready again', 30_000, async () => (await state()).state === 'ready');
        assert.equal(await waiting.bannerLine(), 'pod B');
        const next = new Conn(forward.localPort);
        assert.equal(await next.bannerLine(), 'pod B');
        await next.write(Buffer.from('still echoing'));
        await next.waitFor(13, 10_000);
        assert.equal(Buffer.concat(next.received).toString(), 'still echoing');
        for (const x of [waiting, next]) x.socket.end();
        assert.equal((await d.connection.sendRequest(P.listForwards)).find((f) => f.id === forward.id)!.localPort, forward.localPort);
      } finally {
        writing = false;
        podB.kill();
      }
    });
  });
}

// A stream the pod side keeps open after its pod is deleted: kwok's own behaviour (the rig's kubelet proxy not ending
// the deleted pod's streams), as for a stream opened around the moment a kubelet ended the pod's streams. The forward
// ends it once the pod is gone from its watch, so that the client's retry waits for the new pod instead of hanging.
for (const mode of MODES) {
  describe(`daemon port-forwards over ${mode.title}: a connection to a deleted pod whose stream the pod side keeps open`, function () {
    this.timeout(180_000);
    const ns = 'kubeflow-user';
    let rig: KubeRig;
    let d: DaemonConnection;
    const servers: Array<Awaited<ReturnType<typeof echoServer>>> = [];

    before(async () => {
      rig = await startKubeRig({ crds: false, breakDeletedPodStreams: false, apiserverArgs: mode.apiserverArgs });
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-forward-'));
      d = await connectDaemon({ kubeconfig: rig.kubeconfigPath, client: 'integration-test', daemonScript: distFile('companion-daemon.js'), env: { ...process.env, KUBEFLOW_COMPANION_HOME: home } });
    });
    after(async () => {
      await d?.connection.sendRequest(P.shutdown).catch(() => undefined);
      d?.dispose();
      for (const s of servers) s.kill();
      await rig?.stop();
    });

    it('ends once the pod is gone from the forward\'s watch; the next connection reaches the new pod', async () => {
      const podA = await echoServer('pod A');
      servers.push(podA);
      await rig.forwardPodPort(ns, 'echo-1', 9000, podA.port);
      await rig.apply([pod('echo-1', rig.nodes.cpu)]);
      await rig.waitForPod(ns, 'echo-1');
      const forward = await d.connection.sendRequest(P.startForward, { target: { kind: 'pod', namespace: ns, name: 'echo-1', port: 9000 } });
      const state = async () => (await d.connection.sendRequest(P.listForwards)).find((f) => f.id === forward.id)!.status;
      await until('the forward to be ready', 30_000, async () => (await state()).state === 'ready');
      const c = new Conn(forward.localPort);
      assert.equal(await c.bannerLine(), 'pod A');

      // Pod A's process stays up, so only the forward can end the connection.
      await rig.kubectl(['-n', ns, 'delete', 'pod', 'echo-1', '--grace-period=1', '--wait=true']);
      await until('waiting-for-pod', 20_000, async () => (await state()).state === 'waiting-for-pod');
      await Promise.race([c.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('the connection to the deleted pod stayed open')), 10_000))]);

      const podB = await echoServer('pod B');
      servers.push(podB);
      const waiting = new Conn(forward.localPort); // made while no pod runs: waits for the new one
      await rig.forwardPodPort(ns, 'echo-1', 9000, podB.port);
      await rig.apply([pod('echo-1', rig.nodes.cpu)]);
      await until('ready again', 30_000, async () => (await state()).state === 'ready');
      assert.equal(await waiting.bannerLine(), 'pod B');
      const next = new Conn(forward.localPort);
      assert.equal(await next.bannerLine(), 'pod B');
      for (const x of [waiting, next]) x.socket.end();
    });
  });
}
