/**
 * KFP stack rig: the real Kubeflow Pipelines 2.17 backend (test/rigs/kfp-stack/build.sh) against a kube rig: the API
 * server on MariaDB (the mariadb rig: KFP 2.17's storage layer speaks only MySQL, see test/rigs/README.md) and an S3 object store (the object-store rig), the persistence
 * agent and the ScheduledWorkflow controller, run as local processes with the flags and environment KFP's manifests
 * give them, with KUBECONFIG (and HOME/.kube/config, which the API server's ScheduledWorkflow client reads) pointing
 * at the kube rig. Argo's CRDs (minimal) and the ScheduledWorkflow CRD are installed when missing. The API is reached
 * in the cluster as on a Kubeflow install (kfp-stack/service.ts): `ml-pipeline` in `kubeflow`, port 8888 (and 8887).
 * Runs become Argo `Workflow` objects; executing them is the Argo rig's part (cluster.ts starts both, with MLMD).
 *
 *   const kube = await startKubeRig();
 *   const kfp = await startKfpStack(kube);                    // or { multiUser: true }
 *   fetch(`${kfp.url}/apis/v2beta1/healthz`)
 *   await kfp.stop();
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../jupyter/index';
import { repoRoot, type KubeRig } from '../kube/index';
import { startObjectStore, type ObjectStoreRig } from '../object-store/index';
import { startMariaDb, type MariaDbRig } from '../mariadb/index';
import { startProc, stopProc, tail, whileRunning, type Proc } from '../processes';
import { until } from '../../support/wait';
import { exposeKfpApi, KFP_SERVICE } from './service';

export { KFP_SERVICE };
export const KFP_VERSION = '2.17.0';
export const KFP_NAMESPACE = 'kubeflow';
/** The header multi-user mode reads the user from (Kubeflow's default). */
export const USERID_HEADER = 'kubeflow-userid';

export interface StartKfpStackOptions {
  /** MULTIUSER=true: every call names the user in `kubeflow-userid`, checked with SubjectAccessReviews. */
  multiUser?: boolean;
  /** Create the Service, the pod and the forwards in the kube rig (default true). */
  inCluster?: boolean;
  /** Seconds between the ScheduledWorkflow controller's full resyncs (upstream default 30). */
  swfResyncSeconds?: number;
}

export interface KfpStack {
  /** http://127.0.0.1:<port>: the API server's HTTP gateway (paths start with /apis/v2beta1). */
  url: string;
  port: number;
  grpcPort: number;
  namespace: typeof KFP_NAMESPACE;
  multiUser: boolean;
  service: { namespace: string; name: string; httpPort: number; grpcPort: number };
  podName?: string;
  database: MariaDbRig;
  objectStore: ObjectStoreRig;
  /** The tails of every process's log, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

const run = promisify(execFile);

/** The built binaries and CRDs, or an error naming the build script. */
export async function kfpStackDir(): Promise<{ bin: string; crds: string }> {
  try {
    const { stdout } = await run('bash', [path.join(repoRoot, 'test/rigs/kfp-stack/build.sh'), '--print-bin']);
    const bin = stdout.trim().split('\n').pop()!;
    return { bin, crds: path.join(path.dirname(bin), 'crds') };
  } catch (e) {
    throw new Error(`the KFP backend is not built: run test/rigs/kfp-stack/build.sh (scripts/setup.sh test does): ${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
}

/** Argo's CRDs (unless another rig installed them already) and the ScheduledWorkflow CRD, then waits until served. */
async function installCrds(kube: KubeRig, crdDir: string): Promise<void> {
  const files = fs.readdirSync(crdDir).filter((f) => f.endsWith('.yaml')).map((f) => path.join(crdDir, f));
  files.push(path.join(repoRoot, 'test/rigs/kfp-stack/crds/scheduledworkflow.yaml'));
  for (const file of files) {
    const name = /\n {2}name: (\S+)/.exec(fs.readFileSync(file, 'utf8'))?.[1];
    if (!name) throw new Error(`no CRD name in ${file}`);
    const have = await kube.kubectl(['get', 'crd', name, '--ignore-not-found', '-o', 'name']);
    if (!have.trim()) await kube.kubectl(['create', '-f', file]).catch(async (e: Error) => {
      if (!/AlreadyExists/.test(e.message)) throw e;
    });
  }
  // `kubectl wait` fails on a CRD whose status has no conditions yet: poll instead
  await until('the Workflow and ScheduledWorkflow CRDs to be established', 60_000, async () => {
    const out = await kube.kubectl(['get', 'crd', 'workflows.argoproj.io', 'scheduledworkflows.kubeflow.org',
      '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Established")].status}{"\\n"}{end}']);
    return out.trim().split('\n').filter((l) => l === 'True').length === 2;
  }, 200);
}

/**
 * Gives `user` Kubeflow's edit rights on pipelines in the profile namespace `namespace`, as the profile controller
 * does (a RoleBinding to the aggregated `kubeflow-edit`; here a ClusterRole with KFP's rules of
 * `kubeflow-pipelines-edit`): multi-user mode checks every call with a SubjectAccessReview of the user.
 */
export async function grantProfile(kube: KubeRig, namespace: string, user: string): Promise<void> {
  const safe = user.replace(/[^a-z0-9.-]/gi, '-').toLowerCase();
  await kube.apply([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'kubeflow-pipelines-edit' },
      rules: [
        { apiGroups: ['pipelines.kubeflow.org'], resources: ['pipelines', 'pipelines/versions', 'experiments', 'runs', 'jobs', 'recurringruns', 'viewers', 'visualizations'], verbs: ['*'] },
        { apiGroups: ['kubeflow.org'], resources: ['scheduledworkflows'], verbs: ['*'] },
        { apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: ['*'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
      metadata: { name: `user-${safe}-clusterrole-edit`, namespace, annotations: { role: 'edit', user } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kubeflow-pipelines-edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
    },
  ]);
}

export async function startKfpStack(kube: KubeRig, opts: StartKfpStackOptions = {}): Promise<KfpStack> {
  const { bin, crds } = await kfpStackDir();
  const multiUser = opts.multiUser ?? false;
  const runDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kfvs-kfp-'));
  const procs: { name: string; proc: Proc }[] = [];
  let database: MariaDbRig | undefined;
  let objectStore: ObjectStoreRig | undefined;
  let podName: string | undefined;
  const logs = () => [database?.logs() ?? '', objectStore?.logs() ?? '',
    ...procs.map((p) => `--- ${p.name}\n${tail(p.proc.log, 40)}`)].join('\n');
  const cleanup = async () => {
    for (const p of [...procs].reverse()) await stopProc(p.proc, 'SIGTERM');
    await objectStore?.stop();
    await database?.stop();
    if (podName) await kube.kubectl(['-n', KFP_NAMESPACE, 'delete', 'pod', podName, '--grace-period=0', '--wait=false', '--ignore-not-found']).catch(() => undefined);
    if (!process.env.KFVS_KEEP_RUN_DIRS) await fsp.rm(runDir, { recursive: true, force: true });
  };
  const start = (name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv) => {
    const proc = startProc(cmd, args, path.join(runDir, `${name}.log`), { env, cwd: runDir });
    procs.push({ name, proc });
    return proc;
  };
  try {
    await kube.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: KFP_NAMESPACE } }]);
    await installCrds(kube, crds);
    [database, objectStore] = await Promise.all([startMariaDb(), startObjectStore({ bucket: 'mlpipeline' })]);

    // HOME/.kube/config: the API server's ScheduledWorkflow client reads only that file out of cluster
    const home = path.join(runDir, 'home');
    await fsp.mkdir(path.join(home, '.kube'), { recursive: true });
    await fsp.copyFile(kube.kubeconfigPath, path.join(home, '.kube', 'config'));
    const baseEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH, HOME: home, KUBECONFIG: kube.kubeconfigPath, POD_NAMESPACE: KFP_NAMESPACE, TMPDIR: runDir,
    };

    // ---- the API server: config.json as the manifests' ConfigMap sets it, the rest as env like its Deployment
    const configDir = path.join(runDir, 'config');
    await fsp.mkdir(configDir);
    await fsp.writeFile(path.join(configDir, 'config.json'), JSON.stringify({
      DBDriverName: 'mysql',
      DBConfig: {
        MySQLConfig: { Host: database.host, Port: String(database.port), User: database.user, Password: '', DBName: 'mlpipeline', GroupConcatMaxLen: '4194304' },
        ConMaxLifeTime: '120s',
      },
      ObjectStoreConfig: {
        Host: objectStore.host, Port: String(objectStore.port), Secure: false, Region: objectStore.region,
        AccessKey: objectStore.accessKey, SecretAccessKey: objectStore.secretKey, BucketName: objectStore.bucket, PipelinePath: 'pipelines',
      },
      InitConnectionTimeout: '60s',
      DefaultPipelineRunnerServiceAccount: 'pipeline-runner',
      CacheEnabled: 'true',
      CRON_SCHEDULE_TIMEZONE: 'UTC',
    }, null, 2));
    const [port, grpcPort, swfMetrics, vizPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const api = start('apiserver', path.join(bin, 'apiserver'), [
      `--config=${configDir}`, `--httpPortFlag=127.0.0.1:${port}`, `--rpcPortFlag=:${grpcPort}`, // ":port" only: the gateway dials "localhost" + this flag
      '--sampleconfig=', '--logtostderr=true', '--collectMetricsFlag=false',
    ], {
      ...baseEnv,
      MULTIUSER: String(multiUser),
      KUBEFLOW_USERID_HEADER: USERID_HEADER,
      KUBEFLOW_USERID_PREFIX: '',
      ML_PIPELINE_SERVICE_NAME: KFP_SERVICE.name,
      METADATA_SERVICE_NAME: 'metadata-grpc-service',
      OBJECTSTORECONFIG_SECURE: 'false',
      // what Kubernetes' service links give the pod; no visualization server runs in the rig
      ML_PIPELINE_VISUALIZATIONSERVER_SERVICE_HOST: '127.0.0.1',
      ML_PIPELINE_VISUALIZATIONSERVER_SERVICE_PORT: String(vizPort),
    });
    const url = `http://127.0.0.1:${port}`;
    await whileRunning({ apiserver: api }, until('the KFP API server to answer /apis/v2beta1/healthz', 180_000, async () => {
      const res = await fetch(`${url}/apis/v2beta1/healthz`).catch(() => undefined);
      return res?.status === 200;
    }, 250));

    // ---- the persistence agent reads its ServiceAccount token from a fixed path: give it one in its own mount
    // namespace (a tmpfs over /run), never on the machine
    const token = path.join(runDir, 'persistenceagent-sa-token');
    await fsp.writeFile(token, 'kfvs-rig-persistence-agent');
    const agentArgs = [
      `--kubeconfig=${kube.kubeconfigPath}`, '--mlPipelineAPIServerName=127.0.0.1',
      `--mlPipelineServiceHttpPort=${port}`, `--mlPipelineServiceGRPCPort=${grpcPort}`,
      `--namespace=${multiUser ? '' : KFP_NAMESPACE}`, '--ttlSecondsAfterWorkflowFinish=86400', '--numWorker=2',
      '--logtostderr=true',
    ];
    const agent = start('persistence-agent', 'unshare', ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c',
      'mount -t tmpfs tmpfs /run && mkdir -p /run/secrets/kubeflow/tokens && cp "$0" /run/secrets/kubeflow/tokens/persistenceagent-sa-token && exec "$@"',
      token, path.join(bin, 'persistence-agent'), ...agentArgs], baseEnv);

    // ---- the ScheduledWorkflow controller: creates runs through the API server's gRPC
    const swf = start('scheduledworkflow', path.join(bin, 'scheduledworkflow'), [
      `--kubeconfig=${kube.kubeconfigPath}`, '--mlPipelineAPIServerName=127.0.0.1', `--mlPipelineServiceGRPCPort=${grpcPort}`,
      `--namespace=${multiUser ? '' : KFP_NAMESPACE}`, `--metricsPort=${swfMetrics}`,
      `--recurringRunResyncIntervalSeconds=${opts.swfResyncSeconds ?? 30}`, '--logtostderr=true',
      ...(multiUser ? [`--userIdentityHeader=${USERID_HEADER}`, '--userIdentityValue=system:serviceaccount:kubeflow:ml-pipeline-scheduledworkflow'] : []),
    ], { ...baseEnv, CRON_SCHEDULE_TIMEZONE: 'UTC' });
    // both log once their informers synced; an early exit (bad flag, no token) fails the start
    await whileRunning({ 'persistence-agent': agent, scheduledworkflow: swf }, until('the persistence agent and the ScheduledWorkflow controller to start', 60_000, () => /Starting workers|Started workers/i.test(tail(agent.log, 200)) && /Starting workers|Started workers/i.test(tail(swf.log, 200)), 250));

    if (opts.inCluster ?? true) {
      podName = await exposeKfpApi(kube, KFP_NAMESPACE, port, { grpcPort, image: `ghcr.io/kubeflow/kfp-api-server:${KFP_VERSION}` });
    }
    const db = database;
    const store = objectStore;
    return {
      url, port, grpcPort, namespace: KFP_NAMESPACE, multiUser, podName, database: db, objectStore: store,
      service: { namespace: KFP_NAMESPACE, ...KFP_SERVICE },
      logs,
      stop: cleanup,
    };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const log = logs();
    await cleanup();
    throw new Error(`the KFP stack did not start: ${why}\n${log}`);
  }
}
