/**
 * Collections the editor watches (Notebooks, jobs, pods, InferenceServices…): one ResilientInformer per
 * subscription; the full list goes to the subscriber after every change, coalesced to at most five per second.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { MessageConnection } from 'vscode-jsonrpc';
import { ErrorCode, type WatchParams } from '../protocol';
import { DaemonError, toDaemonError } from './errors';
import { ResilientInformer } from './informer';
import { kubeRest } from './rest';

interface Watch {
  client: MessageConnection;
  informer: ResilientInformer<KubernetesObject>;
  timer?: NodeJS.Timeout;
}

export class Watches {
  private watches = new Map<string, Watch>();

  constructor(
    private readonly kubeConfig: (context?: string) => KubeConfig,
    private readonly notify: (client: MessageConnection, p: { subscription: string; items: unknown[]; error?: string }) => void,
  ) {}

  async watch(client: MessageConnection, p: WatchParams): Promise<{ items: unknown[] }> {
    if (typeof p?.subscription !== 'string' || !p.subscription) throw new DaemonError(ErrorCode.BadRequest, 'A watch needs a subscription id.', 'BadRequest');
    this.unwatch(p.subscription);
    const kc = this.kubeConfig(p.context);
    const query: Record<string, string> = {};
    if (p.labelSelector) query.labelSelector = p.labelSelector;
    if (p.fieldSelector) query.fieldSelector = p.fieldSelector;
    // The first list answers the request (and reports RBAC or a missing CRD as an error the user sees).
    const first = (await kubeRest(kc, { method: 'GET', path: p.path, query }).catch((err: unknown) => {
      throw toDaemonError(err, `Listing ${p.path}`);
    })) as { items?: unknown[] };
    const w: Watch = {
      client,
      informer: new ResilientInformer<KubernetesObject>({
        kc,
        path: p.path,
        list: () => kubeRest(kc, { method: 'GET', path: p.path, query }) as never,
        labelSelector: p.labelSelector,
        fieldSelector: p.fieldSelector,
        onChange: () => {
          w.timer ??= setTimeout(() => {
            w.timer = undefined;
            this.notify(client, { subscription: p.subscription, items: [...w.informer.list()] });
          }, 200);
        },
        onError: (err) => this.notify(client, { subscription: p.subscription, items: [...w.informer.list()], error: toDaemonError(err, `Watching ${p.path}`).message }),
      }),
    };
    this.watches.set(p.subscription, w);
    void w.informer.start();
    return { items: first.items ?? [] };
  }

  unwatch(subscription: string): void {
    const w = this.watches.get(subscription);
    if (!w) return;
    clearTimeout(w.timer);
    w.informer.stop();
    this.watches.delete(subscription);
  }

  dropClient(client: MessageConnection): void {
    for (const [id, w] of this.watches) if (w.client === client) this.unwatch(id);
  }

  dispose(): void {
    for (const id of [...this.watches.keys()]) this.unwatch(id);
  }
}
