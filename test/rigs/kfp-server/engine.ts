// Run execution the way KFP 2.x + Argo Workflows shows it through the API, without an Argo controller: the stand-in
// plays the compiled workflow (backend/src/v2/compiler/argocompiler) and the persistence agent at once.
//
// Workflow `<pipeline-name>-<5 chars>` in the run's namespace. Argo nodes, named as Argo names them
// (`<wf>`, `<wf>.root-driver`, `<wf>.root`, `<dag>.<task>-driver`, `<dag>.<task>`, `<dag>.<task>.pod`), node ids
// `<wf>-<fnv32a(node name)>`, pods `<wf>-<template>-<same hash>` (Argo POD_NAMES=v2):
//   - entrypoint DAG `<wf>` → `root-driver` (system-dag-driver) then `root` (DAG of the IR root);
//   - a container task → `<task>-driver` (system-container-driver) then `<task>` (DAG system-container-executor)
//     whose child `pod` (system-container-impl) is a real pod on the kube rig (kwok), container `main`, with logs;
//   - a sub-DAG task → `<task>-driver` (system-dag-driver) then `<task>` (DAG) with the inner tasks as children;
//   - a ParallelFor → `<task>-driver` then `<task>` with one DAG child `<task>(i)` per item.
// Drivers are nodes only (no pod). Task details are every node, sorted by node id, converted as
// server/api_converter.go toModelTasks/toApiPipelineTaskDetail do (create_time = workflow creation for all,
// unset times as 1970-01-01T00:00:00Z, child_tasks[].pod_name = child node ids).
//
// Failure: a failed step fails its DAGs up to the root; like Argo's default failFast, nothing new starts in a failed
// DAG except tasks with strategy ALL_UPSTREAM_TASKS_COMPLETED (exit handlers). Terminate sets the workflow's
// deadline to 0: the run shows CANCELING, running pods are killed (Failed), the run ends FAILED. Retry keeps
// Succeeded/Skipped nodes, drops failed pod nodes and their pods, and runs the rest again
// (util/workflow.go GenerateRetryExecution).
import crypto from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { KubeRig, PodLogHandle } from '../kube/index';
import { FAIL_ANNOTATIONS, FAIL_LABEL, COMPLETE_LABEL } from '../kube/index';
import { evalCondition, UnknownValue, type ComponentSpec, type DagSpec, type ParsedPipeline, type TaskSpec } from './ir';
import type { KubeApi } from '../kube/kube-api';

export type NodePhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Error' | 'Skipped' | 'Omitted';
export type NodeType = 'DAG' | 'Pod' | 'Skipped';

export interface ArgoNode {
  id: string;
  name: string;
  displayName: string;
  type: NodeType;
  templateName: string;
  phase: NodePhase;
  message?: string;
  startedAt?: number;
  finishedAt?: number;
  children: string[];
  /** Stable task uuid (the task row the persistence agent keeps for this node). */
  taskId: string;
  history: Array<{ state: string; time: number }>;
  pod?: { namespace: string; name: string };
}

export interface Workflow {
  name: string;
  namespace: string;
  /** Seconds. */
  createdAt: number;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  nodes: Map<string, ArgoNode>;
  terminating: boolean;
  abort: AbortController;
  /** Outputs of finished tasks, by task node name; kept across retries. */
  outputs: Map<string, Record<string, unknown>>;
  message?: string;
}

export interface EngineOptions {
  stepDelayMs: number;
  driverDelayMs: number;
  pendingDelayMs: number;
  failTasks: Set<string>;
  caching: boolean;
}

/** What the engine needs to know about a run and tells back. */
export interface RunHandle {
  id: string;
  displayName: string;
  namespace: string;
  serviceAccount: string;
  parsed: ParsedPipeline;
  parameters: Record<string, unknown>;
  /** Per-run overrides parsed from the description (`rig:fail=a,b`, `rig:delay=ms`). */
  failTasks: Set<string>;
  stepDelayMs?: number;
  workflow?: Workflow;
  onPhase(phase: 'Running' | 'Succeeded' | 'Failed' | 'Terminating', message?: string): void;
}

export const V2_COMPONENT_LABEL = 'pipelines.kubeflow.org/v2_component';

const GENERATE_NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Argo's pod name for a node: `<wf>-<template>-<hash>`, the prefix cut so the whole fits 63 characters. */
export function argoPodName(wf: string, template: string, nodeName: string): string {
  const hash = String(fnv32a(nodeName));
  let prefix = `${wf}-${template}`;
  if (prefix.length + hash.length + 1 > 63) prefix = prefix.slice(0, 63 - hash.length - 1);
  return `${prefix}-${hash}`;
}

export function workflowName(pipelineName: string): string {
  const base = pipelineName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 57) || 'pipeline';
  let suffix = '';
  for (const b of crypto.randomBytes(5)) suffix += GENERATE_NAME_CHARS[b % GENERATE_NAME_CHARS.length];
  return `${base}-${suffix}`;
}

const nowSec = () => Math.floor(Date.now() / 1000);
const STATE: Record<NodePhase, string> = {
  Pending: 'PENDING', Running: 'RUNNING', Succeeded: 'SUCCEEDED', Failed: 'FAILED', Error: 'FAILED', Skipped: 'SKIPPED', Omitted: 'RUNTIME_STATE_UNSPECIFIED',
};

class Aborted extends Error {}

/** Every sleeping step listens on the workflow's signal: many at once in a wide DAG or a loop. */
function abortController(): AbortController {
  const c = new AbortController();
  setMaxListeners(0, c.signal);
  return c;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) { reject(new Aborted()); return; }
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); reject(new Aborted()); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

type TaskResult = 'Succeeded' | 'Failed' | 'Skipped';

interface Scope {
  /** The DAG node the tasks hang under. */
  node: ArgoNode;
  /** The DAG's input parameter values (UnknownValue for outputs the stand-in does not compute). */
  params: Record<string, unknown>;
  dag: DagSpec;
}

export class Engine {
  private readonly cacheHits = new Map<string, { pod: string }>();
  /** Promises of work in flight (pod creation, log writes), awaited by stop(). */
  private readonly pending = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly kube: KubeRig, private readonly api: KubeApi, readonly options: EngineOptions, private readonly onError: (e: unknown) => void) {}

  /** Creates the workflow and plays it in the background. */
  start(run: RunHandle): void {
    const wf: Workflow = {
      name: workflowName(run.parsed.spec.pipelineInfo.name),
      namespace: run.namespace,
      createdAt: nowSec(),
      phase: 'Pending',
      nodes: new Map(),
      terminating: false,
      abort: abortController(),
      outputs: new Map(),
    };
    run.workflow = wf;
    this.track(this.play(run, wf, this.options.pendingDelayMs));
  }

  terminate(run: RunHandle): void {
    const wf = run.workflow;
    if (!wf || wf.terminating) return;
    wf.terminating = true;
    // the deadline patch reaches the controller, the next report shows the run terminating, then the pods are killed
    const t = setTimeout(() => {
      if (!['Succeeded', 'Failed'].includes(wf.phase)) run.onPhase('Terminating');
      wf.abort.abort();
    }, this.options.driverDelayMs + 200);
    t.unref?.();
  }

  /** GenerateRetryExecution + a new pass over the DAG. The caller checked that the run is FAILED. */
  retry(run: RunHandle): void {
    const wf = run.workflow;
    if (!wf) return;
    const keep = new Map<string, ArgoNode>();
    const podsToDelete: ArgoNode[] = [];
    for (const n of wf.nodes.values()) {
      if (n.phase === 'Succeeded' || n.phase === 'Skipped') { keep.set(n.name, n); continue; }
      if (n.type === 'DAG' && (n.phase === 'Failed' || n.phase === 'Error' || n.phase === 'Omitted')) {
        n.phase = 'Running';
        n.message = undefined;
        n.finishedAt = undefined;
        n.history.push({ state: 'RUNNING', time: nowSec() });
        keep.set(n.name, n);
        continue;
      }
      if (n.type === 'Pod' && n.pod) podsToDelete.push(n);
    }
    const ids = new Set([...keep.values()].map((n) => n.id));
    for (const n of keep.values()) n.children = n.children.filter((c) => ids.has(c));
    wf.nodes = keep;
    wf.terminating = false;
    wf.abort = abortController();
    wf.message = undefined;
    this.track((async () => {
      await Promise.all(podsToDelete.map((n) => this.api.deletePod(n.pod!.namespace, n.pod!.name)));
      await this.play(run, wf, 0);
    })());
  }

  /** The run's task details, as the API returns them. */
  taskDetails(runId: string, wf: Workflow): Array<Record<string, unknown>> {
    const ts = (sec?: number) => new Date((sec ?? 0) * 1000).toISOString().replace('.000Z', 'Z');
    return [...wf.nodes.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((n) => {
      const d: Record<string, unknown> = {
        run_id: runId,
        task_id: n.taskId,
        display_name: n.displayName,
        create_time: ts(wf.createdAt),
        start_time: ts(n.startedAt),
        end_time: ts(n.finishedAt),
        state: STATE[n.phase],
      };
      if (n.phase === 'Omitted') delete d.state;
      if (n.history.length) d.state_history = n.history.map((h) => ({ update_time: ts(h.time), state: h.state }));
      if (n.children.length) d.child_tasks = n.children.map((c) => ({ pod_name: c }));
      return d;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.pending]);
  }

  // ----------------------------------------------------------------------------------------------

  private track(p: Promise<unknown>): void {
    const q = p.catch((e) => { if (!(e instanceof Aborted) && !this.stopped) this.onError(e); });
    this.pending.add(q);
    void q.finally(() => this.pending.delete(q));
  }

  private node(wf: Workflow, parent: ArgoNode | undefined, name: string, displayName: string, type: NodeType, templateName: string): ArgoNode {
    const existing = wf.nodes.get(name);
    if (existing) {
      if (parent && !parent.children.includes(existing.id)) parent.children.push(existing.id);
      return existing;
    }
    const n: ArgoNode = {
      id: `${wf.name}-${fnv32a(name)}`, name, displayName, type, templateName, phase: 'Pending', children: [],
      taskId: crypto.randomUUID(), history: [],
    };
    wf.nodes.set(name, n);
    if (parent) parent.children.push(n.id);
    this.setPhase(n, 'Pending');
    return n;
  }

  private setPhase(n: ArgoNode, phase: NodePhase, message?: string): void {
    if (n.phase === phase && n.history.length) return;
    n.phase = phase;
    if (message !== undefined) n.message = message;
    const t = nowSec();
    if (phase === 'Running' && n.startedAt === undefined) n.startedAt = t;
    if (['Succeeded', 'Failed', 'Error', 'Skipped', 'Omitted'].includes(phase)) {
      n.startedAt ??= t;
      n.finishedAt = t;
    }
    const state = STATE[phase];
    if (n.history[n.history.length - 1]?.state !== state) n.history.push({ state, time: t });
  }

  private async play(run: RunHandle, wf: Workflow, pendingMs: number): Promise<void> {
    const signal = wf.abort.signal;
    try {
      if (pendingMs) await sleep(pendingMs, signal);
      wf.phase = 'Running';
      run.onPhase('Running');
      const entry = this.node(wf, undefined, wf.name, wf.name, 'DAG', 'entrypoint');
      this.setPhase(entry, 'Running');
      const rootDriver = this.node(wf, entry, `${wf.name}.root-driver`, 'root-driver', 'Pod', 'system-dag-driver');
      await this.driver(rootDriver, signal);
      const root = this.node(wf, entry, `${wf.name}.root`, 'root', 'DAG', 'root');
      const params = rootParameters(run);
      const result = await this.runDag(run, wf, { node: root, params, dag: run.parsed.spec.root.dag ?? {} });
      this.setPhase(entry, result === 'Failed' ? 'Failed' : 'Succeeded', result === 'Failed' ? `child '${root.id}' failed` : undefined);
      wf.phase = result === 'Failed' ? 'Failed' : 'Succeeded';
      run.onPhase(wf.phase, result === 'Failed' ? `child '${root.id}' failed` : undefined);
    } catch (e) {
      if (!(e instanceof Aborted)) throw e;
      // terminated: every unfinished node fails, like Argo after activeDeadlineSeconds=0
      for (const n of wf.nodes.values()) {
        if (n.phase === 'Running' || n.phase === 'Pending') this.setPhase(n, 'Failed', 'Step exceeded its deadline');
      }
      wf.phase = 'Failed';
      wf.message = 'Step exceeded its deadline';
      run.onPhase('Failed', wf.message);
    }
  }

  private async driver(n: ArgoNode, signal: AbortSignal): Promise<void> {
    if (n.phase === 'Succeeded') return;
    this.setPhase(n, 'Running');
    await sleep(this.options.driverDelayMs, signal);
    this.setPhase(n, 'Succeeded');
  }

  /** Runs the tasks of a DAG in dependency order; returns the DAG's result (also set on scope.node). */
  private async runDag(run: RunHandle, wf: Workflow, scope: Scope): Promise<TaskResult> {
    if (scope.node.phase === 'Succeeded') return 'Succeeded';
    this.setPhase(scope.node, 'Running');
    const tasks = scope.dag.tasks ?? {};
    const keys = Object.keys(tasks).sort();
    const done = new Map<string, TaskResult | 'NotRun'>();
    const running = new Map<string, Promise<void>>();
    let failed = false;
    let aborted: unknown;
    for (;;) {
      for (const key of keys) {
        if (done.has(key) || running.has(key)) continue;
        const t = tasks[key]!;
        const deps = t.dependentTasks ?? [];
        if (!deps.every((d) => done.has(d) || !tasks[d])) continue;
        const allCompleted = t.triggerPolicy?.strategy === 'ALL_UPSTREAM_TASKS_COMPLETED';
        const upstreamFailed = deps.some((d) => done.get(d) === 'Failed' || done.get(d) === 'NotRun');
        if (!allCompleted && (upstreamFailed || failed)) { done.set(key, 'NotRun'); continue; }
        if (wf.terminating) { done.set(key, 'NotRun'); continue; }
        // never rejects: an abort is remembered and rethrown once every running task has stopped
        running.set(key, (async () => {
          try {
            const r = await this.runTask(run, wf, scope, key, t);
            done.set(key, r);
            if (r === 'Failed') failed = true;
          } catch (e) {
            done.set(key, 'Failed');
            failed = true;
            aborted ??= e;
          }
        })().finally(() => running.delete(key)));
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
    if (aborted) throw aborted;
    const result: TaskResult = failed ? 'Failed' : 'Succeeded';
    this.setPhase(scope.node, result, failed ? 'child failed' : undefined);
    this.collectDagOutputs(wf, scope);
    return result;
  }

  private collectDagOutputs(wf: Workflow, scope: Scope): void {
    const outs = scope.dag.outputs?.parameters ?? {};
    const values: Record<string, unknown> = {};
    for (const [name, o] of Object.entries(outs)) {
      const src = o.valueFromParameter;
      if (!src?.producerSubtask) continue;
      values[name] = wf.outputs.get(`${scope.node.name}.${src.producerSubtask}`)?.[src.outputParameterKey ?? 'Output'] ?? new UnknownValue();
    }
    wf.outputs.set(scope.node.name, values);
  }

  private resolveInputs(wf: Workflow, scope: Scope, t: TaskSpec): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, p] of Object.entries(t.inputs?.parameters ?? {})) {
      if (p.componentInputParameter !== undefined) out[name] = scope.params[p.componentInputParameter];
      else if (p.runtimeValue) out[name] = p.runtimeValue.constant;
      else if (p.taskOutputParameter?.producerTask) {
        const produced = wf.outputs.get(`${scope.node.name}.${p.taskOutputParameter.producerTask}`);
        out[name] = produced?.[p.taskOutputParameter.outputParameterKey ?? 'Output'] ?? new UnknownValue();
      } else if (p.taskFinalStatus) {
        out[name] = { state: 'SUCCEEDED', pipelineJobResourceName: wf.name, pipelineTaskName: p.taskFinalStatus.producerTask };
      }
    }
    return out;
  }

  private async runTask(run: RunHandle, wf: Workflow, scope: Scope, key: string, t: TaskSpec): Promise<TaskResult> {
    const signal = wf.abort.signal;
    const comp: ComponentSpec = run.parsed.spec.components?.[t.componentRef?.name ?? ''] ?? {};
    const inputs = this.resolveInputs(wf, scope, t);
    const base = `${scope.node.name}.${key}`;
    const isDag = !!comp.dag;
    const iterating = !!(t.parameterIterator || t.artifactIterator);
    const drv = this.node(wf, scope.node, `${base}-driver`, `${key}-driver`, 'Pod', isDag || iterating ? 'system-dag-driver' : 'system-container-driver');
    await this.driver(drv, signal);

    const existing = wf.nodes.get(base);
    if (existing && (existing.phase === 'Succeeded' || existing.phase === 'Skipped')) return existing.phase;

    let conditionHolds = true;
    if (t.triggerPolicy?.condition) {
      try { conditionHolds = evalCondition(t.triggerPolicy.condition, inputs); } catch { conditionHolds = true; }
    }
    if (!conditionHolds) {
      const n = this.node(wf, scope.node, base, key, 'Skipped', isDag ? (t.componentRef?.name ?? key) : 'system-container-executor');
      this.setPhase(n, 'Skipped', 'when \'false\' evaluated false');
      return 'Skipped';
    }

    if (iterating) return this.runLoop(run, wf, scope, key, t, comp, inputs);
    if (isDag) {
      const n = this.node(wf, scope.node, base, key, 'DAG', t.componentRef?.name ?? key);
      return this.runDag(run, wf, { node: n, params: inputs, dag: comp.dag! });
    }
    return this.runContainer(run, wf, scope, key, t, comp, inputs);
  }

  private async runLoop(run: RunHandle, wf: Workflow, scope: Scope, key: string, t: TaskSpec, comp: ComponentSpec, inputs: Record<string, unknown>): Promise<TaskResult> {
    const base = `${scope.node.name}.${key}`;
    const group = this.node(wf, scope.node, base, key, 'DAG', t.componentRef?.name ?? key);
    if (group.phase === 'Succeeded') return 'Succeeded';
    this.setPhase(group, 'Running');
    let items: unknown[];
    const src = t.parameterIterator?.items;
    if (src?.raw !== undefined) {
      try { items = JSON.parse(src.raw) as unknown[]; } catch { items = []; }
    } else if (src?.inputParameter !== undefined) {
      const v = inputs[src.inputParameter];
      items = Array.isArray(v) ? v : [0, 1, 2];
    } else {
      items = [0, 1];
    }
    items = items.slice(0, 10);
    const itemInput = t.parameterIterator?.itemInput ?? t.artifactIterator?.itemInput ?? 'item';
    const limit = t.iteratorPolicy?.parallelismLimit || items.length || 1;
    let failed = false;
    let aborted: unknown;
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const i = next++;
        if (wf.terminating || failed) return;
        const it = this.node(wf, group, `${base}(${i})`, `${key}(${i})`, 'DAG', t.componentRef?.name ?? key);
        try {
          const r = await this.runDag(run, wf, { node: it, params: { ...inputs, [itemInput]: items[i] }, dag: comp.dag ?? {} });
          if (r === 'Failed') failed = true;
        } catch (e) {
          failed = true;
          aborted ??= e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, Math.max(items.length, 1)) }, worker));
    if (aborted) throw aborted;
    this.setPhase(group, failed ? 'Failed' : 'Succeeded', failed ? 'child failed' : undefined);
    return failed ? 'Failed' : 'Succeeded';
  }

  private async runContainer(run: RunHandle, wf: Workflow, scope: Scope, key: string, t: TaskSpec, comp: ComponentSpec, inputs: Record<string, unknown>): Promise<TaskResult> {
    const signal = wf.abort.signal;
    const base = `${scope.node.name}.${key}`;
    const exec = this.node(wf, scope.node, base, key, 'DAG', 'system-container-executor');
    this.setPhase(exec, 'Running');
    const executor = run.parsed.spec.deploymentSpec?.executors?.[comp.executorLabel ?? ''] ?? {};
    const displayName = t.taskInfo?.name ?? key;

    // caching: the driver finds an earlier successful execution with the same fingerprint; the pod is skipped
    const fail = run.failTasks.has(key) || run.failTasks.has(displayName) || this.options.failTasks.has(key) || this.options.failTasks.has(displayName);
    // a task made to fail stands for changed code, so it never hits the cache
    const fingerprint = fail ? undefined : cacheKey(run.namespace, comp, executor, inputs);
    if (this.options.caching && t.cachingOptions?.enableCache && fingerprint && this.cacheHits.has(fingerprint)) {
      const pod = this.node(wf, exec, `${base}.pod`, 'pod', 'Skipped', 'system-container-impl');
      this.setPhase(pod, 'Skipped', 'when \'true != true\' evaluated false');
      this.setPhase(exec, 'Succeeded');
      wf.outputs.set(base, simulatedOutputs(comp));
      return 'Succeeded';
    }

    const podNode = this.node(wf, exec, `${base}.pod`, 'pod', 'Pod', 'system-container-impl');
    const podName = argoPodName(wf.name, 'system-container-impl', podNode.name);
    podNode.pod = { namespace: wf.namespace, name: podName };
    const image = executor.container?.image ?? (executor.importer ? 'ghcr.io/kubeflow/kfp-driver:2.17.0' : 'python:3.11');
    const logs = executorLog(run, key, comp, executor, inputs);

    let handle: PodLogHandle | undefined;
    let created = false;
    try {
      handle = await this.kube.podLogs(wf.namespace, podName, logs.start, { containers: ['main'] });
      await this.api.createPod(wf.namespace, {
        apiVersion: 'v1', kind: 'Pod',
        metadata: {
          name: podName, namespace: wf.namespace,
          labels: {
            'pipeline/runid': run.id,
            'workflows.argoproj.io/workflow': wf.name,
            'workflows.argoproj.io/completed': 'false',
            [V2_COMPONENT_LABEL]: 'true',
          },
          annotations: {
            'workflows.argoproj.io/node-id': podNode.id,
            'workflows.argoproj.io/node-name': podNode.name,
            'pipelines.kubeflow.org/v2_pipeline': 'true',
            'pipelines.kubeflow.org/task_name': displayName,
            'pipelines.kubeflow.org/component_name': (t.componentRef?.name ?? '').replace(/^comp-/, ''),
            'sidecar.istio.io/inject': 'false',
          },
          ownerReferences: [],
        },
        spec: {
          nodeName: this.kube.nodes.cpu,
          restartPolicy: 'Never',
          serviceAccountName: run.serviceAccount,
          containers: [
            { name: 'wait', image: 'quay.io/argoproj/argoexec:v3.7.3', command: ['argoexec', 'wait'] },
            { name: 'main', image, command: ['/kfp-launcher/launch', '--copy', '/kfp-launcher/launch'], args: executor.container?.args ?? [] },
          ],
        },
      });
      created = true;
      await this.waitPod(wf.namespace, podName, ['Running', 'Failed', 'Succeeded'], signal);
      this.setPhase(podNode, 'Running');
      await handle.append(logs.running);
      await sleep(run.stepDelayMs ?? this.options.stepDelayMs, signal);
      await this.finishPod(wf.namespace, podName, !fail, handle, fail ? logs.failed : logs.succeeded);
      await this.waitPod(wf.namespace, podName, [fail ? 'Failed' : 'Succeeded'], signal);
    } catch (e) {
      if (e instanceof Aborted) {
        // killed by the terminate: the container dies, the pod fails
        if (created) {
          const killed = new AbortController().signal;
          await this.finishPod(wf.namespace, podName, false, handle, ['Terminated: the run was terminated (activeDeadlineSeconds=0).'])
            .then(() => this.waitPod(wf.namespace, podName, ['Failed', 'Succeeded'], killed, 10_000))
            .catch((err) => { if (!this.stopped) this.onError(err); });
        }
        throw e;
      }
      // the rig could not play the step (kube API error, timeout): an Argo "Error" node, and a rig problem to report
      this.onError(e);
      this.setPhase(podNode, 'Error', String((e as Error).message ?? e));
      this.setPhase(exec, 'Failed', `child '${podNode.id}' errored`);
      return 'Failed';
    }
    if (fail) {
      this.setPhase(podNode, 'Failed', 'Error (exit code 1)');
      this.setPhase(exec, 'Failed', `child '${podNode.id}' failed`);
      return 'Failed';
    }
    this.setPhase(podNode, 'Succeeded');
    this.setPhase(exec, 'Succeeded');
    wf.outputs.set(base, simulatedOutputs(comp));
    if (fingerprint) this.cacheHits.set(fingerprint, { pod: podName });
    return 'Succeeded';
  }

  private async finishPod(namespace: string, pod: string, ok: boolean, handle: PodLogHandle | undefined, lines: string[]): Promise<void> {
    if (handle) await handle.append(lines, ok ? 'stdout' : 'stderr');
    const patch = ok
      ? { metadata: { labels: { [COMPLETE_LABEL]: 'true', 'workflows.argoproj.io/completed': 'true' } } }
      : {
        metadata: {
          labels: { [FAIL_LABEL]: 'true', 'workflows.argoproj.io/completed': 'true' },
          annotations: { [FAIL_ANNOTATIONS.exitCode]: '1', [FAIL_ANNOTATIONS.reason]: 'Error', [FAIL_ANNOTATIONS.containerName]: 'main', [FAIL_ANNOTATIONS.delay]: '0s', [FAIL_ANNOTATIONS.jitterDelay]: '0s' },
        },
      };
    await this.api.patchPod(namespace, pod, patch);
  }

  /** Polls the pod until it reaches one of the phases (Argo's node phase follows the pod's). */
  private async waitPod(namespace: string, pod: string, phases: string[], signal: AbortSignal, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const phase = await this.api.podPhase(namespace, pod);
      if (phase && phases.includes(phase)) return;
      if (Date.now() > deadline) throw new Error(`pod ${namespace}/${pod} did not reach ${phases.join('/')} within ${timeoutMs} ms (phase ${phase})`);
      await sleep(100, signal);
    }
  }
}

function rootParameters(run: RunHandle): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(run.parsed.spec.root.inputDefinitions?.parameters ?? {})) {
    if (name in run.parameters) out[name] = run.parameters[name];
    else if (def.defaultValue !== undefined) out[name] = def.defaultValue;
  }
  return out;
}

function simulatedOutputs(comp: ComponentSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(comp.outputDefinitions?.parameters ?? {})) {
    switch (def.parameterType) {
      case 'LIST': out[name] = [0, 1, 2]; break;
      case 'NUMBER_INTEGER': case 'NUMBER_DOUBLE': out[name] = 1; break;
      case 'BOOLEAN': out[name] = true; break;
      case 'STRUCT': out[name] = {}; break;
      default: out[name] = new UnknownValue();
    }
  }
  return out;
}

function cacheKey(namespace: string, comp: ComponentSpec, executor: unknown, inputs: Record<string, unknown>): string | undefined {
  if (Object.values(inputs).some((v) => v instanceof UnknownValue)) return undefined;
  return crypto.createHash('sha256').update(JSON.stringify([namespace, comp.executorLabel, executor, inputs])).digest('hex');
}

const fmtValue = (v: unknown) => (v instanceof UnknownValue ? JSON.stringify(v.bound ?? '<output of an upstream task>') : JSON.stringify(v));

/** Plausible launcher + component output: klog lines of kfp-launcher around the user code's prints. */
function executorLog(run: RunHandle, key: string, comp: ComponentSpec, executor: { container?: { image?: string; command?: string[]; args?: string[] } }, inputs: Record<string, unknown>) {
  const klog = (sev: string, src: string, msg: string) => {
    const d = new Date();
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    return `${sev}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds() * 1000, 6)}      18 ${src}] ${msg}`;
  };
  const cmd = [...(executor.container?.command ?? []), ...(executor.container?.args ?? [])].join(' ').replace(/\s+/g, ' ').slice(0, 200);
  const start = [
    klog('I', 'launcher_v2.go:90', `input ComponentSpec:{"executorLabel":"${comp.executorLabel ?? ''}"}`),
    klog('I', 'cache.go:139', `Cannot detect ml-pipeline in the same namespace, default to ml-pipeline.kubeflow:8887 as KFP endpoint.`),
    klog('I', 'launcher_v2.go:186', `executing component ${key} of run ${run.id} (${run.displayName}) with image ${executor.container?.image ?? ''}`),
  ];
  const running = [
    klog('I', 'launcher_v2.go:1097', `Executor input parameters: ${Object.keys(inputs).length}`),
    ...Object.entries(inputs).map(([k, v]) => `  ${k} = ${fmtValue(v)}`),
    `+ ${cmd}`,
    `[${key}] starting`,
    `[${key}] working…`,
  ];
  const succeeded = [
    `[${key}] done`,
    klog('I', 'launcher_v2.go:1203', `Wrote executor output file to /tmp/kfp_outputs/output_metadata.json`),
    klog('I', 'main.go:63', 'KFP launcher succeeded.'),
  ];
  const failed = [
    'Traceback (most recent call last):',
    `  File "/tmp/tmp.kfp/ephemeral_component.py", line 12, in ${key.replace(/-/g, '_')}`,
    `RuntimeError: step ${key} failed (failure injected by the KFP API stand-in)`,
    klog('F', 'main.go:59', `failed to execute component: exit status 1`),
  ];
  return { start, running, succeeded, failed };
}
