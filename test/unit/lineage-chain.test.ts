// One lineage chain (core/lineage/chain.ts) on recorded data: the classifier run MLMD recorded
// (test/fixtures/mlmd/classifier-run.json), versions as the editor's registration writes them
// (core/modelRegistry/register.ts fromPipelineArtifact, with the ids the registry gives), and endpoints as the deploy
// labels them (core/kserve/build.ts, read back by summarizeInferenceService). Missing links say so.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildInferenceService } from '../../core/kserve/build';
import { summarizeInferenceService, type IsvcSummary } from '../../core/kserve/state';
import { lineageFromEndpoint, lineageFromRun, lineageFromVersion, type LineageNode, type RegistryVersion } from '../../core/lineage/chain';
import { runOutputs, type RawRun } from '../../core/mlmd/outputs';
import { fromPipelineArtifact } from '../../core/modelRegistry/register';
import type { ModelArtifact } from '../../core/modelRegistry/types';

const raw = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'mlmd', 'classifier-run.json'), 'utf8')) as RawRun;
const OUT = runOutputs('run-a', raw);
const MODEL_URI = 's3://mlpipeline/v2/artifacts/classifier/run-a/train/model';

/** A version registered from the run's `train.model` output, as the registry stores it. */
function registered(versionId: string, uri = MODEL_URI, runId = 'run-a'): RegistryVersion {
  const r = fromPipelineArtifact({ source: 'pipeline', runId, runName: 'Run A', artifactName: 'train.model', uri }, { model: 'classifier', version: `v${versionId}` });
  return {
    model: { id: '1', ...r.model },
    version: { id: versionId, registeredModelId: '1', ...r.version },
    artifacts: [{ id: `a${versionId}`, ...r.artifact } as ModelArtifact],
  };
}

function endpoint(name: string, versionId: string): IsvcSummary {
  const o = buildInferenceService({ name, namespace: 'kubeflow', modelFormat: 'sklearn', storageUri: MODEL_URI, registry: { registeredModelId: '1', modelVersionId: versionId, modelName: 'classifier', versionName: `v${versionId}` } });
  return summarizeInferenceService({ ...o, metadata: { ...o.metadata, uid: `uid-${name}` } });
}

/** The tree as indented labels, what the view shows. */
const lines = (n: LineageNode, depth = 0): string[] => [`${'  '.repeat(depth)}${n.kind}: ${n.label}`, ...n.children.flatMap((c) => lines(c, depth + 1))];

describe('Lineage chain: run → Model artifact → registry version → InferenceService (core/lineage)', () => {
  it('from a run: its Model artifact, the version registered from it, the service serving that version', () => {
    const chain = lineageFromRun({ id: 'run-a', name: 'Run A' }, OUT, [registered('7'), registered('8', 's3://elsewhere/model', 'run-b')], [endpoint('iris', '7'), endpoint('other', '8')]);
    assert.deepEqual(lines(chain), [
      'run: Run A (run-a)',
      '  artifact: train.model',
      '    version: classifier v7',
      '      endpoint: iris (Pending)',
    ]);
  });

  it('says "not registered", "not deployed" and "no Model artifacts" where a link is missing', () => {
    assert.deepEqual(lines(lineageFromRun({ id: 'run-a' }, OUT, [], [])).slice(1), ['  artifact: train.model', '    missing: not registered']);
    assert.deepEqual(lines(lineageFromRun({ id: 'run-a' }, OUT, [registered('7')], [])).slice(2), ['    version: classifier v7', '      missing: not deployed']);
    const noModel = { ...OUT, tasks: OUT.tasks.map((t) => ({ ...t, artifacts: t.artifacts.filter((a) => a.type !== 'system.Model') })) };
    assert.deepEqual(lines(lineageFromRun({ id: 'run-a' }, noModel, [], [])), ['run: run-a', '  missing: no Model artifacts']);
  });

  it('a registry that cannot be read: the run and its Model artifact, each saying why its versions are unknown', () => {
    assert.deepEqual(lines(lineageFromRun({ id: 'run-a' }, OUT, { error: 'connect ECONNREFUSED 127.0.0.1:8080' }, [])), [
      'run: run-a',
      '  artifact: train.model',
      '    missing: the Model Registry could not be read: connect ECONNREFUSED 127.0.0.1:8080',
    ]);
  });

  it('a version registered by run id and output name matches when the URI was rewritten', () => {
    const chain = lineageFromRun({ id: 'run-a' }, OUT, [registered('9', 's3://copied/model')], []);
    assert.equal(lines(chain)[2], '    version: classifier v9');
    const other = lineageFromRun({ id: 'run-a' }, OUT, [registered('9', 's3://copied/model', 'run-b')], []);
    assert.equal(lines(other)[2], '    missing: not registered');
  });

  it('from a version and from an endpoint: the same chain back to the run', () => {
    const v = registered('7');
    const eps = [endpoint('iris', '7')];
    const expected = ['run: Run A (run-a)', '  artifact: train.model', '    version: classifier v7', '      endpoint: iris (Pending)'];
    assert.deepEqual(lines(lineageFromVersion(v, eps, () => ({ name: 'Run A', outputs: OUT }))), expected);
    assert.deepEqual(lines(lineageFromEndpoint(eps[0]!, (id) => (id === '7' ? v : undefined), () => ({ name: 'Run A', outputs: OUT }), eps)), expected);
    // the run's outputs could not be read: the run from the version's record, then the version
    assert.deepEqual(lines(lineageFromVersion(v, eps, () => undefined)), ['run: Run A (run-a)', '  version: classifier v7', '    endpoint: iris (Pending)']);
    const unlabelled = summarizeInferenceService(buildInferenceService({ name: 'plain', namespace: 'kubeflow', modelFormat: 'sklearn', storageUri: MODEL_URI }));
    assert.deepEqual(lines(lineageFromEndpoint(unlabelled, () => undefined, () => undefined, [])), ['run: not deployed from a registry version', '  endpoint: plain (Pending)']);
  });
});
