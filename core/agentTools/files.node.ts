/**
 * A local pipeline file as the agent tools read it: IR YAML/JSON as it is, a `.py` compiled with the given Python's
 * `kfp` (no shell). Node only: used by both hosts' backends.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { compilePythonPipeline } from '../pipeline/compile.node';
import { ToolInputError } from './text';

export async function readPipelineFile(file: string, o: { base?: string; python: () => Promise<string> | string }): Promise<string> {
  const full = path.resolve(o.base ?? process.cwd(), file);
  if (/\.py$/i.test(full)) {
    const res = await compilePythonPipeline({ python: await o.python(), file: full });
    if (!res.ok) throw new ToolInputError(`cannot compile ${file}${res.line ? ` (line ${res.line})` : ''}: ${res.error}`);
    return res.yaml;
  }
  try {
    return await fs.readFile(full, 'utf8');
  } catch (err) {
    throw new ToolInputError(`cannot read ${full}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}
