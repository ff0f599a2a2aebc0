// Compiled KFP v2 pipeline (PipelineSpec IR, YAML or JSON, with or without the PlatformSpec document) → graph model.
// Reads what it can: a broken reference or an unknown field becomes a diagnostic at its line, and the rest of the
// pipeline is still returned.
import type {
  DagModel,
  DagOutput,
  DagRole,
  ExecutorModel,
  InputSource,
  IoDef,
  IteratorModel,
  PipelineDiagnostic,
  PipelineModel,
  Range,
  RetryModel,
  Severity,
  TaskInput,
  TaskModel,
} from './model';
import { AliasExpansionError, ORIGIN, YNode, type SourcePositions } from './yaml-node';
import { readYaml } from './yaml-read';
import { buildEdges } from './edges';

const TOP_LEVEL = new Set(['pipelineInfo', 'deploymentSpec', 'sdkVersion', 'schemaVersion', 'components', 'root', 'defaultPipelineRoot', 'platforms']);
const TASK_FIELDS = new Set([
  'taskInfo', 'inputs', 'dependentTasks', 'cachingOptions', 'componentRef', 'triggerPolicy',
  'parameterIterator', 'artifactIterator', 'retryPolicy', 'iteratorPolicy',
]);
const COMPONENT_FIELDS = new Set(['inputDefinitions', 'outputDefinitions', 'dag', 'executorLabel', 'singlePlatformSpecs', 'taskConfigPassthroughs']);

/** Quick check, without parsing, that a text is probably a compiled KFP pipeline (for deciding what to diagnose). */
export function looksLikePipelineIR(text: string): boolean {
  const head = text.slice(0, 4096);
  if (head.includes('# PIPELINE DEFINITION')) return true;
  return /["']?pipelineInfo["']?\s*:/.test(text) && /["']?(root|deploymentSpec)["']?\s*:/.test(text);
}

export function parsePipeline(text: string): PipelineModel {
  const read = readYaml(text);
  return new Reader(read.positions, read.diagnostics).read(read.docs);
}

class Reader {
  private components = new Map<string, YNode>();
  private executorNodes = new Map<string, YNode>();
  /** The inputs or outputs a component declares, read once per component (not once per task using it). */
  private ioDefs = new Map<unknown, IoDef[]>();
  /** The types of those declared inputs, parameters' and artifacts' apart, by name. */
  private ioTypes = new Map<IoDef[], { parameter: Map<string, string>; artifact: Map<string, string> }>();
  private readonly model: PipelineModel;

  constructor(
    private readonly positions: SourcePositions,
    diagnostics: PipelineDiagnostic[],
  ) {
    this.model = {
      name: '',
      root: { id: 'root', inputs: [], outputs: [], tasks: [], edges: [] },
      dags: {},
      executors: {},
      hasPlatformSpec: false,
      diagnostics,
    };
  }

  private report(severity: Severity, code: string, message: string, range: Range | undefined): void {
    this.model.diagnostics.push({ severity, code, message, range: range ?? ORIGIN });
  }

  /** A value kept as written; an alias bomb in it becomes a diagnostic at its line (and the value is dropped). */
  private js(node: YNode | undefined): unknown {
    try {
      return node?.toJS();
    } catch (err) {
      if (!(err instanceof AliasExpansionError)) throw err;
      this.report('error', 'yaml-alias', err.message, node?.range);
      return undefined;
    }
  }

  read(docs: unknown[]): PipelineModel {
    const nodes = docs.flatMap((d, i) => (d === null || d === undefined ? [] : [new YNode(d, this.positions, undefined, i)]));
    let spec: YNode | undefined;
    let platform: YNode | undefined;
    for (const n of nodes) {
      if (!n.isMap) continue;
      if (n.get('pipeline_spec')) {
        // The API's wrapping: {"pipeline_spec": {...}, "platform_spec": {...}}.
        spec ??= n.get('pipeline_spec');
        platform ??= n.get('platform_spec');
      } else if (n.get('platforms') && !n.get('root')) {
        platform ??= n;
      } else {
        spec ??= n;
      }
    }
    const hasSyntaxError = this.model.diagnostics.some((d) => d.severity === 'error');
    if (!spec) {
      if (!hasSyntaxError) {
        const what = nodes.length === 0 ? 'The file holds no pipeline spec (it is empty or only comments).' : 'The file is not a KFP pipeline spec: expected a mapping with `pipelineInfo`, `root` and `components`.';
        this.report('error', 'not-a-pipeline', what, nodes[0]?.valueRange);
      }
      return this.model;
    }
    if (spec.get('apiVersion')?.str()?.startsWith('argoproj.io') || spec.get('kind')?.str() === 'Workflow') {
      this.report('error', 'kfp-v1', 'This is a KFP v1 (Argo Workflow) file. Only KFP v2 pipeline specs (IR) can be drawn; recompile it with kfp 2.x.', spec.valueRange);
      return this.model;
    }
    this.readHeader(spec);
    if (platform) this.readPlatform(platform);
    for (const [name, c] of spec.get('components')?.entries() ?? []) {
      this.components.set(name, c);
      this.checkFields(c, COMPONENT_FIELDS, 'a component (ComponentSpec)');
    }
    for (const [label, e] of spec.at('deploymentSpec', 'executors')?.entries() ?? []) this.executorNodes.set(label, e);
    for (const [label, e] of this.executorNodes) this.readExecutor(label, e);
    const platformExecutors = platform?.at('platforms', 'kubernetes', 'deploymentSpec', 'executors');
    for (const [label, p] of platformExecutors?.entries() ?? []) {
      const ex = this.model.executors[label];
      if (ex) ex.platform = this.js(p) as Record<string, unknown> | undefined;
      else this.report('warning', 'unknown-executor', `The platform spec configures executor \`${label}\`, which the deployment spec does not define.`, p.range);
    }
    const root = spec.get('root');
    if (!root) {
      this.report('error', 'missing-field', 'The pipeline spec has no `root` DAG, so there is nothing to draw.', spec.keyRange ?? firstKeyRange(spec));
    } else {
      this.checkFields(root, COMPONENT_FIELDS, 'the root component');
      this.model.root = this.readDag('root', root);
    }
    for (const [name, c] of this.components) {
      if (c.get('dag') && !this.model.dags[name]) this.model.dags[name] = this.readDag(name, c);
    }
    return this.model;
  }

  private readHeader(spec: YNode): void {
    for (const [key, v] of spec.entries()) {
      if (!TOP_LEVEL.has(key)) {
        const hint = closest(key, [...TOP_LEVEL]);
        this.report('error', 'unknown-field', `Unknown top-level field \`${key}\` in a pipeline spec${hint ? ` (did you mean \`${hint}\`?)` : ''}.`, v.range);
      }
    }
    const info = spec.get('pipelineInfo');
    this.model.name = info?.get('name')?.str() ?? '';
    this.model.displayName = info?.get('displayName')?.str();
    this.model.description = info?.get('description')?.str();
    if (!info) this.report('error', 'missing-field', 'The pipeline spec has no `pipelineInfo`.', firstKeyRange(spec));
    else if (!this.model.name.trim()) this.report('error', 'missing-name', '`pipelineInfo.name` is empty: a pipeline needs a name.', (info.get('name') ?? info).range);
    const version = spec.get('schemaVersion');
    this.model.schemaVersion = version?.str();
    if (!version) this.report('error', 'missing-field', 'The pipeline spec has no `schemaVersion` (expected 2.x).', firstKeyRange(spec));
    else if (!/^2\.\d+(\.\d+)?$/.test(this.model.schemaVersion ?? '')) {
      this.report('error', 'schema-version', `Unsupported schemaVersion \`${this.model.schemaVersion ?? ''}\`: KFP v2 pipeline specs have 2.x.`, version.valueRange);
    }
    this.model.sdkVersion = spec.get('sdkVersion')?.str();
    this.model.defaultPipelineRoot = spec.get('defaultPipelineRoot')?.str();
    if (!spec.get('deploymentSpec')) this.report('error', 'missing-field', 'The pipeline spec has no `deploymentSpec`.', firstKeyRange(spec));
    if (!spec.get('components')) this.report('error', 'missing-field', 'The pipeline spec has no `components`.', firstKeyRange(spec));
  }

  private readPlatform(platform: YNode): void {
    this.model.hasPlatformSpec = true;
    const cfg = platform.at('platforms', 'kubernetes', 'pipelineConfig');
    if (cfg) this.model.platformConfig = this.js(cfg);
  }

  private readExecutor(label: string, e: YNode): void {
    const ex: ExecutorModel = { label, kind: 'unknown' };
    e.defineRange(ex);
    const container = e.get('container');
    const importer = e.get('importer');
    if (container) {
      ex.kind = 'container';
      const args = container.get('args')?.strings();
      ex.container = {
        image: container.get('image')?.str(),
        command: container.get('command')?.strings(),
        args,
        env: container.get('env')?.items().map((i) => ({ name: i.get('name')?.str() ?? '', value: i.get('value')?.str() ?? '' })),
        resources: this.js(container.get('resources')) as Record<string, unknown> | undefined,
      };
      const fn = args?.indexOf('--function_to_execute') ?? -1;
      if (args && fn >= 0 && args[fn + 1]) ex.pythonFunction = args[fn + 1];
      if (!ex.container.image) this.report('error', 'missing-field', `Executor \`${label}\` has a container without an \`image\`.`, container.range);
    } else if (importer) {
      ex.kind = 'importer';
      ex.importer = {
        artifactUri: this.js(importer.get('artifactUri')),
        typeSchema: importer.at('typeSchema', 'schemaTitle')?.str(),
        metadata: this.js(importer.get('metadata')),
        reimport: importer.get('reimport')?.bool(),
      };
    } else if (e.get('resolver')) {
      ex.kind = 'resolver';
      ex.other = this.js(e.get('resolver'));
    } else if (e.get('customJob')) {
      ex.kind = 'custom-job';
      ex.other = this.js(e.get('customJob'));
    } else {
      this.report('error', 'bad-executor', `Executor \`${label}\` has none of container, importer, resolver or customJob.`, e.range);
    }
    this.model.executors[label] = ex;
  }

  private readDag(id: string, component: YNode): DagModel {
    const dag: DagModel = {
      id,
      inputs: this.readIoDefs(component.get('inputDefinitions')),
      outputs: [],
      tasks: [],
      edges: [],
    };
    component.defineRange(dag);
    const dagNode = component.get('dag');
    if (!dagNode) {
      this.report('error', 'missing-field', `Component \`${id}\` is used as a DAG but has no \`dag\`.`, component.range);
      return dag;
    }
    const taskNodes = dagNode.get('tasks');
    if (!taskNodes) this.report('warning', 'empty-dag', `The DAG of \`${id}\` has no \`tasks\`.`, dagNode.range);
    const entries = taskNodes?.entries() ?? [];
    const keys = new Set(entries.map(([k]) => k));
    const inputNames = new Set(dag.inputs.map((i) => i.name));
    for (const [key, t] of entries) dag.tasks.push(this.readTask(key, t, keys, inputNames, id));
    dag.edges = buildEdges(dag.tasks);
    dag.outputs = this.readDagOutputs(component, dagNode, keys);
    this.checkCycles(dag, taskNodes);
    return dag;
  }

  private readTask(key: string, t: YNode, siblings: Set<string>, dagInputs: Set<string>, dagId: string): TaskModel {
    this.checkFields(t, TASK_FIELDS, 'a task (PipelineTaskSpec)');
    const componentName = t.at('componentRef', 'name')?.str() ?? '';
    const task: TaskModel = {
      id: key,
      name: t.at('taskInfo', 'name')?.str() ?? key,
      kind: 'unknown',
      component: componentName,
      inputs: [],
      outputs: [],
      dependentTasks: t.get('dependentTasks')?.strings() ?? [],
    } as Omit<TaskModel, 'range'> as TaskModel;
    t.defineRange(task);
    const component = this.components.get(componentName);
    if (!componentName) {
      this.report('error', 'missing-field', `Task \`${key}\` has no \`componentRef.name\`.`, t.range);
    } else if (!component) {
      const hint = closest(componentName, [...this.components.keys()]);
      this.report('error', 'unknown-component', `Task \`${key}\` refers to component \`${componentName}\`, which is not in \`components\`${hint ? ` (did you mean \`${hint}\`?)` : ''}.`, t.at('componentRef', 'name')?.valueRange ?? t.range);
    } else if (component.get('dag')) {
      task.kind = 'sub-dag';
      task.subDag = componentName;
    } else {
      const label = component.get('executorLabel')?.str();
      if (!label) {
        this.report('error', 'bad-component', `Component \`${componentName}\` has neither \`dag\` nor \`executorLabel\`.`, component.range);
      } else {
        task.executor = label;
        const ex = this.model.executors[label];
        if (ex) task.kind = ex.kind;
        else this.report('error', 'unknown-executor', `Component \`${componentName}\` runs executor \`${label}\`, which \`deploymentSpec.executors\` does not define.`, component.get('executorLabel')?.valueRange);
      }
    }
    const declared = this.readIoDefs(component?.get('inputDefinitions'));
    task.outputs = this.readIoDefs(component?.get('outputDefinitions'));
    task.inputs = this.readTaskInputs(key, t.get('inputs'), declared, siblings, dagInputs, dagId);

    for (const dep of t.get('dependentTasks')?.items() ?? []) {
      const name = dep.str() ?? '';
      if (!siblings.has(name)) this.report('error', 'unknown-task', `Task \`${key}\` depends on \`${name}\`, which is not a task of this DAG.`, dep.valueRange);
    }
    const trigger = t.get('triggerPolicy');
    task.condition = trigger?.get('condition')?.str();
    task.strategy = trigger?.get('strategy')?.str();
    const caching = t.at('cachingOptions', 'enableCache');
    if (caching) task.caching = caching.bool() ?? caching.str() === 'true';
    else if (t.get('cachingOptions')) task.caching = false;
    task.iterator = readIterator(t);
    task.retry = readRetry(t.get('retryPolicy'));
    if (task.kind === 'sub-dag') task.role = roleOf(task);
    return task;
  }

  private readTaskInputs(key: string, inputs: YNode | undefined, declared: IoDef[], siblings: Set<string>, dagInputs: Set<string>, dagId: string): TaskInput[] {
    const out: TaskInput[] = [];
    // Which declared inputs the task sets, by kind: no `kind:name` string made per input.
    const seen = { parameter: new Set<string>(), artifact: new Set<string>() };
    let types = this.ioTypes.get(declared);
    if (!types) {
      types = { parameter: new Map(), artifact: new Map() };
      for (const d of declared) types[d.kind].set(d.name, d.type);
      this.ioTypes.set(declared, types);
    }
    const checkProducer = (producer: YNode | undefined): string => {
      const name = producer?.str() ?? '';
      if (!siblings.has(name)) this.report('error', 'unknown-task', `Task \`${key}\` takes an input from \`${name}\`, which is not a task of this DAG.`, producer?.valueRange);
      return name;
    };
    const checkInput = (input: YNode | undefined): string => {
      const name = input?.str() ?? '';
      if (!dagInputs.has(name)) {
        this.report('error', 'unknown-input', `Task \`${key}\` reads \`${name}\`, which is not an input of ${dagId === 'root' ? 'the pipeline' : `\`${dagId}\``}.`, input?.valueRange);
      }
      return name;
    };
    for (const [name, v] of inputs?.get('parameters')?.entries() ?? []) {
      let source: InputSource = { from: 'none' };
      const p = v.get('taskOutputParameter');
      if (p) {
        source = { from: 'task', task: checkProducer(p.get('producerTask')), output: p.get('outputParameterKey')?.str() ?? '' };
      } else if (v.get('componentInputParameter')) {
        source = { from: 'input', input: checkInput(v.get('componentInputParameter')) };
      } else if (v.get('runtimeValue')) {
        source = { from: 'constant', value: this.js(constantOf(v)) };
      } else if (v.get('taskFinalStatus')) {
        source = { from: 'final-status', task: checkProducer(v.at('taskFinalStatus', 'producerTask')) };
      }
      const selector = v.get('parameterExpressionSelector')?.str();
      const input: TaskInput = { name, kind: 'parameter', type: types.parameter.get(name), source };
      if (selector) input.selector = selector;
      out.push(input);
      seen.parameter.add(name);
    }
    for (const [name, v] of inputs?.get('artifacts')?.entries() ?? []) {
      let source: InputSource = { from: 'none' };
      const p = v.get('taskOutputArtifact');
      if (p) {
        source = { from: 'task', task: checkProducer(p.get('producerTask')), output: p.get('outputArtifactKey')?.str() ?? '' };
      } else if (v.get('componentInputArtifact')) {
        source = { from: 'input', input: checkInput(v.get('componentInputArtifact')) };
      }
      out.push({ name, kind: 'artifact', type: types.artifact.get(name), source });
      seen.artifact.add(name);
    }
    // Declared inputs the task leaves unset take their defaults.
    for (const d of declared) {
      if (!seen[d.kind].has(d.name)) out.push({ name: d.name, kind: d.kind, type: d.type, source: { from: 'none' } });
    }
    return out;
  }

  private readDagOutputs(component: YNode, dagNode: YNode, tasks: Set<string>): DagOutput[] {
    const defs = new Map(this.readIoDefs(component.get('outputDefinitions')).map((d) => [`${d.kind}:${d.name}`, d]));
    const out: DagOutput[] = [];
    const check = (sel: YNode, key: string): { task: string; output: string } => {
      const task = sel.get('producerSubtask')?.str() ?? '';
      if (!tasks.has(task)) this.report('error', 'unknown-task', `DAG output \`${key}\` selects from \`${task}\`, which is not a task of this DAG.`, sel.get('producerSubtask')?.valueRange ?? sel.range);
      return { task, output: sel.get('outputParameterKey')?.str() ?? sel.get('outputArtifactKey')?.str() ?? '' };
    };
    for (const [name, v] of dagNode.at('outputs', 'parameters')?.entries() ?? []) {
      const def = defs.get(`parameter:${name}`) ?? { name, kind: 'parameter' as const, type: '' };
      const single = v.get('valueFromParameter');
      const oneOf = v.at('valueFromOneof', 'parameterSelectors');
      const sources = single ? [check(single, name)] : (oneOf?.items() ?? []).map((s) => check(s, name));
      out.push({ ...def, sources, ...(oneOf ? { oneOf: true } : {}) });
    }
    for (const [name, v] of dagNode.at('outputs', 'artifacts')?.entries() ?? []) {
      const def = defs.get(`artifact:${name}`) ?? { name, kind: 'artifact' as const, type: '' };
      const sources = (v.get('artifactSelectors')?.items() ?? []).map((s) => check(s, name));
      out.push({ ...def, sources, ...(sources.length > 1 && !def.isList ? { oneOf: true } : {}) });
    }
    return out;
  }

  private checkCycles(dag: DagModel, taskNodes: YNode | undefined): void {
    const index = new Map(dag.tasks.map((t, i) => [t.id, i]));
    const indegree = new Int32Array(dag.tasks.length);
    const next: number[][] = dag.tasks.map(() => []);
    for (const e of dag.edges) {
      const a = index.get(e.from);
      const b = index.get(e.to);
      if (a === undefined || b === undefined || a === b) continue;
      indegree[b]++;
      next[a].push(b);
    }
    const queue: number[] = [];
    for (let i = 0; i < indegree.length; i++) if (indegree[i] === 0) queue.push(i);
    for (let i = 0; i < queue.length; i++) {
      for (const n of next[queue[i]]) if (--indegree[n] === 0) queue.push(n);
    }
    for (const e of dag.edges) {
      if (e.from === e.to) this.report('error', 'cycle', `Task \`${e.to}\` depends on itself.`, taskNodes?.get(e.to)?.range);
    }
    if (queue.length < dag.tasks.length) {
      const stuck = dag.tasks.filter((_, i) => indegree[i] > 0).map((t) => t.id);
      this.report('error', 'cycle', `The tasks ${stuck.map((s) => `\`${s}\``).join(', ')} depend on each other in a cycle.`, taskNodes?.get(stuck[0])?.range);
    }
  }

  private readIoDefs(defs: YNode | undefined): IoDef[] {
    const known = defs && this.ioDefs.get(defs.value);
    if (known) return known;
    const out: IoDef[] = [];
    if (defs && typeof defs.value === 'object' && defs.value !== null) this.ioDefs.set(defs.value, out);
    for (const [name, p] of defs?.get('parameters')?.entries() ?? []) {
      const d: IoDef = { name, kind: 'parameter', type: p.get('parameterType')?.str() ?? '' };
      if (p.get('isOptional')?.bool()) d.optional = true;
      if (p.get('defaultValue')) d.defaultValue = this.js(p.get('defaultValue'));
      const desc = p.get('description')?.str();
      if (desc) d.description = desc;
      out.push(d);
    }
    for (const [name, a] of defs?.get('artifacts')?.entries() ?? []) {
      const d: IoDef = { name, kind: 'artifact', type: a.at('artifactType', 'schemaTitle')?.str() ?? '' };
      if (a.get('isArtifactList')?.bool()) d.isList = true;
      if (a.get('isOptional')?.bool()) d.optional = true;
      const desc = a.get('description')?.str();
      if (desc) d.description = desc;
      out.push(d);
    }
    return out;
  }

  private checkFields(node: YNode, known: Set<string>, what: string): void {
    for (const key of node.keys()) {
      if (!known.has(key)) this.report('warning', 'unknown-field', `Unknown field \`${key}\` in ${what}.`, node.get(key)?.range);
    }
  }
}

/** `runtimeValue.constant`, or the whole `runtimeValue` when it has no (non-null) constant. */
function constantOf(v: YNode): YNode | undefined {
  const c = v.at('runtimeValue', 'constant');
  return c && c.value !== null ? c : v.get('runtimeValue');
}

function firstKeyRange(n: YNode): Range {
  const first = n.entries()[0];
  return first ? first[1].range : (n.valueRange ?? ORIGIN);
}

function readIterator(t: YNode): IteratorModel | undefined {
  const p = t.get('parameterIterator');
  const a = t.get('artifactIterator');
  const it = p ?? a;
  if (!it) return undefined;
  const model: IteratorModel = { kind: p ? 'parameter' : 'artifact', itemInput: it.get('itemInput')?.str() ?? '' };
  const raw = it.at('items', 'raw')?.str();
  if (raw !== undefined) {
    model.raw = raw;
    try {
      const list: unknown = JSON.parse(raw);
      if (Array.isArray(list)) model.count = list.length;
    } catch {
      // Not JSON: keep the text only.
    }
  }
  const input = it.at('items', 'inputParameter')?.str() ?? it.at('items', 'inputArtifact')?.str();
  if (input) model.input = input;
  const limit = t.at('iteratorPolicy', 'parallelismLimit')?.num();
  if (limit) model.parallelism = limit;
  return model;
}

function readRetry(r: YNode | undefined): RetryModel | undefined {
  if (!r) return undefined;
  const retry: RetryModel = {};
  const count = r.get('maxRetryCount')?.num();
  if (count !== undefined) retry.maxRetryCount = count;
  const d = r.get('backoffDuration')?.str();
  if (d) retry.backoffDuration = d;
  const f = r.get('backoffFactor')?.num();
  if (f !== undefined) retry.backoffFactor = f;
  const m = r.get('backoffMaxDuration')?.str();
  if (m) retry.backoffMaxDuration = m;
  return retry;
}

function roleOf(task: TaskModel): DagRole {
  if (task.iterator) return 'loop';
  if (/^condition-branches-\d+$/.test(task.id)) return 'branches';
  if (task.condition !== undefined || /^condition-\d+$/.test(task.id)) return 'condition';
  if (/^exit-handler-\d+$/.test(task.id)) return 'exit-handler';
  return 'pipeline';
}


/** The candidate closest to `word` by edit distance, when it is close enough to be a likely typo. */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
