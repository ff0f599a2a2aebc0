// KFP compiler rig: compiles a Python pipeline file to KFP v2 IR YAML with the real `kfp` SDK of the rig's venv
// (test/rigs/jupyter/install.sh installs it).
//
//   const ir = await compilePipeline('test/fixtures/pipelines/hello_world.py', 'test-output/ir/hello_world.yaml');
//
// The pipeline is the file's only @dsl.pipeline, or the one named with { function }. A file whose pipelines call
// each other (sub-pipelines) compiles the one no other pipeline uses. Compile errors throw with Python's stderr.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { venvBin } from '../jupyter/index';

export interface CompileOptions {
  /** Name of the @dsl.pipeline function to compile (needed when the file has several top-level pipelines). */
  function?: string;
  /** Milliseconds before the compile is killed. Default 120 s (importing kfp takes ~2 s on 2 cores). */
  timeoutMs?: number;
}

export class KfpCompileError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
    readonly exitCode: number | null,
    /** The innermost line of the pipeline file in the traceback, when there is one. */
    readonly line?: number,
  ) {
    super(message);
    this.name = 'KfpCompileError';
  }
}

// Loads the file as a module (so tracebacks name it and its lines), picks the pipeline, compiles it.
const DRIVER = `
import importlib.util, sys
from kfp import compiler
from kfp.dsl.graph_component import GraphComponent

src, out, wanted = sys.argv[1], sys.argv[2], sys.argv[3]
spec = importlib.util.spec_from_file_location('kfvs_pipeline_module', src)
mod = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = mod
spec.loader.exec_module(mod)

found = {name: obj for name, obj in vars(mod).items() if isinstance(obj, GraphComponent)}
if wanted:
    if wanted not in found:
        sys.exit(f'no @dsl.pipeline function {wanted!r} in {src}; pipelines: {sorted(found)}')
    chosen = found[wanted]
else:
    # Sub-pipelines are components of other pipelines: their names appear in the others' component specs.
    used = set()
    for obj in found.values():
        for comp in obj.pipeline_spec.components.values():
            if comp.HasField('dag'):
                used.update(t.component_ref.name for t in comp.dag.tasks.values())
    top = [n for n, obj in found.items() if 'comp-' + obj.name.replace('_', '-') not in used]
    if len(found) == 0:
        sys.exit(f'no @dsl.pipeline function in {src}')
    if len(top) != 1:
        sys.exit(f'{src} has several top-level pipelines {sorted(top)}: name one with the function option')
    chosen = found[top[0]]
compiler.Compiler().compile(pipeline_func=chosen, package_path=out)
`;

/**
 * Compiles `pyFile` to `outYaml` (directories are created) and returns the absolute path of the IR.
 * Throws KfpCompileError whose message holds Python's stderr, tracebacks with the file's line numbers included.
 */
export async function compilePipeline(pyFile: string, outYaml: string, opts: CompileOptions = {}): Promise<string> {
  const src = path.resolve(pyFile);
  const out = path.resolve(outYaml);
  if (!fs.existsSync(src)) throw new Error(`no such pipeline file: ${src}`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.rmSync(out, { force: true });
  const python = venvBin('python');
  const timeoutMs = opts.timeoutMs ?? 120_000;

  const { code, signal, stderr } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(python, ['-c', DRIVER, src, out, opts.function ?? ''], {
        cwd: path.dirname(src),
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
      });
      let err = '';
      child.stdout.on('data', (b: Buffer) => { err += b.toString(); });
      child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
      child.on('error', reject);
      child.on('close', (c, s) => resolve({ code: c, signal: s, stderr: err }));
    },
  );
  if (code !== 0 || !fs.existsSync(out)) {
    const why = signal ? `killed by ${signal}${signal === 'SIGKILL' ? ` (timeout ${timeoutMs} ms?)` : ''}` : `exit ${code}`;
    // Lead with "file:line: Exception: message" (the innermost frame in the file), then the whole traceback.
    const frames = [...stderr.matchAll(/File "([^"]+)", line (\d+)/g)].filter((m) => path.resolve(m[1]!) === src);
    const line = frames.length ? Number(frames[frames.length - 1]![2]) : undefined;
    const lastLine = stderr.trim().split('\n').pop() ?? '';
    const where = line !== undefined ? `${src}:${line}: ` : `${src}: `;
    throw new KfpCompileError(`${where}${lastLine}\nkfp could not compile it (${why}):\n${stderr.trim()}`, stderr, code, line);
  }
  return out;
}
