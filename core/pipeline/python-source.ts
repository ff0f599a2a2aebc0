// Finds KFP definitions in Python source text without running Python: `@dsl.pipeline` functions (for CodeLenses
// and the compile picker) and the function a compiled component came from (for jumping from the graph to code).

export interface PythonFunction {
  name: string;
  /** Zero-based line of the `def`. */
  line: number;
  /** Zero-based line of the decorator. */
  decoratorLine: number;
}

const PIPELINE_DECORATOR = /^\s*@(?:(?:kfp\.)?dsl\.)?pipeline\b/;
const COMPONENT_DECORATOR = /^\s*@(?:(?:kfp\.)?dsl\.)?(?:component|container_component|notebook_component)\b/;
const DEF = /^\s*(?:async\s+)?def\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/;

function decorated(text: string, decorator: RegExp): PythonFunction[] {
  const lines = text.split(/\r?\n/);
  const out: PythonFunction[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!decorator.test(lines[i])) continue;
    // The decorator may span lines (arguments) and be followed by other decorators; the next `def` is the function.
    for (let j = i + 1; j < Math.min(lines.length, i + 60); j++) {
      const m = DEF.exec(lines[j]);
      if (m) {
        out.push({ name: m[1], line: j, decoratorLine: i });
        i = j;
        break;
      }
      // A top-level statement that is not a decorator, a comment or the end of the decorator's arguments.
      if (/^[^\s@)\]}#]/.test(lines[j])) break;
    }
  }
  return out;
}

/** The `@dsl.pipeline` (or `@pipeline`, `@kfp.dsl.pipeline`) functions of a file, in order. */
export function findPipelineFunctions(text: string): PythonFunction[] {
  return decorated(text, PIPELINE_DECORATOR);
}

/** The `@dsl.component` / `@dsl.container_component` functions of a file, in order. */
export function findComponentFunctions(text: string): PythonFunction[] {
  return decorated(text, COMPONENT_DECORATOR);
}

/** The line of `def name(` anywhere in the file (top level or nested), or undefined. */
export function findFunction(text: string, name: string): number | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = DEF.exec(lines[i]);
    if (m && m[1] === name) return i;
  }
  return undefined;
}

/**
 * Python function names a compiled component may come from, best first: `comp-print-text-2` → `print_text_2`,
 * `print_text` (the compiler numbers components whose specs differ but whose functions share a name).
 */
export function functionCandidates(componentName: string, pythonFunction?: string): string[] {
  const base = componentName.replace(/^comp-/, '');
  const names = [pythonFunction, base.replace(/-/g, '_'), base.replace(/-\d+$/, '').replace(/-/g, '_')];
  return [...new Set(names.filter((n): n is string => Boolean(n)))];
}
