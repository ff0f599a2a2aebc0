// The MLMD rig: the real ml-metadata library served as MetadataStoreService, reached as Service
// kubeflow/metadata-grpc-service:8080 through a companion-daemon port-forward by a client no one here wrote (PyPI's
// ml-metadata `MetadataStore` with a gRPC config, test/rigs/mlmd/kfp-run.py): types, contexts, executions,
// artifacts and events of a KFP run written the way KFP's launcher writes them, then read back.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { connectDaemon, type DaemonConnection } from '../../companion-daemon/src/client';
import * as P from '../../companion-daemon/src/protocol';
import { startKubeRig, type KubeRig } from '../rigs/kube/index';
import { MlmdClient } from '../../core/mlmd/client';
import { runOutputs, scalarMetrics } from '../../core/mlmd/outputs';
import { visualize } from '../../core/mlmd/visualize';
import { MLMD_SERVICE, mlmdDescriptorFile, mlmdPython, readKfpRun, recordKfpRun, startMlmd, type MlmdRig } from '../rigs/mlmd/index';
import { distFile } from '../support/build';
import { classifierRun } from '../rigs/mlmd/runs';

const run = promisify(execFile);

describe('MLMD rig: the real ml-metadata library as metadata-grpc-service', function () {
  this.timeout(300_000);
  let kube: KubeRig;
  let mlmd: MlmdRig;
  let home: string;
  let d: DaemonConnection;
  let address: string;
  before(async () => {
    kube = await startKubeRig({ crds: false });
    mlmd = await startMlmd(kube);
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-mlmd-'));
    d = await connectDaemon({ kubeconfig: kube.kubeconfigPath, client: 'mlmd-rig-test', daemonScript: distFile('companion-daemon.js'), env: { ...process.env, KUBEFLOW_COMPANION_HOME: home } });
    const s = MLMD_SERVICE;
    const url = (await d.connection.sendRequest(P.startForward, { target: { kind: 'service', namespace: s.namespace, name: s.name, port: s.port } })).url;
    address = new URL(url).host;
  });
  after(async () => {
    await d?.connection.sendRequest(P.shutdown).catch(() => undefined);
    d?.dispose();
    await mlmd?.stop();
    await kube?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('exposes Service kubeflow/metadata-grpc-service port 8080 (grpc-api) with a Running pod', async () => {
    const svc = JSON.parse(await kube.kubectl(['-n', 'kubeflow', 'get', 'svc', 'metadata-grpc-service', '-o', 'json'])) as { spec: { ports: Array<{ name: string; port: number }>; selector: Record<string, string> } };
    assert.deepEqual(svc.spec.ports.map((p) => [p.name, p.port]), [['grpc-api', 8080]]);
    assert.deepEqual(svc.spec.selector, { component: 'metadata-grpc-server' });
  });

  it('the official client records a KFP run through the forward and reads back types, contexts, executions, artifacts and events', async () => {
    const written = await recordKfpRun(address, classifierRun('run-rig-1', { learningRate: 0.1, accuracy: 0.9 }));
    assert.deepEqual(Object.keys(written.executions), ['prep', 'train', 'report']);
    const got = await readKfpRun(address, 'run-rig-1');
    assert.ok(got, 'the run context exists');
    assert.equal((got.run as { type: string }).type, 'system.PipelineRun');
    const byName = Object.fromEntries(got.executions.map((e) => [e.name, e]));
    assert.deepEqual(got.executions.map((e) => [e.name, e.state]), [['', 'COMPLETE'], ['prep', 'COMPLETE'], ['train', 'COMPLETE'], ['report', 'COMPLETE']]);
    assert.deepEqual(byName.train!.artifacts.map((a) => [a.event, a.name, a.type]), [
      ['INPUT', 'dataset', 'system.Dataset'], ['OUTPUT', 'model', 'system.Model'], ['OUTPUT', 'metrics', 'system.Metrics'],
      ['OUTPUT', 'classification', 'system.ClassificationMetrics'],
    ]);
    // one artifact, two events: prep's output is train's input
    assert.equal(byName.train!.artifacts[0]!.id, byName.prep!.artifacts[0]!.id);
    assert.equal(byName.train!.artifacts[1]!.uri, 's3://mlpipeline/v2/artifacts/classifier/run-rig-1/train/model');
    assert.deepEqual((byName.train!.properties.inputs as { structValue: unknown }).structValue, { learning_rate: 0.1, epochs: 3 });
    assert.equal(await readKfpRun(address, 'no-such-run'), null);
  });

  it('our client (grpc-js with the wheel\'s descriptor) reads per task what the official client wrote', async () => {
    await recordKfpRun(address, classifierRun('run-rig-2', { learningRate: 0.05, accuracy: 0.8, cachedPrep: true }));
    const client = new MlmdClient(address, fs.readFileSync(mlmdDescriptorFile()));
    try {
      const out = runOutputs('run-rig-2', await client.run('run-rig-2'));
      assert.deepEqual(out.warnings, []);
      assert.deepEqual(out.parameters, { learning_rate: 0.05, epochs: 3 });
      assert.equal(out.pipelineRoot, 's3://mlpipeline/v2/artifacts/classifier/run-rig-2');
      assert.deepEqual(out.tasks.map((t) => [t.task, t.executionType, t.state, t.cached]), [
        ['prep', 'system.ContainerExecution', 'CACHED', true], ['train', 'system.ContainerExecution', 'COMPLETE', false],
        ['report', 'system.ContainerExecution', 'COMPLETE', false], ['root', 'system.DAGExecution', 'COMPLETE', false],
      ]);
      const train = out.tasks[1]!;
      assert.deepEqual(train.inputs, { learning_rate: 0.05, epochs: 3 });
      assert.deepEqual(train.artifacts.map((a) => [a.event, a.name, a.type, a.uri.replace(/^.*run-rig-2\//, '')]), [
        ['INPUT', 'dataset', 'system.Dataset', 'prep/dataset'], ['OUTPUT', 'model', 'system.Model', 'train/model'],
        ['OUTPUT', 'metrics', 'system.Metrics', 'train/metrics'], ['OUTPUT', 'classification', 'system.ClassificationMetrics', 'train/classification'],
      ]);
      assert.equal(train.artifacts[1]!.storeSession?.Provider, 's3');
      assert.deepEqual(train.artifacts[1]!.metadata, { framework: 'sklearn', accuracy: 0.8 });
      assert.deepEqual(scalarMetrics(out), { 'train.accuracy': 0.8, 'train.loss': 0.2 });
      const [matrix, roc] = visualize(train.artifacts[3]!);
      assert.deepEqual(matrix, { kind: 'confusion', matrix: { labels: ['cat', 'dog', 'bird'], rows: [[4, 6, 0], [0, 10, 0], [0, 0, 10]], max: 10 } });
      assert.equal(roc?.kind === 'curve' && roc.curve.kind, 'roc');
      assert.equal(runOutputs('nope', await client.run('nope')).warnings.length, 1);
    } finally {
      client.close();
    }
  });

  it('answers the library\'s own errors as gRPC status codes (NotFound, AlreadyExists-style conflicts)', async () => {
    const script = [
      'import sys', 'from ml_metadata.metadata_store import metadata_store', 'from ml_metadata.proto import metadata_store_pb2 as m',
      'from ml_metadata import errors',
      'h, p = sys.argv[1].rsplit(":", 1)',
      's = metadata_store.MetadataStore(m.MetadataStoreClientConfig(host=h, port=int(p)))',
      'try:\n  s.get_artifact_type("no.such.Type")\nexcept errors.NotFoundError as e:\n  print("NotFound", e)',
      's.put_artifact_type(m.ArtifactType(name="rig.T", properties={"a": m.INT}))',
      'try:\n  s.put_artifact_type(m.ArtifactType(name="rig.T", properties={"a": m.STRING}))\nexcept errors.AlreadyExistsError as e:\n  print("AlreadyExists", e)',
    ].join('\n');
    const { stdout } = await run(mlmdPython(), ['-c', script, address], { timeout: 60_000 });
    assert.match(stdout, /^NotFound .*no\.such\.Type/m);
    assert.match(stdout, /^AlreadyExists /m);
  });
});
