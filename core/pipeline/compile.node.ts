// Compiles a Python KFP pipeline (`@dsl.pipeline`) to IR YAML with the user's own Python and `kfp`: spawns the
// interpreter without a shell and runs a small script passed with `-c`. Node-only (the `.node.ts` suffix keeps it
// out of the webview build); the extension and the `kubeflow-companion graph` CLI share it.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * argv: <file.py> <pipeline function or ''> <out.yaml>. Imports the file under a private module name (so its
 * `if __name__ == "__main__":` block does not run), finds the pipelines it defines, compiles the wanted one (else
 * the first in the file) and prints one result line after a marker, because the user's code may print too.
 */
export const COMPILE_SCRIPT = String.raw`
import importlib.util, json, os, re, sys, traceback
path, wanted, out = sys.argv[1], sys.argv[2], sys.argv[3]
def emit(obj):
    sys.stdout.write('\n@@KFVS@@' + json.dumps(obj) + '\n')
    sys.stdout.flush()
    sys.exit(0)
def line_in_file(exc):
    if isinstance(exc, SyntaxError) and exc.filename and os.path.abspath(exc.filename) == os.path.abspath(path):
        return exc.lineno
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if os.path.abspath(frame.filename) == os.path.abspath(path):
            return frame.lineno
    return None
try:
    import kfp
    from kfp import compiler
    from kfp.dsl.graph_component import GraphComponent
except Exception as exc:
    emit({'ok': False, 'kind': 'no-kfp', 'error': '%s: %s' % (type(exc).__name__, exc), 'python': sys.executable})
sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
try:
    spec = importlib.util.spec_from_file_location('__kfvs_pipeline__', path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # for code that looks its module up (type hints, dataclasses)
    spec.loader.exec_module(module)
except BaseException as exc:
    emit({'ok': False, 'kind': 'failed', 'error': ''.join(traceback.format_exception_only(type(exc), exc)).strip(), 'line': line_in_file(exc)})
found = []
for name, obj in vars(module).items():
    if isinstance(obj, GraphComponent):
        fn = getattr(obj, 'pipeline_func', None)
        code = getattr(fn, '__code__', None)
        own = getattr(fn, '__module__', None) == '__kfvs_pipeline__'
        found.append((0 if own else 1, code.co_firstlineno if code else 0, getattr(fn, '__name__', name), obj))
def comp_key(g):
    return 'comp-' + re.sub('[^a-z0-9-]+', '-', str(getattr(g, 'name', '')).lower()).strip('-')
used = set()
for f in found:
    try:
        used.update(k for k in f[3].pipeline_spec.components.keys())
    except Exception:
        pass
# Pipelines defined here come first, then those no other pipeline uses as a component, then by line.
found.sort(key=lambda f: (f[0], 1 if comp_key(f[3]) in used else 0, f[1]))
names = [f[2] for f in found]
if not found:
    emit({'ok': False, 'kind': 'no-pipeline', 'error': 'No @dsl.pipeline function found in this file.', 'pipelines': []})
chosen = [f for f in found if f[2] == wanted] if wanted else found[:1]
if not chosen:
    emit({'ok': False, 'kind': 'no-pipeline', 'error': 'No pipeline named %s in this file (found: %s).' % (wanted, ', '.join(names)), 'pipelines': names})
try:
    compiler.Compiler().compile(chosen[0][3], out)
except BaseException as exc:
    emit({'ok': False, 'kind': 'failed', 'error': ''.join(traceback.format_exception_only(type(exc), exc)).strip(), 'line': line_in_file(exc), 'pipelines': names})
emit({'ok': True, 'pipeline': chosen[0][2], 'pipelines': names, 'kfp': getattr(kfp, '__version__', '')})
`;

export type CompileFailure = 'no-python' | 'no-kfp' | 'no-pipeline' | 'failed' | 'timeout';

export type CompileResult =
  | { ok: true; yaml: string; pipeline: string; pipelines: string[]; kfpVersion: string; ms: number }
  | { ok: false; kind: CompileFailure; error: string; line?: number; pipelines?: string[]; output?: string };

export interface CompileOptions {
  /** The interpreter to run (absolute path or a name on PATH). */
  python: string;
  /** The `.py` file. */
  file: string;
  /** The pipeline function to compile; the first in the file when absent. */
  pipeline?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const MARKER = '@@KFVS@@';

export async function compilePythonPipeline(options: CompileOptions): Promise<CompileResult> {
  const started = Date.now();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kfvs-compile-'));
  const out = path.join(dir, 'pipeline.yaml');
  try {
    const run = await runPython(options, out);
    if (run.spawnError) {
      return { ok: false, kind: 'no-python', error: `Cannot run Python \`${options.python}\`: ${run.spawnError}` };
    }
    if (run.timedOut) return { ok: false, kind: 'timeout', error: `Compiling took longer than ${Math.round((options.timeoutMs ?? 120000) / 1000)} s and was stopped.`, output: run.output };
    const line = run.stdout.split('\n').reverse().find((l) => l.startsWith(MARKER));
    if (!line) {
      return { ok: false, kind: 'failed', error: `Python exited with ${run.code ?? 'a signal'} without a result.`, output: run.output };
    }
    const res = JSON.parse(line.slice(MARKER.length)) as {
      ok: boolean; kind?: CompileFailure; error?: string; line?: number; pipelines?: string[]; pipeline?: string; kfp?: string;
    };
    if (!res.ok) {
      return { ok: false, kind: res.kind ?? 'failed', error: res.error ?? 'compile failed', ...(res.line ? { line: res.line } : {}), ...(res.pipelines ? { pipelines: res.pipelines } : {}), output: run.output };
    }
    const yaml = await fs.readFile(out, 'utf8');
    return { ok: true, yaml, pipeline: res.pipeline ?? '', pipelines: res.pipelines ?? [], kfpVersion: res.kfp ?? '', ms: Date.now() - started };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

interface RunResult {
  code: number | null;
  stdout: string;
  /** stdout and stderr, for the log. */
  output: string;
  spawnError?: string;
  timedOut?: boolean;
}

function runPython(options: CompileOptions, out: string): Promise<RunResult> {
  const file = path.resolve(options.file);
  return new Promise((resolve) => {
    const child = spawn(options.python, ['-c', COMPILE_SCRIPT, file, options.pipeline ?? '', out], {
      cwd: path.dirname(file),
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
      signal: options.signal,
    });
    let stdout = '';
    let output = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120000);
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      output += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, output, spawnError: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, output: output.slice(-20000), ...(timedOut ? { timedOut } : {}) });
    });
  });
}
