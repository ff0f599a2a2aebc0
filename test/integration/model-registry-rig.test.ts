// The Model Registry rig: the real v0.3.8 server on PostgreSQL 16 (see test/rigs/README.md), its REST API as a client
// sees it — paging, ordering, filterQuery, versions and artifacts, PATCH, error statuses and bodies — with every
// response checked against the OpenAPI spec; the in-cluster exposure (`kubectl port-forward svc/model-registry-service`
// in namespace kubeflow reaches it through the kube rig); the v1 front; a fresh database per start; a database that
// stops.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fetchTransport } from '../../core/http/transport';
import { ModelRegistryClient, RegistryDatabaseError } from '../../core/modelRegistry/client';
import { startKubeRig, type KubeRig } from '../rigs/kube/index';
import { MODEL_REGISTRY_SERVICE, seedRegistry, SEED_KFP_RUN_ID, startModelRegistry, V1_PREFIX, type ModelRegistryRig, type SeededRegistry } from '../rigs/model-registry/index';
import { ModelRegistrySpec, unexpectedProblems } from '../support/model-registry-spec';
import { RegistrySpec } from '../support/model-registry-rules';
import { requireShared } from '../support/shared';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('Model Registry rig (real server + in-cluster Service)', function () {
  this.timeout(180_000);
  let kube: KubeRig;
  let mr: ModelRegistryRig;
  let seeded: SeededRegistry;
  let spec: ModelRegistrySpec;
  const problems: string[] = [];
  let calls = 0;

  before(async function () {
    spec = new ModelRegistrySpec(requireShared(this, 'kubeflow-specs', 'model-registry', 'model-registry.yaml'));
    kube = await startKubeRig({ crds: false });
    mr = await startModelRegistry({ kube });
    seeded = await seedRegistry(mr.url);
  });
  after(async () => {
    await mr?.stop();
    await kube?.stop();
  });
  afterEach(() => {
    // a response that does not match the spec: report it right after the test that caused it (the server's known
    // deviations from its spec aside: SERVER_DEVIATIONS)
    const unexpected = unexpectedProblems(problems.splice(0));
    assert.deepEqual(unexpected, [], 'the server\'s responses match the OpenAPI spec');
  });

  const call = async (method: string, p: string, body?: unknown, base = mr.apiBase): Promise<{ status: number; json: Json; text: string }> => {
    const res = await fetch(base + p, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: Json = {};
    try { json = JSON.parse(text) as Json; } catch { /* plain-text answers (404 page not found) */ }
    calls++;
    problems.push(...spec.checkResponse({ method: method as 'GET', path: new URL(base + p).pathname }, { status: res.status, headers: {}, text }));
    return { status: res.status, json, text };
  };
  const get = (p: string) => call('GET', p);
  const q = (params: Record<string, string>) => '?' + new URLSearchParams(params).toString();

  it('seeds models, versions and artifacts with upstream-shaped ids, times and defaults', async () => {
    assert.deepEqual(Object.keys(seeded.models), ['fraud-detector', 'sentiment-bert', 'legacy-churn', 'image-classifier']);
    assert.deepEqual(Object.keys(seeded.versions['fraud-detector']!), ['v1', 'v2', 'v3']);
    // one Context sequence for models, versions, environments and inference services; artifacts have their own
    const contextIds = [...Object.values(seeded.models), ...Object.values(seeded.versions).flatMap((v) => Object.values(v)), seeded.servingEnvironment, ...Object.values(seeded.inferenceServices)];
    assert.deepEqual(contextIds.map(Number).sort((a, b) => a - b), Array.from({ length: contextIds.length }, (_, i) => i + 1));
    assert.deepEqual(Object.values(seeded.artifacts).map(Number), [1, 2, 3, 4, 5]);

    const fd = (await get(`/registered_models/${seeded.models['fraud-detector']}`)).json;
    assert.equal(fd.name, 'fraud-detector');
    assert.equal(fd.state, 'LIVE');
    assert.match(fd.createTimeSinceEpoch, /^\d{13}$/);
    assert.equal(fd.createTimeSinceEpoch, fd.lastUpdateTimeSinceEpoch);
    assert.deepEqual(fd.customProperties.finance, { metadataType: 'MetadataStringValue', string_value: '' }, 'a label');

    const arts = (await get(`/model_versions/${seeded.versions['fraud-detector']!.v3}/artifacts`)).json;
    assert.equal(arts.size, 1);
    const a = arts.items[0];
    assert.equal(a.artifactType, 'model-artifact');
    assert.equal(a.uri, 's3://ml-models/fraud-detector/v3/model.onnx');
    assert.equal(a.modelFormatName, 'onnx');
    assert.deepEqual([a.modelSourceKind, a.modelSourceClass, a.modelSourceId], ['kfp', 'pipelinerun', SEED_KFP_RUN_ID]);

    const noArtifacts = await get(`/model_versions/${seeded.versions['image-classifier']!['0.1.0']}/artifacts`);
    assert.deepEqual([noArtifacts.status, noArtifacts.json.items, noArtifacts.json.size], [200, [], 0]);
    const uris = (await get('/model_artifacts')).json.items.map((x: Json) => x.uri.split(':')[0]).sort();
    assert.deepEqual([...new Set(uris)], ['oci', 'pvc', 's3']);
  });

  it('pages with pageSize + nextPageToken, and orders by CREATE_TIME / LAST_UPDATE_TIME / ID both ways', async () => {
    const names: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const r = await get('/registered_models' + q({ pageSize: '3', orderBy: 'CREATE_TIME', sortOrder: 'ASC', ...(token ? { nextPageToken: token } : {}) }));
      assert.equal(r.status, 200);
      assert.equal(r.json.pageSize, 3);
      assert.equal(r.json.size, r.json.items.length);
      names.push(...r.json.items.map((m: Json) => m.name));
      token = r.json.nextPageToken;
      pages++;
    } while (token && pages < 10);
    assert.equal(pages, 2);
    assert.deepEqual(names, ['fraud-detector', 'sentiment-bert', 'legacy-churn', 'image-classifier']);

    const desc = (await get('/registered_models' + q({ orderBy: 'ID', sortOrder: 'DESC' }))).json;
    assert.deepEqual(desc.items.map((m: Json) => m.name), ['image-classifier', 'legacy-churn', 'sentiment-bert', 'fraud-detector']);
    assert.equal(desc.nextPageToken, '');

    // an update moves a model to the end of LAST_UPDATE_TIME order
    await call('PATCH', `/registered_models/${seeded.models['sentiment-bert']}`, { description: 'BERT-base, 3-class sentiment (retrained)' });
    const byUpdate = (await get('/registered_models' + q({ orderBy: 'LAST_UPDATE_TIME', sortOrder: 'DESC', pageSize: '1' }))).json;
    assert.equal(byUpdate.items[0].name, 'sentiment-bert');

    // the spec's OrderByField has no NAME: the real server takes it and orders by ID
    const byName = await get('/registered_models' + q({ orderBy: 'NAME', sortOrder: 'ASC' }));
    assert.deepEqual(byName.json.items.map((m: Json) => m.name), ['fraud-detector', 'sentiment-bert', 'legacy-churn', 'image-classifier']);
  });

  it('filters with the upstream filterQuery grammar, and says what it does not support', async () => {
    const names = async (p: string, filterQuery: string): Promise<string[]> => {
      const r = await get(p + q({ filterQuery }));
      assert.equal(r.status, 200, `${filterQuery}: ${r.text}`);
      return r.json.items.map((x: Json) => x.name);
    };
    assert.deepEqual(await names('/registered_models', "state = 'ARCHIVED'"), ['legacy-churn']);
    assert.deepEqual(await names('/registered_models', "name LIKE '%-%' AND (state = \"LIVE\" OR owner = 'x')"), ['fraud-detector', 'sentiment-bert', 'image-classifier']);
    assert.deepEqual(await names('/registered_models', "name ILIKE 'SENT%'"), ['sentiment-bert']);
    assert.deepEqual(await names('/registered_models', "name IN ('legacy-churn', 'image-classifier')"), ['legacy-churn', 'image-classifier']);
    assert.deepEqual(await names('/registered_models', `id > ${seeded.models['legacy-churn']}`), ['image-classifier']);
    assert.deepEqual(await names('/registered_models', "framework = 'pytorch'"), ['sentiment-bert'], 'custom property, type from the literal');
    assert.deepEqual(await names('/model_versions', 'auc >= 0.93'), ['v2', 'v3'], 'double custom property');
    assert.deepEqual(await names('/model_versions', 'epochs = 3'), ['1.0.0'], 'int custom property');
    assert.deepEqual(await names('/model_versions', 'validated = true'), ['v3'], 'bool custom property');
    assert.deepEqual(await names('/model_versions', '`kfp.run_id` = "' + SEED_KFP_RUN_ID + '"'), ['v3'], 'escaped property name');
    assert.deepEqual(await names('/model_versions', 'auc.double_value > 0.92 AND author != "pipeline-runner"'), ['v2']);
    assert.deepEqual(await names('/model_versions', 'auc > 1'), [], 'an integer literal compares int_value, which a double property has not');
    const now = Date.now();
    assert.equal((await names('/model_versions', `createTimeSinceEpoch < ${now}`)).length, 6);
    // v0.3.8 ignores filterQuery on /model_artifacts (every artifact comes back)
    assert.equal((await names('/model_artifacts', "modelFormatName = 'sklearn' AND uri LIKE 's3://%v2%'")).length, 5);
    assert.deepEqual(await names(`/registered_models/${seeded.models['fraud-detector']}/versions`, "name = 'v2' OR name = 'v3'"), ['v2', 'v3']);

    for (const [fq, why] of [['NOT name = "x"', /invalid filter query syntax: .*unexpected token "name"/], ['name IS NULL', /invalid filter query syntax: .*unexpected token "IS"/], ['name = ', /invalid filter query syntax: .*unexpected token "<EOF>"/]] as const) {
      const r = await get('/registered_models' + q({ filterQuery: fq }));
      assert.equal(r.status, 400, fq);
      assert.equal(r.json.code, 'Bad Request');
      assert.match(r.json.message, why);
    }
  });

  it('lists the versions of a model and the artifacts of a version, and finds them by name', async () => {
    const rm = seeded.models['fraud-detector']!;
    const versions = (await get(`/registered_models/${rm}/versions` + q({ orderBy: 'CREATE_TIME', sortOrder: 'DESC' }))).json;
    assert.deepEqual(versions.items.map((v: Json) => [v.name, v.registeredModelId]), [['v3', rm], ['v2', rm], ['v1', rm]]);

    const found = await get('/model_version' + q({ name: 'v2', parentResourceId: rm }));
    assert.deepEqual([found.status, found.json.id], [200, seeded.versions['fraud-detector']!.v2]);
    const model = await get('/registered_model' + q({ name: 'sentiment-bert' }));
    assert.equal(model.json.id, seeded.models['sentiment-bert']);
    const missing = await get('/registered_model' + q({ name: 'nope' }));
    assert.deepEqual([missing.status, missing.json], [404, { code: 'Not Found', message: 'no registered models found for name=nope, externalId=: not found' }]);

    const mv = seeded.versions['sentiment-bert']!['1.0.0']!;
    const arts = (await get(`/model_versions/${mv}/artifacts` + q({ artifactType: 'model-artifact' }))).json;
    assert.equal(arts.items[0].uri, 'pvc://sentiment-models/bert-base/1.0.0');
    const ma = await get('/model_artifact' + q({ name: 'sentiment-bert-1.0.0', parentResourceId: mv }));
    assert.equal(ma.json.id, seeded.artifacts['sentiment-bert/1.0.0']);

    // the served version of the inference service, and its model
    const isvc = seeded.inferenceServices['fraud-detector']!;
    assert.equal((await get(`/inference_services/${isvc}/version`)).json.name, 'v3');
    assert.equal((await get(`/inference_services/${isvc}/model`)).json.name, 'fraud-detector');
    assert.equal((await get(`/serving_environments/${seeded.servingEnvironment}/inference_services`)).json.items[0].runtime, 'kserve-onnxruntime');
  });

  it('PATCH merges (ARCHIVED), keeps other fields, and replaces customProperties as a whole', async () => {
    const id = seeded.versions['fraud-detector']!.v1!;
    const before = (await get(`/model_versions/${id}`)).json;
    const r = await call('PATCH', `/model_versions/${id}`, { state: 'ARCHIVED' });
    assert.equal(r.status, 200);
    assert.equal(r.json.state, 'ARCHIVED');
    assert.equal(r.json.author, 'alice');
    assert.deepEqual(r.json.customProperties, before.customProperties);
    assert.ok(Number(r.json.lastUpdateTimeSinceEpoch) > Number(before.lastUpdateTimeSinceEpoch));
    assert.equal(r.json.createTimeSinceEpoch, before.createTimeSinceEpoch);
    const archived = await get('/model_versions' + q({ filterQuery: "state = 'ARCHIVED'" }));
    assert.deepEqual(archived.json.items.map((v: Json) => v.name).sort(), ['1.0', 'v1']);

    const cp = await call('PATCH', `/model_versions/${id}`, { customProperties: { auc: { metadataType: 'MetadataDoubleValue', double_value: 0.9 } } });
    assert.deepEqual(Object.keys(cp.json.customProperties), ['auc']);
    // name cannot be changed: it is not a field of ModelVersionUpdate
    const rename = await call('PATCH', `/model_versions/${id}`, { name: 'v1-renamed' });
    assert.deepEqual([rename.status, rename.json.message], [400, 'json: unknown field "name"']);
    const nf = await call('PATCH', '/registered_models/999', { state: 'ARCHIVED' });
    assert.deepEqual([nf.status, nf.json], [404, { code: 'Not Found', message: 'no registered model found for id 999: not found' }]);
  });

  it('answers duplicates with 409 and bad bodies with the real server\'s 400/422', async () => {
    const dup = await call('POST', '/registered_models', { name: 'fraud-detector' });
    assert.deepEqual([dup.status, dup.json], [409, { code: 'Conflict', message: 'registered model with name fraud-detector already exists: conflict' }]);
    const rm = seeded.models['fraud-detector']!;
    const dupV = await call('POST', `/registered_models/${rm}/versions`, { name: 'v2', registeredModelId: rm });
    assert.equal(dupV.status, 409);
    assert.equal(dupV.json.message, 'model version with name v2 already exists: conflict');
    // the same version name under another model is fine
    const other = await call('POST', `/registered_models/${seeded.models['image-classifier']}/versions`, { name: 'v2', registeredModelId: seeded.models['image-classifier'] });
    assert.equal(other.status, 201);

    const cases: Array<[unknown, number, RegExp]> = [
      [{ name: 'x', colour: 'red' }, 400, /^json: unknown field "colour"$/],
      [{ name: 42 }, 400, /cannot unmarshal number into Go struct field RegisteredModelCreate\.name of type string/],
      [{ name: 'x', state: 'DELETED' }, 400, /DELETED/],
      [{ name: 'x', customProperties: { k: { string_value: 'v' } } }, 400, /metadataType/],
      [{ description: 'no name' }, 422, /^required field 'name' is zero value\.$/],
      [{ name: '' }, 422, /^required field 'name' is zero value\.$/],
      ['{"name": ', 400, /unexpected EOF|JSON/i],
    ];
    for (const [body, status, message] of cases) {
      const r = await call('POST', '/registered_models', body);
      assert.equal(r.status, status, JSON.stringify(body));
      assert.match(r.json.message, message, JSON.stringify(body));
    }
    const noType = await call('POST', `/model_versions/${seeded.versions['image-classifier']!['0.1.0']}/artifacts`, { uri: 's3://x/y' });
    assert.equal(noType.status, 400);
    assert.match(noType.json.message, /^invalid artifact type, must be either ModelArtifact/);

    assert.equal((await get('/registered_models/abc')).status, 400);
    const unknownPath = await get('/no_such_things');
    assert.deepEqual([unknownPath.status, unknownPath.text], [404, '404 page not found\n']);
    assert.equal((await call('DELETE', `/registered_models/${rm}`)).status, 405);
  });

  it('covers the rest of the API: artifact upsert by id, typed artifact endpoints, serving, experiments', async () => {
    const mv = seeded.versions['image-classifier']!['0.1.0']!;
    // attach an existing artifact to another version by id: 200, the artifact is listed under both
    const shared = seeded.artifacts['fraud-detector/v2']!;
    const attach = await call('POST', `/model_versions/${mv}/artifacts`, { artifactType: 'model-artifact', id: shared, description: 'reused weights' });
    assert.deepEqual([attach.status, attach.json.id, attach.json.description], [200, shared, 'reused weights']);
    assert.deepEqual((await get(`/model_versions/${mv}/artifacts`)).json.items.map((a: Json) => a.id), [shared]);
    assert.equal((await get(`/model_versions/${seeded.versions['fraud-detector']!.v2}/artifacts`)).json.size, 1);
    // a new doc artifact: 201, an unnamed one gets a UUID name, no state
    const doc = await call('POST', `/model_versions/${mv}/artifacts`, { artifactType: 'doc-artifact', uri: 'https://example.com/model-card.md' });
    assert.equal(doc.status, 201);
    assert.match(doc.json.name, /^[0-9a-f-]{36}$/);
    assert.equal(doc.json.state, undefined);
    assert.deepEqual((await get(`/model_versions/${mv}/artifacts` + q({ artifactType: 'doc-artifact' }))).json.items.map((a: Json) => a.id), [doc.json.id]);
    assert.equal((await get(`/model_artifacts/${doc.json.id}`)).status, 404, 'a doc artifact is not a model artifact');
    const upd = await call('PATCH', `/model_artifacts/${shared}`, { modelFormatVersion: '1.4', state: 'LIVE' });
    assert.deepEqual([upd.status, upd.json.modelFormatVersion, upd.json.state, upd.json.uri], [200, '1.4', 'LIVE', 's3://ml-models/fraud-detector/v2/model.joblib']);
    const wrongType = await call('PATCH', `/artifacts/${shared}`, { artifactType: 'doc-artifact', uri: 'x' });
    assert.equal(wrongType.status, 400);

    // serving: an inference service without modelVersionId serves the model's newest version
    const isvc = await call('POST', '/inference_services', { name: 'sentiment', registeredModelId: seeded.models['sentiment-bert'], servingEnvironmentId: seeded.servingEnvironment });
    assert.deepEqual([isvc.status, isvc.json.desiredState], [201, 'DEPLOYED']);
    assert.equal((await get(`/inference_services/${isvc.json.id}/version`)).json.name, '1.0.0');
    const serve = await call('POST', `/inference_services/${isvc.json.id}/serves`, { modelVersionId: seeded.versions['sentiment-bert']!['1.0.0'], lastKnownState: 'RUNNING' });
    assert.equal(serve.status, 201);
    assert.deepEqual((await get(`/inference_services/${isvc.json.id}/serves`)).json.items.map((x: Json) => x.lastKnownState), ['RUNNING']);
    const found = await get('/inference_service' + q({ name: 'sentiment', parentResourceId: seeded.servingEnvironment }));
    assert.equal(found.json.id, isvc.json.id);
    const undeploy = await call('PATCH', `/inference_services/${isvc.json.id}`, { desiredState: 'UNDEPLOYED' });
    assert.equal(undeploy.json.desiredState, 'UNDEPLOYED');

    // experiments and runs, and a metric logged to a run
    const ex = await call('POST', '/experiments', { name: 'fraud-tuning' });
    const run = await call('POST', `/experiments/${ex.json.id}/experiment_runs`, { name: 'trial-1', experimentId: ex.json.id });
    assert.deepEqual([ex.status, run.status, run.json.experimentId], [201, 201, ex.json.id]);
    const metric = await call('POST', `/experiment_runs/${run.json.id}/artifacts`, { artifactType: 'metric', name: 'auc', value: 0.95, step: 1 });
    assert.deepEqual([metric.status, metric.json.experimentId, metric.json.experimentRunId], [200, ex.json.id, run.json.id]);
    assert.equal((await get(`/experiment_runs/${run.json.id}/artifacts`)).json.items[0].value, 0.95);
  });

  it('is reachable in the cluster: kubectl port-forward to service model-registry-service in kubeflow', async () => {
    const s = MODEL_REGISTRY_SERVICE;
    const svc = JSON.parse(await kube.kubectl(['-n', s.namespace, 'get', 'service', s.name, '-o', 'json'])) as Json;
    assert.deepEqual(svc.spec.ports.map((p: Json) => [p.name, p.port]), [['http-api', 8080]]);
    assert.deepEqual(svc.spec.selector, { component: 'model-registry-server' });

    const pf = await portForward(kube, s.namespace, `svc/${s.name}`, s.port);
    try {
      const base = `http://127.0.0.1:${pf.port}/api/model_registry/v1alpha3`;
      const r = await call('GET', '/registered_models' + q({ pageSize: '2' }), undefined, base);
      assert.equal(r.status, 200);
      assert.equal(r.json.items.length, 2);
      const created = await call('POST', '/serving_environments', { name: 'through-the-tunnel' }, base);
      assert.equal(created.status, 201);
      assert.equal((await get(`/serving_environments/${created.json.id}`)).json.name, 'through-the-tunnel', 'same store behind the tunnel');
    } finally {
      pf.child.kill();
    }
  });

  it('checked every response against the spec', () => {
    assert.ok(calls > 40, `calls checked: ${calls}`);
  });
});

/** `kubectl port-forward` from the kube rig's build, on a random local port. */
async function portForward(kube: KubeRig, ns: string, target: string, port: number): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(path.join(kube.binDir, 'kubectl'), ['--kubeconfig', kube.kubeconfigPath, '-n', ns, 'port-forward', target, `:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const local = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kubectl port-forward did not start: ${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`kubectl port-forward exited ${code}: ${out}`)); });
  });
  return { port: local, child };
}

describe('Model Registry spec checks (test/support/model-registry-rules.ts) catch what they should', () => {
  let spec: RegistrySpec;
  before(function () {
    spec = new RegistrySpec(requireShared(this, 'kubeflow-specs', 'model-registry', 'model-registry.yaml'));
  });
  const op = (id: string) => spec.operations.find((o) => o.operationId === id)!;
  const model = { id: '1', name: 'm', state: 'LIVE', createTimeSinceEpoch: '1', lastUpdateTimeSinceEpoch: '1' };

  it('flags responses with invented fields, wrong types, missing list fields or undocumented statuses', () => {
    assert.equal(spec.checkResponse(op('getRegisteredModel'), 200, model), undefined);
    assert.match(spec.checkResponse(op('getRegisteredModel'), 200, { ...model, versions: [] }) ?? '', /unevaluated/);
    assert.match(spec.checkResponse(op('getRegisteredModel'), 200, { ...model, id: 1 }) ?? '', /must be string/);
    assert.match(spec.checkResponse(op('getRegisteredModel'), 200, { ...model, state: 'DELETED' }) ?? '', /allowed values/);
    assert.match(spec.checkResponse(op('getRegisteredModels'), 200, { items: [model], size: 1, pageSize: 0 }) ?? '', /nextPageToken/);
    assert.match(spec.checkResponse(op('getRegisteredModels'), 200, { items: [{ ...model, bogus: 1 }], size: 1, pageSize: 0, nextPageToken: '' }) ?? '', /unevaluated/);
    assert.match(spec.checkResponse(op('getRegisteredModel'), 409, { code: 'Conflict', message: 'x' }) ?? '', /not a documented response/);
    const art = { id: '3', artifactType: 'model-artifact', uri: 's3://b/k', createTimeSinceEpoch: '1', lastUpdateTimeSinceEpoch: '1' };
    assert.equal(spec.checkResponse(op('getArtifact'), 200, art), undefined);
    assert.match(spec.checkResponse(op('getArtifact'), 200, { ...art, artifactType: 'doc-artifact', modelFormatName: 'onnx' }) ?? '', /unevaluated/);
    assert.match(spec.checkResponse(op('getArtifact'), 200, { ...art, customProperties: { a: { metadataType: 'MetadataIntValue', int_value: 'x' } } }) ?? '', /format/);
  });

  it('checks request bodies like the Go decoder (per artifactType / metadataType)', () => {
    assert.equal(spec.checkRequest(op('upsertModelVersionArtifact'), { artifactType: 'doc-artifact', uri: 'https://x/readme.md' }), undefined);
    assert.deepEqual(spec.checkRequest(op('upsertModelVersionArtifact'), { artifactType: 'doc-artifact', modelFormatName: 'onnx' }), { status: 400, message: 'json: unknown field "modelFormatName"' });
    assert.equal(spec.checkRequest(op('upsertModelVersionArtifact'), { artifactType: 'metric', name: 'acc', value: 0.9, step: 3 }), undefined);
    assert.equal(spec.checkRequest(op('upsertModelVersionArtifact'), { artifactType: 'blob' })?.status, 400);
    assert.equal(spec.checkRequest(op('createModelArtifact'), { uri: 's3://b/k' }), undefined, 'artifactType is optional on the typed endpoint');
    assert.equal(spec.checkRequest(op('createModelVersion'), { name: 'v1' })?.status, 422);
    assert.equal(spec.checkRequest(op('createRegisteredModel'), { name: 'm', customProperties: { x: { metadataType: 'MetadataStringValue', string_value: 'y' } } }), undefined);
    assert.deepEqual(spec.checkRequest(op('createRegisteredModel'), { name: 'm', customProperties: { x: { metadataType: 'MetadataStringValue', double_value: 1 } } })?.status, 400);
  });

});

describe('Model Registry rig: a fresh database per start, the v1 front, a database that stops', function () {
  this.timeout(120_000);
  const rigs: ModelRegistryRig[] = [];
  after(async () => { await Promise.all(rigs.map((r) => r.stop())); });
  const start = async (o: { api?: 'v1alpha3' | 'v1' } = {}) => { const r = await startModelRegistry(o); rigs.push(r); return r; };

  it('starts on a fresh database: empty, and not sharing what another start wrote', async () => {
    const [a, b] = [await start(), await start()];
    const created = await fetch(`${a.apiBase}/registered_models`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'only-in-a' }) });
    assert.equal(created.status, 201);
    const listB = (await (await fetch(`${b.apiBase}/registered_models`)).json()) as Json;
    assert.deepEqual([listB.size, listB.items], [0, []]);
    const listA = (await (await fetch(`${a.apiBase}/registered_models`)).json()) as Json;
    assert.deepEqual(listA.items.map((m: Json) => m.name), ['only-in-a']);
  });

  it('the v1 front answers /api/model_registry/v1 from the real server, and nothing else', async () => {
    const v1 = await start({ api: 'v1' });
    assert.equal(v1.apiBase, `${v1.url}${V1_PREFIX}`);
    const created = await fetch(`${v1.apiBase}/registered_models`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'through-v1' }) });
    assert.equal(created.status, 201);
    const id = ((await created.json()) as Json).id as string;
    // the same record on the server itself
    const direct = (await (await fetch(`${v1.serverUrl}/api/model_registry/v1alpha3/registered_models/${id}`)).json()) as Json;
    assert.equal(direct.name, 'through-v1');
    for (const p of ['/api/model_registry/v1alpha3/registered_models', `${V1_PREFIX}/experiments`, `${V1_PREFIX}/no_such_things`]) {
      const r = await fetch(`${v1.url}${p}`);
      assert.deepEqual([r.status, await r.text()], [404, '404 page not found\n'], p);
    }
  });

  it('a database that stops: the API answers misleadingly, the health check names it', async () => {
    const r = await start();
    await seedRegistry(r.url);
    assert.equal((await fetch(`${r.url}/readyz/health`)).status, 200);
    await r.stopDatabase();
    const health = await fetch(`${r.url}/readyz/health?format=json`);
    assert.equal(health.status, 503);
    const checks = ((await health.json()) as Json).checks as Json;
    assert.deepEqual([checks.database.Status, /connect: connection refused/.test(checks.database.Message)], ['fail', true], JSON.stringify(checks.database));
    // what the product has to see through: the API says "not found" for a model that exists
    assert.equal((await fetch(`${r.apiBase}/registered_models/1`)).status, 404);
    // our client names the cause instead (core/modelRegistry/client.ts explainFailure)
    const client = new ModelRegistryClient(fetchTransport(r.url));
    for (const call of [() => client.getRegisteredModel('1'), () => client.listRegisteredModels()]) {
      await assert.rejects(call(), (e: unknown) => e instanceof RegistryDatabaseError
        && /^The Model Registry cannot use its database, so it cannot answer \(its health check: .*connect: connection refused\)/.test(e.message));
    }
  });
});
