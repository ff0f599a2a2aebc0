// kwok configuration for the test rig: our own Stage(s), fake nodes, and the per-pod Logs / PortForward
// custom resources that tests register while the rig runs.
//
// The upstream stages (node-initialize, node-heartbeat-with-lease, pod-ready/complete/delete, pod chaos)
// are copied by build.sh from the kwok module into $KFVS_CACHE/kube/<versions>/share/kwok/stage and passed
// to kwok with --config. Logs, ClusterLogs, PortForward, ClusterPortForward, Exec, ClusterExec are enabled
// as CRDs (--enable-crds), so they must NOT appear in --config (kwok refuses a kind in both places).
//
// kwok reads Logs/PortForward rules from its informers at request time (matched by pod name/namespace, not uid),
// so a CR applied before the pod is created, after it runs, or kept across a delete + recreate under the same name
// is honoured. kwok#1226 (late apply acting late) concerns Stage CRs only; stages here come from --config.
// The informers do lag (first LIST after kwok starts, and a cached view): index.ts has a sync barrier for that.

/** Pods carrying this label (value "true") go Running -> Succeeded (bare pods; Job-owned pods do by themselves). */
export const COMPLETE_LABEL = 'rig.test/complete';
/** Upstream chaos stage: pods with this label (value "true") go Running -> Failed. */
export const FAIL_LABEL = 'pod-container-running-failed.stage.kwok.x-k8s.io';
/** Annotations read by the chaos stage for the Failed container status. */
export const FAIL_ANNOTATIONS = {
  exitCode: 'pod-container-running-failed.stage.kwok.x-k8s.io/exit-code',
  reason: 'pod-container-running-failed.stage.kwok.x-k8s.io/reason',
  message: 'pod-container-running-failed.stage.kwok.x-k8s.io/message',
  containerName: 'pod-container-running-failed.stage.kwok.x-k8s.io/container-name',
  /** Go duration after Running, default 1s (+ up to 1s jitter, see jitterDelay). */
  delay: 'pod-container-running-failed.stage.kwok.x-k8s.io/delay',
  jitterDelay: 'pod-container-running-failed.stage.kwok.x-k8s.io/jitter-delay',
} as const;

/** kwok kinds enabled as CRDs (applied from the copied upstream CRD YAML before kwok starts). */
export const KWOK_CRD_KINDS = ['Logs', 'ClusterLogs', 'PortForward', 'ClusterPortForward', 'Exec', 'ClusterExec'];

export const GPU_NODE = 'kwok-gpu-0';
export const CPU_NODE = 'kwok-cpu-0';

/** Our own stage(s), written into the run dir and passed to kwok as an extra --config file. */
export function rigStagesYaml(): string {
  return `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: kfvs-rig-pod-succeed
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.phase'
      operator: 'In'
      values: ['Running']
    - key: '.metadata.labels["${COMPLETE_LABEL}"]'
      operator: 'In'
      values: ['true']
  delay:
    durationMilliseconds: 200
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - lastTransitionTime: {{ $now | Quote }}
        status: "False"
        type: Ready
        reason: PodCompleted
      - lastTransitionTime: {{ $now | Quote }}
        status: "False"
        type: ContainersReady
        reason: PodCompleted
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        restartCount: 0
        started: false
        state:
          terminated:
            exitCode: 0
            reason: Completed
            startedAt: {{ $now | Quote }}
            finishedAt: {{ $now | Quote }}
      {{ end }}
      phase: Succeeded
`;
}

export interface NodeSpec {
  name: string;
  cpu: string;
  memory: string;
  gpus?: number;
  labels?: Record<string, string>;
}

/** A fake node managed by kwok (--manage-all-nodes). Status capacity/allocatable is kept by node-initialize. */
export function nodeObject(n: NodeSpec): Record<string, unknown> {
  const resources: Record<string, string> = { cpu: n.cpu, memory: n.memory, pods: '110' };
  if (n.gpus) resources['nvidia.com/gpu'] = String(n.gpus);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
      labels: {
        type: 'kwok',
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        ...(n.gpus ? { 'nvidia.com/gpu.present': 'true' } : {}),
        ...n.labels,
      },
    },
    spec: { providerID: `kwok://${n.name}` },
    status: { capacity: resources, allocatable: resources },
  };
}

export const DEFAULT_NODES: NodeSpec[] = [
  { name: GPU_NODE, cpu: '32', memory: '256Gi', gpus: 8, labels: { 'node.kubernetes.io/instance-type': 'kwok-gpu-8' } },
  { name: CPU_NODE, cpu: '16', memory: '64Gi', labels: { 'node.kubernetes.io/instance-type': 'kwok-cpu-16' } },
];

export interface LogEntry {
  /** Container names this file serves; empty/undefined = every container of the pod. */
  containers?: string[];
  logsFile: string;
  previousLogsFile?: string;
}

/** Per-pod kwok Logs CR: name/namespace are the pod's. */
export function logsObject(namespace: string, pod: string, entries: LogEntry[]): Record<string, unknown> {
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Logs',
    metadata: { name: pod, namespace },
    spec: {
      logs: entries.map((e) => ({
        containers: e.containers ?? [],
        logsFile: e.logsFile,
        ...(e.previousLogsFile ? { previousLogsFile: e.previousLogsFile } : {}),
        follow: true,
      })),
    },
  };
}

export interface ForwardEntry {
  podPort: number;
  address: string;
  port: number;
}

/** Per-pod kwok PortForward CR: pod:podPort is piped to address:port on this machine. */
export function portForwardObject(namespace: string, pod: string, forwards: ForwardEntry[]): Record<string, unknown> {
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'PortForward',
    metadata: { name: pod, namespace },
    spec: {
      forwards: forwards.map((f) => ({ ports: [f.podPort], target: { address: f.address, port: f.port } })),
    },
  };
}

/**
 * Lines in CRI log format as kwok (cri-client ReadLogs) requires: `<RFC3339Nano> <stdout|stderr> F <text>`.
 * Plain text is rejected by the kubelet log reader ("unsupported log format").
 */
export function criLogLines(lines: string[], stream: 'stdout' | 'stderr' = 'stdout', at: Date = new Date()): string {
  const ts = at.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
  return lines.flatMap((l) => l.split('\n')).map((l) => `${ts} ${stream} F ${l}\n`).join('');
}
