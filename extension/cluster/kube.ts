/**
 * The extension's Kubernetes access, all through the companion daemon (the extension loads no Kubernetes client):
 * REST calls and watched collections that survive daemon restarts. Paths are built with `apiPath`, which encodes
 * every cluster-provided segment.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import * as P from '../../companion-daemon/src/protocol';
import { config } from '../config';
import type { DaemonClient } from '../daemon/client';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string; deletionTimestamp?: string; resourceVersion?: string };
  spec?: unknown;
  status?: unknown;
}

/** `/api/v1/namespaces/<ns>/pods` or `/apis/<group>/<version>/namespaces/<ns>/<plural>[/<name>[/<sub>]]`. */
export function apiPath(o: { group?: string; version: string; plural: string; namespace?: string; name?: string; sub?: string }): string {
  const base = o.group ? `/apis/${o.group}/${o.version}` : `/api/${o.version}`;
  const ns = o.namespace ? `/namespaces/${encodeURIComponent(o.namespace)}` : '';
  const name = o.name ? `/${encodeURIComponent(o.name)}` : '';
  const sub = o.sub ? `/${o.sub}` : '';
  return `${base}${ns}/${o.plural}${name}${sub}`;
}

export class Kube {
  constructor(private readonly daemon: DaemonClient) {}

  /** The configured context (empty: the kubeconfig's current one). */
  context(): string | undefined {
    return config.context() || undefined;
  }

  request<T = unknown>(method: P.KubeRequestParams['method'], path: string, o: { body?: unknown; query?: Record<string, string>; contentType?: string } = {}): Promise<T> {
    return this.daemon.request(P.kubeRequest, { context: this.context(), method, path, ...o }) as Promise<T>;
  }

  get<T = KubeObject>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  async list<T = KubeObject>(path: string, query?: Record<string, string>): Promise<T[]> {
    return ((await this.request<{ items?: T[] }>('GET', path, { query })).items ?? []) as T[];
  }

  /**
   * Watches a collection: `onItems` gets the full list now and after every change; `onError` gets what stops the
   * list (RBAC, a missing CRD). Re-watches after a daemon restart. Dispose to stop.
   */
  watch<T = KubeObject>(path: string, onItems: (items: T[]) => void, onError: (message: string) => void, selectors: { labelSelector?: string; fieldSelector?: string } = {}): vscode.Disposable {
    const subscription = randomUUID();
    let disposed = false;
    const start = async (): Promise<void> => {
      try {
        const r = await this.daemon.request(P.watchList, { subscription, context: this.context(), path, ...selectors });
        if (!disposed) onItems(r.items as T[]);
      } catch (err) {
        if (!disposed) onError(err instanceof Error ? err.message : String(err));
      }
    };
    const subs = [
      this.daemon.onNotification(P.didChangeList, (p) => {
        if (p.subscription !== subscription || disposed) return;
        if (p.error) onError(p.error);
        else onItems(p.items as T[]);
      }),
      this.daemon.onReconnect(async () => start()),
    ];
    void start();
    return new vscode.Disposable(() => {
      disposed = true;
      subs.forEach((s) => s.dispose());
      void this.daemon.request(P.unwatchList, { subscription }).catch(() => undefined);
    });
  }
}
