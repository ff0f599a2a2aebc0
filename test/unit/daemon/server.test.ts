// The daemon's socket against peers that do not play by the rules: an in-process Daemon (real Unix socket, real
// vscode-jsonrpc, real log file) and raw sockets that send what a hostile or broken local client would.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import { fileLogger, MAX_MESSAGE_CHARS } from '../../../companion-daemon/src/log';
import { daemonPaths } from '../../../companion-daemon/src/paths';
import * as P from '../../../companion-daemon/src/protocol';
import { Daemon } from '../../../companion-daemon/src/server';
import { until } from '../../support/wait';

describe('daemon socket hygiene', function () {
  this.timeout(30_000);
  let home: string;
  let daemon: Daemon;
  let socketPath: string;
  let logFile: string;

  before(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-hygiene-'));
    const paths = daemonPaths(path.join(home, 'kubeconfig'), { KUBEFLOW_COMPANION_HOME: home });
    fs.mkdirSync(paths.runDir, { recursive: true, mode: 0o700 });
    fs.mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
    socketPath = paths.socket;
    logFile = paths.logFile;
    daemon = new Daemon({ paths, log: fileLogger(logFile, false), idleExitMs: 0 });
    await daemon.listen();
  });
  after(async () => {
    await daemon?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** Sends `bytes` on a raw connection; resolves with how it ended ('closed' by the daemon, or 'open' after `ms`). */
  const send = (bytes: Buffer | string, ms = 5000): Promise<'closed' | 'open'> =>
    new Promise((resolve) => {
      const s = net.connect(socketPath);
      const t = setTimeout(() => (s.destroy(), resolve('open')), ms);
      s.on('connect', () => s.write(bytes, () => undefined));
      s.on('error', () => undefined);
      s.on('close', () => (clearTimeout(t), resolve('closed')));
    });

  const client = async (): Promise<MessageConnection> => {
    const s = net.connect(socketPath);
    await new Promise((r) => s.once('connect', r));
    const c = createMessageConnection(s, s);
    c.listen();
    return c;
  };

  it('closes a connection that sends bytes without headers', async () => {
    assert.equal(await send('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'closed');
    assert.equal(await send(Buffer.alloc(64 * 1024, 0x41)), 'closed', 'no end of headers, ever');
    assert.equal(await send('Content-Length: 99999999999\r\n\r\n{'), 'closed', 'a body beyond the limit');
    assert.equal(await send('Content-Length: 5\r\n\r\n{{{{{'), 'closed', 'a body that is not JSON');
  });

  it('keeps serving well-behaved clients, also on a connection that sent a malformed but readable request', async () => {
    const c = await client();
    await assert.rejects(c.sendRequest('no/such/method', {}), /Unhandled method/);
    const hello = await c.sendRequest(P.hello, { protocolVersion: P.PROTOCOL_VERSION, client: 'hygiene-test' });
    assert.equal(hello.protocolVersion, P.PROTOCOL_VERSION);
    c.dispose();
  });

  it('reads requests however they are chunked: byte by byte, and several in one write', async () => {
    const frame = (id: number) => {
      const body = JSON.stringify({ jsonrpc: '2.0', id, method: 'daemon/hello', params: { protocolVersion: P.PROTOCOL_VERSION, client: `chunks ${'é'.repeat(id)}` } });
      return Buffer.concat([Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n`), Buffer.from(body)]);
    };
    const s = net.connect(socketPath);
    await new Promise((r) => s.once('connect', r));
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString('utf8')));
    for (const b of frame(1)) await new Promise((r) => s.write(Buffer.from([b]), r));
    s.write(Buffer.concat([frame(2), frame(3), frame(4)]));
    await until('four answers', 10_000, () => (got.match(/"pid":/g) ?? []).length === 4);
    assert.ok(!s.destroyed);
    s.destroy();
  });

  it('logs a bounded, one-line client name however long the name is', async () => {
    const c = await client();
    const name = `evil\n2026-01-01T00:00:00.000Z forged line ${'x'.repeat(5 * 1024 * 1024)}`;
    await c.sendRequest(P.hello, { protocolVersion: P.PROTOCOL_VERSION, client: name });
    c.dispose();
    const line = await until('the hello to be logged', 10_000, () => fs.readFileSync(logFile, 'utf8').split('\n').find((l) => l.includes('client connected: evil')));
    assert.ok(line.length < 400, `${line.length} characters`);
    assert.ok(!fs.readFileSync(logFile, 'utf8').split('\n').some((l) => l.startsWith('2026-01-01T00:00:00.000Z forged')), 'no forged log line');
    assert.ok(fs.statSync(logFile).size < 64 * 1024, `daemon.log is ${fs.statSync(logFile).size} bytes`);
  });

  it('bounds every log message', () => {
    const f = path.join(home, 'bounded.log');
    fileLogger(f, false)(`start ${'y'.repeat(1024 * 1024)}`);
    const text = fs.readFileSync(f, 'utf8');
    assert.ok(text.length < MAX_MESSAGE_CHARS + 100, `${text.length} characters`);
    assert.match(text, /… \(\d+ more characters\)\n$/);
  });
});
