import assert from 'node:assert/strict';
import net from 'node:net';
import { admit, cookieName, judgeHead } from '../../../companion-daemon/src/forwards/gate';
import { FORWARD_LOGIN_PATH, FORWARD_SECRET_HEADER } from '../../../companion-daemon/src/protocol';

const SECRET = 'k3Y_abcdefghijklmnopqrstuvwxyz012345';

/** A listener that gates each connection and then echoes what reaches "the pod" (the bytes after the gate). */
async function gated(): Promise<{ port: number; close(): void }> {
  const server = net.createServer((s) => {
    s.pause();
    void admit(s, SECRET).then((ok) => {
      if (!ok) return;
      const got: Buffer[] = [];
      s.on('data', (d: Buffer) => {
        got.push(d);
        if (Buffer.concat(got).includes('END')) s.end(`POD GOT:${Buffer.concat(got).toString('latin1')}`);
      });
      s.resume();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

function talk(port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(data));
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

describe('forward secret gate', () => {
  it('passes the request bytes unchanged when the header carries the secret (header name in any case)', async () => {
    const g = await gated();
    try {
      const req = `POST /api/kernels HTTP/1.1\r\nHost: x\r\nX-Kubeflow-Forward-Secret: ${SECRET}\r\n\r\nbody END`;
      assert.equal(await talk(g.port, req), `POD GOT:${req}`);
    } finally {
      g.close();
    }
  });

  it('refuses without the secret, with a wrong or longer one, and a head that never ends: nothing reaches the pod', async () => {
    const g = await gated();
    try {
      for (const h of ['', `${FORWARD_SECRET_HEADER}: ${SECRET}x\r\n`, `${FORWARD_SECRET_HEADER}: ${SECRET.slice(1)}\r\n`, `x-other: ${SECRET}\r\n`]) {
        const out = await talk(g.port, `GET / HTTP/1.1\r\nHost: x\r\n${h}\r\nEND`);
        assert.match(out, /^HTTP\/1\.1 403 Forbidden/, h);
        assert.doesNotMatch(out, /POD GOT/);
      }
      const huge = await talk(g.port, `GET / HTTP/1.1\r\nX-Pad: ${'a'.repeat(20_000)}`);
      assert.match(huge, /^HTTP\/1\.1 403/);
    } finally {
      g.close();
    }
  });

  it('the browser login path: the right secret gets this port\'s cookie and a redirect; the cookie then passes', () => {
    const login = judgeHead(`GET ${FORWARD_LOGIN_PATH}${SECRET}/notebook/ns/nb/lab HTTP/1.1\r\nHost: x`, SECRET, 4242);
    assert.deepEqual(login, { verdict: 'login', location: '/notebook/ns/nb/lab' });
    assert.deepEqual(judgeHead(`GET ${FORWARD_LOGIN_PATH}wrong/lab HTTP/1.1\r\nHost: x`, SECRET, 4242), { verdict: 'refuse' });
    assert.deepEqual(judgeHead(`GET /lab HTTP/1.1\r\nCookie: a=b; ${cookieName(4242)}=${SECRET}`, SECRET, 4242), { verdict: 'pass' });
    assert.deepEqual(judgeHead(`GET /lab HTTP/1.1\r\nCookie: ${cookieName(4243)}=${SECRET}`, SECRET, 4242), { verdict: 'refuse' }, 'another port\'s cookie');
  });
});
