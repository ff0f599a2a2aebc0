/**
 * Job logs as read-only documents (`kubeflow-logs:` URIs): the daemon's merged, replica-tagged stream of a job,
 * updated live while it is followed, in time order across replicas, optionally filtered to some replicas and by text
 * (filter.ts). The URI carries the source and the filter, so a filtered view is just another document.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { MessageConnection } from 'vscode-jsonrpc';
import { compareTags, describeSource } from '../../companion-daemon/src/logs/replicas';
import * as P from '../../companion-daemon/src/protocol';
import type { DaemonClient } from '../daemon/client';
import { byTime, logPath, textMatcher, textProblem } from './filter';

export const SCHEME = 'kubeflow-logs';
/** Lines kept per open document; the capture on disk keeps more. */
const MAX_LINES = 200_000;

interface OpenLog {
  source: P.LogSource;
  replicas: Set<string> | undefined;
  /** The text filter's test, when there is one. */
  matches: ((line: string) => boolean) | undefined;
  lines: P.LogLine[];
  known: Set<string>;
  subscription: string;
  /** Settles when the daemon answered the subscription (with the backlog). */
  ready: Promise<void>;
}

/** `label` names the document instead of its source (a pipeline step's `<task> · <run name>`); filters keep it. */
export function logUri(source: P.LogSource, replicas?: string[], text?: string, label?: string): vscode.Uri {
  const query = new URLSearchParams({ source: JSON.stringify(source) });
  if (replicas?.length) query.set('replicas', replicas.join(','));
  if (text) query.set('text', text);
  if (label) query.set('label', label);
  // The name says what the document shows, so a filtered log's tab names its filter.
  return vscode.Uri.from({ scheme: SCHEME, path: logPath(source, { replicas, text }, label), query: query.toString() });
}

export function sourceOf(uri: vscode.Uri): { source: P.LogSource; replicas?: string[]; text?: string; label?: string } {
  const q = new URLSearchParams(uri.query);
  const source = JSON.parse(q.get('source') ?? 'null') as P.LogSource;
  const replicas = q.get('replicas')?.split(',').filter(Boolean);
  const text = q.get('text') || undefined;
  const label = q.get('label') || undefined;
  return { source, ...(replicas ? { replicas } : {}), ...(text ? { text } : {}), ...(label ? { label } : {}) };
}

export class LogDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private docs = new Map<string, OpenLog>();
  private readonly _onDidChange = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this._onDidChange.event;
  private pendingChange = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly subs: vscode.Disposable[] = [];
  /** URIs whose editors scroll to the end on every update. */
  readonly following = new Set<string>();

  constructor(private readonly daemon: DaemonClient) {
    this.subs.push(
      daemon.onNotification(P.didAppendLogs, (p) => this.append(p.subscription, p.lines)),
      daemon.onReconnect((c) => this.resubscribe(c)),
      // A document can be closed and reopened at once (a language change does that): unsubscribe only if it stays closed.
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme !== SCHEME) return;
        setTimeout(() => {
          if (!vscode.workspace.textDocuments.some((t) => t.uri.toString() === d.uri.toString())) this.close(d.uri);
        }, 1000);
      }),
    );
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    let doc = this.docs.get(uri.toString());
    if (!doc) {
      const { source, replicas, text } = sourceOf(uri);
      // The id is ours, so lines that arrive before the answer are routed here too.
      const d: OpenLog = { source, replicas: replicas ? new Set(replicas) : undefined, matches: text && !textProblem(text) ? textMatcher(text) : undefined, lines: [], known: new Set(), subscription: randomUUID(), ready: Promise.resolve() };
      this.docs.set(uri.toString(), d);
      this.following.add(uri.toString());
      d.ready = this.daemon.request(P.subscribeLogs, { source, backlog: MAX_LINES, subscription: d.subscription }).then((r) => {
        d.lines = [...byTime(r.lines), ...d.lines];
        for (const rep of r.capture.replicas) d.known.add(rep.replica);
        for (const l of r.lines) d.known.add(l.replica);
      });
      d.ready.catch(() => this.docs.get(uri.toString()) === d && this.docs.delete(uri.toString()));
      doc = d;
    }
    // VS Code may ask again while the first answer is on its way (opening with a language re-creates the model):
    // every caller waits for the backlog, so no editor keeps an empty first rendering of a log that is done.
    await doc.ready;
    return render(doc);
  }

  /** Replicas seen so far in the document's source, in rank order. */
  replicas(uri: vscode.Uri): string[] {
    return [...(this.docs.get(uri.toString())?.known ?? [])].sort(compareTags);
  }

  title(uri: vscode.Uri): string {
    const d = this.docs.get(uri.toString());
    return sourceOf(uri).label ?? (d ? describeSource(d.source) : uri.path);
  }

  dispose(): void {
    for (const uri of [...this.docs.keys()]) this.close(vscode.Uri.parse(uri));
    this.subs.forEach((s) => s.dispose());
    this._onDidChange.dispose();
  }

  private append(subscription: string, lines: P.LogLine[]): void {
    for (const [uri, doc] of this.docs) {
      if (doc.subscription !== subscription) continue;
      for (const l of lines) doc.known.add(l.replica);
      doc.lines.push(...lines);
      if (doc.lines.length > MAX_LINES) doc.lines.splice(0, doc.lines.length - MAX_LINES);
      this.pendingChange.add(uri);
    }
    // Coalesce: a busy job writes thousands of lines a second; the editor updates a few times a second.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      for (const u of this.pendingChange) this._onDidChange.fire(vscode.Uri.parse(u));
      this.pendingChange.clear();
    }, 250);
  }

  private close(uri: vscode.Uri): void {
    const doc = this.docs.get(uri.toString());
    if (!doc) return;
    this.docs.delete(uri.toString());
    this.following.delete(uri.toString());
    void this.daemon.request(P.unsubscribeLogs, { subscription: doc.subscription }).catch(() => undefined);
  }

  /** After the daemon restarted, subscribe again; lines missed meanwhile come from its capture. */
  private async resubscribe(c: MessageConnection): Promise<void> {
    for (const [uri, doc] of this.docs) {
      doc.subscription = randomUUID();
      const early = (doc.lines = []);
      const r = await c.sendRequest(P.subscribeLogs, { source: doc.source, backlog: MAX_LINES, subscription: doc.subscription });
      doc.lines = [...byTime(r.lines), ...early];
      this.pendingChange.add(uri);
    }
  }
}

function render(doc: OpenLog): string {
  const lines = doc.replicas || doc.matches ? doc.lines.filter((l) => (!doc.replicas || doc.replicas.has(l.replica)) && (!doc.matches || doc.matches(l.text))) : doc.lines;
  // One pod's log (a pipeline step): the title names the pod, a tag on every line would only take the width.
  if (doc.source.kind === 'pod' && doc.known.size <= 1) return lines.map((l) => `${l.text}\n`).join('');
  const width = Math.min(24, Math.max(0, ...[...doc.known].map((r) => r.length)));
  return lines.map((l) => `[${l.replica.padEnd(width)}] ${l.text}`).join('\n') + (lines.length ? '\n' : '');
}

/** Where a traceback or error starts: Python tracebacks, NCCL/CUDA errors, generic ERROR lines. */
export const ERROR_LINE = /(Traceback \(most recent call last\)|\b(Error|Exception|FAILED|FATAL|CUDA error|NCCL (WARN|ERROR)|Segmentation fault|OOMKilled)\b)/;
