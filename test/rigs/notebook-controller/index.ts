// The real Kubeflow Notebook controller v1.11.0 (built by build.sh beside this file from ../shared/upstream) against
// a kube rig that runs Kubernetes' own controllers (`startKubeRig({ controllers: true })`): for each Notebook it
// writes the StatefulSet and Service, honours the `kubeflow-resource-stopped` annotation (replicas 0) and reports
// status from the pod, as on a cluster; kube-controller-manager makes the pod `<name>-0`, kube-scheduler binds it to
// a kwok node (or leaves it Pending with its own `Insufficient nvidia.com/gpu`), kwok runs it.
//
// Containers do not run under kwok, so the one thing played here is the notebook image: when a Notebook appears
// (and again for each new pod of it), `backend(name)` is asked for the local port of the Jupyter server that stands
// for the container, and the pod's port 8888 is forwarded there (a kwok PortForward rule for `<name>-0`).
//
//   const nbc = await startNotebookController(rig, { backend: async (name) => (await startJupyter(...)).port });
//   ... nbc.stop();
//
// Culling stays off (ENABLE_CULLING unset): the culler polls each server's /api/kernels over the cluster network,
// which kwok pods do not have. Istio is off (USE_ISTIO unset), as in a plain Kubeflow Notebooks install.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KubeApi } from '../kfp-server/kube-api';
import { repoRoot, type KubeRig } from '../kube/index';

export interface NotebookControllerOptions {
  /** The local port a notebook's pod forwards 8888 to, asked once per pod when it is scheduled. */
  backend?: (notebook: string, namespace: string) => Promise<number | undefined>;
  /** Only notebooks of this namespace get a backend (default: the rig's test namespace). */
  namespace?: string;
}

export interface NotebookControllerRig {
  /** The controller's log file. */
  logFile: string;
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

interface PodItem {
  metadata: { name: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec?: { nodeName?: string };
}

/** The built binary; throws with the command to run when it is missing. */
export function notebookControllerBinary(): string {
  const r = spawnSync('bash', [path.join(repoRoot, 'test/rigs/notebook-controller/build.sh'), '--print-bin'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`notebook controller rig: ${r.stderr.trim() || 'not built'}`);
  return r.stdout.trim().split('\n').pop()!;
}

export async function startNotebookController(rig: KubeRig, o: NotebookControllerOptions = {}): Promise<NotebookControllerRig> {
  const bin = notebookControllerBinary();
  const logFile = path.join(rig.runDir, 'logs', 'notebook-controller.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(bin, ['--metrics-addr=0', '--probe-addr=0', '--enable-leader-election=false'], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: rig.runDir, KUBECONFIG: rig.kubeconfigPath },
    cwd: rig.runDir,
  });
  fs.closeSync(fd);
  child.unref();
  let exited: string | undefined;
  child.on('exit', (code, signal) => { exited = `exit code ${code} signal ${signal}`; });
  const tail = (n = 30) => fs.readFileSync(logFile, 'utf8').split('\n').slice(-n).join('\n');
  const kill = () => { if (child.pid && exited === undefined) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } } };
  process.once('exit', kill);

  const api = new KubeApi(rig);
  const namespace = o.namespace ?? rig.namespace;
  const ns = encodeURIComponent(namespace);
  // Started: its informers are synced once it logs "Starting workers" for the Notebook controller.
  const deadline = Date.now() + 60_000;
  while (!/Starting workers.*notebook/i.test(fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '')) {
    if (exited !== undefined) throw new Error(`notebook controller exited (${exited}) while starting:\n${tail()}`);
    if (Date.now() > deadline) { kill(); throw new Error(`notebook controller did not start within 60 s:\n${tail()}`); }
    await new Promise((r) => setTimeout(r, 200));
  }

  // The one part played here: the container behind each scheduled notebook pod.
  const bound = new Set<string>();
  let stopped = false;
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy || stopped || !o.backend) return;
    busy = true;
    try {
      // Bound ahead, as soon as the Notebook exists: its pod will be `<name>-0` (the StatefulSet's), so the forward
      // rule is in place before the pod runs and a client never meets a running pod with nothing behind it.
      const nbs = (await api.request<{ items?: Array<{ metadata: { name: string } }> }>('GET', `/apis/kubeflow.org/v1/namespaces/${ns}/notebooks`)).items ?? [];
      for (const nb of nbs) {
        if (bound.has(`nb:${nb.metadata.name}`)) continue;
        bound.add(`nb:${nb.metadata.name}`);
        const port = await o.backend(nb.metadata.name, namespace).catch(() => undefined);
        if (port) await rig.forwardPodPort(namespace, `${nb.metadata.name}-0`, 8888, port);
      }
      const pods = (await api.request<{ items?: PodItem[] }>('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=notebook-name`)).items ?? [];
      for (const pod of pods) {
        if (!pod.spec?.nodeName || pod.metadata.deletionTimestamp || bound.has(pod.metadata.uid)) continue;
        bound.add(pod.metadata.uid);
        const port = await o.backend(pod.metadata.labels!['notebook-name'], namespace).catch(() => undefined);
        if (port) await rig.forwardPodPort(namespace, pod.metadata.name, 8888, port);
      }
    } catch {
      // the next tick tries again
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), 300);
  timer.unref();

  return {
    logFile,
    logTail: tail,
    async stop() {
      stopped = true;
      clearInterval(timer);
      process.removeListener('exit', kill);
      kill();
    },
  };
}
