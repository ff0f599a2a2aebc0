/**
 * The HTTP API of an in-cluster service (KFP's `ml-pipeline`, the Model Registry), as REST clients in `core/` need it:
 * an `HttpTransport` that goes through a daemon port-forward to the service (Kubernetes RBAC only, no gateway login),
 * or to a configured gateway URL with the headers the caller adds (a bearer token, `kubeflow-userid`).
 * When no answer comes, the error says why in the user's terms (service missing, no running pod, RBAC), using what
 * the daemon knows about the forward.
 */
import * as vscode from 'vscode';
import * as P from '../../companion-daemon/src/protocol';
import { CancelledError, fetchTransport, RequestTimeoutError, UnreachableError, type HttpTransport } from '../../core/http/transport';
import type { Ctx } from '../ctx';
import { credentialProblem } from './credentialPolicy';

/** How long a new forward may stay `connecting` before the request goes on anyway (it then waits in the daemon). */
const SETTLE_MS = 10_000;

export interface ServiceRef {
  namespace: string;
  name: string;
  port: P.PortRef;
  /** kubeconfig context; empty = the configured one. */
  context?: string;
}

export interface ServiceApiConfig {
  /** Used in messages: "Kubeflow Pipelines API". */
  title: string;
  /** A gateway URL from the settings; undefined or empty = forward to `service()`. */
  url(): string | undefined;
  /** The in-cluster service to forward to. */
  service(): ServiceRef;
  /** Headers for every request (tokens from SecretStorage, `kubeflow-userid`). Never logged. */
  headers?(): Record<string, string> | Promise<Record<string, string>>;
  /** Said after "service X not found": how to point the extension elsewhere (the setting names). */
  notFoundHint?: string;
  /**
   * false: the forward admits connections without the per-forward secret header, for protocols whose first bytes are
   * not an HTTP/1 request head (gRPC's HTTP/2 preface). Default true.
   */
  secret?: boolean;
}

export class ServiceApi implements vscode.Disposable {
  /** The forward in use: its key (target + context) and id, and the last state the daemon reported. */
  private forward: { key: string; id: string; info: P.ForwardInfo } | undefined;
  private readonly subs: vscode.Disposable[];
  readonly transport: HttpTransport = (req) => this.send(req);

  constructor(
    private readonly ctx: Ctx,
    private readonly config: ServiceApiConfig,
  ) {
    this.subs = [
      ctx.daemon.onNotification(P.didChangeForward, (info) => {
        if (this.forward?.id === info.id) this.forward.info = info;
      }),
    ];
  }

  /** Where requests go, for messages and tooltips: the URL, or the service and the local end of its forward. */
  where(): string {
    const url = this.config.url()?.trim();
    if (url) return url;
    const s = this.config.service();
    const local = this.forward && this.forward.key === this.key(s) ? ` (port-forward 127.0.0.1:${this.forward.info.localPort})` : '';
    return `service ${s.name}:${s.port} in namespace ${s.namespace}${local}`;
  }

  /** The local end of the forward (started or joined), for clients that speak another protocol than HTTP/1 (gRPC). */
  async endpoint(): Promise<{ host: string; port: number }> {
    const info = await this.ensureForward();
    return { host: '127.0.0.1', port: info.localPort };
  }

  /** Forget the forward (settings changed): the next request starts or joins the one for the new target. */
  reset(): void {
    this.forward = undefined;
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
  }

  private async send(req: Parameters<HttpTransport>[0]): ReturnType<HttpTransport> {
    const headers = async (): Promise<Record<string, string>> => (this.config.headers ? await this.config.headers() : {});
    const url = this.config.url()?.trim();
    if (url) {
      // A credential goes to a gateway only over https (or to this machine): the URL may come from a repository.
      const checked = async (): Promise<Record<string, string>> => {
        const h = await headers();
        const problem = credentialProblem(url, h);
        if (problem) throw new Error(`${this.config.title}: ${problem}`);
        return h;
      };
      try {
        return await fetchTransport(url, checked)(req);
      } catch (err) {
        if (err instanceof RequestTimeoutError) throw new RequestTimeoutError(`${this.config.title}: ${err.message}. Is the gateway up?`, err);
        if (err instanceof UnreachableError) throw new UnreachableError(`${this.config.title}: cannot reach ${url}. Check the URL in the settings and that the gateway is up. (${err.message})`, err);
        throw err;
      }
    }
    const info = await this.ensureForward();
    if (req.signal?.aborted) throw new CancelledError();
    try {
      return await fetchTransport(info.url, async () => ({ ...(await headers()), ...P.forwardHeaders(info) }))(req);
    } catch (err) {
      if (!(err instanceof UnreachableError)) throw err;
      const message = await this.explainFailure(err);
      throw err instanceof RequestTimeoutError ? new RequestTimeoutError(message, err) : new UnreachableError(message, err);
    }
  }

  private key(s: ServiceRef): string {
    return JSON.stringify([s.context ?? this.ctx.kube.context() ?? '', s.namespace, s.name, s.port]);
  }

  private async ensureForward(): Promise<P.ForwardInfo> {
    const s = this.config.service();
    const key = this.key(s);
    if (this.forward?.key === key && this.forward.info.status.state === 'ready') return this.forward.info;
    const context = s.context ?? this.ctx.kube.context();
    const target: P.ForwardTarget = { kind: 'service', namespace: s.namespace, name: s.name, port: s.port, ...(context ? { context } : {}) };
    let info: P.ForwardInfo;
    const asked = Date.now();
    try {
      info = await this.ctx.daemon.request(P.startForward, { target, secret: this.config.secret ?? true });
    } catch (err) {
      throw new UnreachableError(this.explainStartError(s, err), err);
    }
    this.forward = { key, id: info.id, info };
    // The local port listens before the pod is found. Wait (briefly) for the outcome, so a missing service or RBAC
    // refusal fails this request now instead of holding it while the daemon retries.
    const settled = await this.settle(info, SETTLE_MS);
    const st = settled.status;
    if (st.state === 'error') {
      // A forward this API started for itself and that cannot work now (no kubeconfig, RBAC, no such service) is not
      // left behind retrying in the Port Forwards view: the view that asked shows why, and its next request tries again.
      this.forward = undefined;
      const ours = Date.parse(info.createdAt) >= asked - 1000;
      if (ours) await this.ctx.daemon.request(P.stopForward, { id: info.id }).catch(() => undefined);
      throw new UnreachableError(this.explainStartError(s, { code: st.code, message: st.reason }));
    }
    if (st.state === 'waiting-for-pod') throw new UnreachableError(`${this.config.title}: no running pod behind service ${s.name} in namespace ${s.namespace} (${st.reason})`);
    return settled;
  }

  /**
   * The forward's state once it is no longer `connecting`, or after `ms`. It follows the forward's own notifications,
   * not `this.forward`: a reset meanwhile (settings or a stored credential changed) must not leave the request waiting.
   */
  private settle(first: P.ForwardInfo, ms: number): Promise<P.ForwardInfo> {
    if (first.status.state !== 'connecting') return Promise.resolve(first);
    return new Promise((resolve) => {
      let latest = first;
      const done = (): void => {
        clearTimeout(timer);
        sub.dispose();
        resolve(latest);
      };
      const timer = setTimeout(done, ms);
      const sub = this.ctx.daemon.onNotification(P.didChangeForward, (info) => {
        if (info.id !== first.id) return;
        latest = info;
        if (info.status.state !== 'connecting') done();
      });
    });
  }

  private explainStartError(s: ServiceRef, err: unknown): string {
    const code = (err as { code?: number }).code;
    const reason = (err as Error).message;
    const svc = `service ${s.name} in namespace ${s.namespace}`;
    if (code === P.ErrorCode.NotFound || /not found/i.test(reason)) return `${this.config.title}: ${svc} was not found. Is it installed in this cluster?${this.config.notFoundHint ? ` ${this.config.notFoundHint}` : ''}`;
    if (code === P.ErrorCode.Forbidden) return `${this.config.title}: Kubernetes RBAC does not allow a port-forward to ${svc} (it needs "get" on services and "create" on pods/portforward). ${reason}`;
    return `${this.config.title}: cannot forward to ${svc}: ${reason}`;
  }

  /** After a request through the forward got no answer: what the daemon says about the forward now. */
  private async explainFailure(err: UnreachableError): Promise<string> {
    const s = this.config.service();
    const svc = `service ${s.name} in namespace ${s.namespace}`;
    const id = this.forward?.id;
    const info = id ? (await this.ctx.daemon.request(P.listForwards).catch(() => [] as P.ForwardInfo[])).find((f) => f.id === id) : undefined;
    const st = info?.status;
    if (st?.state === 'waiting-for-pod') return `${this.config.title}: no running pod behind ${svc} (${st.reason}).`;
    if (st?.state === 'error') return `${this.config.title}: the port-forward to ${svc} fails: ${st.reason}`;
    if (!info || st?.state === 'stopped') this.forward = undefined;
    if (err instanceof RequestTimeoutError) return `${this.config.title}: ${svc} did not answer in time through its port-forward (${err.message}). Is the server in its pod up?`;
    return `${this.config.title}: no answer from ${svc} through its port-forward. Is the server in its pod up? (${err.message})`;
  }
}
