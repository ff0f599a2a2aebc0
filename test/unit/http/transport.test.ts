// The fetch transport against a real local HTTP server that misbehaves the way a cut or stalled port-forward does
// (issue 22.2: a submit hung for minutes, then failed with undici's bare "terminated"): a stalled answer ends with
// RequestTimeoutError within the request's timeout, a connection cut mid-answer is an UnreachableError that says so,
// and a cancel ends the request at once.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CancelledError, fetchTransport, RequestTimeoutError, UnreachableError, withSignal } from '../../../core/http/transport';
import { KfpClient } from '../../../core/kfp/client';

type Behaviour = 'stall-headers' | 'stall-body' | 'cut-body' | 'ok';

describe('fetchTransport: timeouts, cut connections, cancel', () => {
  let server: http.Server;
  let url = '';
  let behaviour: Behaviour = 'ok';
  const sockets = new Set<import('node:net').Socket>();

  before(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      if (behaviour === 'stall-headers') return; // never answers
      if (behaviour === 'ok') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"run_id":"r1","display_name":"x"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
      res.write('{"run_id":');
      if (behaviour === 'cut-body') setTimeout(() => req.socket.destroy(), 100);
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });

  async function failure(p: Promise<unknown>): Promise<{ err: Error; ms: number }> {
    const t = Date.now();
    const err = await p.then(() => assert.fail('the request succeeded'), (e: unknown) => e as Error);
    return { err, ms: Date.now() - t };
  }

  for (const b of ['stall-headers', 'stall-body'] as const) {
    it(`a server that ${b === 'stall-headers' ? 'never answers' : 'stops in the middle of its answer'}: RequestTimeoutError after the timeout`, async () => {
      behaviour = b;
      const { err, ms } = await failure(fetchTransport(url)({ method: 'GET', path: '/apis/v2beta1/runs/r1', timeoutMs: 800 }));
      assert.ok(err instanceof RequestTimeoutError, `${err.name}: ${err.message}`);
      assert.ok(err instanceof UnreachableError, 'a timeout is a kind of "no answer"');
      assert.match(err.message, /No answer from http:\/\/127\.0\.0\.1:\d+ within 1 s \(GET \/apis\/v2beta1\/runs\/r1/);
      assert.ok(ms >= 700 && ms < 5000, `ended after ${ms} ms`);
    });
  }

  it('a connection cut while the answer is read: an UnreachableError that says so (not a bare "terminated")', async () => {
    behaviour = 'cut-body';
    const { err } = await failure(fetchTransport(url)({ method: 'POST', path: '/apis/v2beta1/runs', body: { json: {} } }));
    assert.ok(err instanceof UnreachableError, `${err.name}: ${err.message}`);
    assert.match(err.message, /connection to http:\/\/127\.0\.0\.1:\d+ was cut while reading the answer of POST \/apis\/v2beta1\/runs/);
  });

  it('cancel: a stalled createRun ends at once with CancelledError, through a client bound to the signal', async () => {
    behaviour = 'stall-headers';
    const abort = new AbortController();
    const client = new KfpClient(withSignal(fetchTransport(url), abort.signal));
    setTimeout(() => abort.abort(), 200);
    const { err, ms } = await failure(client.createRun({ displayName: 'x', experimentId: 'e', pipelineSpec: {}, runtimeConfig: { parameters: {} } }));
    assert.ok(err instanceof CancelledError, `${err.name}: ${err.message}`);
    assert.ok(ms < 3000, `ended after ${ms} ms`);
  });

  it('a healthy server still answers through the same transport', async () => {
    behaviour = 'ok';
    const run = await new KfpClient(fetchTransport(url)).getRun('r1');
    assert.equal(run.run_id, 'r1');
  });
});
