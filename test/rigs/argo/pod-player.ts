// The pod player: a TEST-SIDE stand-in for a kubelet + container runtime on the kwok nodes, for the pods Argo's
// workflow controller creates. kwok only fakes pod status (Pending -> Running); this plays each such pod's containers
// as local processes, in order: init containers one after another, then the containers together (Argo's `wait`
// beside `main`), the way a kubelet starts them.
//
// What is real in it: every command a container has is run as it is, with the pod's env (values, downward API
// fields, ConfigMap/Secret refs, $(VAR) expansion), its volumes at their mount paths, a service-account token of the
// pod's service account (TokenRequest bound to the pod) and the in-cluster API address. So Argo's own `argoexec init`
// / `argoexec emissary -- CMD` / `argoexec wait` run (built by build.sh), and they do what they do in a cluster:
// copy the executor, run the command, save output parameters and artifacts (to the S3 store), and report them as a
// WorkflowTaskResult through the API. What is played: the "image" is this machine (ctr-run.sh: its root file system
// as a copy-on-write overlay, with the rig venv and the built binaries first on PATH), and the pod's final status
// (phase, container exit codes) is written here once the processes end, as a kubelet would.
// Each container's stdout/stderr reach `kubectl logs` through a kwok Logs rule on a CRI-format file.
// Stopping is played too (see stopPod): when Argo would signal a pod's containers through pods/exec (`argoexec kill 15
// 1`, which kwok pods cannot take, and PID 1 is this machine's init here), the player signals the containers' first
// processes it started itself instead. Each container has a PID namespace of its own (ctr-run.sh), so a kill(-1)
// or kill(1) of a process in it never leaves the container.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { KubeApi } from '../kube/kube-api';
import { kfvsCache } from '../jupyter/index';
import { startClusterNet, type ServiceRoute } from './cluster-net';
import { repoRoot, type KubeRig, type PodLogHandle } from '../kube/index';

export interface PodPlayerOptions {
  /** Pods to play: this label selector (default Argo's workflow label). */
  labelSelector?: string;
  /** Folders put before the system PATH of every container (the "image"'s binaries: argoexec, venv, KFP's). */
  path: string[];
  /** Where per-pod folders go (volumes, container /tmp, logs). */
  workDir: string;
  /** Cluster Services the pods reach by name (cluster-net.ts), e.g. KFP's metadata-grpc-service and minio-service. */
  services?: ServiceRoute[];
}

export interface PlayedContainer {
  name: string;
  exitCode: number;
  startedAt: string;
  finishedAt: string;
}

export interface PodPlayer {
  /** Pods played so far: namespace/name -> containers (filled as they end). */
  played: Map<string, PlayedContainer[]>;
  stop(): Promise<void>;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    resourceFieldRef?: { containerName?: string; resource: string; divisor?: string };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
  };
}
interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: Array<{ prefix?: string; configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean } }>;
  volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string }>;
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
}
interface Volume {
  name: string;
  emptyDir?: unknown;
  configMap?: { name: string; items?: Array<{ key: string; path: string }>; optional?: boolean };
  secret?: { secretName: string; items?: Array<{ key: string; path: string }>; optional?: boolean };
  downwardAPI?: { items: Array<{ path: string; fieldRef?: { fieldPath: string } }> };
}
export interface Pod {
  metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string; serviceAccountName?: string; automountServiceAccountToken?: boolean; terminationGracePeriodSeconds?: number;
    initContainers?: Container[]; containers: Container[]; volumes?: Volume[] };
  status?: { phase?: string; podIP?: string; hostIP?: string };
}

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const CTR_RUN = path.join(repoRoot, 'test/rigs/argo/ctr-run.sh');
/** A played pod's grace period between SIGTERM and SIGKILL is its terminationGracePeriodSeconds, at most this. */
const MAX_GRACE_MS = 5_000;
const WORKFLOW_LABEL = 'workflows.argoproj.io/workflow';
const NODE_ID_ANNOTATION = 'workflows.argoproj.io/node-id';

/** What the player needs of an Argo Workflow to know whether Argo wants one of its pods stopped. */
interface Workflow {
  metadata: { name: string; namespace: string };
  status?: { nodes?: Record<string, { phase?: string; message?: string }> };
}

const FULFILLED = ['Succeeded', 'Failed', 'Error', 'Skipped', 'Omitted'];

/**
 * Whether Argo's controller has asked for this pod's containers to be signalled. When it stops a pod that still runs
 * (workflow/controller/exec_control.go applyExecutionControl: a shutdown Terminate/Stop, KFP's terminate, which sets
 * activeDeadlineSeconds to 0, a step past its deadline; killDaemonedChildren) it marks the pod's node finished
 * ("workflow shutdown with strategy: Terminate", "Step exceeded its deadline") in the same pass as it queues
 * terminateContainers: a node that is finished while its pod's containers still run is that request. (Otherwise a
 * node finishes only after its pod has.) Acting on the request and not on spec.shutdown/deadline directly keeps the
 * order a cluster has: Argo records why first, then the containers end.
 */
export function argoWantsStopped(pod: Pod, wf: Workflow | undefined): boolean {
  const nodeId = pod.metadata.annotations?.[NODE_ID_ANNOTATION];
  const phase = nodeId ? wf?.status?.nodes?.[nodeId]?.phase : undefined;
  return phase !== undefined && FULFILLED.includes(phase);
}

/** Only ever a pid this player may signal: a whole number above 1 (never init, never "every process"). */
const signalable = (pid: number | undefined): pid is number => Number.isInteger(pid) && pid! > 1;

/** The processes whose parent is `pid` (from /proc: this kernel has no /proc/PID/task/TID/children). */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      // stat: "PID (COMM) STATE PPID ...", COMM may hold spaces and parentheses: read after the last ')'
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(e));
    } catch { /* gone meanwhile */ }
  }
  return out;
}

/** `pid` and every process below it, parents first. */
function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...childPids(all[i]!));
  return all;
}

const signal = (pid: number, sig: NodeJS.Signals) => {
  if (!signalable(pid)) return;
  try { process.kill(pid, sig); } catch { /* gone */ }
};

export async function startPodPlayer(rig: KubeRig, o: PodPlayerOptions): Promise<PodPlayer> {
  const api = new KubeApi(rig);
  const selector = encodeURIComponent(o.labelSelector ?? 'workflows.argoproj.io/workflow');
  const seen = new Set<string>();
  const running = new Map<string, Set<ChildProcess>>();
  /** Pods being stopped: uid -> the SIGKILL timer after their grace period. */
  const stopping = new Map<string, NodeJS.Timeout>();
  const played = new Map<string, PlayedContainer[]>();
  const caCert = await fsp.readFile(rig.pki.caCert, 'utf8');
  const apiPort = new URL(rig.server).port;
  // The "image" folders (PATH, the rig cache) where the container's own /tmp and /run would hide them (the cache may
  // be a symlink into /tmp): bound at their real paths.
  const imageBinds = [...new Set([...o.path, kfvsCache()].filter((d) => fs.existsSync(d)).map((d) => fs.realpathSync(d)))]
    .filter((d) => /^\/(tmp|run)(\/|$)/.test(d)).flatMap((d) => ['--bind', d, d]);
  const clusterNet = await startClusterNet(o.services ?? []);
  let stopped = false;
  let busy = false;

  const get = <T>(p: string) => api.request<T>('GET', p);
  const ns = (n: string) => encodeURIComponent(n);

  const tick = async (): Promise<void> => {
    if (busy || stopped) return;
    busy = true;
    try {
      const pods = (await get<{ items?: Pod[] }>(`/api/v1/pods?labelSelector=${selector}`)).items ?? [];
      const workflows = new Map<string, Workflow>();
      if (pods.some((p) => running.has(p.metadata.uid) && !stopping.has(p.metadata.uid))) {
        for (const wf of (await get<{ items?: Workflow[] }>('/apis/argoproj.io/v1alpha1/workflows')).items ?? []) {
          workflows.set(`${wf.metadata.namespace}/${wf.metadata.name}`, wf);
        }
      }
      for (const pod of pods) {
        const uid = pod.metadata.uid;
        if (pod.metadata.deletionTimestamp) { killPod(uid); continue; }
        if (running.has(uid) && argoWantsStopped(pod, workflows.get(`${pod.metadata.namespace}/${pod.metadata.labels?.[WORKFLOW_LABEL]}`))) stopPod(pod);
        // kwok's pod-ready stage made it Running on a node: its containers "start" now
        if (seen.has(uid) || !pod.spec.nodeName || pod.status?.phase !== 'Running') continue;
        seen.add(uid);
        // a pod the player cannot start fails with the reason, as a kubelet reports a container it cannot create
        void playPod(pod).catch((e: unknown) => failPod(pod, String((e as Error).message ?? e)).catch(() => undefined));
      }
    } catch {
      // the next tick tries again
    } finally {
      busy = false;
    }
  };

  /** SIGKILL to every process of the pod's containers (the step runs in a process group of its own under the emissary). */
  const killPod = (uid: string) => {
    for (const c of running.get(uid) ?? []) {
      if (signalable(c.pid) && c.exitCode === null && c.signalCode === null) for (const pid of processTree(c.pid)) signal(pid, 'SIGKILL');
    }
  };

  /**
   * Plays what Argo's pods/exec signalling does (pod/queue.go terminateContainers -> signal.SignalContainer runs
   * `argoexec kill 15 1` in each running container, then `kill 9 1` after terminationGracePeriodSeconds): SIGTERM to
   * each running container's first process (the emissary, which passes it on to the step's process group), SIGKILL
   * to whatever is left after the grace period. Only processes the player spawned (the `running` map) and their
   * descendants are signalled; the container ends with 143/137 and reportStatus writes it as a kubelet would.
   */
  const stopPod = (pod: Pod) => {
    const uid = pod.metadata.uid;
    if (stopping.has(uid)) return;
    const grace = Math.min((pod.spec.terminationGracePeriodSeconds ?? 30) * 1000, MAX_GRACE_MS);
    for (const c of running.get(uid) ?? []) {
      if (!signalable(c.pid) || c.exitCode !== null || c.signalCode !== null) continue;
      // the spawned process is `unshare --fork`; its child is the container's first process (ctr-run.sh exec's it)
      for (const pid of childPids(c.pid)) signal(pid, 'SIGTERM');
    }
    const t = setTimeout(() => killPod(uid), grace);
    t.unref();
    stopping.set(uid, t);
  };

  /** The value of a downward-API field path of the pod. */
  const field = (pod: Pod, fieldPath: string): string => {
    const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
    if (m) return (pod.metadata[m[1] as 'labels' | 'annotations'] ?? {})[m[2]!] ?? '';
    switch (fieldPath) {
      case 'metadata.name': return pod.metadata.name;
      case 'metadata.namespace': return pod.metadata.namespace;
      case 'metadata.uid': return pod.metadata.uid;
      case 'spec.nodeName': return pod.spec.nodeName ?? '';
      case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? 'default';
      case 'status.hostIP': return pod.status?.hostIP ?? '127.0.0.1';
      case 'status.podIP': case 'status.podIPs': return pod.status?.podIP ?? '127.0.0.1';
      default: throw new Error(`pod player: unsupported downward API field ${fieldPath}`);
    }
  };

  const objectData = async (kind: 'configmaps' | 'secrets', namespace: string, name: string, optional?: boolean): Promise<Record<string, string>> => {
    try {
      const obj = await get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${ns(namespace)}/${kind}/${encodeURIComponent(name)}`);
      const data = obj.data ?? {};
      return kind === 'secrets' ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()])) : data;
    } catch (e) {
      if (optional) return {};
      throw e;
    }
  };

  /** The container's environment as the kubelet builds it (envFrom, then env, each with $(VAR) expansion). */
  const containerEnv = async (pod: Pod, c: Container): Promise<Record<string, string>> => {
    const env: Record<string, string> = {
      PATH: [...o.path, SYSTEM_PATH].join(':'),
      HOME: '/root',
      HOSTNAME: pod.metadata.name,
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: apiPort,
      KUBERNETES_SERVICE_PORT_HTTPS: apiPort,
    };
    for (const from of c.envFrom ?? []) {
      const ref = from.configMapRef ?? from.secretRef;
      if (!ref) continue;
      const data = await objectData(from.configMapRef ? 'configmaps' : 'secrets', pod.metadata.namespace, ref.name, ref.optional);
      for (const [k, v] of Object.entries(data)) env[(from.prefix ?? '') + k] = v;
    }
    for (const e of c.env ?? []) {
      const vf = e.valueFrom;
      let v: string | undefined;
      if (!vf) v = expand(e.value ?? '', env);
      else if (vf.fieldRef) v = field(pod, vf.fieldRef.fieldPath);
      else if (vf.resourceFieldRef) v = resourceValue(c, vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor);
      else if (vf.secretKeyRef) v = (await objectData('secrets', pod.metadata.namespace, vf.secretKeyRef.name, vf.secretKeyRef.optional))[vf.secretKeyRef.key];
      else if (vf.configMapKeyRef) v = (await objectData('configmaps', pod.metadata.namespace, vf.configMapKeyRef.name, vf.configMapKeyRef.optional))[vf.configMapKeyRef.key];
      if (v !== undefined) env[e.name] = v;
    }
    return env;
  };

  /** Volume folders: emptyDir empty, ConfigMap/Secret/downward API ones filled with their files. */
  const makeVolumes = async (pod: Pod, dir: string): Promise<Map<string, string>> => {
    const vols = new Map<string, string>();
    for (const v of pod.spec.volumes ?? []) {
      const d = path.join(dir, 'volumes', v.name);
      await fsp.mkdir(d, { recursive: true });
      vols.set(v.name, d);
      let files: Record<string, string> = {};
      if (v.configMap || v.secret) {
        const data = v.configMap ? await objectData('configmaps', pod.metadata.namespace, v.configMap.name, v.configMap.optional)
          : await objectData('secrets', pod.metadata.namespace, v.secret!.secretName, v.secret!.optional);
        const items = (v.configMap ?? v.secret)!.items;
        files = items ? Object.fromEntries(items.map((i) => [i.path, data[i.key] ?? ''])) : data;
      } else if (v.downwardAPI) {
        files = Object.fromEntries(v.downwardAPI.items.filter((i) => i.fieldRef).map((i) => [i.path, field(pod, i.fieldRef!.fieldPath)]));
      }
      for (const [p, text] of Object.entries(files)) {
        await fsp.mkdir(path.dirname(path.join(d, p)), { recursive: true });
        await fsp.writeFile(path.join(d, p), text);
      }
    }
    return vols;
  };

  /** The pod's service-account token folder (TokenRequest bound to the pod), as kubelet projects it. */
  const serviceAccountDir = async (pod: Pod, dir: string): Promise<string | undefined> => {
    if (pod.spec.automountServiceAccountToken === false) return undefined;
    // The rig's apiserver runs without the ServiceAccount admission plugin, which would set `default` on pods that
    // name none; the apiserver binds a token only to a pod that names its service account.
    const sa = pod.spec.serviceAccountName ?? 'default';
    const bound = pod.spec.serviceAccountName ? { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.metadata.name, uid: pod.metadata.uid } } : {};
    const tr = await api.request<{ status: { token: string } }>('POST',
      `/api/v1/namespaces/${ns(pod.metadata.namespace)}/serviceaccounts/${encodeURIComponent(sa)}/token`,
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600, ...bound } });
    const d = path.join(dir, 'serviceaccount');
    await fsp.mkdir(d, { recursive: true });
    await fsp.writeFile(path.join(d, 'token'), tr.status.token, { mode: 0o600 });
    await fsp.writeFile(path.join(d, 'ca.crt'), caCert);
    await fsp.writeFile(path.join(d, 'namespace'), pod.metadata.namespace);
    return d;
  };

  const runContainer = async (pod: Pod, c: Container, dir: string, vols: Map<string, string>, podFiles: string[], log: PodLogHandle): Promise<PlayedContainer> => {
    const startedAt = new Date().toISOString();
    const env = await containerEnv(pod, c);
    const argv = [...(c.command ?? []), ...(c.args ?? [])].map((a) => expand(a, env));
    const finish = (exitCode: number): PlayedContainer => ({ name: c.name, exitCode, startedAt, finishedAt: new Date().toISOString() });
    // a pod being stopped starts no further container (a kubelet that kills a pod starts none of its containers)
    if (stopping.has(pod.metadata.uid)) return finish(143);
    if (!argv.length) {
      // no command: the image's entrypoint would run, and there is no image here
      await log.append([`pod player: container ${c.name} (image ${c.image}) has no command; images do not run on the rig`], 'stderr');
      return finish(128);
    }
    const binds: string[] = [...podFiles];
    for (const m of c.volumeMounts ?? []) {
      const src = vols.get(m.name);
      if (!src) continue;
      const full = m.subPath ? path.join(src, m.subPath) : src;
      if (m.subPath && !fs.existsSync(full)) await fsp.mkdir(full, { recursive: true });
      binds.push('--bind', full, m.mountPath);
    }
    binds.push(...imageBinds); // last: a volume at /tmp (Argo's wait container has one) would hide them
    const cdir = path.join(dir, 'containers', c.name);
    await fsp.mkdir(path.join(cdir, 'root'), { recursive: true });
    // checked again after the awaits: a player stopped meanwhile (the rig tearing down) starts nothing that outlives it
    if (stopped || stopping.has(pod.metadata.uid)) return finish(143);
    const child = spawn('unshare', ['--mount', '--uts', '--pid', '--propagation', 'private', '--fork', 'bash', CTR_RUN,
      path.join(cdir, 'root'), cdir, c.workingDir || '/', ...binds, '--', ...argv], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const set = running.get(pod.metadata.uid) ?? new Set();
    running.set(pod.metadata.uid, set.add(child));
    let chain = Promise.resolve();
    const pipe = (stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr') => {
      let carry = '';
      stream.on('data', (d: Buffer) => {
        const lines = (carry + d.toString()).split('\n');
        carry = lines.pop()!;
        if (lines.length) chain = chain.then(() => log.append(lines, name));
      });
      stream.on('end', () => { if (carry) chain = chain.then(() => log.append([carry], name)); });
    };
    pipe(child.stdout!, 'stdout');
    pipe(child.stderr!, 'stderr');
    const code = await new Promise<number>((resolve) => {
      child.on('error', () => resolve(127));
      child.on('close', (exitCode, signal) => resolve(exitCode ?? (signal === 'SIGKILL' ? 137 : 143)));
    });
    set.delete(child);
    await chain;
    return finish(code);
  };

  const playPod = async (pod: Pod): Promise<void> => {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const dir = path.join(o.workDir, `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid.slice(0, 8)}`);
    await fsp.mkdir(dir, { recursive: true });
    const results: PlayedContainer[] = [];
    played.set(key, results);
    const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    const logs = new Map<string, PodLogHandle>();
    for (const c of all) logs.set(c.name, await rig.podLogs(pod.metadata.namespace, pod.metadata.name, [], { containers: [c.name] }));
    const vols = await makeVolumes(pod, dir);
    const saDir = await serviceAccountDir(pod, dir);
    const hosts = path.join(dir, 'hosts');
    await fsp.writeFile(hosts, clusterNet.hostsFile(pod.metadata.namespace));
    const podFiles = ['--bind', hosts, '/etc/hosts', ...(saDir ? ['--bind', saDir, SA_DIR] : [])];
    const init: PlayedContainer[] = [];
    for (const c of pod.spec.initContainers ?? []) {
      const r = await runContainer(pod, c, dir, vols, podFiles, logs.get(c.name)!);
      init.push(r);
      results.push(r);
      if (r.exitCode !== 0) break;
    }
    const initOk = init.every((r) => r.exitCode === 0);
    const main = initOk ? await Promise.all(pod.spec.containers.map(async (c) => {
      const r = await runContainer(pod, c, dir, vols, podFiles, logs.get(c.name)!);
      results.push(r);
      return r;
    })) : [];
    running.delete(pod.metadata.uid);
    clearTimeout(stopping.get(pod.metadata.uid));
    stopping.delete(pod.metadata.uid);
    if (stopped) return;
    await reportStatus(pod, init, main, initOk);
  };

  /** The pod's final status, as the kubelet writes it when its containers have ended (restartPolicy Never). */
  const reportStatus = async (pod: Pod, init: PlayedContainer[], main: PlayedContainer[], initOk: boolean): Promise<void> => {
    const now = new Date().toISOString();
    const status = (c: Container, r: PlayedContainer | undefined) => ({
      name: c.name, image: c.image ?? '', imageID: '', ready: false, restartCount: 0, started: false,
      state: r ? { terminated: { exitCode: r.exitCode, reason: r.exitCode === 0 ? 'Completed' : 'Error', startedAt: r.startedAt, finishedAt: r.finishedAt } }
        : { waiting: { reason: 'PodInitializing' } },
    });
    const ok = initOk && main.every((r) => r.exitCode === 0);
    const cond = (type: string) => ({ type, status: 'False', reason: 'PodCompleted', lastTransitionTime: now });
    await api.request('PATCH', `/api/v1/namespaces/${ns(pod.metadata.namespace)}/pods/${encodeURIComponent(pod.metadata.name)}/status`, {
      status: {
        phase: ok ? 'Succeeded' : 'Failed',
        conditions: [{ type: 'Initialized', status: initOk ? 'True' : 'False', lastTransitionTime: now }, cond('Ready'), cond('ContainersReady'),
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now }],
        initContainerStatuses: (pod.spec.initContainers ?? []).map((c) => status(c, init.find((r) => r.name === c.name))),
        containerStatuses: pod.spec.containers.map((c) => status(c, main.find((r) => r.name === c.name))),
      },
    }, 'application/merge-patch+json');
  };

  const failPod = (pod: Pod, message: string) =>
    api.request('PATCH', `/api/v1/namespaces/${ns(pod.metadata.namespace)}/pods/${encodeURIComponent(pod.metadata.name)}/status`,
      { status: { phase: 'Failed', reason: 'PodPlayerError', message: `pod player: ${message}` } }, 'application/merge-patch+json');

  const timer = setInterval(() => void tick(), 300);
  timer.unref();
  return {
    played,
    async stop() {
      stopped = true;
      clearInterval(timer);
      for (const uid of running.keys()) killPod(uid);
      clusterNet.close();
      api.close();
    },
  };
}

/** Kubernetes' $(VAR) expansion of env values, commands and args: `$$(` escapes, unknown references stay. */
export function expand(s: string, env: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return name !== undefined && name in env ? env[name]! : m;
  });
}

/** A resourceFieldRef value: the container's limit (or request), in units of the divisor (default 1). */
function resourceValue(c: Container, resource: string, divisor = '1'): string {
  const [kind, name] = resource.split('.') as [string, string];
  const raw = (kind === 'limits' ? c.resources?.limits?.[name] : c.resources?.requests?.[name]) ?? (name === 'cpu' ? '16' : '68719476736');
  return String(Math.ceil(quantity(raw) / quantity(divisor)));
}

function quantity(q: string): number {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q);
  if (!m) return Number(q);
  const units: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
  return Number(m[1]) * (units[m[2]!] ?? 1);
}
