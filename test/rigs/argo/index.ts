// The real Argo Workflows v4.0.5 workflow controller (built by build.sh beside this file) against a kube rig that
// runs Kubernetes' own controllers and scheduler (`startKubeRig({ controllers: true })`: service accounts exist and
// pods get a node), configured as Kubeflow Pipelines' manifests configure it, plus the pod player (pod-player.ts)
// that runs the pods it creates on the kwok nodes:
//
//   const argo = await startArgo(rig, { s3: store });   // store: the rig's S3-compatible object store, optional
//   ... create Workflows; argo.waitForWorkflow(ns, name) ...
//   await argo.stop();
//
// The controller runs in `kubeflow` (its ConfigMap `workflow-controller-configmap` there) and watches every
// namespace. Each namespace in `namespaces` gets what a KFP install gives a namespace that runs workflows: the
// artifact secret `mlpipeline-minio-artifact` (with an S3 store) and a RoleBinding of its service accounts to the
// executor's ClusterRole (`argo-rig-executor`: WorkflowTaskResults, pods, secrets, as Argo's executor RBAC docs).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { KubeApi, KubeApiError } from '../kube/kube-api';
import { repoRoot, type KubeRig } from '../kube/index';
import { until } from '../../support/wait';
import type { ServiceRoute } from './cluster-net';
import { startPodPlayer, type PodPlayer } from './pod-player';

export const ARGO_VERSION = 'v4.0.5';
export const ARGO_NAMESPACE = 'kubeflow';
export const EXECUTOR_IMAGE = `quay.io/argoproj/argoexec:${ARGO_VERSION}`;
/** KFP's artifact secret name and keys (manifests/kustomize/third-party/argo: workflow-controller-configmap). */
export const ARTIFACT_SECRET = 'mlpipeline-minio-artifact';

export interface ArgoS3 {
  /** host:port of the S3 API on this machine. */
  endpoint: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
}

export interface StartArgoOptions {
  /** The artifact repository: the rig's S3 store (KFP's default artifact repository points at its MinIO). */
  s3?: ArgoS3;
  /** Namespaces whose workflows run (secret + executor RoleBinding); default: the rig's test namespace and kubeflow. */
  namespaces?: string[];
  /** Folders before the system PATH in every played container (after argoexec's), e.g. the rig venv's bin. */
  path?: string[];
  /** Cluster Services the played pods reach by name (see cluster-net.ts). */
  services?: ServiceRoute[];
  /** false: no pod player (pods stay Running as kwok leaves them). */
  playPods?: boolean;
}

export interface WorkflowStatus {
  phase?: string;
  message?: string;
  nodes?: Record<string, { id: string; name: string; displayName: string; type: string; phase: string; message?: string; templateName?: string;
    outputs?: { parameters?: Array<{ name: string; value?: string }>; artifacts?: Array<{ name: string; s3?: { key: string } }>; exitCode?: string } }>;
}

export interface ArgoRig {
  binDir: string;
  logFile: string;
  logTail(lines?: number): string;
  player?: PodPlayer;
  /** Polls until the workflow has a final phase (Succeeded, Failed, Error); rejects after timeoutMs with its status. */
  waitForWorkflow(namespace: string, name: string, timeoutMs?: number): Promise<WorkflowStatus>;
  stop(): Promise<void>;
}

/** The built bin dir (workflow-controller, argoexec); throws with the command to run when it is missing. */
export function argoBinDir(): string {
  const r = spawnSync('bash', [path.join(repoRoot, 'test/rigs/argo/build.sh'), '--print-bin-dir'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`argo rig: ${r.stderr.trim() || 'not built'}`);
  return r.stdout.trim().split('\n').pop()!;
}

/** workflow-controller-configmap's data, as KFP 2.17's manifests set it (the S3 endpoint is the rig's store). */
export function controllerConfig(s3?: ArgoS3): Record<string, string> {
  const data: Record<string, string> = {
    // metrics and telemetry servers listen on fixed ports (9090, 8080): off, so parallel rigs never collide
    metricsConfig: YAML.stringify({ enabled: false }),
    telemetryConfig: YAML.stringify({ enabled: false }),
    executor: YAML.stringify({ imagePullPolicy: 'IfNotPresent' }),
  };
  if (s3) {
    data.artifactRepository = YAML.stringify({
      archiveLogs: false,
      s3: {
        endpoint: s3.endpoint,
        bucket: s3.bucket,
        keyFormat: 'artifacts/{{workflow.name}}/{{workflow.creationTimestamp.Y}}/{{workflow.creationTimestamp.m}}/{{workflow.creationTimestamp.d}}/{{pod.name}}',
        insecure: true,
        accessKeySecret: { name: ARTIFACT_SECRET, key: 'accesskey' },
        secretKeySecret: { name: ARTIFACT_SECRET, key: 'secretkey' },
      },
    });
  }
  return data;
}

export async function startArgo(rig: KubeRig, o: StartArgoOptions = {}): Promise<ArgoRig> {
  const binDir = argoBinDir();
  const api = new KubeApi(rig);
  const namespaces = [...new Set(o.namespaces ?? [rig.namespace, ARGO_NAMESPACE])];
  const crdDir = path.join(binDir, '..', 'share', 'crds');
  const crds = (await fsp.readdir(crdDir)).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(crdDir, f));
  await rig.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=kfvs-argo-rig', ...crds.flatMap((f) => ['-f', f])]);
  // `kubectl wait` fails on a CRD whose status has no conditions yet: poll instead
  await until('Argo\'s CRDs to be established', 120_000, async () => {
    const out = await rig.kubectl(['get', ...crds.flatMap((f) => ['-f', f]),
      '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Established")].status}{"\\n"}{end}']);
    return out.trim().split('\n').filter((l) => l === 'True').length === crds.length;
  }, 200);

  const objects: object[] = [
    ...[ARGO_NAMESPACE, ...namespaces].map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } })),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'workflow-controller-configmap', namespace: ARGO_NAMESPACE }, data: controllerConfig(o.s3) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'argo-rig-executor' },
      rules: [
        { apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch', 'get', 'list', 'watch', 'update'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'watch', 'patch', 'list'] },
        { apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['get'] },
      ],
    },
    ...namespaces.map((n) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'argo-rig-executor', namespace: n },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'argo-rig-executor' },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: `system:serviceaccounts:${n}` }],
    })),
    ...(o.s3 ? namespaces.map((n) => ({
      apiVersion: 'v1', kind: 'Secret', metadata: { name: ARTIFACT_SECRET, namespace: n },
      stringData: { accesskey: o.s3!.accessKey, secretkey: o.s3!.secretKey },
    })) : []),
  ];
  await rig.apply(objects);

  const logFile = path.join(rig.runDir, 'logs', 'workflow-controller.log');
  await fsp.mkdir(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(path.join(binDir, 'workflow-controller'), [
    `--kubeconfig=${rig.kubeconfigPath}`, `--namespace=${ARGO_NAMESPACE}`, '--configmap=workflow-controller-configmap',
    `--executor-image=${EXECUTOR_IMAGE}`, '--loglevel=info', '--workflow-workers=4', '--pod-cleanup-workers=2',
  ], {
    detached: true,
    stdio: ['ignore', fd, fd],
    // DEFAULT_REQUEUE_TIME: how soon a workflow is looked at again after a change (10 s upstream, which paces every
    // step of a KFP run: driver, then executor); 2 s is the low end upstream suggests for short steps
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: rig.runDir, LEADER_ELECTION_DISABLE: 'true', DEFAULT_REQUEUE_TIME: '2s' },
    cwd: rig.runDir,
  });
  fs.closeSync(fd);
  child.unref();
  let exited: string | undefined;
  child.on('exit', (code, signal) => { exited = `exit code ${code} signal ${signal}`; });
  const tail = (n = 40) => { try { return fs.readFileSync(logFile, 'utf8').split('\n').slice(-n).join('\n'); } catch { return '(no log)'; } };
  const kill = () => { if (child.pid && exited === undefined) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } } };
  process.once('exit', kill);

  let player: PodPlayer | undefined;
  const stop = async () => {
    await player?.stop();
    process.removeListener('exit', kill);
    kill();
    api.close();
  };
  try {
    // ready once its informers have synced: it logs the periodic GC and starts the cron controller right after
    const deadline = Date.now() + 90_000;
    while (!/Performing periodic GC|Starting CronWorkflow controller/.test(tail(400))) {
      if (exited !== undefined) throw new Error(`argo rig: the workflow controller exited (${exited}) while starting:\n${tail()}`);
      if (Date.now() > deadline) throw new Error(`argo rig: the workflow controller did not start within 90 s:\n${tail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    if (o.playPods !== false) {
      const workDir = path.join(rig.runDir, 'argo-pods');
      await fsp.mkdir(workDir, { recursive: true });
      player = await startPodPlayer(rig, { path: [binDir, ...(o.path ?? [])], workDir, services: o.services });
    }
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    binDir,
    logFile,
    logTail: tail,
    player,
    async waitForWorkflow(namespace, name, timeoutMs = 180_000) {
      const deadline = Date.now() + timeoutMs;
      let last: WorkflowStatus = {};
      for (;;) {
        try {
          const wf = await api.request<{ status?: WorkflowStatus }>('GET', `/apis/argoproj.io/v1alpha1/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(name)}`);
          last = wf.status ?? {};
          if (['Succeeded', 'Failed', 'Error'].includes(last.phase ?? '')) return last;
        } catch (e) {
          if (!(e instanceof KubeApiError && e.status === 404)) throw e;
        }
        if (Date.now() > deadline) {
          throw new Error(`workflow ${namespace}/${name} not finished after ${timeoutMs} ms: ${JSON.stringify(last)}\n--- workflow-controller:\n${tail(30)}`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    stop,
  };
}
