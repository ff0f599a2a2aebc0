// The one part of a notebook pod the rigs play: the container. Containers do not run under kwok, so for each
// server a controller makes (a v1 Notebook's StatefulSet pod, a v2 Workspace's), `backend(owner)` is asked for the
// local port of the process that stands for the container (a real Jupyter), and the pod's port is forwarded there
// with a kwok PortForward rule. Used by the notebook-controller and workspaces-controller rigs.
//
// Bound twice: ahead, as soon as the owner's pod name is known (its StatefulSet's `<name>-0`), so the rule is in
// place before the pod runs and a client never meets a running pod with nothing behind it; and again for each new
// pod (a replaced pod gets asked for again, e.g. to start a fresh server).
import { KubeApi } from './kube-api';
import type { KubeRig } from './index';

export interface PodBackendOptions {
  namespace: string;
  /** The pod label whose value names the owner (`notebook-name`, `notebooks.kubeflow.org/workspace-name`). */
  ownerLabel: string;
  /** Pods that will exist, before they do: owner and pod name (e.g. from the Notebooks or the StatefulSets). */
  ahead(api: KubeApi, ns: string): Promise<Array<{ owner: string; pod: string }>>;
  /** The pod port forwarded (the container's Jupyter port). */
  podPort: number;
  /** The local port for an owner's pod; undefined binds nothing. */
  backend(owner: string, namespace: string): Promise<number | undefined>;
}

interface PodItem {
  metadata: { name: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec?: { nodeName?: string };
}

/** Polls every 300 ms until stop(). Errors are retried on the next tick. */
export function bindPodBackends(rig: KubeRig, o: PodBackendOptions): { stop(): void } {
  const api = new KubeApi(rig);
  const ns = encodeURIComponent(o.namespace);
  const bound = new Set<string>();
  let stopped = false;
  let busy = false;
  const bind = async (key: string, owner: string, pod: string): Promise<void> => {
    if (bound.has(key)) return;
    bound.add(key);
    const port = await o.backend(owner, o.namespace).catch(() => undefined);
    if (port) await rig.forwardPodPort(o.namespace, pod, o.podPort, port);
  };
  const tick = async (): Promise<void> => {
    if (busy || stopped) return;
    busy = true;
    try {
      for (const a of await o.ahead(api, ns)) await bind(`ahead:${a.pod}`, a.owner, a.pod);
      const sel = encodeURIComponent(o.ownerLabel);
      const pods = (await api.request<{ items?: PodItem[] }>('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${sel}`)).items ?? [];
      for (const pod of pods) {
        if (!pod.spec?.nodeName || pod.metadata.deletionTimestamp) continue;
        await bind(pod.metadata.uid, pod.metadata.labels![o.ownerLabel]!, pod.metadata.name);
      }
    } catch {
      // the next tick tries again
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), 300);
  timer.unref();
  return { stop: () => { stopped = true; clearInterval(timer); } };
}
