/**
 * The read-only agent tools: list, diagnose, logs, describe a pipeline, compare runs. Each returns plain text built
 * from the same summaries the views show (core/training/state, core/kserve/state, core/kfp/runState, the notebook
 * model), so an agent and the user see the same state and the same reasons.
 */
import type { LogLine } from '../../companion-daemon/src/protocol';
import { describeResources, shortImage, summarize } from '../../extension/notebooks/model';
import type { KfpClient } from '../kfp/client';
import { formSpec, valueToText } from '../kfp/params';
import { formatDuration, mapTaskDetails, STATE_LABELS, type TaskRun } from '../kfp/runState';
import { apiTime, type Run } from '../kfp/types';
import type { InferenceServiceObject } from '../kserve/build';
import { describePhase, describeTraffic, summarizeInferenceService } from '../kserve/state';
import { toJson, toMermaid } from '../pipeline/export';
import type { PipelineModel } from '../pipeline/model';
import { parsePipeline } from '../pipeline/parse';
import { specFromText } from '../kfp/spec';
import { describeJob, failedReplicas, summarizeJob, type JobSummary } from '../training/state';
import type { AgentBackend } from './backend';
import { findEndpoint, findJob, findRun, isvcPath, list, notebookWorld, ns, trainingWorld, warnings } from './lookup';
import { isoShort, table, ToolInputError } from './text';

type Input = Record<string, unknown> & { namespace?: string };
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

// --- list

export async function listTool(b: AgentBackend, input: Input): Promise<string> {
  const limit = typeof input.limit === 'number' ? input.limit : 50;
  const namespace = ns(b, input);
  const cap = <T>(items: T[]): { shown: T[]; more: string } => ({ shown: items.slice(0, limit), more: items.length > limit ? `\n(${items.length - limit} more; raise limit)` : '' });
  switch (input.kind) {
    case 'notebooks': {
      const w = await notebookWorld(b.kube, namespace);
      if (!w.notebooks.length) return `No notebook servers in namespace ${namespace}.`;
      const { shown, more } = cap(w.notebooks.map((nb) => summarize(nb, w.pods, w.events)));
      return `Notebook servers in ${namespace}:\n` + table(['NAME', 'STATE', 'IMAGE', 'RESOURCES', 'REASON'], shown.map((s) => [s.name, s.phase, shortImage(s.image), describeResources(s), s.reason ?? ''])) + more;
    }
    case 'trainingJobs': {
      const w = await trainingWorld(b.kube, namespace);
      if (!w.kinds.length) return 'No training job kinds are served by this cluster (no Kubeflow Training Operator or Trainer CRDs).';
      if (!w.jobs.length) return `No training jobs in namespace ${namespace} (kinds served: ${w.kinds.map((k) => k.kind).join(', ')}).`;
      const now = Date.now();
      const { shown, more } = cap(w.jobs.map((j) => summarizeJob(j.job, w.pods, w.events, j.info.kind)));
      return `Training jobs in ${namespace}:\n` + table(['KIND', 'NAME', 'STATE', 'WHY'], shown.map((s) => [s.kind, s.name, describeJob(s, now), jobWhy(s)])) + more;
    }
    case 'runs': {
      const kfp = await b.kfp();
      const page = await kfp.listRuns({ pageSize: Math.min(limit, 200), sort: { field: 'created_at', desc: true } });
      if (!page.items.length) return 'No pipeline runs.';
      return `Pipeline runs (newest first, ${page.items.length} of ${page.totalSize || page.items.length}):\n` + table(['RUN ID', 'NAME', 'STATE', 'CREATED', 'DURATION'], page.items.map((r) => [r.run_id ?? '', r.display_name ?? '', r.state ?? '', isoShort(r.created_at), runDuration(r)]));
    }
    case 'models': {
      const reg = await b.registry();
      const models = (await reg.listRegisteredModels({ pageSize: Math.min(limit, 100), orderBy: 'LAST_UPDATE_TIME', sortOrder: 'DESC' })).items;
      if (!models.length) return 'No registered models.';
      const lines = await Promise.all(models.map(async (m) => {
        const versions = (await reg.listVersions(m.id, { pageSize: 20, orderBy: 'CREATE_TIME', sortOrder: 'DESC' })).items;
        return `${m.name} (${m.state ?? 'LIVE'})${m.description ? ` — ${m.description}` : ''}\n  versions: ${versions.map((v) => `${v.name}${v.state === 'ARCHIVED' ? ' (archived)' : ''}`).join(', ') || 'none'}`;
      }));
      return `Registered models:\n${lines.join('\n')}`;
    }
    case 'endpoints': {
      const items = await list<InferenceServiceObject>(b.kube, isvcPath(namespace));
      if (!items.length) return `No InferenceServices in namespace ${namespace}.`;
      const { shown, more } = cap(items.map(summarizeInferenceService));
      return `KServe endpoints in ${namespace}:\n` + table(['NAME', 'STATE', 'MODEL', 'TRAFFIC', 'URL'], shown.map((s) => [s.name, describePhase(s), [s.registry?.modelName, s.registry?.versionName].filter(Boolean).join(' ') || s.modelFormat || '', describeTraffic(s.traffic) ?? (s.ready ? '100% latest' : ''), s.url ?? ''])) + more;
    }
    default:
      throw new ToolInputError(`unknown kind "${String(input.kind)}": use notebooks, trainingJobs, runs, models or endpoints`);
  }
}

function jobWhy(s: JobSummary): string {
  const failed = failedReplicas(s);
  return [s.phase === 'Failed' || !s.pending.length ? s.reason : undefined, failed.length ? `failed: ${failed.join(', ')}` : undefined, ...s.pending.map((p) => p.message)].filter(Boolean).join('; ');
}

function runDuration(r: Run): string {
  const start = Date.parse(r.created_at ?? '');
  const end = Date.parse(r.finished_at ?? '');
  return start > 0 && end > start ? formatDuration(end - start) : '-';
}

// --- logs

/** The lines of a Python traceback at the end of a log, if there is one. */
export function traceback(lines: string[]): string[] {
  const start = lines.map((l) => l.includes('Traceback (most recent call last)')).lastIndexOf(true);
  return start < 0 ? [] : lines.slice(start, start + 40);
}

function grepper(pattern: unknown): (s: string) => boolean {
  if (typeof pattern !== 'string' || pattern === '') return () => true;
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'i');
  } catch (err) {
    throw new ToolInputError(`grep is not a valid regular expression: ${(err as Error).message}`);
  }
  return (s) => re.test(s);
}

const replicaLine = (l: LogLine): string => `[${l.replica}] ${l.text}`;

/** A step's attempts' node ids, last attempt last, from the run's task details mapped onto its pipeline. */
async function stepNode(kfp: KfpClient, run: Run, step: string): Promise<{ task: TaskRun; node: string } | undefined> {
  const model = await runPipeline(kfp, run);
  const tasks = Object.values(mapTaskDetails(model, run.run_details?.task_details ?? []).tasks);
  const task = tasks.find((t) => t.task === step);
  if (!task) throw new ToolInputError(`run "${run.display_name}" has no step "${step}"; its steps: ${tasks.map((t) => t.task).join(', ') || 'none yet'}`);
  const attempt = task.instances.flatMap((i) => i.attempts).at(-1);
  return attempt ? { task, node: attempt.node } : undefined;
}

export async function logsTool(b: AgentBackend, input: Input): Promise<string> {
  const tail = typeof input.tail === 'number' ? input.tail : 100;
  const match = grepper(input.grep);
  const namespace = ns(b, input);
  const name = String(input.name);
  const shape = (what: string, lines: string[]): string => {
    const hit = lines.filter(match).slice(-tail);
    if (!hit.length) return `${what}: no ${input.grep ? `lines match /${String(input.grep)}/` : 'log lines yet'} (${lines.length} lines read).`;
    return `${what}, last ${hit.length} line${hit.length === 1 ? '' : 's'}${input.grep ? ` matching /${String(input.grep)}/` : ''}:\n${hit.join('\n')}`;
  };
  switch (input.kind) {
    case 'trainingJob': {
      const { info } = await findJob(b.kube, namespace, name);
      const replica = str(input.replica);
      const lines = (await b.logs({ kind: 'job', namespace, jobKind: info.kind, name }, input.grep || replica ? 5000 : tail)).filter((l) => !replica || l.replica === replica);
      return shape(`Merged log of ${info.kind} ${namespace}/${name}${replica ? ` (${replica})` : ''}`, lines.map(replicaLine));
    }
    case 'pod': {
      const lines = await b.logs({ kind: 'pod', namespace, name }, input.grep ? 5000 : tail);
      return shape(`Log of pod ${namespace}/${name}`, lines.map((l) => l.text));
    }
    case 'runStep': {
      const step = str(input.step);
      if (!step) throw new ToolInputError('runStep needs `step`: the task name (kubeflow_describe_pipeline with the run lists them)');
      const kfp = await b.kfp();
      const run = await findRun(kfp, name);
      const hit = await stepNode(kfp, run, step);
      if (!hit) return `Step ${step} of run "${run.display_name}" has not started a pod (state: ${STATE_LABELS[(await stepState(kfp, run, step)) ?? 'unknown']}).`;
      const text = await kfp.readNodeLog(run.run_id!, hit.node);
      return shape(`Log of step ${step} (${hit.node}) of run "${run.display_name}"`, text.split('\n').filter((l, i, a) => l !== '' || i < a.length - 1));
    }
    default:
      throw new ToolInputError(`unknown kind "${String(input.kind)}": use trainingJob, runStep or pod`);
  }
}

async function stepState(kfp: KfpClient, run: Run, step: string): Promise<TaskRun['state'] | undefined> {
  const tasks = mapTaskDetails(await runPipeline(kfp, run), run.run_details?.task_details ?? []).tasks;
  return Object.values(tasks).find((t) => t.task === step)?.state;
}

// --- diagnose

export async function diagnoseTool(b: AgentBackend, input: Input): Promise<string> {
  const namespace = ns(b, input);
  const name = String(input.name);
  switch (input.kind) {
    case 'trainingJob': {
      const { world, info, job } = await findJob(b.kube, namespace, name);
      const s = summarizeJob(job, world.pods, world.events, info.kind);
      const out = [`${s.kind} ${namespace}/${s.name}: ${describeJob(s, Date.now())}${s.reason ? ` (${s.reason}${s.message ? `: ${s.message}` : ''})` : ''}`];
      for (const r of s.roles) out.push(`  ${r.role}: ${r.replicas.map((x) => `${x.tag} ${x.phase}${x.reason ? ` (${x.reason}${x.exitCode !== undefined ? `, exit ${x.exitCode}` : ''})` : ''}${x.restarts ? `, ${x.restarts} restarts` : ''}`).join('; ') || `${r.desired ?? 0} wanted, no pods yet`}`);
      for (const p of s.pending) out.push(`Waiting: ${p.message}${p.detail && p.detail !== p.message ? `\n  ${p.detail}` : ''}${p.pods.length ? `\n  pods: ${p.pods.join(', ')}` : ''}`);
      const failed = s.roles.flatMap((r) => r.replicas).filter((x) => x.phase === 'Failed');
      if (failed.length || s.phase === 'Failed') {
        const lines = await b.logs({ kind: 'job', namespace, jobKind: info.kind, name }, 2000).catch(() => [] as LogLine[]);
        for (const x of failed.length ? failed : []) {
          const mine = lines.filter((l) => l.replica === x.tag).map((l) => l.text);
          const tb = traceback(mine);
          out.push(`Failed replica ${x.tag}${x.reason ? ` (${x.reason}${x.exitCode !== undefined ? `, exit ${x.exitCode}` : ''})` : ''}:`);
          out.push(tb.length ? `  traceback:\n${indent(tb)}` : mine.length ? `  last log lines:\n${indent(mine.slice(-15))}` : '  (no log lines captured)');
        }
      }
      if (s.phase === 'Succeeded') out.push('Nothing is wrong: the job succeeded.');
      else if (s.phase === 'Running' && !failed.length) out.push('It is running; no replica has failed.');
      return out.join('\n');
    }
    case 'notebook': {
      const w = await notebookWorld(b.kube, namespace);
      const nb = w.notebooks.find((n) => n.metadata.name === name);
      if (!nb) throw new ToolInputError(`no notebook server named "${name}" in namespace ${namespace}${w.notebooks.length ? `; there are: ${w.notebooks.map((n) => n.metadata.name).join(', ')}` : ''}`);
      const s = summarize(nb, w.pods, w.events);
      const out = [`Notebook server ${namespace}/${name}: ${s.phase}${s.reason ? ` — ${s.reason}` : ''}`, `  image ${s.image}, ${describeResources(s)}${s.pod ? `, pod ${s.pod}` : ', no pod'}`];
      const evs = w.events.filter((e) => e.type === 'Warning' && (e.involvedObject?.name === name || e.involvedObject?.name === s.pod)).slice(-8);
      if (evs.length) out.push('Warning events:', ...evs.map((e) => `  ${e.reason ?? ''}: ${e.message ?? ''}`));
      if (s.phase === 'stopped') out.push('It is stopped: start it with kubeflow_notebook_power (action "start").');
      else if (s.phase === 'running') out.push('It is running and ready.');
      return out.join('\n');
    }
    case 'endpoint': {
      const s = summarizeInferenceService(await findEndpoint(b.kube, namespace, name));
      const out = [`InferenceService ${namespace}/${name}: ${s.phase}${s.url ? `, ${s.url}` : ''}`];
      if (s.reasons.length) out.push('Why it is not ready:', ...s.reasons.map((r) => `  ${r}`));
      const t = describeTraffic(s.traffic);
      if (t) out.push(`Traffic: ${t} (canary${s.canaryTrafficPercent !== undefined ? `, canaryTrafficPercent ${s.canaryTrafficPercent}` : ''})`);
      const bad = s.conditions.filter((c) => c.status !== 'True');
      if (bad.length) out.push('Conditions not true:', ...bad.map((c) => `  ${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}${c.message ? `: ${c.message}` : ''}`));
      const evs = (await warnings(b.kube, namespace).catch(() => [])).filter((e) => (e.involvedObject?.name ?? '').startsWith(name)).slice(-8);
      if (evs.length) out.push('Warning events:', ...evs.map((e) => `  ${e.involvedObject?.name}: ${e.reason ?? ''}: ${e.message ?? ''}`));
      if (s.ready && !bad.length) out.push('It is ready.');
      return out.join('\n');
    }
    case 'run': {
      const kfp = await b.kfp();
      const run = await findRun(kfp, name);
      const out = [`Run "${run.display_name}" (${run.run_id}): ${run.state ?? 'unknown'}, created ${isoShort(run.created_at)}${apiTime(run.finished_at) !== undefined ? `, finished ${isoShort(run.finished_at)}` : ''}`];
      if (run.error?.message) out.push(`Error: ${run.error.message}`);
      const model = await runPipeline(kfp, run);
      const tasks = Object.values(mapTaskDetails(model, run.run_details?.task_details ?? []).tasks);
      const failed = tasks.filter((t) => t.state === 'failed');
      const waiting = tasks.filter((t) => t.state === 'pending' || t.state === 'running');
      for (const t of failed) {
        out.push(`Failed step ${t.task}${t.error ? `: ${t.error}` : ''}`);
        const node = t.instances.flatMap((i) => i.attempts).at(-1)?.node;
        if (!node) continue;
        const text = await kfp.readNodeLog(run.run_id!, node).catch((err: Error) => `(no log: ${err.message})`);
        const lines = text.split('\n').filter(Boolean);
        const tb = traceback(lines);
        out.push(tb.length ? `  traceback:\n${indent(tb)}` : `  last log lines:\n${indent(lines.slice(-15))}`);
      }
      if (waiting.length) out.push(`Not finished: ${waiting.map((t) => `${t.task} (${STATE_LABELS[t.state].toLowerCase()})`).join(', ')}`);
      if (!failed.length && run.state === 'SUCCEEDED') out.push('Nothing is wrong: every step succeeded.');
      return out.join('\n');
    }
    default:
      throw new ToolInputError(`unknown kind "${String(input.kind)}": use run, trainingJob, notebook or endpoint`);
  }
}

const indent = (lines: string[]): string => lines.map((l) => `    ${l}`).join('\n');

// --- describe a pipeline

/** The pipeline a run ran: its inline spec, else its pipeline version's. */
async function runSpec(kfp: KfpClient, run: Run): Promise<{ model: PipelineModel; spec: unknown }> {
  let spec = run.pipeline_spec;
  const ref = run.pipeline_version_reference;
  if (!spec && ref?.pipeline_id && ref.pipeline_version_id) spec = (await kfp.getPipelineVersion(ref.pipeline_id, ref.pipeline_version_id)).pipeline_spec;
  if (!spec) throw new ToolInputError(`run "${run.display_name}" carries no pipeline spec and no pipeline version`);
  return { model: parsePipeline(JSON.stringify(spec)), spec };
}

export async function runPipeline(kfp: KfpClient, run: Run): Promise<PipelineModel> {
  return (await runSpec(kfp, run)).model;
}

function describeModel(model: PipelineModel, spec: unknown, states?: Map<string, string>): string {
  const j = toJson(model);
  const fields = formSpec(spec).fields;
  const out = [`Pipeline ${model.displayName ?? model.name}${model.description ? ` — ${model.description}` : ''}`];
  out.push(fields.length ? 'Parameters:' : 'Parameters: none');
  for (const f of fields) out.push(`  ${f.name}: ${f.type}${f.hasDefault ? ` = ${valueToText(f.type, f.default)}` : f.optional ? ' (optional)' : ' (required)'}${f.description ? ` — ${f.description}` : ''}`);
  for (const dag of j.dags) {
    out.push(`DAG ${dag.name}:`);
    for (const t of dag.tasks) {
      const deps = dag.edges.filter((e) => e.to === t.name && dag.tasks.some((x) => x.name === e.from)).map((e) => e.from);
      const state = states?.get(`${dag.name}/${t.name}`) ?? (dag.name === 'root' ? states?.get(t.name) : undefined);
      out.push(`  ${t.name}${t.dag ? ` [sub-DAG ${t.dag}]` : ''}${t.condition ? ` [if ${t.condition}]` : ''}${t.iterator ? ` [for each in ${t.iterator.over}]` : ''}${deps.length ? ` after ${[...new Set(deps)].join(', ')}` : ''}${state ? ` — ${state}` : ''}`);
    }
  }
  out.push('Graph (Mermaid):', toMermaid(model).trimEnd());
  if (model.diagnostics.length) out.push('Problems:', ...model.diagnostics.slice(0, 20).map((d) => `  ${d.message}`));
  return out.join('\n');
}

export async function describePipelineTool(b: AgentBackend, input: Input): Promise<string> {
  const file = str(input.file);
  const runRef = str(input.run);
  if (!file === !runRef) throw new ToolInputError('give exactly one of `file` (a pipeline file) or `run` (a run id or display name)');
  if (file) {
    const text = await b.readPipeline(file);
    return describeModel(parsePipeline(text), specFromText(text));
  }
  const kfp = await b.kfp();
  const run = await findRun(kfp, runRef!);
  const { model, spec } = await runSpec(kfp, run);
  const tasks = mapTaskDetails(model, run.run_details?.task_details ?? []).tasks;
  const states = new Map(Object.values(tasks).map((t) => [t.path.length ? `${t.path.at(-1)}/${t.task}` : t.task, STATE_LABELS[t.state].toLowerCase()]));
  return `Run "${run.display_name}" (${run.run_id}): ${run.state ?? 'unknown'}\n${describeModel(model, spec, states)}`;
}

// --- compare runs

export async function compareRunsTool(b: AgentBackend, input: Input): Promise<string> {
  const refs = input.runs as string[];
  const kfp = await b.kfp();
  const runs = await Promise.all(refs.map((r) => findRun(kfp, r)));
  const params = [...new Set(runs.flatMap((r) => Object.keys(r.runtime_config?.parameters ?? {})))].sort();
  const val = (r: Run, p: string): string => {
    const v = r.runtime_config?.parameters?.[p];
    return v === undefined ? '(default)' : typeof v === 'string' ? v : JSON.stringify(v);
  };
  const header = ['', ...runs.map((r) => r.display_name ?? r.run_id ?? '')];
  const rows: string[][] = [
    ['run id', ...runs.map((r) => r.run_id ?? '')],
    ['state', ...runs.map((r) => r.state ?? '')],
    ['created', ...runs.map((r) => isoShort(r.created_at))],
    ['duration', ...runs.map(runDuration)],
    ['pipeline version', ...runs.map((r) => r.pipeline_version_reference?.pipeline_version_id ?? (r.pipeline_spec ? '(inline spec)' : ''))],
    ...params.map((p) => {
      const vals = runs.map((r) => val(r, p));
      return [`${new Set(vals).size > 1 ? '* ' : ''}${p}`, ...vals];
    }),
  ];
  const failed = await Promise.all(runs.map(async (r) => {
    if (r.state !== 'FAILED') return undefined;
    const tasks = Object.values(mapTaskDetails(await runPipeline(kfp, r), r.run_details?.task_details ?? []).tasks).filter((t) => t.state === 'failed');
    return `${r.display_name}: failed at ${tasks.map((t) => t.task).join(', ') || 'an unknown step'}`;
  }));
  return [
    `Comparing ${runs.length} runs (* = differs):`,
    table(header, rows),
    ...failed.filter(Boolean) as string[],
    'Metrics: the KFP v2beta1 REST API does not return run metrics (they live in ML Metadata); compare the metrics artifacts in the KFP UI, or the Model Registry versions registered from these runs.',
  ].join('\n');
}
