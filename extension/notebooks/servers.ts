/**
 * The Notebook servers of the current profile namespace, kept current by watches through the daemon: the Notebook
 * resources, their pods, and (for servers that do not run) the pods' warning events. The view, the kernel
 * controllers, the pickers and the Jupyter extension's server list all read this one store.
 */
import * as vscode from 'vscode';
import { resolveKubeconfigSet } from '../../companion-daemon/src/paths';
import { apiPath, type Kube } from '../cluster/kube';
import { readContexts } from '../cluster/feature';
import { config } from '../config';
import type { Log } from '../log';
import { NOTEBOOK_LABEL, NOTEBOOKS, summarize, type EventResource, type NotebookResource, type NotebookServer, type PodResource } from './model';

/** Where the views work: the configured context (empty = the kubeconfig's current) and namespace. */
export interface Scope {
  /** The `kubeflow.context` setting; undefined means the kubeconfig's current context. */
  context?: string;
  /** The context's name as resolved now, for ids that must not mix clusters. */
  contextName: string;
  namespace: string;
}

/** `kubeflow.namespace`, else the context's namespace, else `default`. */
export function currentScope(): Scope {
  const configured = config.context();
  let contextName = configured;
  let namespace = config.namespace();
  if (!namespace || !contextName) {
    const { contexts, current } = readContexts(resolveKubeconfigSet(config.kubeconfig() || undefined));
    contextName ||= current;
    namespace ||= contexts.find((c) => c.name === contextName)?.namespace || 'default';
  }
  return { context: configured || undefined, contextName, namespace };
}

/** A server's identity across reloads: which cluster, namespace and name. */
export interface ServerRef {
  context?: string;
  contextName: string;
  namespace: string;
  name: string;
}

export function serverKey(s: ServerRef): string {
  return `${s.contextName}/${s.namespace}/${s.name}`;
}

export class ServerStore implements vscode.Disposable {
  private notebooks: NotebookResource[] = [];
  private pods: PodResource[] = [];
  private events = new Map<string, EventResource[]>();
  private watches: vscode.Disposable[] = [];
  private scopeNow: Scope | undefined;
  private loadedOnce: Promise<void> | undefined;
  private resolveLoaded: (() => void) | undefined;
  private eventTimer: NodeJS.Timeout | undefined;
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;
  /** Why the servers cannot be listed (RBAC, no Notebook CRD, cluster unreachable). */
  error: string | undefined;
  loaded = false;
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly kube: Kube,
    private readonly log: Log,
  ) {
    this.subs.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (this.scopeNow && config.connectionKeys.some((k) => e.affectsConfiguration(k))) this.restart();
    }));
  }

  get scope(): Scope {
    return this.scopeNow ?? currentScope();
  }

  ref(name: string): ServerRef {
    const s = this.scope;
    return { context: s.context, contextName: s.contextName, namespace: s.namespace, name };
  }

  /** Starts the watches on first use; resolves once the first list arrived (or failed). */
  ensure(): Promise<void> {
    if (!this.scopeNow) this.start();
    return this.loadedOnce!;
  }

  list(): NotebookServer[] {
    return this.notebooks
      .map((nb) => summarize(nb, this.pods, this.events.get(nb.metadata.name) ?? []))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): NotebookServer | undefined {
    const nb = this.notebooks.find((n) => n.metadata.name === name);
    return nb && summarize(nb, this.pods, this.events.get(name) ?? []);
  }

  resource(name: string): NotebookResource | undefined {
    return this.notebooks.find((n) => n.metadata.name === name);
  }

  /** Resolves when `test` holds for the server (or rejects on cancellation). */
  waitFor(name: string, test: (s: NotebookServer | undefined) => boolean, token?: vscode.CancellationToken): Promise<NotebookServer | undefined> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const s = this.get(name);
        if (!test(s)) return false;
        sub.dispose();
        cancel?.dispose();
        resolve(s);
        return true;
      };
      const sub = this.onDidChange(() => void check());
      const cancel = token?.onCancellationRequested(() => {
        sub.dispose();
        reject(new vscode.CancellationError());
      });
      void this.ensure().then(() => check());
    });
  }

  restart(): void {
    this.stopWatches();
    this.notebooks = [];
    this.pods = [];
    this.events.clear();
    this.loaded = false;
    this.start();
    this._onDidChange.fire();
  }

  dispose(): void {
    this.stopWatches();
    this.subs.forEach((s) => s.dispose());
    this._onDidChange.dispose();
  }

  private start(): void {
    const scope = (this.scopeNow = currentScope());
    this.loadedOnce = new Promise((r) => (this.resolveLoaded = r));
    const ns = scope.namespace;
    this.log.info(`notebooks: watching namespace ${ns}${scope.context ? ` (context ${scope.context})` : ''}`);
    this.watches.push(
      this.kube.watch<NotebookResource>(apiPath({ ...NOTEBOOKS, namespace: ns }), (items) => {
        this.notebooks = items;
        this.error = undefined;
        this.loaded = true;
        this.resolveLoaded?.();
        this.changed();
      }, (message) => {
        this.error = listProblem(message, ns);
        this.loaded = true;
        this.log.warn(`notebooks: ${message}`);
        this.resolveLoaded?.();
        this._onDidChange.fire();
      }),
      // Pods are optional: without RBAC to list them, the Notebook's own status is used.
      this.kube.watch<PodResource>(apiPath({ version: 'v1', plural: 'pods', namespace: ns }), (items) => {
        this.pods = items;
        this.changed();
      }, (message) => this.log.debug(`notebooks: pods: ${message}`), { labelSelector: NOTEBOOK_LABEL }),
    );
  }

  private stopWatches(): void {
    this.watches.forEach((w) => w.dispose());
    this.watches = [];
    clearTimeout(this.eventTimer);
    this.scopeNow = undefined;
  }

  private changed(): void {
    this._onDidChange.fire();
    this.scheduleEvents();
  }

  /** Events are read (not watched) for servers that do not run, at most every 2 s, and again while they wait. */
  private scheduleEvents(): void {
    if (this.eventTimer) return;
    this.eventTimer = setTimeout(() => {
      this.eventTimer = undefined;
      void this.readEvents();
    }, 2000);
  }

  private async readEvents(): Promise<void> {
    const scope = this.scopeNow;
    if (!scope) return;
    const waiting = this.list().filter((s) => (s.phase === 'starting' || s.phase === 'pending') && s.pod);
    let again = false;
    for (const s of waiting) {
      try {
        const events = await this.kube.list<EventResource>(apiPath({ version: 'v1', plural: 'events', namespace: scope.namespace }), { fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${s.pod}` });
        const before = JSON.stringify(this.events.get(s.name) ?? []);
        this.events.set(s.name, events);
        if (JSON.stringify(events) !== before) this._onDidChange.fire();
        again = true;
      } catch (err) {
        this.log.debug(`notebooks: events of ${s.pod}: ${(err as Error).message}`);
      }
    }
    for (const name of [...this.events.keys()]) if (!waiting.some((s) => s.name === name)) this.events.delete(name);
    if (again && this.scopeNow === scope) {
      clearTimeout(this.eventTimer);
      this.eventTimer = setTimeout(() => {
        this.eventTimer = undefined;
        void this.readEvents();
      }, 5000);
    }
  }
}

function listProblem(message: string, ns: string): string {
  if (/forbidden/i.test(message)) return `Not allowed to list Notebook servers in namespace ${ns}: ${message}`;
  if (/not found|could not find the requested resource/i.test(message)) return `The cluster has no Kubeflow Notebook API (kubeflow.org/v1 notebooks): ${message}`;
  return message;
}
