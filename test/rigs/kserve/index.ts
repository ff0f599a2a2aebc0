// The real KServe v0.20 controller (`cmd/manager`, built by build.sh beside this file from ../shared/upstream) against
// a kube rig that runs Kubernetes' own controllers (`startKubeRig({ controllers: true })`), in RawDeployment mode:
// for each InferenceService it writes the predictor's Deployment, Service and Ingress and, from what the Deployment
// reports, the service's status (Ready and the other conditions, URL, address, modelStatus). kube-controller-manager
// makes the ReplicaSets and pods, kube-scheduler binds them to the kwok nodes, kwok runs them.
//
//   const kserve = await startKserve(rig);
//   ... create / patch InferenceServices; read their status, pods, logs; port-forward to the predictor ...
//   await kserve.stop();
//
// Installed as KServe's manifests install it: the InferenceService CRD from ../shared/kubeflow-specs, the CRDs of the
// other kinds it watches (ServingRuntime, ClusterServingRuntime, TrainedModel, InferenceGraph, …) generated from the
// same Go types by build.sh, the `inferenceservice-config` ConfigMap in namespace `kserve` (defaultDeploymentMode
// RawDeployment; Ingress objects of class istio, which no ingress controller serves here: neither Istio, Knative nor the
// Gateway API is needed), ClusterServingRuntimes for the formats the tests deploy, and the admission webhooks (the
// InferenceService defaulter and validator, the pod mutator that adds the storage initializer, the runtime
// validators) served by the controller on a self-signed certificate and registered with the apiserver by URL.
//
// Containers do not run under kwok, so the one thing played here is the model server in each predictor pod
// (model-server.ts): when a predictor pod is scheduled it gets model-server logs and its port 8080 is forwarded to a
// small server that answers v1/v2 requests. A storage URI containing `does-not-exist` plays a model that cannot be
// loaded: the pod's kserve-container is reported as a kubelet reports a container that keeps exiting with an error
// (CrashLoopBackOff, last termination Error with the model server's message), which KServe turns into ModelLoadFailed.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../jupyter/index';
import { KubeApi } from '../kube/kube-api';
import { kubeflowCrdFiles, repoRoot, type KubeRig } from '../kube/index';
import { modelServerLogs, startModelServer, type ModelServerRequest } from './model-server';

export { SERVED_BY_HEADER } from './model-server';

export const KSERVE_NAMESPACE = 'kserve';
export const KSERVE_VERSION = '0.20.0';
/** The annotation KServe puts on a predictor's pod template: the storage URI the storage initializer fetches. */
export const SOURCE_URI_ANNOTATION = 'internal.serving.kserve.io/storage-initializer-sourceuri';
/** The ingress domain of the rig's `inferenceservice-config` (KServe's default). */
export const INGRESS_DOMAIN = 'example.com';

export interface KserveOptions {
  /** Predictor pods of this namespace get a model server (default: the rig's test namespace). */
  namespace?: string;
}

export interface KserveRig {
  /** Requests the predictor pods' model servers answered. */
  readonly requests: ModelServerRequest[];
  /** Milliseconds startKserve took: CRDs, ConfigMap, controller up, webhooks and runtimes registered. */
  startMs: number;
  logFile: string;
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

interface ContainerStatus { name: string; restartCount?: number; state?: { running?: { startedAt?: string } }; [k: string]: unknown }

interface PodItem {
  metadata: { name: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: string };
  spec?: { nodeName?: string };
  status?: { containerStatuses?: ContainerStatus[]; conditions?: Array<{ type: string; [k: string]: unknown }> };
}

const run = promisify(execFile);

/** The built binary; throws with the command to run when it is missing. */
export function kserveBinary(): string {
  const r = spawnSync('bash', [path.join(repoRoot, 'test/rigs/kserve/build.sh'), '--print-bin'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`KServe rig: ${r.stderr.trim() || 'not built'}`);
  return r.stdout.trim().split('\n').pop()!;
}

/** `inferenceservice-config` as KServe's manifests ship it, with RawDeployment as the default mode. */
export function inferenceServiceConfig(): Record<string, string> {
  const j = (o: unknown) => JSON.stringify(o, null, 2);
  return {
    explainers: j({ art: { image: 'kserve/art-explainer', defaultImageVersion: 'latest' } }),
    storageInitializer: j({
      image: `kserve/storage-initializer:v${KSERVE_VERSION}`, memoryRequest: '100Mi', memoryLimit: '1Gi', cpuRequest: '100m', cpuLimit: '1',
      caBundleConfigMapName: '', caBundleVolumeMountPath: '/etc/ssl/custom-certs', enableDirectPvcVolumeMount: true, enableModelcar: true, cpuModelcar: '10m', memoryModelcar: '15Mi',
    }),
    credentials: j({
      storageSpecSecretName: 'storage-config', storageSecretNameAnnotation: 'serving.kserve.io/storageSecretName',
      gcs: { gcsCredentialFileName: 'gcloud-application-credentials.json' },
      s3: { s3AccessKeyIDName: 'AWS_ACCESS_KEY_ID', s3SecretAccessKeyName: 'AWS_SECRET_ACCESS_KEY', s3Endpoint: '', s3UseHttps: '', s3Region: '', s3VerifySSL: '', s3UseVirtualBucket: '', s3UseAccelerate: '', s3UseAnonymousCredential: '', s3CABundle: '' },
    }),
    ingress: j({
      enableGatewayApi: false, kserveIngressGateway: 'kserve/kserve-ingress-gateway', ingressGateway: 'knative-serving/knative-ingress-gateway',
      localGateway: 'knative-serving/knative-local-gateway', localGatewayService: 'knative-local-gateway.istio-system.svc.cluster.local',
      ingressDomain: INGRESS_DOMAIN, ingressClassName: 'istio', domainTemplate: '{{ .Name }}-{{ .Namespace }}.{{ .IngressDomain }}', urlScheme: 'http',
      disableIstioVirtualHost: false, disableIngressCreation: false,
    }),
    logger: j({ image: `kserve/agent:v${KSERVE_VERSION}`, memoryRequest: '100Mi', memoryLimit: '1Gi', cpuRequest: '100m', cpuLimit: '1', defaultUrl: 'http://default-broker' }),
    batcher: j({ image: `kserve/agent:v${KSERVE_VERSION}`, memoryRequest: '1Gi', memoryLimit: '1Gi', cpuRequest: '1', cpuLimit: '1', maxBatchSize: '32', maxLatency: '5000' }),
    agent: j({ image: `kserve/agent:v${KSERVE_VERSION}`, memoryRequest: '100Mi', memoryLimit: '1Gi', cpuRequest: '100m', cpuLimit: '1' }),
    router: j({ image: `kserve/router:v${KSERVE_VERSION}`, memoryRequest: '100Mi', memoryLimit: '1Gi', cpuRequest: '100m', cpuLimit: '1' }),
    deploy: j({ defaultDeploymentMode: 'RawDeployment' }),
    metricsAggregator: j({ enableMetricAggregation: 'false', enablePrometheusScraping: 'false' }),
    localModel: j({ enabled: false, jobNamespace: 'kserve-localmodel-jobs', defaultJobImage: `kserve/storage-initializer:v${KSERVE_VERSION}`, fsGroup: 1000 }),
    security: j({ autoMountServiceAccountToken: true }),
  };
}

/** ClusterServingRuntimes of the formats the tests and the sandbox deploy, shaped as KServe's own. */
export function clusterServingRuntimes(): object[] {
  const runtime = (name: string, image: string, formats: Array<[string, string, number]>, protocols: string[], args: string[]) => ({
    apiVersion: 'serving.kserve.io/v1alpha1', kind: 'ClusterServingRuntime', metadata: { name },
    spec: {
      annotations: { 'prometheus.kserve.io/port': '8080', 'prometheus.kserve.io/path': '/metrics' },
      supportedModelFormats: formats.map(([n, version, priority]) => ({ name: n, version, autoSelect: true, priority })),
      protocolVersions: protocols,
      containers: [{
        name: 'kserve-container', image, args,
        securityContext: { allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
        resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } },
      }],
    },
  });
  const python = ['--model_name={{.Name}}', '--model_dir=/mnt/models', '--http_port=8080'];
  return [
    runtime('kserve-sklearnserver', `kserve/sklearnserver:v${KSERVE_VERSION}`, [['sklearn', '1', 1]], ['v1', 'v2'], python),
    runtime('kserve-xgbserver', `kserve/xgbserver:v${KSERVE_VERSION}`, [['xgboost', '1', 1]], ['v1', 'v2'], [...python, '--nthread=1']),
    runtime('kserve-tritonserver', 'nvcr.io/nvidia/tritonserver:23.05-py3', [['tensorrt', '8', 1], ['tensorflow', '1', 2], ['tensorflow', '2', 2], ['onnx', '1', 1], ['pytorch', '1', 2], ['triton', '2', 1]], ['v2', 'grpc-v2'],
      ['tritonserver', '--model-store=/mnt/models', '--grpc-port=9000', '--http-port=8080', '--allow-grpc=true', '--allow-http=true']),
    runtime('kserve-huggingfaceserver', `kserve/huggingfaceserver:v${KSERVE_VERSION}`, [['huggingface', '1', 1]], ['v2', 'v1'], ['--model_name={{.Name}}']),
  ];
}

/** The webhook registrations of KServe's manifests, pointed at the controller's own webhook server by URL. */
function webhookConfigurations(base: string, caBundle: string): object[] {
  const hook = (name: string, p: string, rules: object[], extra: object = {}) => ({
    name, admissionReviewVersions: ['v1', 'v1beta1'], sideEffects: 'None', failurePolicy: 'Fail', timeoutSeconds: 10,
    clientConfig: { url: `${base}${p}`, caBundle }, rules, ...extra,
  });
  const isvcRule = { apiGroups: ['serving.kserve.io'], apiVersions: ['v1beta1'], operations: ['CREATE', 'UPDATE'], resources: ['inferenceservices'] };
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'inferenceservice.serving.kserve.io' },
      webhooks: [
        hook('inferenceservice.kserve-webhook-server.defaulter', '/mutate-serving-kserve-io-v1beta1-inferenceservice', [isvcRule]),
        hook('inferenceservice.kserve-webhook-server.pod-mutator', '/mutate-pods', [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }], {
          reinvocationPolicy: 'IfNeeded',
          objectSelector: { matchExpressions: [{ key: 'serving.kserve.io/inferenceservice', operator: 'Exists' }] },
        }),
      ],
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'inferenceservice.serving.kserve.io' },
      webhooks: [hook('inferenceservice.kserve-webhook-server.validator', '/validate-serving-kserve-io-v1beta1-inferenceservice', [isvcRule])],
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'servingruntime.serving.kserve.io' },
      webhooks: [
        hook('servingruntime.kserve-webhook-server.validator', '/validate-serving-kserve-io-v1alpha1-servingruntime', [{ apiGroups: ['serving.kserve.io'], apiVersions: ['v1alpha1'], operations: ['CREATE', 'UPDATE'], resources: ['servingruntimes'] }]),
        hook('clusterservingruntime.kserve-webhook-server.validator', '/validate-serving-kserve-io-v1alpha1-clusterservingruntime', [{ apiGroups: ['serving.kserve.io'], apiVersions: ['v1alpha1'], operations: ['CREATE', 'UPDATE'], resources: ['clusterservingruntimes'] }]),
      ],
    },
  ];
}

/** A self-signed serving certificate for 127.0.0.1 (the apiserver calls the webhooks there). */
async function selfSignedCert(dir: string): Promise<{ cert: string; key: string }> {
  fs.mkdirSync(dir, { recursive: true });
  const cert = path.join(dir, 'tls.crt');
  const key = path.join(dir, 'tls.key');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=kserve-webhook-server-service.kserve.svc',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kserve-webhook-server-service.kserve.svc', '-keyout', key, '-out', cert]);
  return { cert, key };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startKserve(rig: KubeRig, o: KserveOptions = {}): Promise<KserveRig> {
  const t0 = performance.now();
  const bin = kserveBinary();
  const generatedCrds = path.join(path.dirname(path.dirname(bin)), 'crds');
  const api = new KubeApi(rig);
  const home = path.join(rig.runDir, 'kserve');
  // controller-runtime serves its webhooks with $TMPDIR/k8s-webhook-server/serving-certs/tls.{crt,key}
  const tmp = path.join(home, 'tmp');
  const certs = await selfSignedCert(path.join(tmp, 'k8s-webhook-server', 'serving-certs'));

  // CRDs: InferenceService from ../shared (if the rig did not install it), the rest generated from the same Go types.
  const installed = await api.request('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/inferenceservices.serving.kserve.io').then(() => true, () => false);
  const shared = installed ? [] : (await kubeflowCrdFiles('latest', ['kserve'])).crds;
  // (LLMInferenceService* are served by another manager, not cmd/manager: left out, 2 MB of schema.)
  const files = [...shared, ...fs.readdirSync(generatedCrds).filter((f) => f.endsWith('.yaml') && !/inferenceservices|llminferenceservice/.test(f)).map((f) => path.join(generatedCrds, f))];
  await rig.kubectl(['apply', '--server-side', '--force-conflicts', ...files.flatMap((f) => ['-f', f])], { timeoutMs: 120_000 });
  await rig.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/inferenceservices.serving.kserve.io', 'crd/servingruntimes.serving.kserve.io', 'crd/clusterservingruntimes.serving.kserve.io'], { timeoutMs: 90_000 });
  await rig.apply([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: KSERVE_NAMESPACE } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'inferenceservice-config', namespace: KSERVE_NAMESPACE }, data: inferenceServiceConfig() },
  ]);

  const webhookPort = await freePort();
  const logFile = path.join(rig.runDir, 'logs', 'kserve-controller.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(bin, ['--metrics-addr=0', '--health-probe-addr=0', `--webhook-port=${webhookPort}`, '--leader-elect=false'], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: tmp, KUBECONFIG: rig.kubeconfigPath, POD_NAMESPACE: KSERVE_NAMESPACE },
    cwd: home,
  });
  fs.closeSync(fd);
  child.unref();
  let exited: string | undefined;
  child.on('exit', (code, signal) => { exited = `exit code ${code} signal ${signal}`; });
  const tail = (n = 30) => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-n).join('\n') : '');
  const kill = () => { if (child.pid && exited === undefined) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } } };
  process.once('exit', kill);
  const fail = (why: string) => {
    kill();
    return new Error(`KServe controller ${why}:\n${tail()}`);
  };

  // Started: the webhook server listens and the InferenceService controller's workers run.
  const deadline = Date.now() + 90_000;
  while (!/Starting workers.*inferenceservice/i.test(tail(400)) || !/Serving webhook server/i.test(tail(400))) {
    if (exited !== undefined) throw fail(`exited (${exited}) while starting`);
    if (Date.now() > deadline) throw fail('did not start within 90 s');
    await sleep(200);
  }
  try {
    await rig.apply(webhookConfigurations(`https://127.0.0.1:${webhookPort}`, fs.readFileSync(certs.cert).toString('base64')));
    await rig.apply(clusterServingRuntimes());
  } catch (e) {
    throw fail(`could not be registered: ${(e as Error).message}`);
  }

  // The one part played here: the model server in each scheduled predictor pod.
  const namespace = o.namespace ?? rig.namespace;
  const ns = encodeURIComponent(namespace);
  const requests: ModelServerRequest[] = [];
  const servers = new Map<string, http.Server>();
  /** Pods whose model server fails (uid → message), until their status says so. */
  const crashing = new Map<string, string>();
  // What a kubelet reports for a container that exits with an error and is restarted: CrashLoopBackOff, the last
  // termination's message, the pod not ready (kwok keeps the pod Running; it does not restart containers).
  const crashLoop = async (pod: PodItem, message: string): Promise<boolean> => {
    const statuses = pod.status?.containerStatuses;
    if (!statuses?.some((c) => c.name === 'kserve-container' && c.state?.running)) return false;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const containerStatuses = statuses.map((c) => (c.name !== 'kserve-container' ? c : {
      ...c, ready: false, started: false, restartCount: (c.restartCount ?? 0) + 1,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=kserve-container' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', message, startedAt: c.state?.running?.startedAt ?? now, finishedAt: now } },
    }));
    const conditions = (pod.status?.conditions ?? []).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [kserve-container]', lastTransitionTime: now } : c));
    await api.request('PATCH', `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(pod.metadata.name)}/status`, { status: { containerStatuses, conditions } }, 'application/merge-patch+json');
    return true;
  };
  let stopped = false;
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy || stopped) return;
    busy = true;
    try {
      const pods = (await api.request<{ items?: PodItem[] }>('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent('serving.kserve.io/inferenceservice,component=predictor')}`)).items ?? [];
      for (const pod of pods) {
        const crash = crashing.get(pod.metadata.uid);
        if (crash && await crashLoop(pod, crash)) crashing.delete(pod.metadata.uid);
        if (!pod.spec?.nodeName || pod.metadata.deletionTimestamp || servers.has(pod.metadata.uid)) continue;
        const model = pod.metadata.labels!['serving.kserve.io/inferenceservice']!;
        const storageUri = pod.metadata.annotations?.[SOURCE_URI_ANNOTATION];
        const { server, port } = await startModelServer(model, pod.metadata.name, requests);
        servers.set(pod.metadata.uid, server);
        if (storageUri?.includes('does-not-exist')) {
          const message = `Failed to fetch model. No model found in ${storageUri}.`;
          await rig.podLogs(namespace, pod.metadata.name, [`INFO:root:Copying contents of ${storageUri} to local`, `ERROR:kserve.storage:${message}`, `RuntimeError: ${message}`], { containers: ['kserve-container'] });
          crashing.set(pod.metadata.uid, message);
          continue;
        }
        await rig.podLogs(namespace, pod.metadata.name, modelServerLogs(model, storageUri), { containers: ['kserve-container'] });
        await rig.forwardPodPort(namespace, pod.metadata.name, 8080, port);
      }
      // Pods that are gone take their model servers with them.
      const live = new Set(pods.map((p) => p.metadata.uid));
      for (const [uid, server] of servers) {
        if (live.has(uid)) continue;
        server.close();
        servers.delete(uid);
      }
    } catch (e) {
      // the next tick tries again
      if (process.env.KFVS_RIG_DEBUG === '1') process.stderr.write(`KServe rig: ${(e as Error).message}\n`);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), 300);
  timer.unref();

  return {
    requests,
    startMs: Math.round(performance.now() - t0),
    logFile,
    logTail: tail,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      process.removeListener('exit', kill);
      kill();
      for (const s of servers.values()) s.close();
      // Without the controller the webhooks would refuse every InferenceService and predictor pod of a shared rig.
      await rig.kubectl(['delete', '--ignore-not-found', '--wait=false', 'mutatingwebhookconfiguration/inferenceservice.serving.kserve.io',
        'validatingwebhookconfiguration/inferenceservice.serving.kserve.io', 'validatingwebhookconfiguration/servingruntime.serving.kserve.io']).catch(() => undefined);
    },
  };
}
