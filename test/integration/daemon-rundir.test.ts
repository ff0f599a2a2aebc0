// The daemon's socket directory when another OS user got there first. Without XDG_RUNTIME_DIR it is the predictable
// `$TMPDIR/kubeflow-companion-<uid>`: another user can create it before us (empty, or with a socket of their own
// posing as the daemon), or put a symbolic link there. The client must refuse at once, naming the directory and why,
// without connecting to anything in it; the daemon must refuse too. Runs as root (CI does) to make a second user.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connectDaemon, UnsafeRunDir } from '../../companion-daemon/src/client';
import { daemonPaths } from '../../companion-daemon/src/paths';
import * as P from '../../companion-daemon/src/protocol';
import { distFile } from '../support/build';
import { until } from '../support/wait';

const OTHER = 'kfvs-other';

function asOther(args: string[]): string {
  const r = spawnSync('runuser', ['-u', OTHER, '--', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${args.join(' ')} as ${OTHER}: ${r.stderr}`);
  return r.stdout;
}

describe('companion daemon socket directory made by another user', function () {
  this.timeout(120_000);
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let kubeconfig: string;
  let runDir: string;
  const stops: Array<() => void> = [];

  before(function () {
    assert.equal(process.getuid?.(), 0, 'this test creates a second OS user and needs root (CI runs as root)');
    spawnSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', OTHER], { encoding: 'utf8' });
    assert.equal(spawnSync('id', ['-u', OTHER]).status, 0, `user ${OTHER} exists`);
    // A private /tmp: world-writable and sticky like the real one.
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-rundir-'));
    fs.chmodSync(tmp, 0o1777);
    env = { ...process.env, TMPDIR: tmp };
    delete env.XDG_RUNTIME_DIR;
    delete env.KUBEFLOW_COMPANION_HOME;
    kubeconfig = path.join(tmp, 'kubeconfig');
    fs.writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    runDir = daemonPaths(kubeconfig, env).runDir;
    assert.equal(runDir, path.join(tmp, 'kubeflow-companion-0'));
  });
  afterEach(() => {
    stops.splice(0).forEach((s) => s());
    fs.rmSync(runDir, { recursive: true, force: true });
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const connect = () => connectDaemon({ kubeconfig, client: 'rundir-test', daemonScript: distFile('companion-daemon.js'), env, timeoutMs: 60_000 });

  it('refuses a directory another user created, naming it and its owner', async () => {
    asOther(['mkdir', '-m', '700', runDir]);
    await assert.rejects(connect(), (e: Error) => e instanceof UnsafeRunDir && e.message.includes(runDir) && /belongs to another user \(uid \d+, you are uid 0\)/.test(e.message));
  });

  it('does not talk to a fake daemon another user planted there', async () => {
    asOther(['mkdir', '-m', '777', runDir]);
    const socket = daemonPaths(kubeconfig, env).socket;
    // The other user's program: counts who connects.
    const fake = spawn('runuser', ['-u', OTHER, '--', process.execPath, '-e',
      `let n=0;require('net').createServer((s)=>{n++;console.log('CONNECTED '+n);s.destroy()}).listen(${JSON.stringify(socket)},()=>{require('fs').chmodSync(${JSON.stringify(socket)},0o777);console.log('LISTENING')})`], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    // Its own process group: runuser and the node it runs go together.
    stops.push(() => process.kill(-fake.pid!, 'SIGKILL'));
    let out = '';
    fake.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await until('the fake daemon listening', 20_000, () => out.includes('LISTENING'));

    await assert.rejects(connect(), (e: Error) => e instanceof UnsafeRunDir && /belongs to another user/.test(e.message));
    // The fake counts connections in order: ours now is its first, so the client never connected.
    await new Promise<void>((resolve, reject) => net.connect(socket).once('connect', function (this: net.Socket) {
      this.destroy();
      resolve();
    }).once('error', reject));
    await until('the probe counted', 20_000, () => out.includes('CONNECTED'));
    assert.equal(out.match(/CONNECTED \d+/g)?.[0], 'CONNECTED 1', out);
  });

  it('refuses a symbolic link in its place, in the client and in the daemon', async () => {
    const elsewhere = fs.mkdtempSync(path.join(tmp, 'elsewhere-'));
    fs.chmodSync(elsewhere, 0o700);
    fs.symlinkSync(elsewhere, runDir);
    await assert.rejects(connect(), (e: Error) => e instanceof UnsafeRunDir && /is a symbolic link/.test(e.message));
    const d = spawnSync(process.execPath, [distFile('companion-daemon.js'), '--kubeconfig', kubeconfig], { env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(d.status, 1, d.stderr);
    assert.match(d.stderr, /refusing to use the socket directory: .* is a symbolic link/);
    assert.deepEqual(fs.readdirSync(elsewhere), [], 'nothing was created through the link');
  });

  it('uses its own private directory as before', async () => {
    const d = await connect();
    try {
      const st = fs.lstatSync(runDir);
      assert.ok(st.isDirectory());
      assert.equal(st.mode & 0o777, 0o700);
      assert.equal(d.hello.protocolVersion, P.PROTOCOL_VERSION);
    } finally {
      await d.connection.sendRequest(P.shutdown).catch(() => undefined);
      d.dispose();
    }
  });
});
