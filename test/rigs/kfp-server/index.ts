// KFP API server rig: a stand-in for the KFP 2.17 API server (the real one cannot be built here: the Go module proxy
// answers 403 for github.com/kubeflow/pipelines; see test/rigs/README.md), reached like in a cluster.
//
//   const kube = await startKubeRig();
//   const kfp = await startKfpServer({ kube });
//   fetch(`${kfp.url}/apis/v2beta1/healthz`)                // straight, from the test process
//   kubectl port-forward -n kubeflow svc/ml-pipeline 0:8888 // through the kube rig, like the product does
//   ...
//   expect(kfp.violations()).to.deep.equal([]);
//   await kfp.stop();
//
// In the kube rig: namespace `kubeflow`, Service `ml-pipeline` (ports http 8888, grpc 8887, selector
// app=ml-pipeline), a pod of that Deployment run by kwok, and a kwok PortForward so that a port-forward to the pod's
// 8888 lands on this server. Run steps are pods in the run's namespace (kubeflow, or the experiment's profile
// namespace in multi-user mode) with logs served by the kube API.
import type { KubeRig } from '../kube/index';
import { sharedDir } from '../kube/index';
import { exposeKfpApi, KFP_SERVICE } from '../kfp-stack/service';
import { KfpApiServer, type KfpApiServerOptions, type Violation } from './server';
import { KfpApiSpec, specPath } from '../../support/kfp-api-spec';

export type { Violation } from './server';
export { KFP_SERVICE };

export interface StartKfpServerOptions extends Omit<KfpApiServerOptions, 'kube' | 'spec'> {
  kube: KubeRig;
  /** Create the Service, the pod and the port-forward rule in the kube rig (default true). */
  inCluster?: boolean;
}

export interface KfpServer {
  /** http://127.0.0.1:<port> — the API root (paths start with /apis/v2beta1). */
  url: string;
  port: number;
  /** The KFP namespace (POD_NAMESPACE): kubeflow. */
  namespace: string;
  service: { namespace: string; name: string; httpPort: number; grpcPort: number };
  /** Name of the api-server pod behind the Service (when inCluster). */
  podName?: string;
  /** The in-memory server: records, engine options (engine.options.failTasks / stepDelayMs can be changed live). */
  api: KfpApiServer;
  /** Responses that did not match the swagger, and errors of run execution: rig bugs. Tests assert this is empty. */
  violations(): Violation[];
  /** Make steps with these task names (IR task keys or display names) fail in runs started from now on. */
  setFailTasks(names: string[]): void;
  /** Polls GET /runs/{id} until the run's state is one of `states`; returns the run. */
  waitForRun(runId: string, states: string[], timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startKfpServer(opts: StartKfpServerOptions): Promise<KfpServer> {
  const file = specPath(sharedDir());
  let spec: KfpApiSpec;
  try {
    spec = new KfpApiSpec(file);
  } catch (e) {
    throw new Error(`KFP API stand-in: cannot read the KFP v2beta1 swagger at ${file} (../shared/kubeflow-specs): ${(e as Error).message}`);
  }
  const { kube, inCluster = true, ...serverOpts } = opts;
  const api = new KfpApiServer({ ...serverOpts, kube, spec });
  const port = await api.listen();
  const url = `http://127.0.0.1:${port}`;
  const namespace = api.namespace;
  let podName: string | undefined;
  try {
    if (inCluster) podName = await exposeKfpApi(kube, namespace, port);
  } catch (e) {
    await api.close();
    throw e;
  }
  const server: KfpServer = {
    url, port, namespace, podName, api,
    service: { namespace, ...KFP_SERVICE },
    violations: () => api.violations(),
    setFailTasks: (names) => { api.engine.options.failTasks = new Set(names); },
    async waitForRun(runId, states, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let last: Record<string, unknown> = {};
      for (;;) {
        const res = await fetch(`${url}/apis/v2beta1/runs/${encodeURIComponent(runId)}`);
        last = await res.json() as Record<string, unknown>;
        if (states.includes(String(last.state))) return last;
        if (Date.now() > deadline) throw new Error(`run ${runId} not ${states.join('/')} after ${timeoutMs} ms: ${JSON.stringify({ state: last.state, state_history: last.state_history })}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    },
    async stop() {
      await api.close();
      if (podName) {
        await kube.kubectl(['-n', namespace, 'delete', 'pod', podName, '--grace-period=0', '--wait=false', '--ignore-not-found']).catch(() => undefined);
      }
    },
  };
  return server;
}
