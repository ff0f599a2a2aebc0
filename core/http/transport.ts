/**
 * The HTTP seam between the REST clients of in-cluster services (KFP, Model Registry) and the way the editor reaches
 * them (a daemon port-forward to the service, or a configured gateway URL with a token). The clients in `core/` build
 * requests and read responses; `extension/cluster/serviceApi.ts` carries them. Tests carry them to a real server.
 */

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** One part of a multipart/form-data body (KFP's pipeline upload). */
export interface MultipartPart {
  name: string;
  /** Present for a file part. */
  filename?: string;
  contentType?: string;
  content: string | Uint8Array;
}

export type HttpBody = { json: unknown } | { multipart: MultipartPart[] };

export type QueryValue = string | number | boolean | undefined | readonly string[];

export interface HttpRequest {
  method: HttpMethod;
  /** Path below the service root, starting with `/`, segments already encoded (`encodeURIComponent`). */
  path: string;
  query?: Record<string, QueryValue>;
  body?: HttpBody;
  headers?: Record<string, string>;
  /** Aborts the request (a closed view, a cancelled progress notification): it rejects with `CancelledError`. */
  signal?: AbortSignal;
  /** How long the whole exchange (headers and body) may take; default `DEFAULT_TIMEOUT_MS` (`UPLOAD_TIMEOUT_MS` for multipart). */
  timeoutMs?: number;
}

/** A request that gets no complete answer within this time fails with `RequestTimeoutError`. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** The same for an upload (a multipart body: KFP's pipeline upload). */
export const UPLOAD_TIMEOUT_MS = 120_000;

export interface HttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  text: string;
}

/** Sends one request. Rejects only when no HTTP answer came (`UnreachableError`); any status resolves. */
export type HttpTransport = (req: HttpRequest) => Promise<HttpResponse>;

/** No HTTP answer: the forward or the gateway could not be reached. `message` says what to check. */
export class UnreachableError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'UnreachableError';
  }
}

/** No complete answer within the request's timeout (a stalled forward or server). */
export class RequestTimeoutError extends UnreachableError {
  constructor(message: string, cause?: unknown) {
    super(message, cause);
    this.name = 'RequestTimeoutError';
  }
}

/** The caller cancelled the request (its `signal` was aborted). */
export class CancelledError extends Error {
  constructor(message = 'Cancelled.') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** A transport whose requests are also aborted by `signal` (a submit's cancel button, a closed panel). */
export function withSignal(transport: HttpTransport, signal: AbortSignal): HttpTransport {
  return (req) => transport({ ...req, signal: req.signal ? AbortSignal.any([req.signal, signal]) : signal });
}

/** The server answered with an error status; `message` is the API's own message when it gave one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** The parsed error body, if it was JSON. */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** `?a=1&b=x&b=y` from a query object; undefined values are left out, arrays repeat the key. */
export function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.append(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/**
 * The message of an error body, as the Kubeflow APIs write them: KFP's gRPC gateway `{error|message, code, details}`,
 * the Model Registry's `{code, message}`; else the first line of a text body.
 */
export function errorMessage(status: number, text: string): { message: string; body?: unknown } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const m = [b.message, b.error, b.error_message].find((v) => typeof v === 'string' && v.trim() !== '') as string | undefined;
    if (m) return { message: m.trim(), body };
  }
  const line = text.trim().split('\n')[0]?.slice(0, 300);
  return { message: line || `HTTP ${status}`, body };
}

/** Sends a request and returns the parsed JSON of a 2xx answer (undefined for an empty body); throws `ApiError` otherwise. */
export async function requestJson<T>(transport: HttpTransport, req: HttpRequest): Promise<T> {
  const res = await transport(req);
  if (res.status < 200 || res.status >= 300) {
    const { message, body } = errorMessage(res.status, res.text);
    throw new ApiError(message, res.status, body);
  }
  if (res.text.trim() === '') return undefined as T;
  try {
    return JSON.parse(res.text) as T;
  } catch {
    throw new ApiError(`The server answered ${req.method} ${req.path} with something that is not JSON: ${res.text.slice(0, 120)}`, res.status);
  }
}

/**
 * A transport over `fetch` to a base URL (used by tests, the CLI and the extension's service API). Headers are added
 * to every request (a bearer token, `kubeflow-userid`); they are never logged.
 */
export function fetchTransport(baseUrl: string, headers: () => Record<string, string> | Promise<Record<string, string>> = () => ({})): HttpTransport {
  const root = baseUrl.replace(/\/+$/, '');
  return async (req) => {
    const url = `${root}${req.path}${queryString(req.query)}`;
    const h: Record<string, string> = { accept: 'application/json', ...(await headers()), ...req.headers };
    let body: string | FormData | undefined;
    if (req.body && 'json' in req.body) {
      body = JSON.stringify(req.body.json);
      h['content-type'] = 'application/json';
    } else if (req.body && 'multipart' in req.body) {
      const form = new FormData();
      for (const part of req.body.multipart) {
        if (part.filename === undefined) form.append(part.name, typeof part.content === 'string' ? part.content : new TextDecoder().decode(part.content));
        else form.append(part.name, new Blob([typeof part.content === 'string' ? part.content : new Uint8Array(part.content)], { type: part.contentType ?? 'application/octet-stream' }), part.filename);
      }
      body = form;
    }
    const timeoutMs = req.timeoutMs ?? (req.body && 'multipart' in req.body ? UPLOAD_TIMEOUT_MS : DEFAULT_TIMEOUT_MS);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    let stage = 'connecting';
    try {
      const res = await fetch(url, { method: req.method, headers: h, body, signal });
      const out: Record<string, string> = {};
      res.headers.forEach((v, k) => (out[k.toLowerCase()] = v));
      stage = 'reading the answer';
      // A cut or stalled body rejects here (undici's `TypeError: terminated`), not in fetch().
      return { status: res.status, headers: out, text: await res.text() };
    } catch (err) {
      if (req.signal?.aborted) throw new CancelledError();
      if (timeout.aborted) throw new RequestTimeoutError(`No answer from ${root} within ${Math.round(timeoutMs / 1000)} s (${req.method} ${req.path}, ${stage})`, err);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      if (stage !== 'connecting') throw new UnreachableError(`The connection to ${root} was cut while ${stage} of ${req.method} ${req.path} (${why})`, err);
      throw new UnreachableError(`Cannot reach ${root}: ${why}`, err);
    }
  };
}
