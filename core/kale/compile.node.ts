// Compiles a Kale-tagged notebook with Kale's own compiler (PyPI kubeflow-kale 2.x: NotebookProcessor → Compiler →
// kfputils.compile_pipeline), in a Python that has Kale, without a shell: the KFP DSL script and the pipeline YAML
// land in the notebook's `.kale/` folder; the result names the steps and their edges, or Kale's error. Node-only.
import { spawn } from 'node:child_process';
import path from 'node:path';

const SCRIPT = String.raw`
import json, os, sys, traceback
nb, overrides = sys.argv[1], json.loads(sys.argv[2])
def emit(obj):
    sys.stdout.write('\n@@KFVS-KALE@@' + json.dumps(obj, default=str) + '\n')
    sys.stdout.flush()
    sys.exit(0)
try:
    from kale.processors import NotebookProcessor
    from kale.compiler import Compiler
    from kale.common import kfputils
except Exception as exc:
    emit({'ok': False, 'kind': 'no-kale', 'error': '%s: %s' % (type(exc).__name__, exc), 'python': sys.executable})
try:
    processor = NotebookProcessor(nb, overrides)
    pipeline = processor.run()
    steps = [{'name': n, 'prev': sorted(pipeline.predecessors(n))} for n in pipeline.nodes]
    dsl = Compiler(pipeline, processor.get_imports_and_functions()).compile()
    name = pipeline.config.pipeline_name
    package = kfputils.compile_pipeline(dsl, name)
except BaseException as exc:
    emit({'ok': False, 'kind': 'failed', 'error': ''.join(traceback.format_exception_only(type(exc), exc)).strip(), 'detail': traceback.format_exc()})
emit({'ok': True, 'dsl': os.path.abspath(dsl), 'yaml': os.path.abspath(package), 'pipeline': name, 'steps': steps})
`;

export interface KaleStep {
  name: string;
  prev: string[];
}

export type KaleCompileResult =
  | { ok: true; dsl: string; yaml: string; pipeline: string; steps: KaleStep[] }
  | { ok: false; kind: 'no-python' | 'no-kale' | 'failed' | 'timeout'; error: string; detail?: string };

export interface KaleCompileOptions {
  python: string;
  notebook: string;
  /** Kale's notebook-metadata overrides (`pipeline_name`, `experiment_name`, …). */
  overrides?: Record<string, unknown>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const MARKER = '@@KFVS-KALE@@';

export function compileKaleNotebook(o: KaleCompileOptions): Promise<KaleCompileResult> {
  const nb = path.resolve(o.notebook);
  return new Promise((resolve) => {
    const child = spawn(o.python, ['-c', SCRIPT, nb, JSON.stringify(o.overrides ?? {})], {
      cwd: path.dirname(nb),
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ ok: false, kind: 'timeout', error: `Kale took longer than ${Math.round((o.timeoutMs ?? 180_000) / 1000)} s and was stopped.` });
    }, o.timeoutMs ?? 180_000);
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-20_000)));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, kind: 'no-python', error: `Cannot run Python \`${o.python}\`: ${e.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').reverse().find((l) => l.startsWith(MARKER));
      if (!line) {
        resolve({ ok: false, kind: 'failed', error: `Kale exited with ${code ?? 'a signal'} without a result.`, detail: err });
        return;
      }
      const r = JSON.parse(line.slice(MARKER.length)) as { ok: boolean; kind?: 'no-kale' | 'failed'; error?: string; detail?: string; dsl?: string; yaml?: string; pipeline?: string; steps?: KaleStep[] };
      if (r.ok) resolve({ ok: true, dsl: r.dsl!, yaml: r.yaml!, pipeline: r.pipeline ?? '', steps: r.steps ?? [] });
      else resolve({ ok: false, kind: r.kind ?? 'failed', error: withKaleFix(r.error ?? 'failed'), ...(r.detail || err ? { detail: `${r.detail ?? ''}${err}` } : {}) });
    });
  });
}

/** Kale's error with the fix, where Kale's own words leave it out. */
export function withKaleFix(error: string): string {
  if (/does not exist\. It was defined as previous step/.test(error)) {
    return `${error}. A step can only follow (prev:) steps of cells above it: two steps that name each other form a cycle. Remove one of the prev: tags, or move the cell below the step it follows.`;
  }
  if (/Cycle detected/i.test(error)) return `${error} Change the steps' prev: tags so that no step follows itself.`;
  if (/Unrecognized tag/.test(error)) return `${error}. Kale's tags: step:<name>, prev:<name>, imports, functions, pipeline-parameters, pipeline-metrics, skip (and limit:, image:, annotation:, label:, cache:).`;
  return error;
}

/** The message for a Python without Kale, with the fix. */
export function noKaleMessage(python: string): string {
  return `${python} cannot import Kale. Install it (${python} -m pip install kubeflow-kale), or set kubeflow.kale.pythonPath to a Python that has it.`;
}
