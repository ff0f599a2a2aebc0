// Reads the YAML (or JSON) text of a pipeline file into plain documents with source positions, turning syntax
// errors into diagnostics. Two parsers: js-yaml first (fast, linear: a 2,000-task pipeline in tens of ms, and it
// stops at the first error); when it fails on a small file, the `yaml` package, which reports every error and goes
// on, with one leniency: PyYAML, which writes and reads KFP files, accepts a quoted scalar whose continuation line is
// indented no deeper than its parent (upstream compiled files contain such lines); strict YAML does not. Such lines
// are re-indented and reported as a warning instead of failing the whole file. Beyond a stated size or nesting depth
// the file is refused with a diagnostic.
import { loadAll, YAMLException } from 'js-yaml';
import { LineCounter, parseAllDocuments, type Document, type YAMLError } from 'yaml';
import type { PipelineDiagnostic, Range } from './model';
import { ORIGIN, type SourcePositions } from './yaml-node';
import { DocumentPositions, JS_YAML_OPTIONS, JsYamlPositions, LineIndex, plainValue } from './yaml-positions';

export interface ReadResult {
  /** Each document's value, by its index in the file (null for an empty document). */
  docs: unknown[];
  positions: SourcePositions;
  diagnostics: PipelineDiagnostic[];
}

/** Larger files are refused (the largest real pipelines seen are near 50 MB, 111,782 tasks). */
export const MAX_PIPELINE_CHARS = 96 * 1024 * 1024;
/** Deeper nesting is refused (compiled pipelines nest about 12 levels, plus the values they carry). */
export const MAX_DEPTH = JS_YAML_OPTIONS.maxDepth;
/** Up to this size a file js-yaml rejects is read again by the `yaml` package, for all its errors and the leniency. */
const LENIENT_MAX_CHARS = 2 * 1024 * 1024;

const NO_POSITIONS: SourcePositions = { locate: () => undefined };

function refused(code: string, message: string, range: Range = ORIGIN): ReadResult {
  return { docs: [], positions: NO_POSITIONS, diagnostics: [{ severity: 'error', code, message, range }] };
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`;

/** Why a file of `size` characters (or bytes) is not read; undefined when it is small enough. */
export function tooLarge(size: number, what = 'The file'): string | undefined {
  return size > MAX_PIPELINE_CHARS ? `${what} is ${mb(size)}, more than the ${mb(MAX_PIPELINE_CHARS)} a pipeline file may have here, so it is not read.` : undefined;
}

export function readYaml(text: string): ReadResult {
  const big = tooLarge(text.length);
  if (big) return refused('too-large', big);
  try {
    const docs: unknown[] = [];
    loadAll(text, (d) => docs.push(d), JS_YAML_OPTIONS);
    const shallow = underIndentedContinuations(text);
    // Split into lines only when there is something to report (a 50 MB file has a million lines).
    return { docs, positions: new JsYamlPositions(text), diagnostics: shallow.length ? indentationWarnings(text.split('\n'), shallow) : [] };
  } catch (err) {
    if (!(err instanceof YAMLException)) throw err;
    const at = err.mark ? new LineIndex(text).range(err.mark.position, err.mark.position + 1) : ORIGIN;
    if (/maxDepth/.test(err.reason)) {
      return refused('too-deep', `The file nests values more than ${MAX_DEPTH} levels deep here, so it is not read (compiled pipelines nest a few dozen levels at most).`, at);
    }
    if (text.length > LENIENT_MAX_CHARS) return refused('yaml-syntax', capitalize(err.reason), at);
  }
  try {
    return readLenient(text);
  } catch (err) {
    if (err instanceof RangeError) return refused('too-deep', `The file nests values too deeply to be read (${err.message}).`);
    throw err;
  }
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function parse(text: string): { docs: Document[]; lines: LineCounter } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  return { docs: Array.isArray(docs) ? docs : [], lines };
}

function errorsOf(docs: Document[]): YAMLError[] {
  return docs.flatMap((d) => d.errors);
}

function result(docs: Document[], lines: LineCounter, diagnostics: PipelineDiagnostic[]): ReadResult {
  return { docs: docs.map(plainValue), positions: new DocumentPositions(docs, lines), diagnostics };
}

function readLenient(text: string): ReadResult {
  let { docs, lines } = parse(text);
  const diagnostics: PipelineDiagnostic[] = [];
  if (errorsOf(docs).length > 0) {
    const repaired = reindentQuotedContinuations(text, errorsOf(docs));
    if (repaired) {
      const again = parse(repaired.text);
      if (errorsOf(again.docs).length === 0) {
        docs = again.docs;
        lines = again.lines;
        return result(docs, lines, indentationWarnings(repaired.text.split('\n'), repaired.lines));
      }
    }
  }
  const loc = new LineIndex(text);
  for (const err of errorsOf(docs)) {
    const [a, b] = err.pos;
    diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: firstLine(err.message), range: loc.range(a, Math.max(b, a + 1)) });
  }
  for (const d of docs) {
    for (const w of d.warnings) {
      diagnostics.push({ severity: 'warning', code: 'yaml-warning', message: firstLine(w.message), range: loc.range(w.pos[0], w.pos[1]) });
    }
  }
  return result(docs, lines, diagnostics);
}

function indentationWarnings(src: string[], lines: number[]): PipelineDiagnostic[] {
  return lines.map((line) => ({
    severity: 'warning',
    code: 'yaml-indentation',
    message: 'This continuation line of a quoted string is not indented deeper than its parent. PyYAML accepts it, strict YAML parsers do not.',
    range: { start: { line, character: 0 }, end: { line, character: src[line].length } },
  }));
}

/**
 * The lines js-yaml (like PyYAML) accepted as continuations of a quoted scalar although they are not indented
 * deeper than the line that opens it. Only lines with a quote are looked at (found with indexOf); lines inside block
 * scalars (`|`, `>`) are skipped.
 */
function underIndentedContinuations(text: string): number[] {
  const out: number[] = [];
  const lines = new LineIndex(text);
  const lineEnd = (offset: number) => {
    const end = text.indexOf('\n', offset);
    return end < 0 ? text.length : end;
  };
  const nextQuote = (from: number) => {
    const a = text.indexOf("'", from);
    const b = text.indexOf('"', from);
    return a < 0 ? b : b < 0 ? a : Math.min(a, b);
  };
  for (let q = nextQuote(0); q >= 0; ) {
    const start = text.lastIndexOf('\n', q - 1) + 1;
    let at = lineEnd(q);
    const line = text.slice(start, at);
    const indent = line.length - line.trimStart().length;
    let state = openQuoteAtEnd(line);
    if (state && !insideBlockScalar(text, start, indent)) {
      // Follow the scalar over the next lines until it closes.
      while (state && at < text.length) {
        const from = at + 1;
        at = lineEnd(from);
        const next = text.slice(from, at);
        const body = next.trimStart();
        if (next.length - body.length <= indent && body !== '') out.push(lines.position(from).line);
        state = scanQuoted(body, state);
      }
    }
    q = nextQuote(at + 1);
  }
  return out;
}

/** Whether the line at `offset` (indented `indent`) is inside a block scalar: a less indented line above opens one. */
function insideBlockScalar(text: string, offset: number, indent: number): boolean {
  let end = offset - 1;
  for (let n = 0; end > 0 && n < 10_000; n++) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end);
    end = start - 1;
    const body = line.trimStart();
    if (body === '' || line.length - body.length >= indent) continue;
    return /(^|[:\s-])[|>][-+0-9]*\s*(#.*)?$/.test(body);
  }
  return false;
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
