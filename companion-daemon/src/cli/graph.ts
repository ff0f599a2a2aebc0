// `kubeflow-companion graph FILE [--format json|mermaid|dot] [--python PATH] [--pipeline NAME]`: prints the graph of
// a compiled KFP pipeline (IR YAML/JSON) or of a Python pipeline (compiled with the given Python's `kfp`).
// Exit code: 0 when the file was read without errors, 1 when it has errors (what could be read is still printed),
// 2 for usage errors or a file that cannot be read or compiled.
import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { compilePythonPipeline } from '../../../core/pipeline/compile.node';
import { exportPipeline, type ExportFormat } from '../../../core/pipeline/export';
import { parsePipeline } from '../../../core/pipeline/parse';
import { tooLarge } from '../../../core/pipeline/yaml-read';

const USAGE = `usage: kubeflow-companion graph FILE [--format json|mermaid|dot] [--python PATH] [--pipeline NAME]

FILE is a compiled KFP v2 pipeline (.yaml, .yml, .json) or a Python file with a @dsl.pipeline
(compiled with PATH, default $KFVS_PYTHON or python3, which needs kfp installed).
The JSON lists, for the root DAG and each sub-DAG component, its tasks and its data/control edges.`;

const FORMATS: ExportFormat[] = ['json', 'mermaid', 'dot'];

export async function graphCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const err = process.stderr;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (e) {
    err.write(`kubeflow-companion graph: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out.write(USAGE + '\n');
    return 0;
  }
  const file = positionals[0];
  const format = (values.format ?? 'json') as ExportFormat;
  if (!file || positionals.length > 1 || !FORMATS.includes(format)) {
    err.write(`${USAGE}\n`);
    return 2;
  }
  let text: string;
  if (/\.py$/i.test(file)) {
    const python = values.python ?? process.env.KFVS_PYTHON ?? 'python3';
    const res = await compilePythonPipeline({ python, file, ...(values.pipeline ? { pipeline: values.pipeline } : {}) });
    if (!res.ok) {
      err.write(`kubeflow-companion graph: ${file}${res.line ? `:${res.line}` : ''}: ${res.error}\n`);
      return 2;
    }
    text = res.yaml;
  } else {
    try {
      const big = tooLarge((await fs.stat(file)).size, file);
      if (big) {
        err.write(`kubeflow-companion graph: ${big}\n`);
        return 2;
      }
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      err.write(`kubeflow-companion graph: cannot read ${file}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const model = parsePipeline(text);
  out.write(exportPipeline(model, format));
  for (const d of model.diagnostics) {
    err.write(`${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message} [${d.code}]\n`);
  }
  return model.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', short: 'f' },
      python: { type: 'string' },
      pipeline: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
