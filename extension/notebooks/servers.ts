/**
 * The Notebook servers of the current profile namespace, kept current by watches through the daemon: v1 Notebook
 * resources and Notebooks 2.0 Workspaces (whichever the cluster serves, found by API discovery) with the
 * WorkspaceKinds, their pods, and (for servers that do not run) the pods' warning events. The view, the kernel
 * controllers, the pickers and the Jupyter extension's server list all read this one store.
 */
import * as vscode from 'vscode';
import { resolveKubeconfigSet } from '../../companion-daemon/src/paths';
import { apiPath, type Kube } from '../cluster/kube';
import { discover } from '../views/watchedList';
import { readContexts } from '../cluster/feature';
import { config } from '../config';
import type { Log } from '../log';
import { NOTEBOOK_LABEL, NOTEBOOKS, summarize, type EventResource, type NotebookResource, type NotebookServer, type PodResource } from './model';
import { summarizeWorkspace, WORKSPACE_KINDS, WORKSPACE_LABEL, WORKSPACES, type WorkspaceKindResource, type WorkspaceResource } from './workspaces';

export type ServerKind = NotebookServer['kind'];

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

/** A server's identity across reloads: which cluster, namespace and name (and for a Workspace, its Jupyter port). */
export interface ServerRef {
  context?: string;
  contextName: string;
  namespace: string;
  name: string;
  /** Absent for a v1 Notebook (bindings saved before Workspaces existed read the same). */
  kind?: 'Workspace';
  /** A Workspace's Jupyter port id and number, from its kind when the ref was made. */
  jupyter?: { portId: string; port: number };
}

/** v1 servers keep their key of old (saved bindings and tokens use it); a Workspace's says so. */
export function serverKey(s: ServerRef): string {
  return s.kind === 'Workspace' ? `${s.contextName}/${s.namespace}/workspace/${s.name}` : `${s.contextName}/${s.namespace}/${s.name}`;
}

export const refKind = (r: Pick<ServerRef, 'kind'>): ServerKind => r.kind ?? 'Notebook';

/** "notebook server x" or "workspace x", for messages. */
export function serverLabel(s: { name: string; kind?: ServerKind }): string {
  return `${s.kind === 'Workspace' ? 'workspace' : 'notebook server'} ${s.name}`;
}

export class ServerStore implements vscode.Disposable {
  private notebooks: NotebookResource[] = [];
  private workspaces: WorkspaceResource[] = [];
  private kinds: WorkspaceKindResource[] = [];
  private pods: PodResource[] = [];
  private wsPods: PodResource[] = [];
  /** Warning events by `kind/name` of the servers that wait. */
  private events = new Map<string, EventResource[]>();
  /** Why each served API cannot be listed; `served` says which APIs discovery found. */
  private errors: { notebooks?: string; workspaces?: string } = {};
  private served = { notebooks: true, workspaces: false };
  private watches: vscode.Disposable[] = [];
  private scopeNow: Scope | undefined;
  private loadedOnce: Promise<void> | undefined;
  private resolveLoaded: (() => void) | undefined;
  private eventTimer: NodeJS.Timeout | undefined;
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;
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

  ref(name: string, kind: ServerKind = 'Notebook'): ServerRef {
    const s = this.scope;
    const base = { context: s.context, contextName: s.contextName, namespace: s.namespace, name };
    if (kind === 'Notebook') return base;
    const jupyter = this.get(name, kind)?.jupyter;
    return { ...base, kind, ...(jupyter ? { jupyter } : {}) };
  }

  /** The WorkspaceKinds of the cluster (for creating a Workspace). */
  workspaceKinds(): WorkspaceKindResource[] {
    return this.kinds;
  }

  /** Whether the cluster serves Notebooks 2.0 Workspaces (and v1 Notebooks), by discovery. */
  get apis(): { notebooks: boolean; workspaces: boolean } {
    return { ...this.served };
  }

  /** Starts the watches on first use; resolves once the first list arrived (or failed). */
  ensure(): Promise<void> {
    if (!this.scopeNow) this.start();
    return this.loadedOnce!;
  }

  list(): NotebookServer[] {
    return [
      ...this.notebooks.map((nb) => summarize(nb, this.pods, this.events.get(`Notebook/${nb.metadata.name}`) ?? [])),
      ...this.workspaces.map((ws) => this.summarizeWs(ws)),
    ].sort((a, b) => a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind));
  }

  get(name: string, kind: ServerKind = 'Notebook'): NotebookServer | undefined {
    if (kind === 'Workspace') {
      const ws = this.workspaces.find((w) => w.metadata.name === name);
      return ws && this.summarizeWs(ws);
    }
    const nb = this.notebooks.find((n) => n.metadata.name === name);
    return nb && summarize(nb, this.pods, this.events.get(`Notebook/${name}`) ?? []);
  }

  private summarizeWs(ws: WorkspaceResource): NotebookServer {
    const kind = this.kinds.find((k) => k.metadata.name === ws.spec?.kind);
    return summarizeWorkspace(ws, kind, this.wsPods, this.events.get(`Workspace/${ws.metadata.name}`) ?? [], this.kindsError);
  }

  private kindsError: string | undefined;

  /** Resolves when `test` holds for the server (or rejects on cancellation). */
  waitFor(name: string, test: (s: NotebookServer | undefined) => boolean, token?: vscode.CancellationToken, kind: ServerKind = 'Notebook'): Promise<NotebookServer | undefined> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const s = this.get(name, kind);
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
    this.workspaces = [];
    this.kinds = [];
    this.pods = [];
    this.wsPods = [];
    this.errors = {};
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
    void this.discoverAndWatch(scope);
  }

  /**
   * Which of v1 Notebooks and v2 Workspaces the cluster serves (discovery); each served one is watched. When
   * discovery itself fails, v1 is watched as before (its error then says what is wrong).
   */
  private async discoverAndWatch(scope: Scope): Promise<void> {
    const ns = scope.namespace;
    let served = { notebooks: true, workspaces: false };
    try {
      const d = await discover(this.kube, [`${NOTEBOOKS.group}/${NOTEBOOKS.version}`, `${WORKSPACES.group}/${WORKSPACES.version}`]);
      const v1 = d[`${NOTEBOOKS.group}/${NOTEBOOKS.version}`];
      const v2 = d[`${WORKSPACES.group}/${WORKSPACES.version}`];
      served = { notebooks: !!v1?.includes(NOTEBOOKS.plural), workspaces: !!v2?.includes(WORKSPACES.plural) };
      // Neither: watch v1 so its error names the missing API.
      if (!served.notebooks && !served.workspaces) served.notebooks = true;
    } catch (err) {
      this.log.debug(`notebooks: discovery: ${(err as Error).message}`);
    }
    if (this.scopeNow !== scope) return;
    this.served = served;
    const pending = new Set<string>(Object.entries(served).filter(([, on]) => on).map(([k]) => k));
    const listed = (what: 'notebooks' | 'workspaces', error?: string) => {
      this.errors[what] = error;
      pending.delete(what);
      if (pending.size === 0) {
        this.loaded = true;
        this.resolveLoaded?.();
      }
    };
    if (served.notebooks) {
      this.watches.push(
        this.kube.watch<NotebookResource>(apiPath({ ...NOTEBOOKS, namespace: ns }), (items) => {
          this.notebooks = items;
          listed('notebooks');
          this.changed();
        }, (message) => {
          listed('notebooks', listProblem(message, ns));
          this.log.warn(`notebooks: ${message}`);
          this._onDidChange.fire();
        }),
        // Pods are optional: without RBAC to list them, the Notebook's own status is used.
        this.kube.watch<PodResource>(apiPath({ version: 'v1', plural: 'pods', namespace: ns }), (items) => {
          this.pods = items;
          this.changed();
        }, (message) => this.log.debug(`notebooks: pods: ${message}`), { labelSelector: NOTEBOOK_LABEL }),
      );
    }
    if (served.workspaces) {
      this.watches.push(
        this.kube.watch<WorkspaceResource>(apiPath({ ...WORKSPACES, namespace: ns }), (items) => {
          this.workspaces = items;
          listed('workspaces');
          this.changed();
        }, (message) => {
          listed('workspaces', /forbidden/i.test(message) ? `Not allowed to list Workspaces in namespace ${ns}: ${message}` : message);
          this.log.warn(`notebooks: workspaces: ${message}`);
          this._onDidChange.fire();
        }),
        this.kube.watch<WorkspaceKindResource>(apiPath(WORKSPACE_KINDS), (items) => {
          this.kinds = items;
          this.kindsError = undefined;
          this.changed();
        }, (message) => {
          this.kindsError = message;
          this.log.warn(`notebooks: workspace kinds: ${message}`);
          this._onDidChange.fire();
        }),
        this.kube.watch<PodResource>(apiPath({ version: 'v1', plural: 'pods', namespace: ns }), (items) => {
          this.wsPods = items;
          this.changed();
        }, (message) => this.log.debug(`notebooks: workspace pods: ${message}`), { labelSelector: WORKSPACE_LABEL }),
      );
    }
  }

  /** Why servers cannot be listed: set only when no served API lists (one failing API shows in the log). */
  get error(): string | undefined {
    const failed = Object.entries(this.served).filter(([k, on]) => on && this.errors[k as 'notebooks' | 'workspaces']);
    const on = Object.values(this.served).filter(Boolean).length;
    return failed.length > 0 && failed.length === on ? failed.map(([k]) => this.errors[k as 'notebooks' | 'workspaces']).join('; ') : undefined;
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
        const key = `${s.kind}/${s.name}`;
        const before = JSON.stringify(this.events.get(key) ?? []);
        this.events.set(key, events);
        if (JSON.stringify(events) !== before) this._onDidChange.fire();
        again = true;
      } catch (err) {
        this.log.debug(`notebooks: events of ${s.pod}: ${(err as Error).message}`);
      }
    }
    for (const key of [...this.events.keys()]) if (!waiting.some((s) => `${s.kind}/${s.name}` === key)) this.events.delete(key);
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
  if (/not found|could not find the requested resource/i.test(message)) return `The cluster has no Kubeflow Notebook API (neither kubeflow.org/v1 notebooks nor Notebooks 2.0 kubeflow.org/v1beta1 workspaces): ${message}`;
  return message;
}
