// `kubeflow-companion logs -f` across daemons that go away: real JSON-RPC connections over a Unix socket, played
// daemons on the server side. One of them takes the subscription and closes without answering it, as a daemon being
// stopped does; the CLI must connect again and go on, not wait for that answer forever.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createMessageConnection } from 'vscode-jsonrpc/node';
import { followLogs } from '../../../companion-daemon/src/cli/follow';
import type { DaemonConnection } from '../../../companion-daemon/src/client';
import * as P from '../../../companion-daemon/src/protocol';
import { until } from '../../support/wait';

const line = (text: string, time: string): P.LogLine => ({ replica: 'worker-0', pod: 'w-0', container: 'main', time, text });

describe('logs -f across daemon restarts (cli/follow.ts)', function () {
  this.timeout(20_000);
  let dir = '';
  let server: net.Server | undefined;
  afterEach(() => {
    server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a daemon that closes before answering the subscription: connects again and prints the rest once', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-follow-'));
    const sock = path.join(dir, 'd.sock');
    const a = line('a', '2026-01-01T00:00:01Z');
    const b = line('b', '2026-01-01T00:00:02Z');
    const c = line('c', '2026-01-01T00:00:03Z');
    // The daemons, in the order the CLI meets them: the first answers with [a] and then stops; the second takes the
    // subscription and closes without an answer (it was stopping); the third has kept [a, b] and then appends c.
    const plays: ((s: net.Socket) => void)[] = [
      (s) => {
        const conn = createMessageConnection(s, s);
        conn.onRequest(P.subscribeLogs, (p) => {
          setTimeout(() => s.destroy(), 100);
          return { subscription: p.subscription, lines: [a] } as unknown as P.SubscribeLogsResult;
        });
        conn.listen();
      },
      (s) => {
        const conn = createMessageConnection(s, s);
        conn.onRequest(P.subscribeLogs, () => {
          s.destroy();
          return new Promise<never>(() => undefined);
        });
        conn.listen();
      },
      (s) => {
        const conn = createMessageConnection(s, s);
        conn.onRequest(P.subscribeLogs, (p) => {
          setTimeout(() => void conn.sendNotification(P.didAppendLogs, { subscription: p.subscription, lines: [c] }), 50);
          return { subscription: p.subscription, lines: [a, b] } as unknown as P.SubscribeLogsResult;
        });
        conn.listen();
      },
    ];
    let connections = 0;
    server = net.createServer((s) => plays[Math.min(connections++, plays.length - 1)](s));
    await new Promise<void>((r) => server!.listen(sock, r));

    const connect = async (): Promise<DaemonConnection> => {
      const s = await new Promise<net.Socket>((resolve, reject) => {
        const x = net.connect(sock);
        x.once('connect', () => resolve(x));
        x.once('error', reject);
      });
      const connection = createMessageConnection(s, s);
      connection.listen();
      return { connection, hello: {} as P.HelloResult, paths: {} as DaemonConnection['paths'], started: false, dispose: () => (connection.dispose(), s.destroy()) };
    };
    const printed: string[] = [];
    let interrupt = (): void => undefined;
    const interrupted = new Promise<void>((r) => (interrupt = r));
    const done = followLogs({ connect, source: { kind: 'pod', namespace: 'ns', name: 'w-0' }, tail: -1, write: (l) => printed.push(l.text), note: () => undefined, interrupted });
    await until('every line printed', 10_000, () => printed.length >= 3);
    interrupt();
    assert.equal(await done, 0);
    assert.deepEqual(printed, ['a', 'b', 'c']);
    assert.equal(connections, 3, 'it met the three daemons');
  });
});
