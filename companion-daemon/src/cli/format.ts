/**
 * The CLI's words: parsing targets and log sources from the command line, and printing daemon answers for people.
 */
import { KubeConfigs } from '../kube/config';
import type { DaemonStatus, ForwardInfo, ForwardTarget, JobKind, LogLine, LogSource } from '../protocol';
import { describeTarget, validateTarget } from '../forwards/resolve';
import { validateSource } from '../logs/replicas';
import { resolveKubeconfigSet } from '../paths';

interface Values {
  namespace?: string;
  context?: string;
  kubeconfig?: string;
  selector?: string;
  port?: string;
}

/** A command line that cannot be read: exit code 2 and the reason. */
export class UsageError extends Error {}

const JOB_KINDS: Record<string, JobKind> = {
  pytorchjob: 'PyTorchJob',
  tfjob: 'TFJob',
  mpijob: 'MPIJob',
  xgboostjob: 'XGBoostJob',
  jaxjob: 'JAXJob',
  paddlejob: 'PaddleJob',
  trainjob: 'TrainJob',
};

/** -n, else the context's namespace, else "default" (like kubectl). */
export function namespace(v: Values): string {
  if (v.namespace) return v.namespace;
  try {
    const kc = new KubeConfigs(resolveKubeconfigSet(v.kubeconfig)).get(v.context);
    return kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
  } catch {
    return 'default';
  }
}

function port(p: string | undefined): number | string | undefined {
  if (p === undefined || p === '') return undefined;
  return /^\d+$/.test(p) ? Number(p) : p;
}

export function parseTarget(arg: string | undefined, v: Values): ForwardTarget {
  const ns = namespace(v);
  const context = v.context ? { context: v.context } : {};
  let target: ForwardTarget;
  if (v.selector) {
    target = { kind: 'selector', namespace: ns, selector: v.selector, port: port(v.port ?? arg) ?? '', ...context };
  } else {
    const m = /^(notebook|nb|pod|po|svc|service)\/([^:]+)(?::(.+))?$/.exec(arg ?? '');
    if (!m) throw new UsageError(`cannot read target "${arg ?? ''}": use notebook/NAME, pod/NAME:PORT, svc/NAME:PORT or -l SELECTOR --port PORT`);
    const kind = ({ nb: 'notebook', po: 'pod', svc: 'service' } as Record<string, string>)[m[1]] ?? m[1];
    const p = port(m[3] ?? v.port);
    target = kind === 'notebook'
      ? { kind: 'notebook', namespace: ns, name: m[2], ...(p !== undefined ? { port: p } : {}), ...context }
      : { kind: kind as 'pod' | 'service', namespace: ns, name: m[2], port: p ?? '', ...context };
  }
  const problem = validateTarget(target);
  if (problem) throw new UsageError(problem);
  return target;
}

export function parseLogSource(arg: string | undefined, v: Values): LogSource {
  const ns = namespace(v);
  const context = v.context ? { context: v.context } : {};
  let source: LogSource;
  if (v.selector) {
    source = { kind: 'selector', namespace: ns, selector: v.selector, ...context };
  } else {
    const m = /^([a-z]+)\/(.+)$/.exec((arg ?? '').trim());
    const kind = m?.[1].toLowerCase();
    if (!m || !kind) throw new UsageError(`cannot read log source "${arg ?? ''}": use pytorchjob/NAME, trainjob/NAME, pod/NAME or -l SELECTOR`);
    if (kind === 'pod' || kind === 'po') source = { kind: 'pod', namespace: ns, name: m[2], ...context };
    else if (JOB_KINDS[kind]) source = { kind: 'job', namespace: ns, jobKind: JOB_KINDS[kind], name: m[2], ...context };
    else throw new UsageError(`unknown kind "${m[1]}": one of pod, ${Object.keys(JOB_KINDS).join(', ')}`);
  }
  const problem = validateSource(source);
  if (problem) throw new UsageError(problem);
  return source;
}

export function formatStatus(s: DaemonStatus): string {
  const mb = (s.rssBytes / 1024 / 1024).toFixed(1);
  return [
    `running: pid ${s.pid}, version ${s.daemonVersion} (protocol ${s.protocolVersion}), up ${Math.round(s.uptimeMs / 1000)}s, ${mb} MB`,
    `kubeconfig: ${s.kubeconfig} (context ${s.currentContext || '-'})`,
    `state: ${s.stateDir}`,
    `clients: ${s.clients}, forwards: ${s.forwards}, log captures: ${s.captures}`,
  ].join('\n');
}

export function formatForwards(list: ForwardInfo[]): string {
  if (list.length === 0) return 'no port-forwards';
  const rows = list.map((f) => [f.id, f.url, describeTarget(f.target), stateText(f), String(f.connections)]);
  return table([['ID', 'URL', 'TARGET', 'STATE', 'CONNS'], ...rows]);
}

function stateText(f: ForwardInfo): string {
  const s = f.status;
  switch (s.state) {
    case 'ready':
      return `ready → ${s.pod}:${s.podPort}`;
    case 'waiting-for-pod':
      return `waiting: ${s.reason}`;
    case 'error':
      return `error: ${s.reason}`;
    default:
      return s.state;
  }
}

export function formatLogLine(l: LogLine): string {
  return `[${l.replica}] ${l.text}`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}
