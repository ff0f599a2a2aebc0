/**
 * The companion daemon's protocol: every request and notification that crosses the extension ↔ daemon and
 * CLI ↔ daemon boundary. Owned by the daemon, imported by the extension and the CLI. JSON-RPC 2.0 framed by
 * `vscode-jsonrpc` over a Unix socket that only the daemon's user can open. Imports nothing from `vscode`.
 *
 * Naming: requests are `area/verb`; notifications are `area/did…` (past tense).
 * Streams (forwards, logs) follow one pattern: a request starts or subscribes, notifications carry what changes,
 * another request stops. Requests honour `$/cancelRequest`.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';

/** Bumped on every incompatible change. An extension that meets a daemon of another version restarts it. */
export const PROTOCOL_VERSION = 1;

// --- errors

/**
 * Application error codes, outside JSON-RPC's reserved -32768..-32000. Every error the daemon returns carries one
 * of these with `data: ErrorData`, so clients can tell the user what to change.
 */
export const ErrorCode = {
  /** The kubeconfig cannot be read or has no such context, or its exec/auth plugin failed. */
  Kubeconfig: 1001,
  /** The cluster did not answer (DNS, TLS, connection refused, timeout). */
  Unreachable: 1002,
  /** The credentials were rejected (401). */
  Unauthorized: 1003,
  /** RBAC forbids the call (403). */
  Forbidden: 1004,
  /** The target (pod, service, notebook, job, forward id, capture id) does not exist. */
  NotFound: 1005,
  /** The fixed local port is taken by another program. */
  PortInUse: 1006,
  /** The request is malformed: a bad target, a bad selector, a port out of range. */
  BadRequest: 1007,
  /** Anything else; the message says what. */
  Internal: 1099,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorData {
  /** A short machine-readable cause, e.g. `Forbidden`, `PortInUse`, `ExecPluginFailed`. */
  reason: string;
  /** The Kubernetes API's own message, when there is one. */
  detail?: string;
  /** The API's `Status.details.causes` (validation errors say which field: `spec.replicas`). */
  causes?: Array<{ field?: string; reason?: string; message?: string }>;
}

// --- handshake and daemon

export interface HelloParams {
  /** The client's PROTOCOL_VERSION. */
  protocolVersion: number;
  /** Who is asking, for the daemon's log: `vscode 1.139.1`, `cli`. */
  client: string;
}
export interface HelloResult {
  protocolVersion: number;
  /** The daemon's package version. A client of another version restarts the daemon. */
  daemonVersion: string;
  pid: number;
}
export const hello = new RequestType<HelloParams, HelloResult, void>('daemon/hello');

export interface DaemonStatus {
  pid: number;
  daemonVersion: string;
  protocolVersion: number;
  uptimeMs: number;
  /** Resident set size of the daemon process, bytes. */
  rssBytes: number;
  /** The kubeconfig file list this daemon serves (the KUBECONFIG value or the default path). */
  kubeconfig: string;
  /** The kubeconfig's current context when the daemon read it. */
  currentContext: string;
  /** Where forwards and log captures are persisted. */
  stateDir: string;
  /** Connected clients (editor windows, CLIs). */
  clients: number;
  forwards: number;
  captures: number;
}
export const status = new RequestType0<DaemonStatus, void>('daemon/status');

/** Stops every forward and log stream (they stay in the store, so the next daemon restores them) and exits. */
export const shutdown = new RequestType0<void, void>('daemon/shutdown');

// --- port-forwards

/** A port in a pod or service: a number, or the name of a container/service port. */
export type PortRef = number | string;

/**
 * What a forward points at. `context` is a kubeconfig context; empty means the kubeconfig's current context.
 * The daemon re-resolves the target to a pod whenever pods change, so a forward survives pod restarts.
 */
export type ForwardTarget =
  | { kind: 'pod'; context?: string; namespace: string; name: string; port: PortRef }
  | { kind: 'service'; context?: string; namespace: string; name: string; port: PortRef }
  /** A Kubeflow Notebook server; its pod is found by the `notebook-name` label. Port defaults to 8888. */
  | { kind: 'notebook'; context?: string; namespace: string; name: string; port?: PortRef }
  /**
   * A Kubeflow Notebooks 2.0 Workspace; its pod is found by the `notebooks.kubeflow.org/workspace-name` label, served
   * under `/workspace/connect/<namespace>/<name>/<portId>/`. `portId` and `port` come from its WorkspaceKind.
   */
  | { kind: 'workspace'; context?: string; namespace: string; name: string; portId: string; port: number }
  | { kind: 'selector'; context?: string; namespace: string; selector: string; port: PortRef };

export type ForwardState =
  /** Resolving the target or opening the first tunnel. */
  | { state: 'connecting' }
  /** Accepting connections; new ones go to `pod`. */
  | { state: 'ready'; pod: string; podPort: number }
  /** No running pod matches now (stopped notebook, pod being recreated). Connections wait for one. */
  | { state: 'waiting-for-pod'; reason: string }
  /** The daemon retries with backoff; `reason` says what failed, `code` is an ErrorCode. */
  | { state: 'error'; reason: string; code: ErrorCode; retryInMs?: number }
  | { state: 'stopped' };

export interface ForwardInfo {
  /** Stable across daemon restarts. */
  id: string;
  target: ForwardTarget;
  /** The local port on 127.0.0.1. Kept across pod restarts and daemon restarts. */
  localPort: number;
  /** `http://127.0.0.1:<localPort>` plus the target's path prefix (a notebook's base URL). */
  url: string;
  status: ForwardState;
  /** Open client connections through this forward. */
  connections: number;
  bytesIn: number;
  bytesOut: number;
  /** ISO time the forward was created. */
  createdAt: string;
  /**
   * Set when the forward was started with `secret: true`: a connection is admitted only when its first HTTP request
   * carries the header `FORWARD_SECRET_HEADER` with this value. Only clients of this daemon (this OS user) see it.
   */
  secret?: string;
}

/** The request header that carries a forward's `secret`. */
export const FORWARD_SECRET_HEADER = 'x-kubeflow-forward-secret';
/** For a browser: `<forward origin>/__kubeflow-forward/<secret>/<path>` sets the forward's cookie and redirects to `/<path>`. */
export const FORWARD_LOGIN_PATH = '/__kubeflow-forward/';

/** The headers a client adds to every request (and WebSocket upgrade) through this forward. */
export function forwardHeaders(info: Pick<ForwardInfo, 'secret'>): Record<string, string> {
  return info.secret ? { [FORWARD_SECRET_HEADER]: info.secret } : {};
}

/** The URL that opens `path` of the forward in a browser (through the login path when the forward has a secret). */
export function browserUrl(info: Pick<ForwardInfo, 'secret' | 'localPort'>, path: string): string {
  const p = path.startsWith('/') ? path : `/${path}`;
  return info.secret ? `http://127.0.0.1:${info.localPort}${FORWARD_LOGIN_PATH}${info.secret}${p}` : `http://127.0.0.1:${info.localPort}${p}`;
}

export interface StartForwardParams {
  target: ForwardTarget;
  /** A fixed local port, or 0 / absent for a free one. */
  localPort?: number;
  /**
   * Admit only connections that carry a new per-forward secret (see `ForwardInfo.secret`); the editor always asks.
   * Joining an existing forward of the same target keeps that forward as it is.
   */
  secret?: boolean;
}
/** Starts a forward, or returns the existing one for the same target. Resolves once the local port is listening. */
export const startForward = new RequestType<StartForwardParams, ForwardInfo, void>('portForward/start');
export const stopForward = new RequestType<{ id: string }, void, void>('portForward/stop');
/** Drops the current tunnel and re-resolves the target now, skipping any backoff wait. */
export const restartForward = new RequestType<{ id: string }, ForwardInfo, void>('portForward/restart');
export const listForwards = new RequestType0<ForwardInfo[], void>('portForward/list');
/** Sent to every client when a forward starts, changes state or counters, or stops (`status.state === 'stopped'`). */
export const didChangeForward = new NotificationType<ForwardInfo>('portForward/didChange');

// --- job logs

export type JobKind = 'PyTorchJob' | 'TFJob' | 'MPIJob' | 'XGBoostJob' | 'JAXJob' | 'PaddleJob' | 'TrainJob';

/** Whose logs to capture: every pod of a training job, every pod matching a selector, or one pod. */
export type LogSource =
  | { kind: 'job'; context?: string; namespace: string; jobKind: JobKind; name: string }
  | { kind: 'selector'; context?: string; namespace: string; selector: string }
  | { kind: 'pod'; context?: string; namespace: string; name: string };

export interface LogLine {
  /** The replica tag shown before the line: `master-0`, `worker-2`, or the pod name when no role is known. */
  replica: string;
  pod: string;
  container: string;
  /** RFC 3339 time the kubelet stamped on the line. */
  time: string;
  text: string;
}

export interface ReplicaInfo {
  replica: string;
  pod: string;
  container: string;
  /** Pod phase, and `restarts` of the container. */
  phase: string;
  restarts: number;
  /** `following` while a stream is open, `waiting` before the container starts, `done` when it ended. */
  stream: 'following' | 'waiting' | 'done' | 'error';
  error?: string;
}

export interface CaptureInfo {
  /** Stable per source: the same job always maps to the same capture. */
  id: string;
  source: LogSource;
  /** The capture on disk (newest part; rotated parts sit beside it as `.1`, `.2`). */
  file: string;
  lines: number;
  bytes: number;
  replicas: ReplicaInfo[];
  /** True while the daemon follows the source. */
  following: boolean;
  /** Why the pods cannot be watched right now (retried with backoff). */
  error?: string;
}

export interface SubscribeLogsParams {
  source: LogSource;
  /**
   * The subscription id, chosen by the client so it can route `logs/didAppend` lines that arrive before the
   * response. Absent: the daemon picks one.
   */
  subscription?: string;
  /** Lines already captured to send first (from the end); 0 sends none, -1 sends all that is kept. */
  backlog?: number;
}
export interface SubscribeLogsResult {
  subscription: string;
  capture: CaptureInfo;
  /** The backlog, oldest first. New lines arrive as `logs/didAppend`. */
  lines: LogLine[];
}
/** Starts (or joins) the capture of a source and streams its new lines to this client. */
export const subscribeLogs = new RequestType<SubscribeLogsParams, SubscribeLogsResult, void>('logs/subscribe');
export const unsubscribeLogs = new RequestType<{ subscription: string }, void, void>('logs/unsubscribe');
export const didAppendLogs = new NotificationType<{ subscription: string; lines: LogLine[] }>('logs/didAppend');
/** Replica membership or state changed (a pod joined, restarted, finished). */
export const didChangeCapture = new NotificationType<CaptureInfo>('logs/didChangeCapture');

export const listCaptures = new RequestType0<CaptureInfo[], void>('logs/list');
export interface ReadLogsParams {
  source: LogSource;
  /** Last N lines; absent means every kept line. */
  tail?: number;
}
/** Reads a capture from disk without following; works after the pods are gone. */
export const readLogs = new RequestType<ReadLogsParams, { capture: CaptureInfo; lines: LogLine[] }, void>('logs/read');
/** Stops following a source; its capture stays on disk. */
export const stopCapture = new RequestType<{ id: string }, void, void>('logs/stop');

// --- Kubernetes API for the editor
// The extension does not load a Kubernetes client: it asks the daemon, which holds the kubeconfig, runs its auth
// plugins once, and shares watches between windows.

export interface KubeRequestParams {
  context?: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** An API path: `/api/v1/...` or `/apis/<group>/<version>/...`. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** For PATCH: `application/merge-patch+json` (default), `application/json-patch+json`, `application/apply-patch+yaml`. */
  contentType?: string;
}
/** The answer's JSON. A non-2xx answer is an error with the API's own message (Forbidden, NotFound, Invalid, …). */
export const kubeRequest = new RequestType<KubeRequestParams, unknown, void>('kube/request');

export interface WatchParams {
  /** Chosen by the client; names the `kube/didChangeList` notifications. */
  subscription: string;
  context?: string;
  /** A collection path, e.g. `/apis/kubeflow.org/v1/namespaces/team-a/notebooks`. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
}
/** Lists and watches a collection; the full current list arrives now and after every change (at most 5 per second). */
export const watchList = new RequestType<WatchParams, { items: unknown[] }, void>('kube/watch');
export const unwatchList = new RequestType<{ subscription: string }, void, void>('kube/unwatch');
export const didChangeList = new NotificationType<{ subscription: string; items: unknown[]; error?: string }>('kube/didChangeList');
