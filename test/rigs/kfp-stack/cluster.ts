/**
 * Kubeflow Pipelines that really run, on a kube rig: the KFP stack (index.ts: API server, persistence agent,
 * ScheduledWorkflow controller on MariaDB + the S3 store) and MLMD (mlmd rig) started side by side, then the Argo rig
 * (real workflow controller + pod player) with KFP's artifact repository on that store and the cluster Services the
 * driver, launcher and component code reach by name (ml-pipeline, metadata-grpc-service, seaweedfs/minio-service).
 * The sandbox runs it; so can any test that needs runs to execute.
 *
 *   const pipelines = await startKfpCluster(kube);
 *   ... POST ${pipelines.kfp.url}/apis/v2beta1/runs; await pipelines.waitForRun(id) ...
 *   await pipelines.stop();
 */
import path from 'node:path';
import { startArgo, type ArgoRig } from '../argo/index';
import { venvBin } from '../jupyter/index';
import type { KubeRig } from '../kube/index';
import { exposeLocalService } from '../expose';
import { MLMD_SERVICE, startMlmd, type MlmdRig } from '../mlmd/index';
import { until } from '../../support/wait';
import { kfpStackDir, startKfpStack, KFP_NAMESPACE, type KfpStack } from './index';

export interface KfpCluster {
  kfp: KfpStack;
  mlmd: MlmdRig;
  argo: ArgoRig;
  /** How long the start took (ms). */
  startMs: number;
  /** Polls the API until the run has one of `states` (default: a final one); rejects with its state and the logs. */
  waitForRun(runId: string, timeoutMs?: number, states?: string[]): Promise<{ state: string; error?: { message?: string } }>;
  stop(): Promise<void>;
}

const FINAL = ['SUCCEEDED', 'FAILED', 'CANCELED', 'SKIPPED'];

export async function startKfpCluster(kube: KubeRig): Promise<KfpCluster> {
  let kfp: KfpStack | undefined;
  let mlmd: MlmdRig | undefined;
  let argo: ArgoRig | undefined;
  const t0 = performance.now();
  const stop = async () => {
    await argo?.stop();
    await mlmd?.stop();
    await kfp?.stop();
  };
  try {
    const starting = [startKfpStack(kube), startMlmd(kube), kfpStackDir()] as const;
    const settled = await Promise.allSettled(starting);
    if (settled[0].status === 'fulfilled') kfp = settled[0].value;
    if (settled[1].status === 'fulfilled') mlmd = settled[1].value;
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const { bin } = (settled[2] as PromiseFulfilledResult<{ bin: string }>).value;
    const store = kfp!.objectStore;
    await kube.apply([{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'pipeline-runner', namespace: KFP_NAMESPACE } }]);
    argo = await startArgo(kube, {
      s3: { endpoint: 'seaweedfs.kubeflow:9000', bucket: store.bucket, accessKey: store.accessKey, secretKey: store.secretKey },
      path: [bin, path.dirname(venvBin('python3'))],
      services: [
        { name: 'ml-pipeline', namespace: KFP_NAMESPACE, ports: [{ port: 8888, target: { host: '127.0.0.1', port: kfp!.port } }, { port: 8887, target: { host: '127.0.0.1', port: kfp!.grpcPort } }] },
        { name: MLMD_SERVICE.name, namespace: MLMD_SERVICE.namespace, ports: [{ port: MLMD_SERVICE.port, target: { host: mlmd!.host, port: mlmd!.port } }] },
        // KFP 2.17's object store Service (its manifests moved from MinIO to SeaweedFS); minio-service for older configs
        ...['seaweedfs', 'minio-service'].map((name) => ({ name, namespace: KFP_NAMESPACE, ports: [{ port: 9000, target: { host: store.host, port: store.port } }] })),
      ],
    });
    // the same store as in-cluster Services with a pod behind each, so the editor's daemon forwards (the run outputs'
    // Open/Download of artifacts) and kubectl reach it as on a cluster
    await Promise.all([['seaweedfs', 'seaweedfs', 'seaweedfs-6b9f8d7c4-xk2lq', 'chrislusf/seaweedfs'], ['minio-service', 'minio', 'minio-7d9f8b6c5-q2w4e', 'minio/minio']].map(([name, app, pod, image]) =>
      exposeLocalService(kube, { namespace: KFP_NAMESPACE, name: name!, port: 9000, portName: 'http', selector: { app: app! }, pod: pod!, image: image!, container: app! }, store.port)));
  } catch (e) {
    await stop();
    throw e;
  }
  const api = kfp!.url;
  return {
    kfp: kfp!, mlmd: mlmd!, argo, startMs: performance.now() - t0,
    async waitForRun(runId, timeoutMs = 300_000, states = FINAL) {
      let last: { state?: string; error?: { message?: string } } = {};
      try {
        return await until(`run ${runId} to be ${states.join('/')}`, timeoutMs, async () => {
          const res = await fetch(`${api}/apis/v2beta1/runs/${encodeURIComponent(runId)}`);
          last = await res.json() as typeof last;
          return states.includes(last.state ?? '') ? { ...last, state: last.state! } : undefined;
        }, 500);
      } catch (e) {
        throw new Error(`${(e as Error).message}: ${JSON.stringify(last)}\n--- workflow-controller:\n${argo!.logTail(20)}`);
      }
    },
    stop,
  };
}
