import assert from 'node:assert/strict';
import { credentialProblem, endpointOrigin, isLoopbackHost } from '../../extension/cluster/credentialPolicy';

describe('where a stored credential may be sent', () => {
  const bearer = { authorization: 'Bearer s3cr3t' };
  const cookie = { cookie: 'oauth2_proxy_kubeflow=abc' };

  it('https anywhere, plain http only to this machine', () => {
    assert.equal(credentialProblem('https://kubeflow.example.com/pipeline', bearer), undefined);
    for (const u of ['http://127.0.0.1:40123', 'http://localhost:8888/', 'http://[::1]:9000/x', 'http://127.1.2.3']) assert.equal(credentialProblem(u, bearer), undefined, u);
    for (const u of ['http://kubeflow.example.com/pipeline', 'http://10.0.0.5:8888', 'http://127.0.0.1.evil.example', 'ftp://x.example']) {
      const p = credentialProblem(u, bearer) ?? '';
      assert.match(p, /not sent to/, u);
      assert.match(credentialProblem(u, cookie) ?? '', /not sent to/, u);
    }
  });

  it('requests without a credential go anywhere (nothing to leak)', () => {
    assert.equal(credentialProblem('http://kubeflow.example.com', { 'kubeflow-userid': 'me@example.com' }), undefined);
  });

  it('a credential is keyed by origin: path and trailing parts do not matter, host, port and scheme do', () => {
    assert.equal(endpointOrigin('https://kf.example.com/pipeline/'), 'https://kf.example.com');
    assert.equal(endpointOrigin('https://kf.example.com:443/other'), 'https://kf.example.com');
    assert.notEqual(endpointOrigin('https://kf.example.com'), endpointOrigin('https://kf.example.com.evil.example'));
    assert.notEqual(endpointOrigin('https://kf.example.com'), endpointOrigin('http://kf.example.com'));
    assert.equal(isLoopbackHost('LOCALHOST'), true);
    assert.equal(isLoopbackHost('128.0.0.1'), false);
  });
});
