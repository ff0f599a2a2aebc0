// Reads the YAML (or JSON) text of a pipeline file into `yaml` documents with line information, turning syntax
// errors into diagnostics. One leniency: PyYAML, which writes and reads KFP files, accepts a quoted scalar whose
// continuation line is indented no deeper than its parent (upstream compiled files contain such lines); strict
// YAML does not. Such lines are re-indented and reported as a warning instead of failing the whole file.
import { parseAllDocuments, type Document, type YAMLError } from 'yaml';
import type { PipelineDiagnostic } from './model';
import { LineCounter, Locator } from './yaml-node';

export interface ReadResult {
  docs: Document[];
  loc: Locator;
  diagnostics: PipelineDiagnostic[];
}

function parse(text: string): { docs: Document[]; lines: LineCounter } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  return { docs: Array.isArray(docs) ? docs : [], lines };
}

function errorsOf(docs: Document[]): YAMLError[] {
  return docs.flatMap((d) => d.errors);
}

export function readYaml(text: string): ReadResult {
  let { docs, lines } = parse(text);
  const diagnostics: PipelineDiagnostic[] = [];
  if (errorsOf(docs).length > 0) {
    const repaired = reindentQuotedContinuations(text, errorsOf(docs));
    if (repaired) {
      const again = parse(repaired.text);
      if (errorsOf(again.docs).length === 0) {
        docs = again.docs;
        lines = again.lines;
        const loc = new Locator(lines);
        const src = repaired.text.split('\n');
        for (const line of repaired.lines) {
          diagnostics.push({
            severity: 'warning',
            code: 'yaml-indentation',
            message: 'This continuation line of a quoted string is not indented deeper than its parent. PyYAML accepts it, strict YAML parsers do not.',
            range: { start: { line, character: 0 }, end: { line, character: src[line].length } },
          });
        }
        return { docs, loc, diagnostics };
      }
    }
  }
  const loc = new Locator(lines);
  for (const err of errorsOf(docs)) {
    const [a, b] = err.pos;
    diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: firstLine(err.message), range: loc.range(a, Math.max(b, a + 1)) });
  }
  for (const d of docs) {
    for (const w of d.warnings) {
      diagnostics.push({ severity: 'warning', code: 'yaml-warning', message: firstLine(w.message), range: loc.range(w.pos[0], w.pos[1]) });
    }
  }
  return { docs, loc, diagnostics };
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * For each "missing closing quote" error, finds the quoted scalar that opens on that line and indents its
 * continuation lines two columns past the line's own indentation. Returns undefined when no error is of that kind
 * or the quote cannot be followed.
 */
function reindentQuotedContinuations(text: string, errors: YAMLError[]): { text: string; lines: number[] } | undefined {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const src = text.split('\n');
  const fixed = new Set<number>();
  for (const err of errors) {
    if (err.code !== 'MISSING_CHAR' || !/closing ['"]quote/.test(err.message)) continue;
    const line = lineOf(Math.max(0, err.pos[0] - 1));
    const open = openQuoteAtEnd(src[line]);
    if (!open) return undefined;
    const indent = src[line].length - src[line].trimStart().length;
    // Follow the scalar over the next lines until it closes, re-indenting lines that are too shallow.
    let state: Quote | undefined = open;
    for (let l = line + 1; l < src.length && state; l++) {
      const body = src[l].trimStart();
      if (src[l].length - body.length <= indent) {
        src[l] = ' '.repeat(indent + 2) + body;
        fixed.add(l);
      }
      state = scanQuoted(body, state);
    }
    if (state) return undefined;
  }
  return fixed.size > 0 ? { text: src.join('\n'), lines: [...fixed].sort((a, b) => a - b) } : undefined;
}

type Quote = "'" | '"';

/** The quote still open at the end of a line of YAML, if any (ignores quotes inside comments and plain scalars). */
function openQuoteAtEnd(line: string): Quote | undefined {
  let state: Quote | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (state === "'") {
      if (c === "'" && line[i + 1] === "'") i++;
      else if (c === "'") state = undefined;
    } else if (state === '"') {
      if (c === '\\') i++;
      else if (c === '"') state = undefined;
    } else if (c === '#' && (i === 0 || line[i - 1] === ' ')) {
      return undefined;
    } else if ((c === "'" || c === '"') && (i === 0 || ' -:[{,'.includes(line[i - 1]))) {
      state = c;
    }
  }
  return state;
}

/** Continues a quoted scalar over one more line; returns the quote if it is still open at the end. */
function scanQuoted(line: string, state: Quote): Quote | undefined {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (state === "'" && c === "'" && line[i + 1] === "'") i++;
    else if (state === '"' && c === '\\') i++;
    else if (c === state) return undefined;
  }
  return state;
}
