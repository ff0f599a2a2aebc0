/**
 * What every agent tool result goes through: a size bound (agents pay per token and some clients cut long results
 * silently), the removal of anything that looks like a credential, and errors turned into a sentence the agent can
 * act on (never a stack trace).
 */
import { ErrorCode } from '../../companion-daemon/src/protocol';
import { ApiError, UnreachableError } from '../http/transport';

/** Results are cut to this many characters, with a line that says so. */
export const MAX_RESULT_CHARS = 12_000;

/** Bad input that the agent can fix: the message says what to send instead. */
export class ToolInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolInputError';
  }
}

const SECRET_PATTERNS: RegExp[] = [
  // JSON Web Tokens (service-account tokens, OIDC id tokens).
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
  // Authorization headers and key=value / key: value credentials.
  /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b([A-Za-z0-9_-]*(?:token|password|passwd|secret|api[_-]?key))(["']?\s*[:=]\s*["']?)[^\s"',;]{4,}/gi,
  // PEM blocks (keys, certificates).
  /-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g,
];

/** The text with credential-looking values replaced by `[redacted]`. */
export function redact(text: string): string {
  let out = text;
  for (const re of SECRET_PATTERNS) {
    out = out.replace(re, (_m, key?: string, sep?: string) => (typeof key === 'string' && typeof sep === 'string' && /[:=]/.test(sep) ? `${key}${sep}[redacted]` : '[redacted]'));
  }
  return out;
}

/** Redacted, and cut at a line boundary to `max` characters with a note of what was left out. */
export function bounded(text: string, max = MAX_RESULT_CHARS): string {
  const clean = redact(text);
  if (clean.length <= max) return clean;
  const cut = clean.lastIndexOf('\n', max - 200);
  const head = clean.slice(0, cut > max / 2 ? cut : max - 200);
  const rest = clean.slice(head.length).split('\n').length;
  return `${head}\n… (${rest} more lines cut: narrow the request, e.g. a smaller tail, a grep pattern or a limit)`;
}

/** A failure as one or two sentences for the agent: what went wrong and what to change. */
export function errorText(err: unknown): string {
  if (err instanceof ToolInputError) return `Error: ${err.message}`;
  if (err instanceof UnreachableError) return `Error: ${err.message}`;
  if (err instanceof ApiError) {
    const hint = err.status === 401 ? ' The server wants a login (a token or session cookie).' : err.status === 403 ? ' Your user has no access to this (in multi-user mode, a role in the profile namespace).' : err.status === 404 ? ' Check the name or id (list them first).' : '';
    return `Error: the API answered ${err.status}: ${err.message}.${hint}`;
  }
  const e = err as { code?: number; message?: string; data?: { reason?: string } };
  const message = (e?.message ?? String(err)).split('\n')[0]!;
  switch (e?.code) {
    case ErrorCode.Forbidden:
      return `Error: Kubernetes RBAC does not allow this for your kubeconfig's user: ${message}. Use a namespace you have access to.`;
    case ErrorCode.Unauthorized:
      return `Error: the cluster rejected the kubeconfig's credentials: ${message}. Log in again (refresh the token).`;
    case ErrorCode.NotFound:
      return `Error: not found: ${message}. Check the name and namespace (list them first).`;
    case ErrorCode.Unreachable:
      return `Error: the cluster did not answer: ${message}.`;
    case ErrorCode.Kubeconfig:
      return `Error: the kubeconfig cannot be used: ${message}.`;
    default:
      return `Error: ${message}`;
  }
}

/** `2m 3s ago`-free times for agents: an ISO time as `2026-12-06 21:03:04Z`. */
export function isoShort(t: string | number | undefined): string {
  if (t === undefined || t === '') return '-';
  const d = new Date(typeof t === 'number' ? t : Date.parse(t));
  return Number.isNaN(d.getTime()) || d.getTime() <= 0 ? '-' : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** A plain table: a header and rows, columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
