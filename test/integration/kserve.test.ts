// KServe InferenceServices against the real apiserver with the real CRD (serving.kserve.io v1beta1 from
// ../shared/kubeflow-specs), through the companion daemon the extension uses: every object the deploy form
// generates passes a server-side dry run with strict field validation, the update patch (canary) too; what the CRD
// refuses comes back with a field path the form maps to its field. With the test-side KServe controller
// (test/rigs/fake-kserve.ts): a deployment reaches Ready, a new revision runs as a 10% canary, is promoted, rolled
// back; the predictor pods answer a test request through a daemon port-forward by label, and their logs are captured.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import { connectDaemon, type DaemonConnection } from '../../companion-daemon/src/client';
import * as P from '../../companion-daemon/src/protocol';
import { buildInferenceService, formFieldOf, updatePatch, type DeploySpec, type InferenceServiceObject } from '../../core/kserve/build';
import { predictorSelector, summarizeInferenceService, type IsvcSummary } from '../../core/kserve/state';
import { fieldProblems, type ApiCause } from '../../core/training/fieldpath';
import { fetchTransport } from '../../core/http/transport';
import { startFakeKServe, type FakeKServe } from '../rigs/fake-kserve';
import { startKubeRig, type KubeRig } from '../rigs/kube/index';
import { distFile } from '../support/build';
import { requireShared } from '../support/shared';
import { until } from '../support/wait';

describe('KServe InferenceServices on the real apiserver (real CRD, test-side controller)', function () {
  this.timeout(180_000);
  let rig: KubeRig;
  let home: string;
  let d: DaemonConnection;
  let kserve: FakeKServe;
  const ns = 'kubeflow-user';
  const collection = `/apis/serving.kserve.io/v1beta1/namespaces/${ns}/inferenceservices`;

  const kube = <T = unknown>(method: P.KubeRequestParams['method'], p: string, o: Partial<P.KubeRequestParams> = {}): Promise<T> =>
    d.connection.sendRequest(P.kubeRequest, { method, path: p, ...o }) as Promise<T>;
  const get = (name: string) => kube<InferenceServiceObject>('GET', `${collection}/${name}`);
  const summary = async (name: string): Promise<IsvcSummary> => summarizeInferenceService(await get(name));
  const refused = async (p: Promise<unknown>): Promise<ResponseError<P.ErrorData>> => {
    try {
      await p;
    } catch (err) {
      return err as ResponseError<P.ErrorData>;
    }
    throw new Error('the API server accepted it');
  };
  const spec = (o: Partial<DeploySpec> = {}): DeploySpec => ({
    name: 'churn', namespace: ns, modelFormat: 'xgboost', storageUri: 's3://models/churn/v1', cpu: '1', memory: '2Gi', minReplicas: 1, maxReplicas: 3,
    registry: { registeredModelId: '7', modelVersionId: '11', modelName: 'churn', versionName: 'v1', registryName: 'model-registry-service', registryNamespace: 'kubeflow' },
    ...o,
  });

  before(async function () {
    requireShared(this, 'kubeflow-specs', 'crds', 'kserve', 'serving.kserve.io_inferenceservices.yaml');
    rig = await startKubeRig({ crds: ['kserve'] });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-kserve-'));
    d = await connectDaemon({ kubeconfig: rig.kubeconfigPath, client: 'kserve-test', daemonScript: distFile('companion-daemon.js'), env: { ...process.env, KUBEFLOW_COMPANION_HOME: home } });
  });
  after(async () => {
    await kserve?.stop();
    await d?.connection.sendRequest(P.shutdown).catch(() => undefined);
    d?.dispose();
    await rig?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('every variant the deploy form generates passes a strict server-side dry run against the upstream CRD', async () => {
    const variants: DeploySpec[] = [
      spec(),
      spec({ name: 'llm', modelFormat: 'huggingface', runtime: 'kserve-huggingfaceserver', storageUri: 'hf://meta-llama/Llama-3.1-8B-Instruct', gpus: 2, cpu: '8', memory: '32Gi', minReplicas: 0, maxReplicas: 0, deploymentMode: 'RawDeployment', registry: undefined }),
      spec({ name: 'onnx-v2', modelFormat: 'onnx', runtime: 'kserve-tritonserver', protocolVersion: 'v2', modelFormatVersion: '1', storageUri: 'pvc://models-pvc/onnx/1', serviceAccountName: 'sa-models', cpu: '500m', memory: '512Mi' }),
      spec({ name: 'oci', storageUri: 'oci://quay.io/org/churn:1.0', deploymentMode: 'Serverless' }),
    ];
    for (const v of variants) {
      await kube('POST', collection, { body: buildInferenceService(v), query: { dryRun: 'All', fieldValidation: 'Strict' } });
    }
    const list = await kube<{ items: unknown[] }>('GET', collection);
    assert.equal(list.items.length, 0, 'a dry run creates nothing');
  });

  it('what the CRD refuses names its field; the deploy form maps the path to the field', async () => {
    const problemsOf = async (mutate: (o: { spec: { predictor: Record<string, unknown> & { model: Record<string, unknown> } } }) => void) => {
      const bad = buildInferenceService(spec()) as unknown as { spec: { predictor: Record<string, unknown> & { model: Record<string, unknown> } } };
      mutate(bad);
      const err = await refused(kube('POST', collection, { body: bad, query: { dryRun: 'All', fieldValidation: 'Strict' } }));
      const data = err.data as P.ErrorData;
      return fieldProblems(data.detail ?? err.message, data.causes as ApiCause[] | undefined).map((p) => ({ ...p, form: p.field ? formFieldOf(p.field) : undefined }));
    };
    const typed = await problemsOf((o) => (o.spec.predictor.minReplicas = 'one'));
    assert.ok(typed.some((p) => p.field === 'spec.predictor.minReplicas' && p.form === 'minReplicas' && /integer/.test(p.message)), JSON.stringify(typed));
    const canary = await problemsOf((o) => (o.spec.predictor.canaryTrafficPercent = 'ten'));
    assert.ok(canary.some((p) => p.form === 'canaryTrafficPercent'), JSON.stringify(canary));
    // Strict decoding: an unknown field is refused by name (no form field: shown above the form).
    const unknown = await problemsOf((o) => (o.spec.predictor.model.storageURI = 's3://typo'));
    assert.deepEqual(unknown.map((p) => [p.field, p.form]), [['spec.predictor.model.storageURI', undefined]]);
  });

  it('deploys, reaches Ready (as KServe reports it), runs a 10% canary, promotes, rolls back', async () => {
    kserve = await startFakeKServe(rig, ns);
    const created = await kube<InferenceServiceObject>('POST', collection, { body: buildInferenceService(spec()), query: { fieldValidation: 'Strict' } });
    assert.equal(created.metadata.labels?.['modelregistry.kubeflow.org/model-version-id'], '11');
    const first = await until('churn Ready', 60_000, async () => {
      const s = await summary('churn');
      return s.phase === 'Ready' ? s : undefined;
    });
    assert.equal(first.url, `http://churn.${ns}.example.com`);
    assert.deepEqual(first.traffic, { latest: { revision: 'churn-predictor-00001', percent: 100, tag: 'latest', url: `http://latest-churn-predictor.${ns}.example.com` } });
    assert.deepEqual(first.registry, { registeredModelId: '7', modelVersionId: '11', modelName: 'churn', versionName: 'v1', registryName: 'model-registry-service' });

    // A new version onto the same service, 10% canary: a merge patch (dry run first, as the form does).
    const existing = await get('churn');
    const next = spec({ storageUri: 's3://models/churn/v2', canaryTrafficPercent: 10, registry: { ...spec().registry!, modelVersionId: '12', versionName: 'v2' } });
    const patchOpts = { body: updatePatch(existing, next), contentType: 'application/merge-patch+json', query: { fieldValidation: 'Strict' } };
    await kube('PATCH', `${collection}/churn`, { ...patchOpts, query: { ...patchOpts.query, dryRun: 'All' } });
    const patched = await kube<InferenceServiceObject>('PATCH', `${collection}/churn`, patchOpts);
    const generation = Number(patched.metadata.generation);
    const canary = await until('the canary split', 60_000, async () => {
      const o = await get('churn');
      const s = summarizeInferenceService(o);
      return s.canary && Number((o.status as { observedGeneration?: number }).observedGeneration) >= generation ? s : undefined;
    });
    assert.equal(canary.phase, 'Ready');
    assert.equal(canary.canaryTrafficPercent, 10);
    assert.deepEqual([canary.traffic.latest?.revision, canary.traffic.latest?.percent, canary.traffic.previous?.revision, canary.traffic.previous?.percent], ['churn-predictor-00002', 10, 'churn-predictor-00001', 90]);
    assert.equal(canary.registry?.versionName, 'v2');

    // The predictor pods answer through a daemon forward by label, per revision (what "Send Test Request" does).
    for (const [rev, expected] of [['churn-predictor-00002', 'latest'], ['churn-predictor-00001', 'previous']] as const) {
      const fwd = await d.connection.sendRequest(P.startForward, { target: { kind: 'selector', namespace: ns, selector: predictorSelector('churn', rev), port: 8080 } });
      const res = await until(`the ${expected} revision answers`, 30_000, async () => fetchTransport(fwd.url)({ method: 'POST', path: '/v1/models/churn:predict', body: { json: { instances: [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]] } } }));
      assert.equal(res.status, 200);
      assert.deepEqual(JSON.parse(res.text), { predictions: [0, 1] });
      assert.equal(res.headers['x-kserve-revision'], rev);
      await d.connection.sendRequest(P.stopForward, { id: fwd.id });
    }

    // The logs of the predictor pods, merged by the daemon.
    const logs = await d.connection.sendRequest(P.subscribeLogs, { source: { kind: 'selector', namespace: ns, selector: predictorSelector('churn') }, backlog: -1 });
    const text = await until('predictor logs', 30_000, async () => {
      const r = await d.connection.sendRequest(P.readLogs, { source: { kind: 'selector', namespace: ns, selector: predictorSelector('churn') } });
      const t = r.lines.map((l) => `[${l.replica}] ${l.text}`).join('\n');
      return /Uvicorn running on http:\/\/0\.0\.0\.0:8080[\s\S]*Uvicorn running/.test(t) ? t : undefined;
    });
    assert.match(text, /Registering model: churn/);
    await d.connection.sendRequest(P.unsubscribeLogs, { subscription: logs.subscription });

    // Promote: no canaryTrafficPercent → the latest revision takes everything.
    await kube('PATCH', `${collection}/churn`, { body: { spec: { predictor: { canaryTrafficPercent: null } } }, contentType: 'application/merge-patch+json' });
    const promoted = await until('promoted', 30_000, async () => {
      const s = await summary('churn');
      return !s.canary && s.traffic.latest?.percent === 100 && s.traffic.latest.revision === 'churn-predictor-00002' ? s : undefined;
    });
    assert.equal(promoted.previousRolledoutRevision, 'churn-predictor-00001');
    assert.equal(promoted.canaryTrafficPercent, undefined);

    // v3 at 30%, then roll back: canaryTrafficPercent 0 sends everything to the previous revision.
    const again = await get('churn');
    await kube('PATCH', `${collection}/churn`, { body: updatePatch(again, spec({ storageUri: 's3://models/churn/v3', canaryTrafficPercent: 30 })), contentType: 'application/merge-patch+json' });
    await until('v3 canary', 30_000, async () => ((await summary('churn')).traffic.latest?.revision === 'churn-predictor-00003' && (await summary('churn')).traffic.latest?.percent === 30 ? true : undefined));
    await kube('PATCH', `${collection}/churn`, { body: { spec: { predictor: { canaryTrafficPercent: 0 } } }, contentType: 'application/merge-patch+json' });
    const back = await until('rolled back', 30_000, async () => {
      const s = await summary('churn');
      return s.traffic.latest?.percent === 0 ? s : undefined;
    });
    assert.deepEqual([back.traffic.previous?.revision, back.traffic.previous?.percent], ['churn-predictor-00002', 100]);
  });

  it('a cluster without KServe: discovery says serving.kserve.io/v1beta1 is not served (NotFound), the answer the Endpoints view and the deploy form turn into "KServe is not installed"', async () => {
    const bare = await startKubeRig({ crds: false });
    const bareHome = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-kserve-bare-'));
    const b = await connectDaemon({ kubeconfig: bare.kubeconfigPath, client: 'kserve-bare', daemonScript: distFile('companion-daemon.js'), env: { ...process.env, KUBEFLOW_COMPANION_HOME: bareHome } });
    try {
      const err = await refused(b.connection.sendRequest(P.kubeRequest, { method: 'GET', path: '/apis/serving.kserve.io/v1beta1' }));
      assert.equal(err.code, P.ErrorCode.NotFound);
      const created = await refused(b.connection.sendRequest(P.kubeRequest, { method: 'POST', path: collection, body: buildInferenceService(spec()), query: { dryRun: 'All' } }));
      assert.equal(created.code, P.ErrorCode.NotFound, 'creating one is refused as not found too, not as a field problem');
    } finally {
      await b.connection.sendRequest(P.shutdown).catch(() => undefined);
      b.dispose();
      await bare.stop();
      fs.rmSync(bareHome, { recursive: true, force: true });
    }
  });

  it('a model that cannot be loaded is Failed, with KServe\'s reason', async () => {
    await kube('POST', collection, { body: buildInferenceService(spec({ name: 'broken', storageUri: 's3://models/does-not-exist/v1', registry: undefined })) });
    const s = await until('broken Failed', 60_000, async () => {
      const x = await summary('broken');
      return x.phase === 'Failed' ? x : undefined;
    });
    assert.equal(s.ready, false);
    assert.match(s.reasons[0] ?? '', /^ModelLoadFailed: Failed to fetch model s3:\/\/models\/does-not-exist\/v1/);
  });
});
