/**
 * Turns whatever a Kubernetes call threw into a DaemonError with one of the protocol's codes and a message that
 * says what to change. Used at every boundary where a cluster error reaches a client.
 */
import { ResponseError } from 'vscode-jsonrpc';
import { ErrorCode, type ErrorData } from '../protocol';

export class DaemonError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly reason: string,
    readonly detail?: string,
    readonly causes?: ErrorData['causes'],
  ) {
    super(message);
  }
  toResponseError(): ResponseError<ErrorData> {
    return new ResponseError<ErrorData>(this.code, this.message, { reason: this.reason, ...(this.detail ? { detail: this.detail } : {}), ...(this.causes?.length ? { causes: this.causes } : {}) });
  }
}

interface HttpLikeError {
  code?: number | string;
  statusCode?: number;
  body?: unknown;
  message?: string;
  cause?: unknown;
}

/** The HTTP status of a client-node error: ApiException.code, Watch's statusCode, or a WebSocket upgrade error. */
export function httpStatus(err: unknown): number | undefined {
  const e = err as HttpLikeError;
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  const m = /Unexpected server response: (\d{3})/.exec(String(e?.message ?? ''));
  return m ? Number(m[1]) : undefined;
}

/** The API's own `Status.message`, if the body carries one. */
function statusMessage(err: unknown): string | undefined {
  const body = (err as HttpLikeError)?.body;
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') return parsed.message;
    } catch {
      /* not JSON */
    }
  }
  return undefined;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE']);

export function toDaemonError(err: unknown, what: string): DaemonError {
  if (err instanceof DaemonError) return err;
  const status = httpStatus(err);
  const detail = statusMessage(err);
  const msg = String((err as HttpLikeError)?.message ?? err);
  switch (status) {
    case 401:
      return new DaemonError(ErrorCode.Unauthorized, `${what}: the cluster rejected the credentials (401). Log in again or refresh the kubeconfig token.`, 'Unauthorized', detail);
    case 403:
      return new DaemonError(ErrorCode.Forbidden, `${what}: forbidden by RBAC (403)${detail ? `: ${detail}` : ''}.`, 'Forbidden', detail);
    case 404:
      return new DaemonError(ErrorCode.NotFound, `${what}: not found (404)${detail ? `: ${detail}` : ''}.`, 'NotFound', detail);
  }
  const sysCode = (err as { code?: unknown })?.code ?? ((err as HttpLikeError)?.cause as { code?: unknown })?.code;
  if ((typeof sysCode === 'string' && NETWORK_CODES.has(sysCode)) || /certificate|self.signed|socket hang up|fetch failed/i.test(msg)) {
    return new DaemonError(ErrorCode.Unreachable, `${what}: cannot reach the cluster (${typeof sysCode === 'string' ? sysCode : msg}).`, 'Unreachable', msg);
  }
  if (status !== undefined) {
    return new DaemonError(ErrorCode.Internal, `${what}: the API answered ${status}${detail ? `: ${detail}` : ''}.`, `Http${status}`, detail);
  }
  return new DaemonError(ErrorCode.Internal, `${what}: ${msg}`, 'Internal', msg);
}
