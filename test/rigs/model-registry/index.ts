/**
 * Model Registry rig: the real Kubeflow Model Registry v0.3.8 server (`model-registry proxy --datastore-type embedmd
 * --embedmd-database-type postgres`) on its own PostgreSQL 16, both from test/rigs/model-registry/install.sh's cache.
 * The database starts from a template data dir that install.sh initdb'd and had the server migrate, copied per start
 * (fast, like the kube rig's etcd templates); as root it runs as the unprivileged user of install.sh (initdb and
 * postgres refuse root). With a kube rig it is exposed the way Kubeflow installs it: Service `model-registry-service`
 * in namespace `kubeflow` (port 8080 named `http-api`, selector `component: model-registry-server`, as upstream's
 * manifests/kustomize/base) and a pod matching it, run by kwok, whose port 8080 kwok forwards to the local server. So
 * `kubectl port-forward -n kubeflow svc/model-registry-service 8080` and the daemon's service forwards reach it.
 * `api: 'v1'` puts the v1 front (v1-front.ts) before the server: the cluster then answers only `/api/model_registry/v1`.
 *
 *   const mr = await startModelRegistry({ kube });
 *   const seeded = await seedRegistry(mr.url);
 *   ... mr.apiBase = http://127.0.0.1:<port>/api/model_registry/v1alpha3 ...
 *   await mr.stopDatabase();   // the server stays up, its database refuses connections
 *   await mr.stop();
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KubeRig } from '../kube/index';
import { freePort, kfvsCache } from '../jupyter/index';
import { until } from '../../support/wait';
import { startPostgres, type PostgresRig } from '../postgres/index';
import { assertRunning, startProc, stopProc, tail, type Proc } from '../processes';
import { API_PREFIX, startV1Front, V1_PREFIX } from './v1-front';

export { seedRegistry, SEED_KFP_RUN_ID, SEED_NAMESPACE, type SeededRegistry } from './seed';

export const MR_VERSION = '0.3.8';
export { API_PREFIX, V1_PREFIX };

/** Where the registry lives in the cluster (upstream's names). */
export const MODEL_REGISTRY_SERVICE = {
  namespace: 'kubeflow',
  name: 'model-registry-service',
  port: 8080,
  portName: 'http-api',
  selector: { component: 'model-registry-server' },
  pod: 'model-registry-deployment-6c9d5b8f7-r2x4q',
} as const;

export interface ModelRegistryRig {
  /** http://127.0.0.1:<port>: the real server, or the v1 front before it. */
  url: string;
  port: number;
  /** url + the prefix it serves (v1alpha3, or v1 behind the front) */
  apiBase: string;
  api: 'v1alpha3' | 'v1';
  /** The real server itself (v1alpha3), also when the v1 front is in use. */
  serverUrl: string;
  /** Set when started with a kube rig: the Service and pod exist and forward here. */
  cluster?: typeof MODEL_REGISTRY_SERVICE;
  /** Stops PostgreSQL only: the server keeps answering, with its database refusing connections. */
  stopDatabase(): Promise<void>;
  stop(): Promise<void>;
  /** The server's and the database's log, for failure messages. */
  logs(): string;
}

/** The rig's cache dir; throws naming the install script when it is not complete. */
export function modelRegistryRigDir(): string {
  const dir = path.join(kfvsCache(), 'model-registry', MR_VERSION);
  if (!fs.existsSync(path.join(dir, '.stamp'))) {
    throw new Error(`the Model Registry rig is not installed in ${dir}: run test/rigs/model-registry/install.sh (scripts/setup.sh test does)`);
  }
  return dir;
}

/** The venv python of PyPI's official `model-registry` client at `version` (0.3.8 or 0.3.18). */
export function pythonClient(version: '0.3.8' | '0.3.18'): string {
  return path.join(modelRegistryRigDir(), `py-${version}`, 'bin', 'python');
}

export async function startModelRegistry(o: { kube?: KubeRig; api?: 'v1alpha3' | 'v1' } = {}): Promise<ModelRegistryRig> {
  const rigDir = modelRegistryRigDir();
  const runDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kfvs-mr-'));
  let pg: PostgresRig | undefined;
  let server: Proc | undefined;
  let front: Awaited<ReturnType<typeof startV1Front>> | undefined;
  const logs = () => `${pg?.logs() ?? ''}\n--- model-registry\n${tail(path.join(runDir, 'model-registry.log'))}`;
  const cleanup = async () => {
    await front?.close();
    await stopProc(server);
    await pg?.stop();
    await fsp.rm(runDir, { recursive: true, force: true });
  };
  try {
    pg = await startPostgres({ databases: ['model_registry'] });
    const port = await freePort();
    server = startProc(path.join(rigDir, 'bin', 'model-registry'), ['proxy', '--hostname', '127.0.0.1', '--port', String(port),
      '--datastore-type', 'embedmd', '--embedmd-database-type', 'postgres',
      '--embedmd-database-dsn', pg.dsn('model_registry')], path.join(runDir, 'model-registry.log'));
    const serverProc = server;
    const pgRig = pg;
    const serverUrl = `http://127.0.0.1:${port}`;
    await until('the Model Registry server to answer', 90_000, async () => {
      assertRunning(serverProc, 'model-registry');
      const res = await fetch(`${serverUrl}${API_PREFIX}/registered_models?pageSize=1`).catch(() => undefined);
      return res?.status === 200;
    }, 100);
    const api = o.api ?? 'v1alpha3';
    if (api === 'v1') front = await startV1Front(serverUrl);
    const url = front?.url ?? serverUrl;
    const rig: ModelRegistryRig = {
      url, port: Number(new URL(url).port), apiBase: url + (api === 'v1' ? V1_PREFIX : API_PREFIX), api, serverUrl,
      stopDatabase: () => pgRig.stopServer(),
      stop: async () => {
        if (rig.cluster) await o.kube!.kubectl(['-n', rig.cluster.namespace, 'delete', 'pod', rig.cluster.pod, '--grace-period=1', '--wait=false']).catch(() => undefined);
        await cleanup();
      },
      logs,
    };
    if (o.kube) {
      await exposeInCluster(o.kube, rig.port);
      rig.cluster = MODEL_REGISTRY_SERVICE;
    }
    return rig;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    await cleanup();
    throw new Error(`the Model Registry rig did not start: ${why}`);
  }
}

/** The Service and a kwok-run pod whose port kwok forwards to the local server (one registry per kube rig). */
async function exposeInCluster(kube: KubeRig, localPort: number): Promise<void> {
  const s = MODEL_REGISTRY_SERVICE;
  await kube.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: s.namespace } }]);
  // the forward rule before the pod: a client that finds the pod Running can connect at once
  await kube.forwardPodPort(s.namespace, s.pod, s.port, localPort);
  await kube.apply([
    {
      apiVersion: 'v1', kind: 'Service',
      metadata: {
        name: s.name, namespace: s.namespace,
        labels: {
          app: 'model-registry-service', component: 'model-registry',
          'app.kubernetes.io/component': 'model-registry', 'app.kubernetes.io/instance': 'model-registry-service',
          'app.kubernetes.io/name': 'model-registry-service', 'app.kubernetes.io/part-of': 'model-registry',
        },
        annotations: { displayName: 'Kubeflow Model Registry', description: 'Model registry (kfvs test rig)' },
      },
      spec: { type: 'ClusterIP', selector: { ...s.selector }, ports: [{ name: s.portName, port: s.port, protocol: 'TCP', appProtocol: 'http' }] },
    },
    {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: s.pod, namespace: s.namespace, labels: { ...s.selector, 'sidecar.istio.io/inject': 'true' } },
      spec: {
        nodeName: kube.nodes.cpu,
        containers: [{
          name: 'rest-container',
          image: `ghcr.io/kubeflow/model-registry/server:v${MR_VERSION}`,
          command: ['/model-registry', 'proxy'],
          args: ['--hostname=0.0.0.0', `--port=${s.port}`, '--datastore-type=embedmd'],
          ports: [{ name: s.portName, containerPort: s.port }],
        }],
      },
    },
  ]);
  await kube.waitForPod(s.namespace, s.pod);
}
