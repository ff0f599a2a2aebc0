// A client that reconnects the moment its forwarded connection drops, while the pod behind the forward is replaced
// under the same name (what a StatefulSet does to a notebook server's `<name>-0`), with the rig's kubelet proxy
// ending the deleted pod's streams as a kubelet does. The client's reconnect races the forward's pod watch: it can
// arrive after the kubelet ended the old pod's streams and before the watch has seen the deletion. That connection
// must not be tunnelled to the dying pod (where nothing ends it any more: the kernel WebSocket of issue 21 hung
// there, 1 run in 5); it waits for the new pod instead. Replaced many times in a row to give the race its chances.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connectDaemon, type DaemonConnection } from '../../companion-daemon/src/client';
import * as P from '../../companion-daemon/src/protocol';
import { startKubeRig, type KubeRig } from '../rigs/kube/index';
import { distFile } from '../support/build';
import { until } from '../support/wait';

const ROUNDS = Number(process.env.KFVS_REPLACE_ROUNDS ?? 12);
/** A connection that neither answers nor closes within this is what a user sees as a hang. */
const ANSWER_MS = 8_000;

/** The pod's process (the same one behind the old and the new pod, as a notebook server that keeps running). */
async function echoServer(): Promise<{ port: number; close(): void }> {
  const server = net.createServer((s) => {
    s.on('error', () => s.destroy());
    s.write('hello\n');
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

/** One connection: resolves 'ok' once the banner and an echo came back, 'closed' if it ended first. */
function probe(port: number): { socket: net.Socket; result: Promise<'ok' | 'closed'> } {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const result = new Promise<'ok' | 'closed'>((resolve) => {
    let got = '';
    socket.on('connect', () => socket.write('ping\n'));
    socket.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes('hello\n') && got.includes('ping\n')) resolve('ok');
    });
    socket.once('close', () => resolve('closed'));
  });
  return { socket, result };
}

function pod(name: string, node: string): object {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } }, spec: { nodeName: node, containers: [{ name: 'main', image: 'example.invalid/echo:1', ports: [{ containerPort: 9000 }] }] } };
}

describe('daemon port-forward: a client reconnecting while its pod is replaced under the same name (streams broken as a kubelet does)', function () {
  this.timeout(60_000 + ROUNDS * 60_000);
  const ns = 'kubeflow-user';
  let rig: KubeRig;
  let d: DaemonConnection;
  let backend: Awaited<ReturnType<typeof echoServer>>;

  before(async () => {
    rig = await startKubeRig({ crds: false, breakDeletedPodStreams: true });
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-forward-replace-'));
    backend = await echoServer();
    await rig.forwardPodPort(ns, 'nb-0', 9000, backend.port);
    await rig.apply([pod('nb-0', rig.nodes.cpu)]);
    await rig.waitForPod(ns, 'nb-0');
    d = await connectDaemon({ kubeconfig: rig.kubeconfigPath, client: 'integration-test', daemonScript: distFile('companion-daemon.js'), env: { ...process.env, KUBEFLOW_COMPANION_HOME: home } });
  });
  after(async () => {
    await d?.connection.sendRequest(P.shutdown).catch(() => undefined);
    d?.dispose();
    backend?.close();
    await rig?.stop();
  });

  it(`every reconnect answers or ends within ${ANSWER_MS / 1000} s, and reaches the new pod (${ROUNDS} replacements)`, async () => {
    const forward = await d.connection.sendRequest(P.startForward, { target: { kind: 'pod', namespace: ns, name: 'nb-0', port: 9000 } });
    const state = async () => (await d.connection.sendRequest(P.listForwards)).find((f) => f.id === forward.id)!.status;
    await until('the forward to be ready', 30_000, async () => (await state()).state === 'ready');
    const hangs: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const first = probe(forward.localPort);
      assert.equal(await first.result, 'ok', `round ${round}: the forward answers before the replacement`);
      // As a kernel client does: the moment the connection drops, connect again, and again while attempts end.
      let stop = false;
      let current: net.Socket | undefined;
      const attempts: Array<'ok' | 'closed' | 'hung'> = [];
      const reconnecting = new Promise<void>((resolve) => {
        first.socket.once('close', async () => {
          while (!stop) {
            const p = probe(forward.localPort);
            current = p.socket;
            const r = await p.result;
            if (stop) break;
            attempts.push(r);
            p.socket.destroy();
            if (r === 'ok') break;
            await new Promise((res) => setTimeout(res, 50));
          }
          resolve();
        });
      });
      const before = JSON.parse(await rig.kubectl(['-n', ns, 'get', 'pod', 'nb-0', '-o', 'json'])) as { metadata: { uid: string } };
      await rig.kubectl(['-n', ns, 'delete', 'pod', 'nb-0', '--grace-period=1', '--wait=true']);
      await rig.apply([pod('nb-0', rig.nodes.cpu)]);
      await rig.waitForPod(ns, 'nb-0');
      const now = JSON.parse(await rig.kubectl(['-n', ns, 'get', 'pod', 'nb-0', '-o', 'json'])) as { metadata: { uid: string } };
      assert.notEqual(now.metadata.uid, before.metadata.uid);
      // Waiting while no pod runs is right; once the new pod runs, the attempt under way must get through or end.
      const done = await Promise.race([reconnecting.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), ANSWER_MS))]);
      stop = true;
      if (!done) attempts.push('hung');
      current?.destroy();
      first.socket.destroy();
      if (attempts.includes('hung')) hangs.push(`round ${round}: ${attempts.join(', ')}`);
      if (done) assert.equal(attempts.at(-1), 'ok', `round ${round}: the client got through again (attempts: ${attempts.join(', ')})`);
      // A connection made now goes to the new pod and answers.
      const after = probe(forward.localPort);
      assert.equal(await after.result, 'ok', `round ${round}: a new connection answers`);
      after.socket.destroy();
    }
    assert.deepEqual(hangs, [], 'no reconnect hung on the dying pod');
  });
});
