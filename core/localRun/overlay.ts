// What the graph draws over a pipeline for a local run: the same `RunOverlay` as a cluster run (states folded over loop
// iterations, a DAG task's state from the tasks inside it), plus each task's outputs (parameter values, artifact
// files) and a failing task's source line and traceback. Pure; browser-safe.
import type { OutputOverlay, RunOverlay, TaskOverlay } from '../kfp/overlay';
import { foldStates, STATE_LABELS, taskKey, type TaskState } from '../kfp/runState';
import type { DagModel, PipelineModel } from '../pipeline/model';
import type { TaskOutputs } from './protocol';
import type { LocalRunRecord, LocalTaskRecord } from './record';

export function localTaskState(t: LocalTaskRecord): TaskState {
  return t.state;
}

function outputsOf(o: TaskOutputs | undefined, iteration: number | undefined): OutputOverlay[] {
  if (!o) return [];
  const it = iteration !== undefined ? { iteration } : {};
  const out: OutputOverlay[] = [];
  for (const [name, v] of Object.entries(o.parameters)) out.push({ name, ...it, value: JSON.stringify(v) });
  for (const [name, list] of Object.entries(o.artifacts)) {
    for (const a of list) {
      const file = a.path ?? (a.uri.startsWith('/') ? a.uri : undefined);
      const meta = Object.keys(a.metadata ?? {}).length ? { metadata: JSON.stringify(a.metadata) } : {};
      out.push({ name, ...it, artifact: { uri: a.uri, type: a.type, ...(file ? { file } : {}), ...meta } });
    }
  }
  return out;
}

export function buildLocalOverlay(model: PipelineModel, run: LocalRunRecord, now = Date.now()): RunOverlay {
  const live = run.state === 'running';
  const byTask = new Map<string, LocalTaskRecord[]>();
  for (const t of Object.values(run.tasks)) {
    const k = taskKey(t.path, t.task);
    byTask.set(k, [...(byTask.get(k) ?? []), t]);
  }
  const tasks: Record<string, TaskOverlay> = {};
  const walk = (dag: DagModel, path: string[], seen: Set<string>): TaskState[] => {
    const states: TaskState[] = [];
    for (const t of dag.tasks) {
      const key = taskKey(path, t.id);
      const sub = t.subDag ? model.dags[t.subDag] : undefined;
      if (sub && !seen.has(sub.id)) {
        const inner = walk(sub, [...path, t.id], new Set([...seen, sub.id]));
        if (inner.length) {
          const state = foldStates(inner);
          const starts = Object.entries(tasks).filter(([k]) => k.startsWith(`${key}/`)).map(([, o]) => o);
          const started = Math.min(...starts.map((o) => o.started ?? Infinity));
          const finished = state === 'running' ? undefined : Math.max(...starts.map((o) => o.finished ?? 0));
          const iterations = new Set((byTaskUnder(byTask, key) ?? []).map((r) => r.iteration).filter((i) => i !== undefined)).size;
          tasks[key] = {
            state,
            label: iterations && t.iterator ? `${STATE_LABELS[state]} · ${iterations} iteration${iterations === 1 ? '' : 's'}` : STATE_LABELS[state],
            ...(Number.isFinite(started) ? { started } : {}),
            ...(finished ? { finished } : {}),
            attempts: [],
            ...(iterations && t.iterator ? { iterations } : {}),
          };
          states.push(state);
        }
        continue;
      }
      const inst = (byTask.get(key) ?? []).sort((a, b) => (a.iteration ?? 0) - (b.iteration ?? 0));
      if (!inst.length) continue;
      const state = foldStates(inst.map(localTaskState));
      const many = inst.length > 1 || inst[0].iteration !== undefined;
      const counts = new Map<TaskState, number>();
      for (const i of inst) counts.set(i.state, (counts.get(i.state) ?? 0) + 1);
      const failed = inst.find((i) => i.state === 'failed');
      const started = Math.min(...inst.map((i) => i.started));
      const finished = inst.every((i) => i.finished) ? Math.max(...inst.map((i) => i.finished!)) : undefined;
      tasks[key] = {
        state,
        label: many ? `${inst.length} iteration${inst.length === 1 ? '' : 's'}: ${[...counts].map(([s, n]) => `${n} ${STATE_LABELS[s].toLowerCase()}`).join(' · ')}` : STATE_LABELS[state],
        started,
        ...(finished && state !== 'running' ? { finished } : {}),
        ...(failed?.error ? { error: failed.missingModule ? `${failed.error}\n${missingModuleFix(failed.missingModule, run.python)}` : failed.error } : {}),
        ...(failed?.source ? { source: failed.source } : {}),
        ...(failed?.traceback ? { traceback: failed.traceback } : {}),
        attempts: inst.map((i) => ({ node: i.log, label: [i.iteration !== undefined ? `iteration ${i.iteration}` : '', STATE_LABELS[i.state].toLowerCase()].filter(Boolean).join(' · '), state: i.state })),
        outputs: inst.flatMap((i) => outputsOf(i.outputs, many ? i.iteration : undefined)),
      };
      states.push(state);
    }
    return states;
  };
  walk(model.root, [], new Set(['root']));
  const parameters: Record<string, string> = {};
  for (const [k, v] of Object.entries(run.arguments)) parameters[k] = typeof v === 'string' ? v : JSON.stringify(v);
  const state: TaskState = run.state === 'canceled' ? 'canceled' : run.state;
  return {
    runId: run.id,
    name: run.label ?? `${run.name ?? (run.function || 'pipeline')} · local ${new Date(run.started).toLocaleTimeString()}`,
    state,
    apiState: run.state.toUpperCase(),
    created: run.started,
    ...(run.finished ? { finished: run.finished } : {}),
    pipeline: `local run with ${run.python}${run.kfp ? ` (kfp ${run.kfp})` : ''}`,
    parameters,
    ...(run.error ? { error: localRunError(run) } : {}),
    tasks,
    live,
    canTerminate: live,
    canRetry: !live,
    readAt: now,
    kind: 'local',
  };
}

function byTaskUnder(byTask: Map<string, LocalTaskRecord[]>, key: string): LocalTaskRecord[] {
  return [...byTask].filter(([k]) => k.startsWith(`${key}/`) && !k.slice(key.length + 1).includes('/')).flatMap(([, v]) => v);
}

/** The fix for a component that imports a module the Python has not got. */
export function missingModuleFix(module: string, python: string): string {
  const pkg = module.split('.')[0];
  return `Install it into the Python that runs the pipeline (${python} -m pip install ${pkg}), or add '${pkg}' to packages_to_install of its @dsl.component and run with a fresh venv per task (setting kubeflow.localRuns.useVenv).`;
}

/** The run's error as the user should read it: with the fix when there is one. */
export function localRunError(run: LocalRunRecord): string {
  const failed = Object.values(run.tasks).find((t) => t.state === 'failed' && t.error);
  switch (run.errorKind) {
    case 'no-kfp':
      return `${run.python} cannot import kfp (${run.error}). Install it (Kubeflow: Install kfp into the Python Environment, or ${run.python} -m pip install kfp), or select a Python that has it.`;
    case 'import':
      return run.missingModule ? `The pipeline file does not import: ${run.error}. ${missingModuleFix(run.missingModule, run.python)}` : `The pipeline file does not import: ${run.error}`;
    case 'failed':
      return failed ? `Task ${failed.task}${failed.iteration !== undefined ? ` (iteration ${failed.iteration})` : ''} failed: ${failed.error}${failed.missingModule ? `. ${missingModuleFix(failed.missingModule, run.python)}` : ''}` : run.error ?? 'failed';
    default:
      return run.error ?? 'failed';
  }
}
