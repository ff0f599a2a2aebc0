// The Model Registry client (core/modelRegistry) against the Model Registry rig (test/rigs/model-registry: the real
// v0.3.8 server, seeded with a few models), reached the way the editor reaches it: a companion-daemon
// port-forward to Service model-registry-service:8080 in namespace kubeflow. Every request and response is also
// checked against the OpenAPI spec on our side. Paging, sort, filters (quoting of what a user types), versions and
// artifacts, lineage back to the pipeline run, a version without artifacts, archive/restore, and registrations.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectDaemon, type DaemonConnection } from '../../companion-daemon/src/client';
import * as P from '../../companion-daemon/src/protocol';
import { ApiError, fetchTransport } from '../../core/http/transport';
import { registrationPlan } from '../../core/katib/state';
import { isModelArtifact, ModelRegistryClient } from '../../core/modelRegistry/client';
import { modelFilterQuery } from '../../core/modelRegistry/filter';
import { describeLineage, lineageOf, splitProperties } from '../../core/modelRegistry/properties';
import { fromPipelineArtifact, fromPlan, register, RegistrationConflict } from '../../core/modelRegistry/register';
import { recordServing, servingRecords } from '../../core/modelRegistry/serving';
import { startKubeRig, type KubeRig } from '../rigs/kube/index';
import { MODEL_REGISTRY_SERVICE, seedRegistry, SEED_KFP_RUN_ID, startModelRegistry, type ModelRegistryRig, type SeededRegistry } from '../rigs/model-registry/index';
import { distFile } from '../support/build';
import { ModelRegistrySpec, unexpectedProblems } from '../support/model-registry-spec';
import { requireShared } from '../support/shared';

describe('Model Registry client against the registry rig, through a daemon port-forward', function () {
  this.timeout(180_000);
  let kube: KubeRig;
  let mr: ModelRegistryRig;
  let seeded: SeededRegistry;
  let home: string;
  let d: DaemonConnection;
  let client: ModelRegistryClient;
  const problems: string[] = [];

  before(async function () {
    const spec = new ModelRegistrySpec(requireShared(this, 'kubeflow-specs', 'model-registry', 'model-registry.yaml'));
    kube = await startKubeRig({ crds: false });
    mr = await startModelRegistry({ kube });
    seeded = await seedRegistry(mr.url);
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-mr-client-'));
    d = await connectDaemon({ kubeconfig: kube.kubeconfigPath, client: 'mr-client-test', daemonScript: distFile('companion-daemon.js'), env: { ...process.env, KUBEFLOW_COMPANION_HOME: home } });
    const s = MODEL_REGISTRY_SERVICE;
    const fwd = await d.connection.sendRequest(P.startForward, { target: { kind: 'service', namespace: s.namespace, name: s.name, port: s.port } });
    client = new ModelRegistryClient(spec.checking(fetchTransport(fwd.url), problems));
  });
  after(async () => {
    await d?.connection.sendRequest(P.shutdown).catch(() => undefined);
    d?.dispose();
    await mr?.stop();
    await kube?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });
  afterEach(() => {
    assert.deepEqual(unexpectedProblems(problems.splice(0)), [], 'requests and responses match the OpenAPI spec (our check; the server\'s known deviations aside)');
  });

  it('pages through the models (by id), and hides archived ones unless asked', async () => {
    const first = await client.listRegisteredModels({ pageSize: 2, orderBy: 'ID', sortOrder: 'ASC' });
    assert.deepEqual(first.items.map((m) => m.name), ['fraud-detector', 'sentiment-bert']);
    assert.ok(first.nextPageToken, 'more pages');
    const all = await client.all((o) => client.listRegisteredModels(o), { pageSize: 2, orderBy: 'ID', sortOrder: 'ASC' });
    assert.deepEqual(all.map((m) => m.name), ['fraud-detector', 'sentiment-bert', 'legacy-churn', 'image-classifier']);
    const live = await client.all((o) => client.listRegisteredModels(o), { pageSize: 2, filterQuery: modelFilterQuery({}) });
    assert.deepEqual(live.map((m) => m.name).sort(), ['fraud-detector', 'image-classifier', 'sentiment-bert']);
    const archived = await client.listRegisteredModels({ filterQuery: modelFilterQuery({ archived: true, text: 'CHURN' }) });
    assert.deepEqual(archived.items.map((m) => [m.name, m.state]), [['legacy-churn', 'ARCHIVED']]);
    const labels = splitProperties(all[1]!.customProperties);
    assert.deepEqual(labels.labels, ['nlp', 'production']);
  });

  it('search text is quoted: quotes, % and _ in a name match themselves', async () => {
    const odd = await client.createRegisteredModel({ name: "o'brien 50%_off", description: 'a name with a quote and LIKE wildcards' });
    await client.createRegisteredModel({ name: 'o-brien 50x-off' });
    for (const text of ["o'b", '50%_', '%_o']) {
      const r = await client.listRegisteredModels({ filterQuery: modelFilterQuery({ text }) });
      assert.deepEqual(r.items.map((m) => m.name), [odd.name], `search "${text}"`);
    }
    const raw = await client.listRegisteredModels({ filterQuery: modelFilterQuery({ query: "team = 'risk-ml'" }) });
    assert.deepEqual(raw.items.map((m) => m.name), ['fraud-detector'], 'a custom property filter');
  });

  it('versions, artifacts and the lineage back to the pipeline run', async () => {
    const fraud = seeded.models['fraud-detector']!;
    const versions = await client.listVersions(fraud, { orderBy: 'CREATE_TIME', sortOrder: 'DESC' });
    assert.deepEqual(versions.items.map((v) => v.name), ['v3', 'v2', 'v1']);
    const v3 = versions.items[0]!;
    const arts = await client.listVersionArtifacts(v3.id);
    const model = arts.items.find(isModelArtifact);
    assert.equal(model?.uri, 's3://ml-models/fraud-detector/v3/model.onnx');
    assert.equal(model?.modelFormatName, 'onnx');
    const lineage = lineageOf(v3, arts.items, await client.getRegisteredModel(fraud));
    assert.equal(lineage.length, 1, JSON.stringify(lineage));
    assert.deepEqual(lineage[0], { kind: 'pipelineRun', runId: SEED_KFP_RUN_ID, runName: 'fraud-training-nightly-2026-11-26', namespace: 'kubeflow-user', pipeline: 'fraud-training', source: 'model artifact source' });
    assert.equal(describeLineage(lineage[0]!), `Pipeline run fraud-training-nightly-2026-11-26 (${SEED_KFP_RUN_ID}) of fraud-training in kubeflow-user`);
    // A version registered without its artifact.
    const bare = await client.listVersionArtifacts(seeded.versions['image-classifier']!['0.1.0']!);
    assert.deepEqual(bare.items, []);
  });

  it('a missing model is a 404 with the registry\'s message; a find is undefined', async () => {
    await assert.rejects(client.getRegisteredModel('999'), (e: unknown) => e instanceof ApiError && e.status === 404 && /999/.test(e.message));
    assert.equal(await client.findRegisteredModel('no-such-model'), undefined);
  });

  it('archives and restores a version and a model (PATCH state)', async () => {
    const v1 = seeded.versions['fraud-detector']!.v1!;
    assert.equal((await client.setVersionState(v1, 'ARCHIVED')).state, 'ARCHIVED');
    assert.equal((await client.getVersion(v1)).state, 'ARCHIVED');
    assert.equal((await client.setVersionState(v1, 'LIVE')).state, 'LIVE');
    const legacy = seeded.models['legacy-churn']!;
    assert.equal((await client.setModelState(legacy, 'LIVE')).state, 'LIVE');
    assert.ok((await client.listRegisteredModels({ filterQuery: modelFilterQuery({ text: 'legacy' }) })).items.length === 1, 'restored: listed again');
    await client.setModelState(legacy, 'ARCHIVED');
  });

  it('registers Katib\'s best trial, a pipeline output, refuses a duplicate, completes a version left without artifact', async () => {
    const plan = registrationPlan(
      { name: 'mnist-hpo', namespace: 'kubeflow-user', objective: { type: 'maximize', metric: 'accuracy' } } as never,
      { name: 'mnist-hpo-b2', namespace: 'kubeflow-user', parameters: [{ name: 'lr', value: '0.048' }], metrics: [{ name: 'accuracy', latest: '0.981', max: '0.981', min: '0.9' }], objective: 0.981 } as never,
      { uri: 's3://models/mnist-hpo/mnist-hpo-b2', source: 'env MODEL_URI' },
    );
    const katib = await register(client, fromPlan(plan));
    assert.equal(katib.createdModel, true);
    assert.deepEqual((await client.listVersionArtifacts(katib.version.id)).items.map((a) => a.uri), ['s3://models/mnist-hpo/mnist-hpo-b2']);
    const trialLineage = lineageOf(katib.version, [katib.artifact]);
    assert.deepEqual(trialLineage, [{ kind: 'katibTrial', experiment: 'mnist-hpo', trial: 'mnist-hpo-b2', namespace: 'kubeflow-user' }]);

    const pipe = await register(client, fromPipelineArtifact({ source: 'pipeline', runId: 'run-42', runName: 'fraud-training-2026-11-27', namespace: 'kubeflow-user', artifactName: 'model', uri: 's3://mlpipeline/v2/artifacts/fraud-training/run-42/train/model.onnx', modelFormatName: 'onnx' }, { model: 'fraud-detector', version: 'v4', author: 'ada' }));
    assert.equal(pipe.createdModel, false);
    assert.equal(pipe.model.id, seeded.models['fraud-detector']);
    assert.deepEqual(lineageOf(pipe.version, [pipe.artifact]).map((l) => l.kind === 'pipelineRun' && l.runId), ['run-42']);

    await assert.rejects(register(client, fromPipelineArtifact({ source: 'pipeline', runId: 'x', artifactName: 'model', uri: 's3://b/k' }, { model: 'fraud-detector', version: 'v4' })), RegistrationConflict);

    const done = await register(client, { model: { name: 'image-classifier' }, version: { name: '0.1.0' }, artifact: { artifactType: 'model-artifact', name: 'model', uri: 'pvc://models/image-classifier/0.1.0', modelFormatName: 'pytorch' } });
    assert.equal(done.completedVersion, true);
    assert.equal(done.version.id, seeded.versions['image-classifier']!['0.1.0']);
  });

  it('reads the registry\'s own record of deployments (serving environments, inference services)', async () => {
    const envs = await client.listServingEnvironments();
    assert.deepEqual(envs.items.map((e) => e.name), ['kubeflow-user']);
    const isvcs = await client.listEnvironmentInferenceServices(seeded.servingEnvironment);
    assert.deepEqual(isvcs.items.map((i) => [i.name, i.modelVersionId]), [['fraud-detector', seeded.versions['fraud-detector']!.v3]]);
  });

  it('records a deploy in the registry (environment per namespace, one record per service) and reads it back', async () => {
    const rm = seeded.models['sentiment-bert']!;
    const v = seeded.versions['sentiment-bert']!['1.0.0']!;
    const first = await recordServing(client, { namespace: 'team-nlp', name: 'sentiment', registeredModelId: rm, modelVersionId: v, runtime: 'kserve-torchserve' });
    assert.deepEqual([first.name, first.modelVersionId, first.desiredState, first.runtime], ['sentiment', v, 'DEPLOYED', 'kserve-torchserve']);
    // a second deploy of the same service updates its record
    const again = await recordServing(client, { namespace: 'team-nlp', name: 'sentiment', registeredModelId: rm, modelVersionId: v });
    assert.equal(again.id, first.id);
    const records = await servingRecords(client, { registeredModelId: rm, modelVersionId: v });
    assert.deepEqual(records.map((r) => [r.name, r.namespace, r.desiredState]), [['sentiment', 'team-nlp', 'DEPLOYED']]);
    assert.deepEqual((await client.listServingEnvironments()).items.map((e) => e.name).sort(), ['kubeflow-user', 'team-nlp']);
    assert.deepEqual(await servingRecords(client, { registeredModelId: seeded.models['legacy-churn']! }), []);
  });
});
