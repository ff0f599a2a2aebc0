// What the Models view and the details panel show from registry data: property values as text, labels (empty string
// properties, as the registry UI writes them), and the lineage of a version — the pipeline run recorded on its model
// artifact and in KFP's properties (one step, not two), a Katib trial, an MR experiment run, another source.
import assert from 'node:assert/strict';
import { age, describeLineage, epochTime, lineageOf, propertyText, splitProperties } from '../../../core/modelRegistry/properties';
import type { ModelArtifact, ModelVersion } from '../../../core/modelRegistry/types';

const version = (customProperties: ModelVersion['customProperties'] = {}): ModelVersion => ({ id: '4', name: 'v3', registeredModelId: '1', customProperties });
const artifact = (o: Partial<ModelArtifact>): ModelArtifact => ({ id: '9', artifactType: 'model-artifact', uri: 's3://b/m', ...o });

describe('Model Registry data as the editor shows it', () => {
  it('property values and labels', () => {
    assert.equal(propertyText({ metadataType: 'MetadataDoubleValue', double_value: 0.912 }), '0.912');
    assert.equal(propertyText({ metadataType: 'MetadataDoubleValue', double_value: 3 }), '3.0');
    assert.equal(propertyText({ metadataType: 'MetadataIntValue', int_value: '1200000' }), '1200000');
    assert.equal(propertyText({ metadataType: 'MetadataBoolValue', bool_value: false }), 'false');
    assert.equal(propertyText({ metadataType: 'MetadataStructValue', struct_value: 'eyJhIjoxfQ==' }), 'struct (12 base64 chars)');
    const { labels, properties } = splitProperties({
      production: { metadataType: 'MetadataStringValue', string_value: '' },
      nlp: { metadataType: 'MetadataStringValue', string_value: '' },
      framework: { metadataType: 'MetadataStringValue', string_value: 'pytorch' },
      epochs: { metadataType: 'MetadataIntValue', int_value: '3' },
    });
    assert.deepEqual(labels, ['nlp', 'production']);
    assert.deepEqual(properties, [{ key: 'epochs', value: '3', type: 'int' }, { key: 'framework', value: 'pytorch', type: 'string' }]);
  });

  it('times', () => {
    assert.equal(epochTime('1716800000000'), '2024-05-27T08:53:20Z');
    assert.equal(epochTime(undefined), undefined);
    assert.equal(age(String(Date.now() - 3 * 86_400_000)), '3d ago');
    assert.equal(age(String(Date.now() - 90_000)), '2m ago');
  });

  it('a pipeline run recorded twice (artifact source + KFP properties) is one step with what both know', () => {
    const steps = lineageOf(
      version({ 'kfp.run_id': { metadataType: 'MetadataStringValue', string_value: 'run-1' }, 'kfp.name': { metadataType: 'MetadataStringValue', string_value: 'fraud-training' } }),
      [artifact({ modelSourceKind: 'kfp', modelSourceClass: 'pipelinerun', modelSourceGroup: 'team-a', modelSourceId: 'run-1', modelSourceName: 'nightly-7' })],
    );
    assert.deepEqual(steps, [{ kind: 'pipelineRun', runId: 'run-1', runName: 'nightly-7', namespace: 'team-a', pipeline: 'fraud-training', source: 'model artifact source' }]);
    assert.equal(describeLineage(steps[0]!), 'Pipeline run nightly-7 (run-1) of fraud-training in team-a');
  });

  it('Katib trials, MR experiment runs and other sources; nothing recorded is nothing', () => {
    const katib = lineageOf(version({ 'katib.experiment': { metadataType: 'MetadataStringValue', string_value: 'mnist-hpo' }, 'katib.trial': { metadataType: 'MetadataStringValue', string_value: 'mnist-hpo-b2' } }), []);
    assert.equal(describeLineage(katib[0]!), 'Katib trial mnist-hpo-b2 of experiment mnist-hpo');
    const run = lineageOf(version(), [artifact({ experimentId: '3', experimentRunId: '5' })]);
    assert.deepEqual(run, [{ kind: 'experimentRun', experimentRunId: '5', experimentId: '3' }]);
    const hub = lineageOf(version(), [artifact({ modelSourceKind: 'huggingface', modelSourceName: 'ibm-granite/granite-3.1-8b-base' })]);
    assert.equal(describeLineage(hub[0]!), 'Source: huggingface / ibm-granite/granite-3.1-8b-base');
    assert.deepEqual(lineageOf(version(), [artifact({})]), []);
  });
});
