// The one connection of this window to the KFP API: a daemon port-forward to `ml-pipeline:8888` in `kubeflow` (or a
// configured gateway URL), the stored credential and `kubeflow-userid` as headers, and the server's mode (multi-user
// or not, from /healthz) that decides whether requests carry the profile namespace. Settings changes start over.
import * as vscode from 'vscode';
import { ApiError, CancelledError, UnreachableError, withSignal, type HttpTransport } from '../../core/http/transport';
import { KfpClient } from '../../core/kfp/client';
import { ServiceApi } from '../cluster/serviceApi';
import type { Ctx } from '../ctx';
import { errorMessage } from '../log';
import { Credentials, pipelineSettings } from './settings';

export interface ServerInfo {
  multiUser: boolean;
  version?: string;
  /** The profile namespace requests carry (multi-user only). */
  namespace?: string;
}

export class PipelinesApi implements vscode.Disposable {
  readonly creds: Credentials;
  private readonly service: ServiceApi;
  private server: Promise<ServerInfo> | undefined;
  private cachedClient: { client: KfpClient; info: ServerInfo } | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** The connection settings changed: lists should be read again. */
  readonly onDidChange = this.changed.event;
  private readonly subs: vscode.Disposable[];

  constructor(private readonly ctx: Ctx) {
    this.creds = new Credentials(ctx.extension.secrets);
    this.service = new ServiceApi(ctx, {
      title: 'Kubeflow Pipelines API',
      url: () => pipelineSettings.endpoint() || undefined,
      service: () => pipelineSettings.service(),
      headers: () => this.creds.headers(),
      notFoundHint: 'If Kubeflow Pipelines runs elsewhere, set kubeflow.pipelines.serviceNamespace / serviceName, or kubeflow.pipelines.endpoint to a gateway URL.',
    });
    this.subs = [
      this.creds,
      this.service,
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (pipelineSettings.keys.some((k) => e.affectsConfiguration(k))) this.reset();
      }),
      ctx.extension.secrets.onDidChange((e) => {
        if (e.key.startsWith('kubeflow.pipelines')) this.reset();
      }),
    ];
  }

  /** Forget the connection and the server's mode; listeners read again. */
  reset(): void {
    this.service.reset();
    this.server = undefined;
    this.cachedClient = undefined;
    this.changed.fire();
  }

  /** The connection's transport, for readers of other parts of the same API (core/kfp/artifacts.ts). */
  get transport(): HttpTransport {
    return this.service.transport;
  }

  /** Where requests go, for messages and tooltips. */
  where(): string {
    return this.service.where();
  }

  /** The server's mode, asked once per connection (`GET /apis/v2beta1/healthz`). */
  info(): Promise<ServerInfo> {
    this.server ??= (async () => {
      const raw = new KfpClient(this.service.transport);
      const h = await raw.healthz();
      const multiUser = h.multi_user === true;
      const namespace = pipelineSettings.namespace();
      this.ctx.log.info(`KFP API at ${this.where()}: ${h.tag_name ? `KFP ${h.tag_name}, ` : ''}${multiUser ? `multi-user, profile namespace ${namespace || '(not set)'}` : 'single-user'}`);
      return { multiUser, ...(h.tag_name ? { version: h.tag_name } : {}), ...(multiUser && namespace ? { namespace } : {}) };
    })().catch((err: unknown) => {
      this.server = undefined;
      throw err;
    });
    return this.server;
  }

  /** A client for this connection; in multi-user mode it needs the profile namespace. */
  async client(): Promise<KfpClient> {
    const info = await this.info();
    if (info.multiUser && !info.namespace) {
      throw new Error('This Kubeflow Pipelines server is multi-user: set your profile namespace (Kubeflow: Select Namespace…, or the setting kubeflow.pipelines.namespace).');
    }
    if (this.cachedClient?.info !== info) this.cachedClient = { client: new KfpClient(this.service.transport, info.namespace ? { namespace: info.namespace } : {}), info };
    return this.cachedClient.client;
  }

  /** A client whose requests `signal` also aborts (a cancelled submit); otherwise like `client()`. */
  async cancellableClient(signal: AbortSignal): Promise<KfpClient> {
    const info = await this.info();
    await this.client();
    return new KfpClient(withSignal(this.service.transport, signal), info.namespace ? { namespace: info.namespace } : {});
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
  }

  /** A failure in the user's terms: what the server said, and what to change when it is about access. */
  explain(err: unknown): string {
    if (err instanceof CancelledError) return 'cancelled';
    if (err instanceof UnreachableError) return err.message;
    if (err instanceof ApiError) {
      const how = pipelineSettings.endpoint() ? 'the gateway' : 'the API server';
      if (err.status === 401) return `${how} wants a login: ${err.message}. Run "Kubeflow: Set Pipelines API Credentials…" (a bearer token or the session cookie).`;
      if (err.status === 403) return `${how} refused: ${err.message}. In multi-user mode your user needs a role in the profile namespace${pipelineSettings.userId() ? '' : ' (and a port-forward needs kubeflow.pipelines.userId, the kubeflow-userid the gateway would send)'}.`;
      return err.message;
    }
    return errorMessage(err);
  }
}
