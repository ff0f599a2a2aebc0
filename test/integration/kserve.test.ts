// KServe InferenceServices against the real apiserver with the real CRD (serving.kserve.io v1beta1 from
// ../shared/kubeflow-specs), through the companion daemon the extension uses: every object the deploy form
// generates passes a server-side dry run with strict field validation, the update patch (canary) too; what the CRD
// refuses comes back with a field path the form maps to its field. With the real KServe v0.20 controller in
// RawDeployment mode (test/rigs/kserve/, its webhooks on): a deployment reaches Ready as KServe reports it, the
// predictor pods answer a test request through a daemon port-forward by label (their model server is the one part the
// rig plays), an update rolls new pods out (no canary in this mode: the form says so), their logs are captured; a model
// that cannot load, a runtime that does not exist and a controller that is not running reach the user with their cause.
// The Serverless-mode traffic split (Knative revisions, canary shares in the status) cannot run here: test/unit/kserve.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import { connectDaemon, type DaemonConnection } from '../../companion-daemon/src/client';
import * as P from '../../companion-daemon/src/protocol';
import { buildInferenceService, checkDeploySpec, formFieldOf, updatePatch, type DeploySpec, type InferenceServiceObject } from '../../core/kserve/build';
import { canaryUpdatePatch, predictorPodGroups, promoteCanaryPatch, rollbackCanaryPatch, standardCanarySupported, standardPredictorSelector } from '../../core/kserve/canary';
import { CONTROLLER_SILENCE_MS, controllerSilence, describePhase, predictorSelector, summarizeInferenceService, type IsvcSummary } from '../../core/kserve/state';
import { fieldProblems, type ApiCause } from '../../core/training/fieldpath';
import { fetchTransport } from '../../core/http/transport';
import { INGRESS_DOMAIN, SERVED_BY_HEADER, SOURCE_URI_ANNOTATION, startKserve, type KserveRig } from '../rigs/kserve/index';
import { defaultCrdSet, startKubeRig, type KubeRig } from '../rigs/kube/index';
import { distFile } from '../support/build';
import { requireShared } from '../support/shared';
import { until } from '../support/wait';

describe('KServe InferenceServices on the real apiserver with the real KServe v0.20 controller (RawDeployment)', function () {
  this.timeout(180_000);
  let rig: KubeRig;
  let home: string;
  let d: DaemonConnection;
  let kserve: KserveRig;
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
    rig = await startKubeRig({ crds: ['kserve'], controllers: true });
    kserve = await startKserve(rig);
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

  it('what the CRD or KServe\'s webhook refuses names its field; the deploy form maps the path to the field', async () => {
    const problemsOf = async (mutate: (o: { spec: { predictor: Record<string, unknown> & { model: Record<string, unknown> } } }) => void) => {
      const bad = buildInferenceService(spec()) as unknown as { spec: { predictor: Record<string, unknown> & { model: Record<string, unknown> } } };
      mutate(bad);
      const err = await refused(kube('POST', collection, { body: bad, query: { dryRun: 'All', fieldValidation: 'Strict' } }));
      const data = err.data as P.ErrorData;
      return fieldProblems(data.detail ?? err.message, data.causes as ApiCause[] | undefined).map((p) => ({ ...p, form: p.field ? formFieldOf(p.field) : undefined }));
    };
    // KServe's defaulting webhook sees the object before the schema does: its Go decoder refuses the type, naming the field.
    const typed = await problemsOf((o) => (o.spec.predictor.minReplicas = 'one'));
    assert.ok(typed.some((p) => p.field === 'spec.predictor.minReplicas' && p.form === 'minReplicas' && /^string given where int32 is expected/.test(p.message)), JSON.stringify(typed));
    const canary = await problemsOf((o) => (o.spec.predictor.canaryTrafficPercent = 'ten'));
    assert.ok(canary.some((p) => p.form === 'canaryTrafficPercent'), JSON.stringify(canary));
    // Strict decoding: an unknown field is refused by name (no form field: shown above the form).
    const unknown = await problemsOf((o) => (o.spec.predictor.model.storageURI = 's3://typo'));
    assert.deepEqual(unknown.map((p) => [p.field, p.form]), [['spec.predictor.model.storageURI', undefined]]);
  });

  it('deploys and reaches Ready as the real controller reports it; the pods answer; an update rolls new pods out (RawDeployment: no canary)', async () => {
    const created = await kube<InferenceServiceObject>('POST', collection, { body: buildInferenceService(spec()), query: { fieldValidation: 'Strict' } });
    assert.equal(created.metadata.labels?.['modelregistry.kubeflow.org/model-version-id'], '11');
    const first = await until('churn Ready, its model Loaded', 120_000, async () => {
      const s = await summary('churn');
      return s.phase === 'Ready' && s.modelState === 'Loaded' ? s : undefined;
    }, 500);
    // What KServe 0.20 writes in RawDeployment mode: its domain template, the new name of the mode, the predictor's
    // Deployment, Service and Ingress owned by the InferenceService.
    assert.equal(first.url, `http://churn-${ns}.${INGRESS_DOMAIN}`);
    assert.equal(first.internalUrl, `http://churn-predictor.${ns}.svc.cluster.local`);
    assert.equal(first.deploymentMode, 'Standard');
    assert.equal(first.rawDeployment, true);
    assert.deepEqual(first.conditions.filter((c) => c.status === 'True').map((c) => c.type).sort(), ['IngressReady', 'PredictorReady', 'Ready']);
    assert.equal(first.modelState, 'Loaded');
    assert.deepEqual(first.registry, { registeredModelId: '7', modelVersionId: '11', modelName: 'churn', versionName: 'v1', registryName: 'model-registry-service' });
    for (const [kind, name] of [['deployments.apps', 'churn-predictor'], ['services', 'churn-predictor'], ['ingresses.networking.k8s.io', 'churn']]) {
      const o = JSON.parse(await rig.kubectl(['-n', ns, 'get', kind, name, '-o', 'json'])) as { metadata: { ownerReferences?: Array<{ kind: string; name: string }> } };
      assert.deepEqual(o.metadata.ownerReferences?.map((r) => [r.kind, r.name]), [['InferenceService', 'churn']], `${kind}/${name} is owned by the InferenceService`);
    }

    // The predictor pods answer through a daemon forward by label (what "Send Test Request" does).
    const ask = async (): Promise<string> => {
      const fwd = await d.connection.sendRequest(P.startForward, { target: { kind: 'selector', namespace: ns, selector: predictorSelector('churn'), port: 8080 } });
      try {
        const res = await until('the predictor answers', 90_000, async () => fetchTransport(fwd.url)({ method: 'POST', path: '/v1/models/churn:predict', body: { json: { instances: [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]] } } }));
        assert.equal(res.status, 200);
        assert.deepEqual(JSON.parse(res.text), { predictions: [0, 1] });
        return String(res.headers[SERVED_BY_HEADER]);
      } finally {
        await d.connection.sendRequest(P.stopForward, { id: fwd.id });
      }
    };
    const firstPod = await ask();
    assert.match(firstPod, /^churn-predictor-[a-z0-9]+-[a-z0-9]+$/, 'a pod of the Deployment\'s ReplicaSet answered');

    // In RawDeployment mode there are no revisions to split traffic between: the form refuses a canary share and
    // says why; the update without one rolls the Deployment.
    const existing = await get('churn');
    assert.equal(summarizeInferenceService(existing).rawDeployment, true);
    const next = spec({ storageUri: 's3://models/churn/v2', registry: { ...spec().registry!, modelVersionId: '12', versionName: 'v2' } });
    const refusedCanary = checkDeploySpec({ ...next, canaryTrafficPercent: 10 }, true, true);
    assert.deepEqual(refusedCanary.map((p) => p.field), ['canaryTrafficPercent']);
    assert.match(refusedCanary[0]!.message, /needs Serverless mode \(Knative\): churn runs in RawDeployment mode, where an update replaces the pods with a rolling update/);
    assert.deepEqual(checkDeploySpec(next, true, true), []);
    const patchOpts = { body: updatePatch(existing, next), contentType: 'application/merge-patch+json', query: { fieldValidation: 'Strict' } };
    await kube('PATCH', `${collection}/churn`, { ...patchOpts, query: { ...patchOpts.query, dryRun: 'All' } });
    const patched = await kube<InferenceServiceObject>('PATCH', `${collection}/churn`, patchOpts);
    const generation = Number(patched.metadata.generation);
    const rolled = await until('the update rolled out', 120_000, async () => {
      const o = await get('churn');
      const s = summarizeInferenceService(o);
      const dep = JSON.parse(await rig.kubectl(['-n', ns, 'get', 'deployment', 'churn-predictor', '-o', 'json'])) as { status?: { updatedReplicas?: number; replicas?: number; availableReplicas?: number }; spec: { template: { metadata: { annotations?: Record<string, string> } } } };
      const done = dep.spec.template.metadata.annotations?.[SOURCE_URI_ANNOTATION] === 's3://models/churn/v2'
        && dep.status?.updatedReplicas === 1 && dep.status.replicas === 1 && dep.status.availableReplicas === 1;
      return done && s.phase === 'Ready' && Number((o.status as { observedGeneration?: number }).observedGeneration) >= generation ? s : undefined;
    }, 500);
    assert.equal(rolled.registry?.versionName, 'v2');
    assert.equal(rolled.storageUri, 's3://models/churn/v2');
    const secondPod = await until('a new pod answers', 60_000, async () => {
      const pod = await ask();
      return pod !== firstPod ? pod : undefined;
    }, 1000);
    assert.match(secondPod, /^churn-predictor-/);
    assert.ok(kserve.requests.some((r) => r.pod === secondPod && r.path === '/v1/models/churn:predict'), 'the new pod\'s model server got the request');

    // The logs of the predictor pods, merged by the daemon.
    const logs = await d.connection.sendRequest(P.subscribeLogs, { source: { kind: 'selector', namespace: ns, selector: predictorSelector('churn') }, backlog: -1 });
    const text = await until('predictor logs', 90_000, async () => {
      const r = await d.connection.sendRequest(P.readLogs, { source: { kind: 'selector', namespace: ns, selector: predictorSelector('churn') } });
      const t = r.lines.map((l) => `[${l.replica}] ${l.text}`).join('\n');
      return /Uvicorn running on http:\/\/0\.0\.0\.0:8080/.test(t) ? t : undefined;
    });
    assert.match(text, /Copying contents of s3:\/\/models\/churn\/v2 to local/);
    await d.connection.sendRequest(P.unsubscribeLogs, { subscription: logs.subscription });
  });

  it('Standard mode (KServe 0.20): a canary started through the product gets its own Deployment and canaryStatuses; promote keeps its pods, roll back removes it', async () => {
    const base = spec({ name: 'fraud', storageUri: 's3://models/fraud/v1', deploymentMode: 'RawDeployment', maxReplicas: undefined, registry: { ...spec().registry!, modelName: 'fraud' } });
    await kube('POST', collection, { body: buildInferenceService(base), query: { fieldValidation: 'Strict' } });
    await until('fraud Ready', 120_000, async () => ((await summary('fraud')).phase === 'Ready' ? true : undefined), 500);
    const kubeReq = { request: <T>(method: 'PATCH', p: string, o: { body: unknown; query: Record<string, string>; contentType: string }) => kube<T>(method, p, o) };
    const supported = await standardCanarySupported(kubeReq, `${collection}/fraud`);
    if (defaultCrdSet() === 'compat') {
      // Kubeflow 1.11's KServe v0.15 CRD has no spec.canary: the strict dry run says so, and the product offers none
      assert.equal(supported, false, 'the v0.15 CRD refuses spec.canary');
      return;
    }
    assert.equal(supported, true, 'the 0.20 CRD takes spec.canary (strict dry run)');
    const existing = await get('fraud');
    assert.equal(existing.metadata.annotations?.['serving.kserve.io/deploymentMode'], 'Standard', 'KServe\'s defaulting webhook writes the new name of the mode');
    const next = { ...base, storageUri: 's3://models/fraud/v2', canaryTrafficPercent: 20, registry: { ...base.registry!, modelVersionId: '12', versionName: 'v2' } };
    assert.deepEqual(checkDeploySpec(next, true, false), []);
    const patch = canaryUpdatePatch(existing, next);
    await kube('PATCH', `${collection}/fraud`, { body: patch, contentType: 'application/merge-patch+json', query: { fieldValidation: 'Strict', dryRun: 'All' } });
    await kube('PATCH', `${collection}/fraud`, { body: patch, contentType: 'application/merge-patch+json', query: { fieldValidation: 'Strict' } });
    const deployment = async (name: string) => JSON.parse(await rig.kubectl(['-n', ns, 'get', 'deployment', name, '-o', 'json', '--ignore-not-found']) || 'null') as { status?: { availableReplicas?: number }; spec: { template: { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } } } } | null;
    const withCanary = await until('the canary Deployment is available and reported', 120_000, async () => {
      const o = await get('fraud');
      const s = summarizeInferenceService(o);
      const dep = await deployment('fraud-v2-predictor');
      return dep?.status?.availableReplicas && s.standardCanaries[0]?.ready && s.conditions.some((c) => c.type === 'CanaryPredictorReady' && c.status === 'True') ? o : undefined;
    }, 500);
    // Recorded into test/fixtures/kserve/ (managedFields removed) for test/unit/kserve/canary.test.ts.
    if (process.env.KFVS_RECORD_FIXTURES) fs.writeFileSync(path.join(process.env.KFVS_RECORD_FIXTURES, 'isvc-standard-canary.json'), `${JSON.stringify(withCanary, null, 2)}\n`);
    const s = summarizeInferenceService(withCanary);
    assert.deepEqual(s.standardCanaries, [{ name: 'v2', trafficPercent: 20, ready: true, storageUri: 's3://models/fraud/v2', modelFormat: 'xgboost' }]);
    assert.deepEqual([s.traffic.latest?.percent, s.traffic.previous?.percent, s.canary], [20, 80, true]);
    assert.equal((await deployment('fraud-v2-predictor'))?.spec.template.metadata.labels?.app, 'isvc.fraud-v2-predictor');
    const canaryPods = async () => (JSON.parse(await rig.kubectl(['-n', ns, 'get', 'pods', '-l', standardPredictorSelector('fraud', 'v2'), '-o', 'json'])) as { items: Array<{ metadata: { name: string; deletionTimestamp?: string } }> }).items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name).sort();
    const before = await canaryPods();
    assert.equal(before.length, 1);
    // the health panel and gate read each predictor's SLIs from its own pods: the service's predictor pods (the
    // product's selector) grouped by predictor, stable and canary
    const predictorPods = (JSON.parse(await rig.kubectl(['-n', ns, 'get', 'pods', '-l', predictorSelector('fraud'), '-o', 'json'])) as { items: Array<{ metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string } }> }).items.filter((p) => !p.metadata.deletionTimestamp);
    const groups = predictorPodGroups(s, predictorPods, 'predictor');
    assert.deepEqual(groups?.v2, before, 'the canary\'s pod under its name');
    assert.equal(groups?.predictor?.length, 1, `the stable predictor's pod: ${JSON.stringify(groups)}`);
    assert.ok(!before.includes(groups!.predictor![0]!));

    // Promote: the stable predictor takes the canary's name and spec; the canary's Deployment serves on, the old one goes.
    const promoted = await kube<InferenceServiceObject>('PATCH', `${collection}/fraud`, { body: promoteCanaryPatch(withCanary, 'v2'), contentType: 'application/merge-patch+json', query: { fieldValidation: 'Strict' } });
    assert.equal(promoted.spec.predictor.name, 'v2');
    assert.equal((promoted.spec.predictor.model as { storageUri?: string }).storageUri, 's3://models/fraud/v2');
    assert.equal((promoted.spec as { canary?: unknown }).canary, undefined);
    const after = await until('the old stable Deployment is removed, the promoted one serves', 120_000, async () => {
      const o = await get('fraud');
      const st = summarizeInferenceService(o);
      return !(await deployment('fraud-predictor')) && st.phase === 'Ready' && st.standardCanaries.length === 0 && (await deployment('fraud-v2-predictor'))?.status?.availableReplicas ? st : undefined;
    }, 500);
    assert.equal(after.predictorName, 'v2');
    assert.equal(after.canary, false);
    assert.deepEqual(await until('the promoted pods settle', 60_000, async () => { const p = await canaryPods(); return p.length === 1 ? p : undefined; }, 500), before, 'promote keeps the canary\'s pod (no restart)');

    // Roll back: a next canary, then its entry goes and the controller removes its Deployment.
    const cur = await get('fraud');
    await kube('PATCH', `${collection}/fraud`, { body: canaryUpdatePatch(cur, { ...next, storageUri: 's3://models/fraud/v3', registry: { ...next.registry, modelVersionId: '13', versionName: 'v3' } }), contentType: 'application/merge-patch+json', query: { fieldValidation: 'Strict' } });
    const third = await until('the v3 canary Deployment exists', 120_000, async () => ((await deployment('fraud-v3-predictor')) ? get('fraud') : undefined), 500);
    await kube('PATCH', `${collection}/fraud`, { body: rollbackCanaryPatch(third, 'v3'), contentType: 'application/merge-patch+json', query: { fieldValidation: 'Strict' } });
    await until('the rolled-back canary\'s Deployment is removed', 120_000, async () => (!(await deployment('fraud-v3-predictor')) ? true : undefined), 500);
    const back = await get('fraud');
    assert.equal(back.spec.predictor.name, 'v2');
    assert.equal((back.spec as { canary?: unknown }).canary, undefined);
    await kube('DELETE', `${collection}/fraud`);
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

  it('a model that cannot be loaded is Failed, with KServe\'s reason and the model server\'s message', async () => {
    await kube('POST', collection, { body: buildInferenceService(spec({ name: 'broken', storageUri: 's3://models/does-not-exist/v1', registry: undefined })) });
    const s = await until('broken Failed', 120_000, async () => {
      const x = await summary('broken');
      return x.phase === 'Failed' ? x : undefined;
    }, 500);
    assert.equal(s.ready, false);
    assert.match(s.reasons[0] ?? '', /^ModelLoadFailed: Failed to fetch model\. No model found in s3:\/\/models\/does-not-exist\/v1/);
  });

  it('a runtime that does not exist: the controller\'s own reason and message reach the user', async () => {
    await kube('POST', collection, { body: buildInferenceService(spec({ name: 'no-runtime', runtime: 'kserve-nosuchserver', registry: undefined })) });
    const s = await until('no-runtime Failed', 120_000, async () => {
      const x = await summary('no-runtime');
      return x.phase === 'Failed' ? x : undefined;
    }, 500);
    assert.equal(s.ready, false);
    assert.match(describePhase(s), /^Failed — RuntimeNotRecognized: Waiting for runtime to become available/);
  });

  it('the controller not running: the service never gets a status, and the product says KServe seems not to run', async () => {
    await kserve.stop();
    await kube('POST', collection, { body: buildInferenceService(spec({ name: 'orphan', registry: undefined })) });
    const o = await get('orphan');
    const applied = Date.now();
    assert.equal(controllerSilence(o, applied), undefined, 'not at once: the controller may just be slow');
    // Read again after the silence the product waits for, on the clock it uses (the object is what the server holds).
    await new Promise((r) => setTimeout(r, 2000));
    const later = await get('orphan');
    assert.deepEqual(later.status ?? {}, {}, 'no controller wrote a status');
    assert.match(controllerSilence(later, applied, applied + CONTROLLER_SILENCE_MS + 1000) ?? '', /^KServe has not reported on orphan for 46 s \(it has no status at all\): the KServe controller \(kserve-controller-manager\) does not seem to be running in this cluster/);
    // An update the controller does not look at is named as such too (its status stays at the old generation).
    const ready = await get('churn');
    const bumped = await kube<InferenceServiceObject>('PATCH', `${collection}/churn`, { body: { spec: { predictor: { minReplicas: 2 } } }, contentType: 'application/merge-patch+json' });
    assert.match(controllerSilence({ ...bumped, status: ready.status }, applied, applied + CONTROLLER_SILENCE_MS) ?? '', /its status is still the one of generation \d+, the spec is at \d+/);
  });
});
