// What a run produced, from MLMD records: test/fixtures/mlmd/classifier-run.json is what core/mlmd/client.ts read
// (grpc-js, proto field names, maps as entry lists) from the real ml-metadata library after the official client
// recorded test/rigs/mlmd/runs.ts classifierRun('run-a', { learningRate: 0.1, accuracy: 0.9 }) the way KFP's
// launcher does. Partial and malformed records give warnings and problems, not exceptions.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compareRuns } from '../../core/mlmd/compare';
import { executionStateLabel } from '../../core/mlmd/stateLabel';
import { runOutputs, scalarMetrics, type RawRun } from '../../core/mlmd/outputs';
import { toRunView } from '../../core/mlmd/runView';
import { confusionMatrix, curves, visualize } from '../../core/mlmd/visualize';
import { parseS3Uri, storeTarget } from '../../core/objectStore/s3';

const raw = (): RawRun => JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'mlmd', 'classifier-run.json'), 'utf8')) as RawRun;

/** The same run with another accuracy and learning rate, as a second run would record it. */
function variant(r: RawRun, lr: number, acc: number): RawRun {
  const j = JSON.stringify(r).replace(/"number_value":0\.1([,}])/g, `"number_value":${lr}$1`).replace(/"double_value":0\.9([,}])/g, `"double_value":${acc}$1`);
  return JSON.parse(j) as RawRun;
}

describe('MLMD run outputs (core/mlmd)', () => {
  it('gives per task its state, parameters and artifacts with type, URI and metadata', () => {
    const out = runOutputs('run-a', raw());
    assert.deepEqual(out.warnings, []);
    assert.deepEqual(out.parameters, { learning_rate: 0.1, epochs: 3 });
    assert.equal(out.namespace, 'kubeflow');
    assert.deepEqual(out.tasks.map((t) => t.task), ['prep', 'train', 'report', 'root']);
    const prep = out.tasks[0]!;
    assert.deepEqual([prep.inputs, prep.outputs, prep.podName], [{ rows: 1000 }, { n_rows: 1000 }, 'run-a-prep-system-container-impl']);
    const report = out.tasks[2]!;
    assert.deepEqual(report.artifacts.map((a) => [a.event, a.name, a.type]), [['INPUT', 'model', 'system.Model'], ['OUTPUT', 'page', 'system.HTML'], ['OUTPUT', 'notes', 'system.Markdown']]);
    assert.deepEqual(out.tasks[1]!.artifacts[1]!.storeSession?.Params?.secretName, 'mlpipeline-minio-artifact');
    assert.deepEqual(scalarMetrics(out), { 'train.accuracy': 0.9, 'train.loss': 0.1 });
  });

  it('visualizes Metrics as a table, ClassificationMetrics as a labelled confusion matrix and a ROC curve, HTML/Markdown as documents', () => {
    const [, train, report] = runOutputs('run-a', raw()).tasks;
    const byName = Object.fromEntries(train!.artifacts.map((a) => [a.name, a]));
    assert.deepEqual(visualize(byName.metrics!), [{ kind: 'scalars', rows: [['accuracy', 0.9], ['loss', 0.1]] }]);
    const [matrix, roc] = visualize(byName.classification!);
    assert.deepEqual(matrix, { kind: 'confusion', matrix: { labels: ['cat', 'dog', 'bird'], rows: [[7, 3, 0], [0, 10, 0], [0, 0, 10]], max: 10 } });
    assert.ok(roc?.kind === 'curve' && roc.curve.kind === 'roc');
    assert.deepEqual(roc.curve.points.map((p) => p.x), [0, 0.2, 0.5, 0.8, 1]);
    assert.deepEqual(report!.artifacts.slice(1).flatMap(visualize).map((v) => v.kind === 'document' && v.format), ['html', 'markdown']);
    assert.deepEqual(visualize(byName.model!), []);
  });

  it('says what is wrong with metadata that is not the SDK\'s shape, and adds precision-recall when precision is there', () => {
    assert.match(String(confusionMatrix({ annotationSpecs: [{ displayName: 'a' }, { displayName: 'b' }], rows: [{ row: [1] }, { row: [1, 2] }] })), /does not have 2 numbers/);
    assert.match(String(confusionMatrix('x')), /not an object/);
    assert.match(String(curves([{ threshold: 1 }])), /no points/);
    const c = curves([{ confidenceThreshold: 0.5, recall: 0.8, falsePositiveRate: 0.1, precision: 0.9 }]);
    assert.deepEqual(Array.isArray(c) && c.map((x) => x.kind), ['roc', 'pr']);
    const bad = visualize({ id: '1', name: 'm', event: 'OUTPUT', type: 'system.ClassificationMetrics', uri: '', displayName: 'm', metadata: { confusionMatrix: [1, 2] } });
    assert.deepEqual(bad, [{ kind: 'problem', message: 'the confusion matrix is not an object' }]);
  });

  it('a run without records, or with events whose artifacts are gone, gives warnings', () => {
    assert.match(runOutputs('x', undefined).warnings[0]!, /no records of run x/);
    const r = raw();
    r.artifacts = r.artifacts.slice(1);
    const out = runOutputs('run-a', r);
    assert.match(out.warnings.join(), /are missing from MLMD \(partial records\)/);
    assert.ok(out.tasks.find((t) => t.task === 'prep')!.artifacts.length === 0);
  });

  it('compares runs: differing parameters and metrics marked, ROC curves of each run, tasks whose state or cache use differs', () => {
    const a = runOutputs('run-a', raw());
    const bRaw = variant(raw(), 0.05, 0.8);
    const b = runOutputs('run-b', bRaw);
    b.tasks[0] = { ...b.tasks[0]!, state: 'CACHED', cached: true };
    const c = compareRuns([{ id: 'run-a', name: 'A', parameters: a.parameters, outputs: a }, { id: 'run-b', name: 'B', parameters: b.parameters, outputs: b }]);
    assert.deepEqual(c.parameters, [{ key: 'epochs', values: ['3', '3'], differs: false }, { key: 'learning_rate', values: ['0.1', '0.05'], differs: true }]);
    assert.deepEqual(c.metrics.map((m) => [m.key, m.values, m.differs]), [['train.accuracy', ['0.9', '0.8'], true], ['train.loss', ['0.1', '0.1'], false]]);
    assert.deepEqual(c.tasks, [{ key: 'prep', values: ['Complete', 'Cached'], differs: true }]);
    assert.deepEqual(c.curves.map((x) => [x.run, x.curve.label]), [[0, 'A · train.classification'], [1, 'B · train.classification']]);
  });

  it('names task states as a user reads them; a cache hit recorded as COMPLETE says it came from the cache', () => {
    assert.deepEqual([executionStateLabel('COMPLETE', false), executionStateLabel('CACHED', true), executionStateLabel('COMPLETE', true), executionStateLabel('FAILED', false)],
      ['Complete', 'Cached', 'Complete (from cache)', 'Failed']);
  });

  it('the panel data: a Model output can be registered, inputs are not visualized again', () => {
    const v = toRunView(runOutputs('run-a', raw()), 'Run A');
    assert.deepEqual(v.parameters, [['epochs', '3'], ['learning_rate', '0.1']]);
    const train = v.tasks.find((t) => t.task === 'train')!;
    assert.deepEqual(train.artifacts.map((a) => [a.name, a.registrable, a.visualizations.length]), [['dataset', false, 0], ['model', true, 0], ['metrics', false, 1], ['classification', false, 2]]);
    assert.equal(v.tasks.some((t) => t.task === 'root'), false);
  });

  it('locates an artifact\'s store from KFP\'s store_session_info endpoint, and its bucket and key from the URI', () => {
    assert.deepEqual(storeTarget('minio-service.kubeflow:9000', 'team-a', false), { service: { namespace: 'kubeflow', name: 'minio-service', port: 9000 } });
    assert.deepEqual(storeTarget('seaweedfs.kubeflow.svc.cluster.local:8333', 'team-a', false), { service: { namespace: 'kubeflow', name: 'seaweedfs', port: 8333 } });
    assert.deepEqual(storeTarget('minio:9000', 'team-a', false), { service: { namespace: 'team-a', name: 'minio', port: 9000 } });
    assert.deepEqual(storeTarget('s3.amazonaws.com', 'team-a', true), { url: 'https://s3.amazonaws.com' });
    assert.deepEqual(storeTarget('10.0.0.5:9000', 'team-a', false), { url: 'http://10.0.0.5:9000' });
    assert.deepEqual(parseS3Uri('minio://mlpipeline/a/b c'), { bucket: 'mlpipeline', key: 'a/b c' });
    assert.equal(parseS3Uri('gs://bucket/x'), undefined);
  });
});
