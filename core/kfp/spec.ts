// Pipeline specs as the API stores them and as files hold them: reading compiled IR text (YAML or JSON, with the
// optional PlatformSpec document) into the API's Struct shape, and telling whether a local file still is the pipeline
// a run ran (and what changed). Browser-safe.
import { YNode } from '../pipeline/yaml-node';
import { readYaml } from '../pipeline/yaml-read';
import { unwrapSpec } from './params';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

/** IR text → the API's Struct: the PipelineSpec, or `{pipeline_spec, platform_spec}` when a platform spec is there. */
export function specFromText(text: string): Obj {
  // The graph parser's reader: it accepts what PyYAML (which writes KFP files) accepts.
  const read = readYaml(text);
  const bad = read.diagnostics.find((d) => d.severity === 'error');
  if (bad) throw new Error(`The pipeline file is not valid YAML (line ${bad.range.start.line + 1}): ${bad.message}`);
  const values = read.docs.map((d, i) => obj(new YNode(d, read.positions, undefined, i).toJS())).filter((v): v is Obj => v !== undefined);
  const wrapped = values.find((v) => v.pipeline_spec);
  if (wrapped) return wrapped;
  const spec = values.find((v) => v.root || v.pipelineInfo);
  if (!spec) throw new Error('The file holds no KFP pipeline spec (no pipelineInfo / root).');
  const platform = values.find((v) => v !== spec && v.platforms);
  return platform ? { pipeline_spec: spec, platform_spec: platform } : spec;
}

/** The `pipelineInfo.name` of a spec (either shape). */
export function specName(spec: unknown): string {
  const info = obj(unwrapSpec(spec)?.pipelineInfo);
  return typeof info?.name === 'string' ? info.name : '';
}

export interface SpecDiff {
  same: boolean;
  /** Short lines for the user: "task train: changed", "parameter lr: added". */
  changes: string[];
}

/**
 * Compares what two specs run (the SDK version, which any recompile bumps, is ignored). Lists changed tasks,
 * components, executors (images, commands) and pipeline parameters.
 */
export function diffSpecs(local: unknown, remote: unknown): SpecDiff {
  const a = parts(local);
  const b = parts(remote);
  const changes: string[] = [];
  const compare = (what: string, x: Record<string, string>, y: Record<string, string>) => {
    for (const k of Object.keys(x)) {
      if (!(k in y)) changes.push(`${what} ${k}: only in the local file`);
      else if (x[k] !== y[k]) changes.push(`${what} ${k}: changed`);
    }
    for (const k of Object.keys(y)) if (!(k in x)) changes.push(`${what} ${k}: only in the run's pipeline`);
  };
  compare('parameter', a.params, b.params);
  compare('task', a.tasks, b.tasks);
  compare('component', a.components, b.components);
  compare('executor', a.executors, b.executors);
  if (a.platform !== b.platform) changes.push('Kubernetes platform settings: changed');
  if (a.rest !== b.rest && changes.length === 0) changes.push('pipeline settings: changed');
  return { same: changes.length === 0, changes };
}

function parts(spec: unknown): { params: Record<string, string>; tasks: Record<string, string>; components: Record<string, string>; executors: Record<string, string>; platform: string; rest: string } {
  const wrapped = obj(spec);
  const s = unwrapSpec(spec) ?? {};
  const platform = wrapped && wrapped !== s ? canonical(wrapped.platform_spec) : '';
  const root = obj(s.root) ?? {};
  const params = mapOf(obj(obj(root.inputDefinitions)?.parameters));
  const tasks = mapOf(obj(obj(root.dag)?.tasks));
  const components = mapOf(obj(s.components));
  const executors = mapOf(obj(obj(obj(s.deploymentSpec)?.executors)));
  const { sdkVersion: _sdk, root: _r, components: _c, deploymentSpec: _d, ...rest } = s;
  return { params, tasks, components, executors, platform, rest: canonical(rest) };
}

function mapOf(o: Obj | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o ?? {})) out[k] = canonical(v);
  return out;
}

/** JSON with sorted keys; numbers written the same whether YAML said 2 or 2.0. */
export function canonical(v: unknown): string {
  if (v === undefined) return '';
  return JSON.stringify(v, (_k, val: unknown) => {
    const o = obj(val);
    if (!o) return val;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });
}
