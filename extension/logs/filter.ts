/**
 * What a job-log document shows: the replicas picked and a text filter (a substring, any case, or `/regex/flags`),
 * lines in time order across replicas (the capture's backlog comes grouped per container), and the words that name
 * the filter in the tab title. Pure: no `vscode`.
 */
import type * as P from '../../companion-daemon/src/protocol';

export interface LogFilter {
  replicas?: string[];
  text?: string;
}

/** `/re/flags` is a regular expression; anything else is a substring, any case. Throws on a bad expression. */
export function textMatcher(text: string): (line: string) => boolean {
  const re = /^\/(.+)\/([dgimsuy]*)$/.exec(text);
  if (re) {
    const rx = new RegExp(re[1], re[2].replace(/[gy]/g, ''));
    return (line) => rx.test(line);
  }
  const needle = text.toLowerCase();
  return (line) => line.toLowerCase().includes(needle);
}

/** Why the text cannot filter, or undefined. */
export function textProblem(text: string): string | undefined {
  try {
    textMatcher(text);
    return undefined;
  } catch (err) {
    return `Not a valid regular expression: ${(err as Error).message}`;
  }
}

/** Stable by the kubelet's time stamp: replicas interleave as they wrote; lines of one instant keep their order. */
export function byTime(lines: P.LogLine[]): P.LogLine[] {
  return lines.map((l, i) => ({ l, i })).sort((a, b) => (a.l.time < b.l.time ? -1 : a.l.time > b.l.time ? 1 : a.i - b.i)).map((x) => x.l);
}

/** ` (worker-2 · "loss")`: the filter, for the document's name (the tab title). Empty without a filter. */
export function describeFilter(f: LogFilter): string {
  const parts = [...(f.replicas?.length ? [f.replicas.join(', ')] : []), ...(f.text ? [`“${noSlash(f.text)}”`] : [])];
  return parts.length ? ` (${parts.join(' · ')})` : '';
}

/**
 * The document's path, whose last segment is the tab title: `/<namespace>/<what><filter>.kflog`. `<what>` is the
 * label when there is one (a pipeline step's `<task> · <run name>`, not its pod `…-system-container-impl-690511402`),
 * else the source. The `.kflog` extension gives the document the Kubeflow log language.
 */
export function logPath(source: P.LogSource, f: LogFilter, label?: string): string {
  const what = label ? noSlash(label) : source.kind === 'job' ? `${source.jobKind}/${source.name}` : source.kind === 'pod' ? `pod/${source.name}` : `selector/${encodeURIComponent(source.selector)}`;
  return `/${source.namespace}/${what}${describeFilter(f)}.kflog`;
}

/** A path segment cannot hold a slash: a look-alike takes its place. */
function noSlash(s: string): string {
  return s.replace(/[/\\]/g, '∕');
}
