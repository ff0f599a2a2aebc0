// KServe 0.20 Standard-mode canaries: what the real controller wrote (test/fixtures/kserve/isvc-standard-canary.json,
// recorded from test/integration/kserve.test.ts with KFVS_RECORD_FIXTURES) read by the Endpoints view's summary, and
// the patches the product sends to start, set, promote and roll back a canary.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { applyMergePatch, type InferenceServiceObject } from '../../../core/kserve/build';
import { canaryName, canaryPercentPatch, canaryUpdatePatch, predictorPodGroups, promoteCanaryPatch, rollbackCanaryPatch, standardCanarySupported, standardPredictorSelector } from '../../../core/kserve/canary';
import { describeTraffic, summarizeInferenceService } from '../../../core/kserve/state';

const recorded = JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/kserve/isvc-standard-canary.json'), 'utf8')) as InferenceServiceObject;

describe('KServe 0.20 Standard-mode canaries', () => {
  it('reads the canary of a service the real controller reported: spec share, its ready status, the split', () => {
    const s = summarizeInferenceService(recorded);
    assert.equal(s.rawDeployment, true);
    assert.deepEqual(s.standardCanaries, [{ name: 'v2', trafficPercent: 20, ready: true, storageUri: 's3://models/fraud/v2', modelFormat: 'xgboost' }]);
    assert.equal(s.canary, true);
    assert.equal(describeTraffic(s.traffic), '20% latest / 80% previous');
    assert.ok(s.conditions.some((c) => c.type === 'CanaryPredictorReady' && c.status === 'True'));
  });

  it('a canary not ready yet in the status reads not ready; a service without spec.canary has none', () => {
    const pending = { ...recorded, status: { ...(recorded.status as object), canaryStatuses: [{ name: 'v2', ready: false, trafficPercent: 20 }] } };
    assert.equal(summarizeInferenceService(pending).standardCanaries[0]!.ready, false);
    const plain = applyMergePatch(recorded, { spec: { canary: null }, status: { canaryStatuses: null } });
    assert.deepEqual(summarizeInferenceService(plain).standardCanaries, []);
    assert.equal(summarizeInferenceService(plain).canary, false);
  });

  it('promote gives the stable predictor the canary\'s name and model and drops the entry; roll back drops it; a share is set in place', () => {
    const promoted = applyMergePatch(recorded, promoteCanaryPatch(recorded, 'v2'));
    assert.equal(promoted.spec.predictor.name, 'v2');
    assert.equal((promoted.spec.predictor.model as { storageUri: string }).storageUri, 's3://models/fraud/v2');
    assert.equal('canary' in promoted.spec, false);
    assert.equal('canary' in applyMergePatch(recorded, rollbackCanaryPatch(recorded, 'v2')).spec, false);
    assert.deepEqual((canaryPercentPatch(recorded, 'v2', 50).spec as { canary: Array<{ trafficPercent: number }> }).canary.map((c) => c.trafficPercent), [50]);
    assert.throws(() => promoteCanaryPatch(recorded, 'nope'), /has no canary named nope/);
  });

  it('a new canary: a name unlike the stable one and the existing canaries, the mode annotation KServe\'s webhook wants, no autoscaling fields', () => {
    const plain = applyMergePatch(recorded, { spec: { canary: null } });
    assert.equal(canaryName(recorded, 'v2'), 'v2-2');
    assert.equal(canaryName(plain, 'V3 (final)'), 'v3-final');
    assert.equal(canaryName(plain, '42'), 'canary');
    const p = canaryUpdatePatch(plain, { name: 'fraud', namespace: 'ns', modelFormat: 'xgboost', storageUri: 's3://models/fraud/v3', minReplicas: 1, maxReplicas: 3, canaryTrafficPercent: 10, registry: { registeredModelId: '7', modelVersionId: '13', modelName: 'fraud', versionName: 'v3' } }) as { metadata: { annotations: Record<string, string> }; spec: { canary: Array<{ predictor: Record<string, unknown>; trafficPercent: number }>; predictor?: unknown } };
    assert.equal(p.metadata.annotations['serving.kserve.io/deploymentMode'], 'Standard');
    assert.equal(p.spec.predictor, undefined, 'the stable predictor is left as it is');
    assert.deepEqual(p.spec.canary.map((c) => [c.predictor.name, c.trafficPercent, 'maxReplicas' in c.predictor, (c.predictor.model as { storageUri: string }).storageUri]), [['v3', 10, false, 's3://models/fraud/v3']]);
    assert.equal(standardPredictorSelector('fraud', 'v3'), 'app=isvc.fraud-v3-predictor');
  });

  it('support is what a strict dry run of spec.canary says: an older CRD refuses the field', async () => {
    const kube = (fail?: Error) => ({ request: async <T>(): Promise<T> => { if (fail) throw fail; return {} as T; } });
    assert.equal(await standardCanarySupported(kube(), '/x'), true);
    assert.equal(await standardCanarySupported(kube(new Error('strict decoding error: unknown field "spec.canary"')), '/x'), false);
  });

  it('groups the predictor pods by predictor from their app label: the stable one (named or not) and each canary', () => {
    const s = summarizeInferenceService(recorded);
    const pod = (name: string, app?: string) => ({ metadata: { name, ...(app ? { labels: { app } } : {}) } });
    const pods = [pod('fraud-predictor-5d8f-aaaaa', 'isvc.fraud-predictor'), pod('fraud-v2-predictor-7c9d-bbbbb', 'isvc.fraud-v2-predictor'), pod('stray', 'other'), pod('bare')];
    assert.deepEqual(predictorPodGroups(s, pods, 'default'), { default: ['fraud-predictor-5d8f-aaaaa'], v2: ['fraud-v2-predictor-7c9d-bbbbb'] });
    const named = summarizeInferenceService(applyMergePatch(recorded, { spec: { predictor: { name: 'v1' } } }));
    assert.deepEqual(predictorPodGroups(named, [pod('fraud-v1-predictor-1-x', 'isvc.fraud-v1-predictor'), ...pods], 'default'), { v1: ['fraud-v1-predictor-1-x'], v2: ['fraud-v2-predictor-7c9d-bbbbb'] });
    assert.equal(predictorPodGroups(summarizeInferenceService(applyMergePatch(recorded, { spec: { canary: null } })), pods, 'default'), undefined, 'no canary: no groups');
  });
});
