// The companion daemon as users run it (the built bundle, started detached by the client) against the real
// apiserver + kwok rig: forwards that follow a restarted notebook pod on the same port, forwards restored after
// `kill -9`, merged replica-tagged job logs that survive cut streams with no lost or repeated line, and the
// errors a user must be able to act on (RBAC, a failing credential plugin, another OS user).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connectDaemon, type DaemonConnection } from '../../companion-daemon/src/client';
import * as P from '../../companion-daemon/src/protocol';
import { startKubeRig, type KubeRig, type PodLogHandle } from '../rigs/kube/index';
import { distFile } from '../support/build';
import { tcpProxy } from '../support/tcp-proxy';
import { until } from '../support/wait';

/** A local HTTP server standing in for what runs in a pod; answers its name. */
async function backend(name: string): Promise<{ port: number; close(): void }> {
  const server = http.createServer((_req, res) => res.end(name));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

function get(port: number, urlPath = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false, timeout: 20_000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function pod(name: string, node: string, labels: Record<string, string>, containers = ['main']): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { nodeName: node, restartPolicy: 'Never', containers: containers.map((c) => ({ name: c, image: 'example.invalid/img:1' })) },
  };
}

describe('companion daemon on the real apiserver', function () {
  this.timeout(180_000);
  let rig: KubeRig;
  let home: string;
  const ns = 'kubeflow-user';
  const daemons: DaemonConnection[] = [];
  const closers: Array<() => void> = [];

  const connect = async (kubeconfig: string): Promise<DaemonConnection> => {
    const d = await connectDaemon({ kubeconfig, client: 'integration-test', daemonScript: distFile('companion-daemon.js'), env: { ...process.env, KUBEFLOW_COMPANION_HOME: home } });
    daemons.push(d);
    return d;
  };
  const forwardState = async (d: DaemonConnection, id: string): Promise<P.ForwardInfo> => {
    const f = (await d.connection.sendRequest(P.listForwards)).find((x) => x.id === id);
    assert.ok(f, `forward ${id} is listed`);
    return f;
  };

  before(async () => {
    rig = await startKubeRig({ crds: false });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-companion-'));
  });
  after(async () => {
    for (const d of daemons) {
      await Promise.resolve()
        .then(() => d.connection.sendRequest(P.shutdown))
        .catch(() => undefined);
      d.dispose();
    }
    closers.forEach((c) => c());
    await rig?.stop();
  });

  let forwardId = '';
  let localPort = 0;
  let b: { port: number; close(): void };

  it('forwards to a notebook and follows its pod through a restart on the same local port', async () => {
    const a = await backend('served by pod A');
    b = await backend('served by pod B');
    closers.push(a.close, b.close);
    await rig.forwardPodPort(ns, 'nb-0', 8888, a.port);
    await rig.apply([pod('nb-0', rig.nodes.cpu, { 'notebook-name': 'nb' })]);
    await rig.waitForPod(ns, 'nb-0');

    const d = await connect(rig.kubeconfigPath);
    const states: string[] = [];
    d.connection.onNotification(P.didChangeForward, (i) => states.push(i.status.state));
    const info = await d.connection.sendRequest(P.startForward, { target: { kind: 'notebook', namespace: ns, name: 'nb' } });
    forwardId = info.id;
    localPort = info.localPort;
    await until('the forward to be ready', 30_000, async () => (await forwardState(d, info.id)).status.state === 'ready');
    assert.equal(await get(localPort, '/notebook/kubeflow-user/nb/api'), 'served by pod A');

    // The notebook restarts: its pod is deleted and comes back under the same name, now served elsewhere.
    await rig.forwardPodPort(ns, 'nb-0', 8888, b.port);
    await rig.kubectl(['-n', ns, 'delete', 'pod', 'nb-0', '--grace-period=1', '--wait=true']);
    await until('the forward to notice the pod is gone', 20_000, async () => (await forwardState(d, info.id)).status.state === 'waiting-for-pod');
    await rig.apply([pod('nb-0', rig.nodes.cpu, { 'notebook-name': 'nb' })]);
    await until('the forward to follow the new pod', 30_000, async () => (await forwardState(d, info.id)).status.state === 'ready');
    assert.equal(await get(localPort), 'served by pod B');
    assert.equal((await forwardState(d, info.id)).localPort, localPort);
    assert.ok(states.includes('waiting-for-pod') && states.lastIndexOf('ready') > states.indexOf('waiting-for-pod'), states.join(' → '));
  });

  it('a connection made while the pod is away waits for the new pod instead of failing', async () => {
    const d = daemons[0];
    await rig.kubectl(['-n', ns, 'delete', 'pod', 'nb-0', '--grace-period=1', '--wait=true']);
    await until('waiting-for-pod', 20_000, async () => (await forwardState(d, forwardId)).status.state === 'waiting-for-pod');
    const pending = get(localPort);
    await new Promise((r) => setTimeout(r, 500));
    await rig.apply([pod('nb-0', rig.nodes.cpu, { 'notebook-name': 'nb' })]);
    assert.equal(await pending, 'served by pod B');
  });

  it('a connection whose pod is deleted ends promptly instead of hanging', async () => {
    // The process in the pod takes the request and never answers: only the pod's end can end the connection.
    const held = new Set<net.Socket>();
    const hold = net.createServer((s) => {
      held.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => hold.listen(0, '127.0.0.1', r));
    closers.push(() => (held.forEach((s) => s.destroy()), hold.close()));
    await rig.forwardPodPort(ns, 'hold-0', 8888, (hold.address() as net.AddressInfo).port);
    await rig.apply([pod('hold-0', rig.nodes.cpu, {})]);
    await rig.waitForPod(ns, 'hold-0');
    const d = daemons[0];
    const f = await d.connection.sendRequest(P.startForward, { target: { kind: 'pod', namespace: ns, name: 'hold-0', port: 8888 } });
    await until('the forward to be ready', 30_000, async () => (await forwardState(d, f.id)).status.state === 'ready');
    const c = net.connect(f.localPort, '127.0.0.1');
    let endedAt = 0;
    c.on('close', () => (endedAt = Date.now())).on('error', () => undefined);
    c.write('GET /api/kernels HTTP/1.1\r\nHost: x\r\n\r\n');
    await until('the request to reach the pod', 20_000, () => held.size > 0);
    const deleted = Date.now();
    await rig.kubectl(['-n', ns, 'delete', 'pod', 'hold-0', '--grace-period=1', '--wait=true']);
    await until('the connection to end', 30_000, () => endedAt > 0);
    assert.ok(endedAt - deleted < 15_000, `ended ${endedAt - deleted} ms after the delete`);
    await d.connection.sendRequest(P.stopForward, { id: f.id });
  });

  it('comes back with its forwards after kill -9', async () => {
    const old = daemons[0];
    process.kill(old.hello.pid, 'SIGKILL');
    old.dispose();
    await until('the old daemon to die', 10_000, () => {
      try {
        process.kill(old.hello.pid, 0);
        return false;
      } catch {
        return true;
      }
    });
    const d = await connect(rig.kubeconfigPath);
    assert.ok(d.started, 'a new daemon was started');
    assert.notEqual(d.hello.pid, old.hello.pid);
    const f = await forwardState(d, forwardId);
    assert.equal(f.localPort, localPort);
    await until('the restored forward to be ready', 30_000, async () => (await forwardState(d, forwardId)).status.state === 'ready');
    assert.equal(await get(localPort), 'served by pod B');
  });

  it('replaces a daemon of another version and keeps its forwards', async () => {
    const current = daemons[daemons.length - 1];
    const kubeconfig = current.paths.kubeconfig;
    await current.connection.sendRequest(P.shutdown);
    current.dispose();
    await until('the daemon to stop', 10_000, () => !fs.existsSync(current.paths.socket));
    // An "older" daemon, as if left running by a previous version of the extension.
    const old = spawn(process.execPath, [distFile('companion-daemon.js'), '--kubeconfig', kubeconfig], {
      env: { ...process.env, KUBEFLOW_COMPANION_HOME: home, KFVS_DAEMON_VERSION_OVERRIDE: '0.0.1-old' },
      stdio: 'ignore',
    });
    await until('the old daemon to listen', 15_000, () => fs.existsSync(current.paths.socket));
    const d = await connect(kubeconfig);
    assert.notEqual(d.hello.daemonVersion, '0.0.1-old');
    assert.notEqual(d.hello.pid, old.pid);
    await until('the old daemon to exit', 10_000, () => old.exitCode !== null);
    assert.equal(old.exitCode, 0, 'it stopped cleanly');
    assert.equal((await forwardState(d, forwardId)).localPort, localPort);
    await until('the forward to be ready again', 30_000, async () => (await forwardState(d, forwardId)).status.state === 'ready');
    assert.equal(await get(localPort), 'served by pod B');
  });

  it('merges the logs of every replica of a job, tagged by role and rank, and keeps them after the pods are gone', async () => {
    const replicas = [
      ['pj-master-0', 'Master', '0'],
      ['pj-worker-0', 'Worker', '0'],
      ['pj-worker-1', 'Worker', '1'],
      ['pj-worker-2', 'Worker', '2'],
    ] as const;
    for (const [name, role, index] of replicas) {
      await rig.podLogs(ns, name, [`${role.toLowerCase()}-${index} starting`, `${role.toLowerCase()}-${index} epoch 1 loss 0.9`]);
    }
    await rig.apply(replicas.slice(0, 3).map(([name, role, index]) =>
      pod(name, rig.nodes.gpu, { 'training.kubeflow.org/job-name': 'pj', 'training.kubeflow.org/replica-type': role, 'training.kubeflow.org/replica-index': index }),
    ));
    const d = daemons[daemons.length - 1];
    const got: P.LogLine[] = [];
    d.connection.onNotification(P.didAppendLogs, (p) => got.push(...p.lines));
    const source: P.LogSource = { kind: 'job', namespace: ns, jobKind: 'PyTorchJob', name: 'pj' };
    const sub = await d.connection.sendRequest(P.subscribeLogs, { source, backlog: -1 });
    await until('three replicas to stream', 30_000, () => new Set(got.map((l) => l.replica)).size === 3);
    // A replica that joins later (a worker scheduled late) joins the stream.
    const [late, role, index] = replicas[3];
    await rig.apply([pod(late, rig.nodes.gpu, { 'training.kubeflow.org/job-name': 'pj', 'training.kubeflow.org/replica-type': role, 'training.kubeflow.org/replica-index': index })]);
    await until('the late worker to join', 30_000, () => got.some((l) => l.replica === 'worker-2'));
    assert.deepEqual([...new Set(got.map((l) => l.replica))].sort(), ['master-0', 'worker-0', 'worker-1', 'worker-2']);
    for (const l of got) assert.ok(l.text.startsWith(l.replica), `line "${l.text}" is tagged ${l.replica}`);
    assert.equal(sub.capture.source.kind, 'job');

    // Delete the pods: the capture on disk still has every line.
    await rig.kubectl(['-n', ns, 'delete', 'pod', ...replicas.map((r) => r[0]), '--wait=true']);
    const read = await d.connection.sendRequest(P.readLogs, { source });
    assert.equal(read.lines.length, 8);
    assert.deepEqual(new Set(read.lines.map((l) => l.text)), new Set(replicas.flatMap(([, r, i]) => [`${r.toLowerCase()}-${i} starting`, `${r.toLowerCase()}-${i} epoch 1 loss 0.9`])));
  });

  it('resumes cut log streams with no lost and no repeated line', async () => {
    // A second daemon (another kubeconfig set) that reaches the apiserver through a proxy the test cuts.
    const proxy = await tcpProxy(rig.server);
    closers.push(proxy.close);
    const cfg = fs.readFileSync(rig.kubeconfigPath, 'utf8').replace(rig.server, proxy.url);
    const kubeconfig = path.join(home, 'proxied.kubeconfig');
    fs.writeFileSync(kubeconfig, cfg);
    const d = await connect(kubeconfig);
    assert.notEqual(d.hello.pid, daemons[daemons.length - 2].hello.pid, 'one daemon per kubeconfig set');

    const sources = ['cut-0', 'cut-1'];
    const handles = [];
    for (const name of sources) handles.push(await rig.podLogs(ns, name, [`${name} line 0`]));
    await rig.apply(sources.map((name, i) => pod(name, rig.nodes.gpu, { 'training.kubeflow.org/job-name': 'cutjob', 'training.kubeflow.org/replica-type': 'Worker', 'training.kubeflow.org/replica-index': String(i) })));
    const got: P.LogLine[] = [];
    d.connection.onNotification(P.didAppendLogs, (p) => got.push(...p.lines));
    await d.connection.sendRequest(P.subscribeLogs, { source: { kind: 'job', namespace: ns, jobKind: 'PyTorchJob', name: 'cutjob' } });
    await until('both replicas to stream', 30_000, () => new Set(got.map((l) => l.pod)).size === 2);

    const expected = new Map(sources.map((s) => [s, [`${s} line 0`]]));
    let cuts = 0;
    for (let batch = 1; batch <= 12; batch++) {
      for (const [i, name] of sources.entries()) {
        const lines = Array.from({ length: 25 }, (_, k) => `${name} line ${batch * 100 + k}`);
        lines.push(`${name} repeated text`); // the same text again and again must be kept every time
        await handles[i].append(lines);
        expected.get(name)!.push(...lines);
      }
      if (batch % 3 === 0) cuts += proxy.cut();
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.ok(cuts > 0, 'the streams were cut');
    for (const name of sources) {
      await until(`every line of ${name}`, 60_000, () => got.filter((l) => l.pod === name).length >= expected.get(name)!.length);
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(got.filter((l) => l.pod === name).map((l) => l.text), expected.get(name), `${name} after ${cuts} cuts`);
    }
  });

  it('a daemon killed (-9) or stopped mid-stream neither repeats nor loses a line, in the capture or in `logs -f`', async () => {
    const kubeconfig = rig.kubeconfigPath;
    const env = { ...process.env, KUBEFLOW_COMPANION_HOME: home };
    const names = ['kill-0', 'kill-1', 'kill-2'];
    const handles: PodLogHandle[] = [];
    const expected = new Map(names.map((n) => [n, [`${n} starting`]]));
    for (const n of names) handles.push(await rig.podLogs(ns, n, [`${n} starting`]));
    await rig.apply(names.map((n, i) => pod(n, rig.nodes.gpu, { 'training.kubeflow.org/job-name': 'killjob', 'training.kubeflow.org/replica-type': 'Worker', 'training.kubeflow.org/replica-index': String(i) })));
    // The CLI follows the job, as a user would in a terminal.
    const cli = spawn(process.execPath, [distFile('companion-cli.js'), 'logs', 'pytorchjob/killjob', '-n', ns, '-f', '--json', '--kubeconfig', kubeconfig], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    cli.stdout.on('data', (d: Buffer) => (out += d.toString()));
    cli.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => cli.on('exit', (code) => r(code)));
    closers.push(() => cli.kill('SIGKILL'));
    const printed = (): P.LogLine[] => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as P.LogLine);
    await until('the CLI to print every replica', 60_000, () => new Set(printed().map((l) => l.pod)).size === 3);

    // ~60 lines/s over three replicas, some with the same text at the same instant, a coloured progress bar.
    let i = 0;
    const write = async (ms: number): Promise<void> => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        for (const [k, n] of names.entries()) {
          const lines = [`${n} line ${i}`];
          if (i % 10 === 0) lines.push(`${n} same text`, `${n} same text`);
          await handles[k].append(lines);
          expected.get(n)!.push(...lines);
        }
        i++;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const daemonPid = async (): Promise<number> => {
      const r = spawnSync(process.execPath, [distFile('companion-cli.js'), 'status', '--json', '--kubeconfig', kubeconfig], { encoding: 'utf8', env, timeout: 30_000 });
      return (JSON.parse(r.stdout) as { pid: number }).pid;
    };
    const gone = (pid: number) => () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    };
    await write(2000);
    const first = await daemonPid();
    process.kill(first, 'SIGKILL');
    await until('the daemon to die', 10_000, gone(first));
    await write(3000);
    const second = await until('the CLI to start a new daemon', 30_000, async () => {
      const pid = await daemonPid().catch(() => 0);
      return pid && pid !== first ? pid : undefined;
    });
    await write(1000);
    // A graceful stop (as an upgrade does) while lines keep coming.
    spawnSync(process.execPath, [distFile('companion-cli.js'), 'stop', '--kubeconfig', kubeconfig], { encoding: 'utf8', env, timeout: 30_000 });
    await until('the daemon to stop', 10_000, gone(second));
    await write(3000);
    // One line a terminal would draw: colours, and a progress bar redrawn with \r.
    await handles[0].append(['\x1b[32mkill-0 green\x1b[0m', 'kill-0 10%\rkill-0 50%\rkill-0 100%']);
    expected.get('kill-0')!.push('kill-0 green', 'kill-0 100%');

    const total = [...expected.values()].reduce((n, l) => n + l.length, 0);
    await until('the CLI to print every line', 90_000, () => printed().length >= total, 250);
    const d = await connect(kubeconfig);
    await until('the capture to hold every line', 30_000, async () => (await d.connection.sendRequest(P.readLogs, { source: { kind: 'job', namespace: ns, jobKind: 'PyTorchJob', name: 'killjob' } })).lines.length >= total);
    await new Promise((r) => setTimeout(r, 1000)); // a repeat would arrive right after the last line
    const captured = (await d.connection.sendRequest(P.readLogs, { source: { kind: 'job', namespace: ns, jobKind: 'PyTorchJob', name: 'killjob' } })).lines;
    for (const n of names) {
      assert.deepEqual(captured.filter((l) => l.pod === n).map((l) => l.text), expected.get(n), `capture of ${n}`);
      assert.deepEqual(printed().filter((l) => l.pod === n).map((l) => l.text), expected.get(n), `\`logs -f\` of ${n}; stderr: ${err}`);
    }
    assert.equal(captured.length, total, `${total} lines written`);
    assert.equal(cli.exitCode, null, 'the CLI still follows');
    cli.kill('SIGINT');
    assert.equal(await exited, 0, err);
  });

  it('serves the editor\'s API reads, writes and watches, with the API\'s own messages on errors', async () => {
    const d = daemons[daemons.length - 1];
    const lists: Array<{ items: unknown[] }> = [];
    d.connection.onNotification(P.didChangeList, (p) => p.subscription === 'pods-w' && lists.push(p));
    const first = await d.connection.sendRequest(P.watchList, { subscription: 'pods-w', path: `/api/v1/namespaces/${ns}/pods`, labelSelector: 'app=watched' });
    assert.deepEqual(first.items, []);
    await d.connection.sendRequest(P.kubeRequest, { method: 'POST', path: `/api/v1/namespaces/${ns}/pods`, body: pod('watched-0', rig.nodes.cpu, { app: 'watched' }) });
    const seen = await until('the watch to list the new pod', 20_000, () =>
      lists.find((l) => l.items.some((i) => (i as { metadata: { name: string } }).metadata.name === 'watched-0')));
    assert.equal(seen.items.length, 1);
    const patched = (await d.connection.sendRequest(P.kubeRequest, { method: 'PATCH', path: `/api/v1/namespaces/${ns}/pods/watched-0`, body: { metadata: { annotations: { 'kubeflow-resource-stopped': 'now' } } } })) as { metadata: { annotations: Record<string, string> } };
    assert.equal(patched.metadata.annotations['kubeflow-resource-stopped'], 'now');
    await assert.rejects(d.connection.sendRequest(P.kubeRequest, { method: 'GET', path: `/api/v1/namespaces/${ns}/pods/no-such-pod` }), (e: Error & { code?: number }) => {
      assert.equal(e.code, P.ErrorCode.NotFound);
      assert.match(e.message, /"no-such-pod" not found/);
      return true;
    });
    await assert.rejects(d.connection.sendRequest(P.kubeRequest, { method: 'GET', path: '/../../etc/passwd' }), /Not an API path/);
    await d.connection.sendRequest(P.unwatchList, { subscription: 'pods-w' });
  });

  it('the kubeflow-companion CLI shows status, forwards and captured logs, for people and as JSON', () => {
    const cli = (...args: string[]) => {
      const r = spawnSync(process.execPath, [distFile('companion-cli.js'), ...args, '--kubeconfig', rig.kubeconfigPath], { encoding: 'utf8', env: { ...process.env, KUBEFLOW_COMPANION_HOME: home }, timeout: 30_000 });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    const status = cli('status', '--json');
    assert.equal(status.code, 0, status.err);
    assert.equal(JSON.parse(status.out).running, true);
    const human = cli('forwards');
    assert.match(human.out, new RegExp(`${forwardId}\\s+http://127\\.0\\.0\\.1:${localPort}/notebook/kubeflow-user/nb/\\s+notebook nb in kubeflow-user`));
    const json = JSON.parse(cli('forwards', '--json').out) as P.ForwardInfo[];
    assert.deepEqual(json.map((f) => f.localPort), [localPort]);
    const logs = cli('logs', 'pytorchjob/pj', '-n', ns, '--tail', '2');
    assert.equal(logs.code, 0, logs.err);
    assert.equal(logs.out.trim().split('\n').length, 2, logs.out + logs.err);
    assert.match(logs.out, /^\[(master|worker)-\d\] /m);
    const bad = cli('forward', 'pod/Bad_Name:80', '-n', ns);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /invalid name "Bad_Name"/);
  });

  it('another OS user cannot open the daemon socket', function () {
    if (process.getuid?.() !== 0) throw new Error('this test creates a second OS user and needs root (CI runs as root)');
    spawnSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', 'kfvs-other'], { encoding: 'utf8' });
    const socket = daemons[0].paths.socket;
    // The test's temp dirs are world-traversable; only the daemon's own run dir (0700) stands in the way.
    fs.chmodSync(home, 0o755);
    const probe = `require('net').connect(${JSON.stringify(socket)}).on('connect',()=>{console.log('CONNECTED');process.exit(0)}).on('error',e=>{console.log(e.code);process.exit(0)})`;
    const r = spawnSync('runuser', ['-u', 'kfvs-other', '--', process.execPath, '-e', probe], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'EACCES');
  });

  it('names the cause when RBAC forbids the forward or the credential plugin fails, and keeps serving', async () => {
    const limited = await rig.userKubeconfig('no-rights');
    const d = await connect(limited);
    const f = await d.connection.sendRequest(P.startForward, { target: { kind: 'pod', namespace: ns, name: 'nb-0', port: 8888 } });
    const st = await until('a forbidden state', 20_000, async () => {
      const s = (await forwardState(d, f.id)).status;
      return s.state === 'error' ? s : undefined;
    });
    assert.equal(st.code, P.ErrorCode.Forbidden);
    assert.match(st.reason, /forbidden/i);

    const broken = path.join(home, 'exec.kubeconfig');
    fs.writeFileSync(broken, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${rig.server}", insecure-skip-tls-verify: true}}]
users: [{name: sso-user, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/false, args: [], interactiveMode: Never}}}]
contexts: [{name: sso, context: {cluster: c, user: sso-user}}]
current-context: sso
`);
    const d2 = await connect(broken);
    const f2 = await d2.connection.sendRequest(P.startForward, { target: { kind: 'notebook', namespace: ns, name: 'nb' } });
    const st2 = await until('a kubeconfig error', 20_000, async () => {
      const s = (await forwardState(d2, f2.id)).status;
      return s.state === 'error' ? s : undefined;
    });
    assert.equal(st2.code, P.ErrorCode.Kubeconfig);
    assert.match(st2.reason, /credential plugin of user "sso-user" \(\/bin\/false\) failed/);
    // The first daemon still serves its forward.
    assert.equal(await get(localPort), 'served by pod B');
  });
});
