/**
 * A typed client of Prometheus's HTTP query API (`/api/v1/query`, `/api/v1/query_range`), VS Code-free. It builds
 * requests and reads answers; an `HttpTransport` carries them (a daemon port-forward to the in-cluster Prometheus
 * Service, or a configured URL with a bearer token). Errors: `PromQueryError` with Prometheus's own `errorType` and
 * `error` (a bad expression, a timeout), `ApiError` for other HTTP failures, `UnreachableError` when nothing answered.
 * Every call is counted (`queries`), so a refresh can prove it asked once per series.
 */
import { ApiError, errorMessage, type HttpTransport } from '../http/transport';

/** One series of an instant query: its labels and one value. */
export interface Sample {
  metric: Record<string, string>;
  /** Seconds since the epoch. */
  time: number;
  /** NaN and ±Inf as Prometheus gives them ("NaN", "+Inf"). */
  value: number;
}

/** One series of a range query. */
export interface Series {
  metric: Record<string, string>;
  points: Array<{ time: number; value: number }>;
}

/** Prometheus answered with `status: "error"`: `type` is its `errorType` (`bad_data`, `timeout`, `execution`…). */
export class PromQueryError extends ApiError {
  constructor(
    readonly type: string,
    readonly error: string,
    readonly expr: string,
    status: number,
  ) {
    super(`Prometheus refused the query (${type}): ${error}`, status);
    this.name = 'PromQueryError';
  }
}

interface Envelope {
  status?: 'success' | 'error';
  data?: { resultType?: string; result?: unknown };
  errorType?: string;
  error?: string;
  warnings?: string[];
}

type RawVector = Array<{ metric?: Record<string, string>; value?: [number, string] }>;
type RawMatrix = Array<{ metric?: Record<string, string>; values?: Array<[number, string]> }>;

export class PrometheusClient {
  /** How many queries this client sent: a refresh reads it before and after. */
  queries = 0;

  constructor(
    private readonly transport: HttpTransport,
    private readonly opts: { timeoutMs?: number; signal?: AbortSignal } = {},
  ) {}

  /** An instant query at `time` (seconds; default now). A scalar answer comes back as one sample with no labels. */
  async query(expr: string, time?: number): Promise<Sample[]> {
    const data = await this.send('/api/v1/query', expr, { ...(time !== undefined ? { time: String(time) } : {}) });
    if (data.resultType === 'scalar' || data.resultType === 'string') {
      const [t, v] = (data.result as [number, string]) ?? [];
      return t === undefined ? [] : [{ metric: {}, time: t, value: parseValue(v) }];
    }
    if (data.resultType !== 'vector') throw new ApiError(`Prometheus answered an instant query with a ${data.resultType ?? 'missing'} result`, 200);
    return ((data.result as RawVector) ?? []).filter((r) => r.value).map((r) => ({ metric: r.metric ?? {}, time: r.value![0], value: parseValue(r.value![1]) }));
  }

  /** A range query from `start` to `end` (seconds) every `step` seconds. */
  async queryRange(expr: string, start: number, end: number, step: number): Promise<Series[]> {
    const data = await this.send('/api/v1/query_range', expr, { start: String(start), end: String(end), step: String(step) });
    if (data.resultType !== 'matrix') throw new ApiError(`Prometheus answered a range query with a ${data.resultType ?? 'missing'} result`, 200);
    return ((data.result as RawMatrix) ?? []).map((r) => ({ metric: r.metric ?? {}, points: (r.values ?? []).map(([t, v]) => ({ time: t, value: parseValue(v) })) }));
  }

  private async send(path: string, expr: string, extra: Record<string, string>): Promise<{ resultType?: string; result?: unknown }> {
    this.queries++;
    const res = await this.transport({
      method: 'GET',
      path,
      query: { query: expr, ...extra },
      ...(this.opts.timeoutMs ? { timeoutMs: this.opts.timeoutMs } : {}),
      ...(this.opts.signal ? { signal: this.opts.signal } : {}),
    });
    let body: Envelope | undefined;
    try {
      body = JSON.parse(res.text) as Envelope;
    } catch {
      body = undefined;
    }
    if (body?.status === 'error') throw new PromQueryError(body.errorType ?? 'error', body.error ?? 'no reason given', expr, res.status);
    if (res.status < 200 || res.status >= 300 || !body) {
      const { message } = errorMessage(res.status, res.text);
      throw new ApiError(res.status === 404 ? `This is not a Prometheus query API (${path} answered HTTP 404). Check the Prometheus URL or Service.` : `Prometheus: ${message}`, res.status);
    }
    return body.data ?? {};
  }
}

function parseValue(v: string | undefined): number {
  if (v === undefined) return Number.NaN;
  if (v === '+Inf') return Number.POSITIVE_INFINITY;
  if (v === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(v);
}

/** A PromQL string literal for a label value (`"…"` with `\` and `"` escaped): cluster names go into queries safely. */
export function promString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
