/**
 * The Jupyter connection factory: `@jupyterlab/services` settings for a Kubeflow notebook server reached through a
 * daemon forward (no token, XSRF double-submit cookie, optional token or gateway headers), the checks that turn a
 * server's answers into messages a person can act on (password, not Jupyter, kernel spec missing), and the session of
 * one local notebook (start, or reattach with the same `clientId` so the server replays what it buffered).
 * No `vscode` here: the integration tests and the bench use it as the extension does.
 */
import { randomBytes } from 'node:crypto';
import { KernelAPI, KernelManager, ServerConnection, SessionAPI, SessionManager, type Kernel, type Session } from '@jupyterlab/services';
import WebSocket from 'ws';

export interface ServerAuth {
  /** A Jupyter token (servers started with one); sent as `Authorization: token …`, never in URLs. */
  token?: string;
  /** Extra headers for REST and WebSocket upgrades, e.g. a gateway cookie. */
  headers?: Record<string, string>;
}

/** How long a WebSocket upgrade may wait: the daemon holds connections up to 90 s while a pod is replaced. */
const HANDSHAKE_TIMEOUT_MS = 100_000;

/** Settings for a server at `baseUrl` (`http://127.0.0.1:<port>/notebook/<ns>/<name>/`). */
export function jupyterSettings(baseUrl: string, auth: ServerAuth = {}): ServerConnection.ISettings {
  return ServerConnection.makeSettings({
    baseUrl: baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`,
    token: '',
    appendToken: false,
    fetch: withHeaders(requestHeaders(auth)) as typeof fetch,
    Request,
    Headers,
    WebSocket: webSocketClass(upgradeHeaders(auth)),
  });
}

/**
 * Headers every REST call carries. Kubeflow servers run with `token=''`, and tornado then checks XSRF on
 * POST/PATCH/DELETE by double submit: any value works when the `_xsrf` cookie and the `X-XSRFToken` header agree.
 */
export function requestHeaders(auth: ServerAuth = {}): Record<string, string> {
  const xsrf = randomBytes(16).toString('hex');
  const h: Record<string, string> = { ...(auth.headers ?? {}) };
  const cookies = [h.Cookie ?? h.cookie, `_xsrf=${xsrf}`].filter(Boolean);
  delete h.cookie;
  h.Cookie = cookies.join('; ');
  h['X-XSRFToken'] = xsrf;
  if (auth.token) h.Authorization = `token ${auth.token}`;
  return h;
}

function upgradeHeaders(auth: ServerAuth): Record<string, string> {
  const h = requestHeaders(auth);
  delete h['X-XSRFToken'];
  return h;
}

function withHeaders(extra: Record<string, string>) {
  return (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const headers = new Headers(req.headers);
    for (const [k, v] of Object.entries(extra)) headers.set(k, v);
    return fetch(new Request(req, { headers, redirect: 'manual' }));
  };
}

function webSocketClass(headers: Record<string, string>): typeof globalThis.WebSocket {
  class HeaderWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers, perMessageDeflate: false, handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    }
  }
  return HeaderWebSocket as unknown as typeof globalThis.WebSocket;
}

// --- errors a person can act on

export type JupyterProblem = 'auth' | 'not-jupyter' | 'unreachable' | 'kernel-spec' | 'kernel-gone' | 'other';

export class JupyterError extends Error {
  constructor(
    readonly problem: JupyterProblem,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'JupyterError';
  }
}

/** Maps what `@jupyterlab/services` or fetch threw to a JupyterError with a sentence that says what to do. */
export function explain(err: unknown, server: string): JupyterError {
  if (err instanceof JupyterError) return err;
  const status = (err as { response?: Response }).response?.status;
  const text = err instanceof Error ? err.message : String(err);
  if (status === 401 || status === 403 || (status !== undefined && status >= 300 && status < 400)) {
    if (/_xsrf/.test(text)) return new JupyterError('auth', `The notebook server ${server} rejected the request (403, XSRF): it asks for a token or password.`, status);
    return new JupyterError('auth', `The notebook server ${server} asks for a password or token (${status}). Kubeflow notebook images run without one; enter the server's token, or open it in the browser.`, status);
  }
  if (status === 404) return new JupyterError('not-jupyter', `The notebook server ${server} has no Jupyter API under its Kubeflow URL (404). Is the image a Jupyter image started with --ServerApp.base_url=$NB_PREFIX?`, status);
  if (err instanceof ServerConnection.NetworkError || /fetch failed|ECONNREFUSED|ECONNRESET|socket hang up/i.test(text)) {
    return new JupyterError('unreachable', `Cannot reach the notebook server ${server}: ${text}`);
  }
  return new JupyterError('other', `${server}: ${text}`, status);
}

export interface KernelSpecs {
  default: string;
  /** name → display name and language. */
  specs: Record<string, { display: string; language: string }>;
}

/** Checks that a Jupyter server answers without a login and lists its kernel specs. */
export async function probeServer(settings: ServerConnection.ISettings, server: string): Promise<KernelSpecs> {
  let res: Response;
  try {
    res = await ServerConnection.makeRequest(`${settings.baseUrl}api/kernelspecs`, {}, settings);
  } catch (err) {
    throw explain(err, server);
  }
  if (res.status !== 200) throw explain(new ServerConnection.ResponseError(res, `${res.status} ${res.statusText}`), server);
  let body: { default?: string; kernelspecs?: Record<string, { spec?: { display_name?: string; language?: string } }> };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new JupyterError('not-jupyter', `The notebook server ${server} answered api/kernelspecs with something that is not JSON (a login page?).`);
  }
  const specs: KernelSpecs['specs'] = {};
  for (const [name, s] of Object.entries(body.kernelspecs ?? {})) specs[name] = { display: s.spec?.display_name ?? name, language: s.spec?.language ?? '' };
  return { default: body.default ?? Object.keys(specs)[0] ?? '', specs };
}

/**
 * Which kernel spec a notebook runs on: the one it names when the server has it; else, for a notebook that names
 * none, the server's default. A named spec the server lacks is a `kernel-spec` problem (the caller asks).
 */
export function chooseKernelSpec(specs: KernelSpecs, wanted: string | undefined, server: string): string {
  if (wanted && specs.specs[wanted]) return wanted;
  if (!wanted && specs.default) return specs.default;
  const have = Object.keys(specs.specs).join(', ') || 'none';
  throw new JupyterError('kernel-spec', `The notebook server ${server} has no kernel "${wanted ?? ''}" (it has: ${have}).`);
}

// --- one server, one notebook

/** The managers of one server. KernelManager's poll notices kernels that are gone (culled, server restarted). */
export class JupyterServerClient {
  readonly kernels: KernelManager;
  readonly sessions: SessionManager;
  constructor(
    readonly settings: ServerConnection.ISettings,
    readonly label: string,
  ) {
    this.kernels = new KernelManager({ serverSettings: settings });
    this.sessions = new SessionManager({ serverSettings: settings, kernelManager: this.kernels });
  }

  specs(): Promise<KernelSpecs> {
    return probeServer(this.settings, this.label);
  }

  dispose(): void {
    this.sessions.dispose();
    this.kernels.dispose();
  }
}

/** What a notebook remembers about its kernel (kept in workspace state across window reloads). */
export interface SessionRef {
  /** The notebook's path on the server's volume; the kernel's working directory is its folder when that exists. */
  path: string;
  kernelName: string;
  /** The WebSocket `session_id`: the server buffers a dropped connection's messages under it and replays them. */
  clientId: string;
  sessionId?: string;
  kernelId?: string;
}

export interface OpenedSession {
  session: Session.ISessionConnection;
  kernel: Kernel.IKernelConnection;
  /** True when an existing kernel was joined (its variables are still there). */
  reattached: boolean;
}

/**
 * Joins the notebook's kernel when it still runs (by session id, else the server's session for the path), or starts a
 * new session. The kernel connection uses `ref.clientId`, so output buffered while this window was away is replayed.
 */
export async function openSession(client: JupyterServerClient, ref: SessionRef): Promise<OpenedSession> {
  try {
    let model: Session.IModel | undefined;
    if (ref.sessionId) model = await SessionAPI.getSessionModel(ref.sessionId, client.settings).catch(() => undefined);
    if (!model) model = (await SessionAPI.listRunning(client.settings)).find((s) => s.path === ref.path && s.kernel);
    if (model?.kernel) {
      const session = client.sessions.connectTo({ model, clientId: ref.clientId });
      return { session, kernel: session.kernel!, reattached: true };
    }
    const session = await client.sessions.startNew(
      { path: ref.path, name: ref.path.split('/').pop() ?? ref.path, type: 'notebook', kernel: { name: ref.kernelName } },
      { clientId: ref.clientId },
    );
    if (!session.kernel) throw new JupyterError('other', `${client.label}: the session started without a kernel`);
    return { session, kernel: session.kernel, reattached: false };
  } catch (err) {
    const status = (err as { response?: Response }).response?.status;
    if (status === 501) throw new JupyterError('kernel-spec', `The notebook server ${client.label} has no kernel "${ref.kernelName}".`, 501);
    throw explain(err, client.label);
  }
}

/** Whether the kernel still exists on the server (false after a culled kernel or a restarted server). */
export async function kernelExists(client: JupyterServerClient, kernelId: string, timeoutMs = 10_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new JupyterError('unreachable', `${client.label} did not answer within ${timeoutMs} ms`)), timeoutMs)));
  try {
    return (await Promise.race([KernelAPI.getKernelModel(kernelId, client.settings), late])) !== undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * After the tunnel came back: if the server still has the kernel, reconnect its socket when it is down (same
 * clientId: the server replays buffered output) → `connected`; if the server answers that the kernel is gone (server
 * restarted, kernel culled) the connection is marked dead → `gone`. The library alone would retry the socket for
 * minutes and never say so. Throws when the server does not answer.
 */
export async function resumeKernel(client: JupyterServerClient, kernel: Kernel.IKernelConnection, log?: (m: string) => void): Promise<'connected' | 'gone'> {
  if (!(await kernelExists(client, kernel.id))) {
    // What the library does when its manager notices a kernel is gone: status 'dead', then dispose.
    const k = kernel as unknown as { handleShutdown?(): void };
    if (!kernel.isDisposed) {
      if (typeof k.handleShutdown === 'function') k.handleShutdown();
      else kernel.dispose();
    }
    return 'gone';
  }
  if (kernel.connectionStatus !== 'connected') {
    log?.(`reconnecting kernel ${kernel.id} on ${client.label}`);
    await kernel.reconnect();
  }
  return 'connected';
}
