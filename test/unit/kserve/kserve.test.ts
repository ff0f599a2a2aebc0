// KServe InferenceService building and reading, as a user of the deploy form and the Endpoints view meets them:
// storage URIs KServe can or cannot read (with the fix when there is one), the object the form generates, the patch
// that starts a canary, and the state read from a status written the way KServe writes it (Serverless mode, a canary
// rollout at 10%, a model that failed to load). The objects are dry-run against the real CRD in
// test/integration/kserve.test.ts.
import assert from 'node:assert/strict';
import { applyMergePatch, buildInferenceService, checkDeploySpec, forDisplay, serviceName, specOf, updatePatch, type DeploySpec, type InferenceServiceObject } from '../../../core/kserve/build';
import { formatInfo, guessFormat, kserveFormat, kserveFormatVersion } from '../../../core/kserve/formats';
import { CONTROLLER_SILENCE_MS, controllerSilence, describeTraffic, inferencePath, predictorSelector, summarizeInferenceService } from '../../../core/kserve/state';
import { checkStorageUri } from '../../../core/kserve/storageUri';

const base: DeploySpec = {
  name: 'churn-v2',
  namespace: 'team-a',
  modelFormat: 'xgboost',
  storageUri: 's3://models/churn/v2',
  cpu: '1',
  memory: '2Gi',
  gpus: 1,
  minReplicas: 1,
  maxReplicas: 3,
  registry: { registeredModelId: '7', modelVersionId: '12', modelName: 'churn', versionName: 'v2', registryName: 'model-registry-service', registryNamespace: 'kubeflow' },
};

describe('KServe: storage URIs', () => {
  it('accepts what the storage initializer reads', () => {
    for (const u of ['s3://models/churn/v2', 'gs://kfserving-examples/models/sklearn/1.0/model', 'pvc://model-pvc/churn/v2', 'oci://quay.io/org/churn:2.0', 'hf://google-bert/bert-base-uncased', 'https://example.com/models/churn.tar.gz', 'https://acct.blob.core.windows.net/models/churn']) {
      const c = checkStorageUri(u);
      assert.equal(c.ok, true, `${u}: ${JSON.stringify(c)}`);
    }
    const http = checkStorageUri('http://10.0.0.5/model.joblib');
    assert.ok(http.ok && /unencrypted/.test(http.note ?? ''));
  });

  it('rejects the rest with what to do, and the fixed URI where there is one', () => {
    const cases: Array<[string, RegExp, string?]> = [
      ['', /empty/],
      ['/home/ada/model.pkl', /local path: the predictor pod cannot read files from this machine/],
      ['file:///tmp/model.pkl', /file on this machine/],
      ['models/churn', /not a URI/],
      ['minio://mlpipeline/v2/artifacts/x/model', /MinIO speaks S3/, 's3://mlpipeline/v2/artifacts/x/model'],
      ['s3://Models/churn', /not a valid S3 bucket name/, 's3://models/churn'],
      ['s3://', /needs a bucket/],
      ['gcs://bucket/m', /start with gs:\/\//, 'gs://bucket/m'],
      ['pvc://My_Claim/m', /not a valid PersistentVolumeClaim name/],
      ['oci://not an image', /contains a space/, 'oci://notanimage'],
      ['oci://quay.io', /not an OCI image reference/],
      ['hf://bert', /not a Hugging Face model/],
      ['ftp://host/model', /KServe cannot read ftp:\/\/ URIs/],
    ];
    for (const [u, re, fix] of cases) {
      const c = checkStorageUri(u);
      assert.equal(c.ok, false, u);
      if (!c.ok) {
        assert.match(c.message, re, u);
        assert.equal(c.suggestion, fix, `${u} suggestion`);
      }
    }
  });
});

describe('KServe: the InferenceService the deploy form generates', () => {
  it('model format, storage, resources with the GPU as a limit, replicas, and the registry links', () => {
    const o = buildInferenceService(base);
    assert.deepEqual(o, {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: {
        name: 'churn-v2',
        namespace: 'team-a',
        labels: { 'modelregistry.kubeflow.org/registered-model-id': '7', 'modelregistry.kubeflow.org/model-version-id': '12', 'modelregistry.kubeflow.org/name': 'model-registry-service', 'modelregistry.kubeflow.org/namespace': 'kubeflow' },
        annotations: { 'modelregistry.kubeflow.org/model-name': 'churn', 'modelregistry.kubeflow.org/version-name': 'v2' },
      },
      spec: {
        predictor: {
          minReplicas: 1,
          maxReplicas: 3,
          model: {
            modelFormat: { name: 'xgboost' },
            storageUri: 's3://models/churn/v2',
            resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi', 'nvidia.com/gpu': '1' } },
          },
        },
      },
    });
    const minimal = buildInferenceService({ name: 'iris', namespace: 'ns', modelFormat: 'sklearn', storageUri: 'gs://b/m', runtime: 'kserve-mlserver', protocolVersion: 'v2', deploymentMode: 'RawDeployment' });
    assert.deepEqual(minimal.spec.predictor, { model: { modelFormat: { name: 'sklearn' }, runtime: 'kserve-mlserver', protocolVersion: 'v2', storageUri: 'gs://b/m' } });
    assert.deepEqual(minimal.metadata.annotations, { 'serving.kserve.io/deploymentMode': 'RawDeployment' });
  });

  it('checks every field before anything reaches the cluster', () => {
    assert.deepEqual(checkDeploySpec(base), []);
    const bad = checkDeploySpec({ ...base, name: 'Churn_V2', storageUri: 'minio://b/k', cpu: 'two', memory: '2', gpus: 1.5, minReplicas: 4, maxReplicas: 2, canaryTrafficPercent: 10 });
    const by = Object.fromEntries(bad.map((p) => [p.field, p]));
    assert.equal(by.name?.suggestion, 'churn-v2');
    assert.equal(by.storageUri?.suggestion, 's3://b/k');
    assert.match(by.cpu!.message, /not a CPU quantity/);
    assert.match(by.memory!.message, /is 2 bytes: add a unit/);
    assert.match(by.gpus!.message, /whole number/);
    assert.match(by.maxReplicas!.message, /below min replicas/);
    assert.match(by.canaryTrafficPercent!.message, /applies when updating an existing InferenceService/);
    assert.deepEqual(checkDeploySpec({ ...base, canaryTrafficPercent: 10 }, true), []);
    assert.match(checkDeploySpec({ ...base, canaryTrafficPercent: 101 }, true)[0]!.message, /0 to 100/);
    assert.match(checkDeploySpec({ ...base, name: 'a'.repeat(50) })[0]!.message, /At most 45/);
    // Onto a service in RawDeployment mode: no revisions to split traffic between.
    const raw = checkDeploySpec({ ...base, canaryTrafficPercent: 10 }, true, true);
    assert.deepEqual(raw.map((p) => p.field), ['canaryTrafficPercent']);
    assert.match(raw[0]!.message, /churn-v2 runs in RawDeployment mode, where an update replaces the pods with a rolling update/);
    assert.deepEqual(checkDeploySpec(base, true, true), []);
  });

  it('formats whose runtimes speak only v2 get protocolVersion v2 (KServe picks runtimes by format and protocol, v1 when unset)', () => {
    const onnx = buildInferenceService({ name: 'fraud', namespace: 'ns', modelFormat: 'onnx', storageUri: 's3://m/model.onnx' });
    assert.equal(onnx.spec.predictor.model?.protocolVersion, 'v2');
    assert.equal(buildInferenceService({ ...base, modelFormat: 'sklearn' }).spec.predictor.model?.protocolVersion, undefined);
    assert.equal(buildInferenceService({ ...base, modelFormat: 'onnx', protocolVersion: 'v1' }).spec.predictor.model?.protocolVersion, 'v1', 'what the user set wins');
  });

  it('updating: a merge patch that rolls a new revision with a canary share, and the object it leaves', () => {
    const existing = buildInferenceService({ ...base, name: 'churn', storageUri: 's3://models/churn/v1', runtime: 'kserve-xgbserver' }) as InferenceServiceObject;
    existing.metadata = { ...existing.metadata, resourceVersion: '42', uid: 'u1', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' };
    existing.spec.predictor.serviceAccountName = 'sa-s3';
    const patch = updatePatch(existing, { ...base, name: 'churn', canaryTrafficPercent: 10 });
    const after = applyMergePatch(existing, patch);
    const m = after.spec.predictor.model as Record<string, unknown>;
    assert.equal(m.storageUri, 's3://models/churn/v2');
    assert.equal(m.runtime, undefined, 'the runtime the form cleared is removed');
    assert.equal(after.spec.predictor.canaryTrafficPercent, 10);
    assert.equal(after.spec.predictor.serviceAccountName, 'sa-s3', 'fields the form does not own are kept');
    const promoted = applyMergePatch(after, updatePatch(after, { ...base, name: 'churn', canaryTrafficPercent: 100 }));
    assert.equal('canaryTrafficPercent' in promoted.spec.predictor, false, '100% = no canary field');
    assert.deepEqual(Object.keys(forDisplay(after).metadata).sort(), ['annotations', 'labels', 'name', 'namespace']);
    const back = specOf(after);
    assert.deepEqual([back.storageUri, back.cpu, back.memory, back.gpus, back.minReplicas, back.maxReplicas, back.modelFormat], ['s3://models/churn/v2', '1', '2Gi', 1, 1, 3, 'xgboost']);
  });

  it('names and formats', () => {
    assert.equal(serviceName('Churn Model', 'v2.1'), 'churn-model-v2-1');
    assert.equal(serviceName('123abc'), 'm-123abc');
    assert.equal(kserveFormat('scikit-learn'), 'sklearn');
    assert.equal(kserveFormat('ONNX'), 'onnx');
    // KServe's runtimes declare major versions and KServe matches them exactly.
    assert.deepEqual(['1.3', '2', '1.3.0', 'v1-beta', '', undefined].map(kserveFormatVersion), ['1', '2', '1', 'v1-beta', undefined, undefined]);
    assert.deepEqual(formatInfo('torch')?.runtimes, ['kserve-torchserve', 'kserve-tritonserver']);
    assert.equal(guessFormat('s3://m/churn/model.joblib'), 'sklearn');
    assert.equal(guessFormat('s3://m/churn/model.bst'), 'xgboost');
    assert.equal(guessFormat('hf://meta-llama/Llama-3.1-8B'), 'huggingface');
    assert.equal(guessFormat('s3://m/churn/'), undefined);
  });
});

describe('KServe: reading the state KServe writes', () => {
  const obj = (status: object, spec: object = {}, meta: object = {}): InferenceServiceObject => ({
    apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService',
    metadata: { name: 'churn', namespace: 'team-a', uid: 'u1', generation: 2, creationTimestamp: '2026-05-01T10:00:00Z', labels: { 'modelregistry.kubeflow.org/registered-model-id': '7', 'modelregistry.kubeflow.org/model-version-id': '12' }, annotations: { 'modelregistry.kubeflow.org/model-name': 'churn', 'modelregistry.kubeflow.org/version-name': 'v2' }, ...meta },
    spec: { predictor: { model: { modelFormat: { name: 'xgboost' }, storageUri: 's3://models/churn/v2', resources: { limits: { 'nvidia.com/gpu': '2' } } }, ...spec } },
    status,
  });
  const c = (type: string, status: string, reason?: string, message?: string) => ({ type, status, ...(reason ? { reason } : {}), ...(message ? { message } : {}), lastTransitionTime: '2026-05-01T10:01:00Z' });

  it('a canary at 10%: Ready, URL, latest vs previous revision and their shares', () => {
    const s = summarizeInferenceService(obj({
      observedGeneration: 2,
      url: 'http://churn.team-a.example.com',
      address: { url: 'http://churn.team-a.svc.cluster.local' },
      conditions: [c('IngressReady', 'True'), c('PredictorReady', 'True'), c('Ready', 'True')],
      components: { predictor: {
        latestCreatedRevision: 'churn-predictor-00002', latestReadyRevision: 'churn-predictor-00002', previousRolledoutRevision: 'churn-predictor-00001',
        traffic: [
          { revisionName: 'churn-predictor-00002', percent: 10, latestRevision: true, tag: 'latest' },
          { revisionName: 'churn-predictor-00001', percent: 90, latestRevision: false, tag: 'prev' },
        ],
      } },
      modelStatus: { transitionStatus: 'UpToDate', states: { activeModelState: 'Loaded', targetModelState: 'Loaded' } },
    }, { canaryTrafficPercent: 10 }));
    assert.equal(s.phase, 'Ready');
    assert.equal(s.url, 'http://churn.team-a.example.com');
    assert.equal(s.internalUrl, 'http://churn.team-a.svc.cluster.local');
    assert.equal(s.canary, true);
    assert.equal(s.canaryTrafficPercent, 10);
    assert.deepEqual(s.traffic, { latest: { revision: 'churn-predictor-00002', percent: 10, tag: 'latest' }, previous: { revision: 'churn-predictor-00001', percent: 90, tag: 'prev' } });
    assert.equal(describeTraffic(s.traffic), '10% latest / 90% previous');
    assert.equal(s.gpus, 2);
    assert.deepEqual(s.registry, { registeredModelId: '7', modelVersionId: '12', modelName: 'churn', versionName: 'v2' });
    assert.equal(s.modelState, 'Loaded');
  });

  it('not ready: the failing conditions and the model load failure are the reasons; a failed load is Failed', () => {
    const pending = summarizeInferenceService(obj({}));
    assert.equal(pending.phase, 'Pending');
    assert.deepEqual(pending.reasons, []);
    const rolling = summarizeInferenceService(obj({ conditions: [c('PredictorReady', 'False', 'RevisionMissing', 'Configuration "churn-predictor" is waiting for a Revision to become ready.'), c('Ready', 'False', 'RevisionMissing')] }));
    assert.equal(rolling.phase, 'NotReady');
    assert.deepEqual(rolling.reasons, ['PredictorReady: RevisionMissing: Configuration "churn-predictor" is waiting for a Revision to become ready.']);
    const failed = summarizeInferenceService(obj({
      conditions: [c('PredictorReady', 'False', 'ModelLoadFailed'), c('Ready', 'False', 'ModelLoadFailed')],
      modelStatus: { transitionStatus: 'BlockedByFailedLoad', states: { activeModelState: 'FailedToLoad', targetModelState: 'FailedToLoad' }, lastFailureInfo: { reason: 'ModelLoadFailed', message: 'No such file: s3://models/churn/v2/model.bst' } },
    }));
    assert.equal(failed.phase, 'Failed');
    assert.equal(failed.reasons[0], 'ModelLoadFailed: No such file: s3://models/churn/v2/model.bst');
    const updating = summarizeInferenceService(obj({ conditions: [c('Ready', 'True')], components: { predictor: { latestCreatedRevision: 'churn-predictor-00003', latestReadyRevision: 'churn-predictor-00002' } } }));
    assert.equal(updating.phase, 'Updating');
    assert.equal(summarizeInferenceService(obj({ observedGeneration: 1, conditions: [c('Ready', 'True')] })).stale, true);
  });

  it('ready with no traffic targets (RawDeployment) sends everything to the latest; old predictor forms still read', () => {
    const raw = summarizeInferenceService(obj({ conditions: [c('Ready', 'True')], deploymentMode: 'RawDeployment' }));
    assert.deepEqual(raw.traffic, { latest: { percent: 100 } });
    assert.equal(raw.canary, false);
    assert.equal(raw.deploymentMode, 'RawDeployment');
    assert.equal(raw.rawDeployment, true);
    // KServe 0.15+ writes the mode's new name.
    assert.equal(summarizeInferenceService(obj({ conditions: [c('Ready', 'True')], deploymentMode: 'Standard' })).rawDeployment, true);
    assert.equal(summarizeInferenceService(obj({ conditions: [c('Ready', 'True')], deploymentMode: 'Serverless' })).rawDeployment, false);
    const legacy = summarizeInferenceService({ ...obj({}), spec: { predictor: { sklearn: { storageUri: 'gs://b/iris' } } } });
    assert.deepEqual([legacy.modelFormat, legacy.storageUri], ['sklearn', 'gs://b/iris']);
  });

  it('a service KServe does not report on (no status, or one of an older generation) names the controller after a while', () => {
    const t0 = Date.parse('2026-12-07T00:00:00Z');
    const fresh = { ...obj({}), status: undefined } as InferenceServiceObject;
    fresh.metadata.generation = 1;
    assert.equal(controllerSilence(fresh, t0, t0 + CONTROLLER_SILENCE_MS - 1), undefined);
    assert.match(controllerSilence(fresh, t0, t0 + CONTROLLER_SILENCE_MS) ?? '', /^KServe has not reported on churn for 45 s \(it has no status at all\): the KServe controller \(kserve-controller-manager\) does not seem to be running/);
    const old = obj({ observedGeneration: 1, conditions: [c('Ready', 'True')] });
    old.metadata.generation = 2;
    assert.match(controllerSilence(old, t0, t0 + 60_000) ?? '', /status is still the one of generation 1, the spec is at 2/);
    old.metadata.generation = 1;
    assert.equal(controllerSilence(old, t0, t0 + 600_000), undefined, 'reported on the current spec');
  });

  it('selectors and inference paths', () => {
    assert.equal(predictorSelector('churn'), 'serving.kserve.io/inferenceservice=churn,component=predictor');
    assert.equal(predictorSelector('churn', 'churn-predictor-00002'), 'serving.kserve.io/inferenceservice=churn,component=predictor,serving.knative.dev/revision=churn-predictor-00002');
    assert.equal(inferencePath('churn', undefined), '/v1/models/churn:predict');
    assert.equal(inferencePath('churn', 'v2'), '/v2/models/churn/infer');
  });
});
