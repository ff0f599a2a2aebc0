// KFP's artifact API (core/kfp/artifacts.ts): detected, not assumed. A server with the routes of
// artifact.proto's ArtifactService is "present" and the run's outputs are read from it (answers in
// test/fixtures/kfp-artifacts, the proto's messages); grpc-gateway's 404 (what 2.17 answers, checked on the real
// server in test/integration/kfp-client-real.test.ts), 405 and 501 are "absent"; the answer is kept per server.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { UnreachableError, type HttpRequest, type HttpTransport } from '../../../core/http/transport';
import { ArtifactApiDetector, hasArtifactApi, readRunArtifacts, runOutputsFromArtifacts, type KfpArtifact, type KfpArtifactTask } from '../../../core/kfp/artifacts';

const DIR = path.resolve(__dirname, '../../fixtures/kfp-artifacts');
const RUN = JSON.parse(fs.readFileSync(path.join(DIR, 'classifier-run.json'), 'utf8')) as { artifact_tasks: { artifact_tasks: KfpArtifactTask[] }; artifacts: KfpArtifact[] };
const NOT_FOUND = fs.readFileSync(path.join(DIR, 'not-found.json'), 'utf8');

/** A server with the artifact API: answers the recorded messages and keeps what was asked. */
function withApi(asked: HttpRequest[] = []): HttpTransport {
  return async (req) => {
    asked.push(req);
    const json = (v: unknown) => ({ status: 200, headers: { 'content-type': 'application/json' }, text: JSON.stringify(v) });
    if (req.path === '/apis/v2beta1/artifact_tasks') return json(req.query?.page_size === 1 ? { artifact_tasks: RUN.artifact_tasks.artifact_tasks.slice(0, 1), total_size: 6, next_page_token: 'x' } : RUN.artifact_tasks);
    const m = /^\/apis\/v2beta1\/artifacts\/([^/]+)$/.exec(req.path);
    const a = m && RUN.artifacts.find((x) => x.artifact_id === decodeURIComponent(m[1]!));
    return a ? json(a) : { status: 404, headers: { 'content-type': 'application/json' }, text: NOT_FOUND };
  };
}

const status = (s: number, text = ''): HttpTransport => async () => ({ status: s, headers: {}, text });

describe('KFP artifact API detection and run outputs (core/kfp/artifacts)', () => {
  it('a server that answers artifact_tasks has it; 404 "Not Found", 405 and 501 say it does not', async () => {
    assert.equal(await hasArtifactApi(withApi()), true);
    assert.equal(await hasArtifactApi(status(404, NOT_FOUND)), false);
    assert.equal(await hasArtifactApi(status(404, '404 page not found')), false);
    assert.equal(await hasArtifactApi(status(405)), false);
    assert.equal(await hasArtifactApi(status(501, '{"code":12,"message":"Unimplemented"}')), false);
    assert.equal(await hasArtifactApi(status(403, '{"code":7,"message":"denied"}')), true, 'the route is there, the caller may not list');
    assert.equal(await hasArtifactApi(status(400, '{"code":3,"message":"namespace is required"}')), true, 'the route is there and checked the request');
    await assert.rejects(hasArtifactApi(status(503, 'upstream down')), /upstream down/);
  });

  it('asks each server once; a failed probe is asked again', async () => {
    let probes = 0;
    let fail = true;
    const detector = new ArtifactApiDetector(async (t) => {
      probes++;
      if (fail) throw new UnreachableError('no route to host');
      return hasArtifactApi(t);
    });
    await assert.rejects(detector.detect('http://a', withApi()), /no route to host/);
    fail = false;
    assert.equal(await detector.detect('http://a', withApi()), true);
    assert.equal(await detector.detect('http://a', withApi()), true);
    assert.equal(await detector.detect('http://b', status(404, NOT_FOUND)), false);
    assert.equal(probes, 3);
    detector.forget();
    await detector.detect('http://a', withApi());
    assert.equal(probes, 4);
  });

  it('reads a run\'s tasks and artifacts from it, in the outputs panel\'s shape', async () => {
    const asked: HttpRequest[] = [];
    const { links, artifacts } = await readRunArtifacts(withApi(asked), 'run-a');
    assert.deepEqual(asked[0]!.query?.run_ids, ['run-a']);
    assert.equal(asked.filter((r) => r.path.startsWith('/apis/v2beta1/artifacts/')).length, 4, 'each artifact read once');
    const out = runOutputsFromArtifacts('run-a', links, artifacts);
    assert.deepEqual(out.warnings, []);
    assert.equal(out.namespace, 'kubeflow');
    assert.deepEqual(out.tasks.map((t) => t.task), ['prep', 'train', 'report']);
    const [, train, report] = out.tasks;
    assert.deepEqual(train!.artifacts.map((a) => [a.event, a.name, a.type]), [['INPUT', 'data', 'system.Dataset'], ['OUTPUT', 'model', 'system.Model'], ['OUTPUT', 'metrics', 'system.Metrics']]);
    assert.deepEqual(train!.artifacts[2]!.metadata, { accuracy: 0.9 }, 'a metric\'s name and number_value');
    assert.equal(train!.artifacts[1]!.uri, 'minio://mlpipeline/v2/artifacts/classifier/run-a/train/model');
    assert.deepEqual(report!.artifacts.map((a) => [a.event, a.name, a.type]), [['INPUT', 'model', 'system.Model'], ['OUTPUT', 'page', 'system.HTML']]);
  });

  it('a run without links, or a link whose artifact is gone, gives warnings', () => {
    assert.match(runOutputsFromArtifacts('x', [], []).warnings[0]!, /no records of run x/);
    const out = runOutputsFromArtifacts('run-a', RUN.artifact_tasks.artifact_tasks.slice(0, 1), []);
    assert.match(out.warnings[0]!, /artifact art-ds of data is not in the artifact API/);
  });
});
