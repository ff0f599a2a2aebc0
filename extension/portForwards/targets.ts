/**
 * What *Start Port-Forward…* offers: a pick list of the namespace's notebook servers, services (one row per port) and
 * running pods (one row per container port), marked when a forward to it runs already; typing filters the list, and
 * text in kubectl's syntax (`svc/NAME:PORT`, `pod/NAME:PORT`, `notebook/NAME`, `NAMESPACE/` in front) is offered as
 * its own row, so any target stays possible.
 */
import * as vscode from 'vscode';
import { describeTarget, sameTarget, validateTarget } from '../../companion-daemon/src/forwards/resolve';
import * as P from '../../companion-daemon/src/protocol';
import { config } from '../config';
import { apiPath, type Kube } from '../cluster/kube';
import { errorMessage } from '../log';

interface TargetItem extends vscode.QuickPickItem {
  target?: P.ForwardTarget;
  typed?: boolean;
}

interface Port { name?: string; port?: number; containerPort?: number; protocol?: string }
interface Listed { metadata: { name: string }; spec?: { ports?: Port[]; containers?: Array<{ name: string; ports?: Port[] }> }; status?: { phase?: string } }

/** Parses `[ns/]kind/name[:port]`; returns the target or the problem. */
export function parseTarget(text: string, namespace = config.namespace() || 'default'): P.ForwardTarget | string {
  const m = /^(?:([a-z0-9-]+)\/)?(notebook|pod|svc|service)\/([a-z0-9.-]+)(?::([a-z0-9-]+))?$/.exec(text.trim());
  if (!m) return 'Write notebook/NAME, pod/NAME:PORT or svc/NAME:PORT';
  const ns = m[1] ?? namespace;
  const port = m[4] === undefined ? undefined : /^\d+$/.test(m[4]) ? Number(m[4]) : m[4];
  const kind = m[2] === 'svc' ? 'service' : (m[2] as 'notebook' | 'pod' | 'service');
  const target = (kind === 'notebook'
    ? { kind, namespace: ns, name: m[3], ...(port !== undefined ? { port } : {}) }
    : { kind, namespace: ns, name: m[3], port: port ?? '' }) as P.ForwardTarget;
  return validateTarget(target) ?? target;
}

async function listTargets(kube: Kube, namespace: string): Promise<{ items: TargetItem[]; problems: string[] }> {
  const problems: string[] = [];
  const list = (what: string, path: string) => kube.list<Listed>(path).catch((err: unknown) => {
    problems.push(`${what}: ${errorMessage(err)}`);
    return [] as Listed[];
  });
  const [notebooks, services, pods] = await Promise.all([
    list('notebook servers', apiPath({ group: 'kubeflow.org', version: 'v1', plural: 'notebooks', namespace })),
    list('services', apiPath({ version: 'v1', plural: 'services', namespace })),
    list('pods', apiPath({ version: 'v1', plural: 'pods', namespace })),
  ]);
  const items: TargetItem[] = [];
  if (notebooks.length) items.push({ label: 'Notebook servers', kind: vscode.QuickPickItemKind.Separator });
  for (const n of notebooks) items.push({ label: `$(notebook) ${n.metadata.name}`, description: 'notebook · Jupyter on 8888', target: { kind: 'notebook', namespace, name: n.metadata.name } });
  const svcRows = services.flatMap((s) => (s.spec?.ports ?? []).filter((p) => p.port && p.protocol !== 'UDP').map((p): TargetItem => ({
    label: `$(server) ${s.metadata.name}:${p.port}`, description: `service${p.name ? ` · port ${p.name}` : ''}`, target: { kind: 'service', namespace, name: s.metadata.name, port: p.port! },
  })));
  if (svcRows.length) items.push({ label: 'Services', kind: vscode.QuickPickItemKind.Separator }, ...svcRows);
  const podRows = pods.filter((p) => p.status?.phase === 'Running').flatMap((pod) => (pod.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).filter((p) => p.containerPort && p.protocol !== 'UDP').map((p): TargetItem => ({
    label: `$(symbol-method) ${pod.metadata.name}:${p.containerPort}`, description: `pod · ${c.name}${p.name ? ` · port ${p.name}` : ''}`, target: { kind: 'pod', namespace, name: pod.metadata.name, port: p.containerPort! },
  }))));
  if (podRows.length) items.push({ label: 'Pods', kind: vscode.QuickPickItemKind.Separator }, ...podRows);
  return { items, problems };
}

/** Asks which target to forward; resolves undefined when the user cancels. */
export function pickTarget(kube: Kube, running: P.ForwardInfo[]): Promise<P.ForwardTarget | undefined> {
  const namespace = config.namespace() || 'default';
  const qp = vscode.window.createQuickPick<TargetItem>();
  qp.title = `Kubeflow: Start Port-Forward (namespace ${namespace})`;
  qp.placeholder = 'Pick a notebook server, service or pod, or type svc/NAME:PORT, pod/NAME:PORT, notebook/NAME (NAMESPACE/ in front for another namespace)';
  qp.matchOnDescription = true;
  qp.busy = true;
  let listed: TargetItem[] = [];
  const mark = (i: TargetItem): TargetItem => {
    const f = i.target && running.find((r) => sameTarget(r.target, i.target!));
    return f ? { ...i, detail: `already forwarded at ${f.url}: picking it reuses that forward` } : i;
  };
  const render = () => {
    const text = qp.value.trim();
    const parsed = text ? parseTarget(text, namespace) : undefined;
    const typed: TargetItem[] = parsed === undefined ? [] : typeof parsed === 'string'
      ? (/\//.test(text) ? [{ label: `$(warning) ${text}`, description: parsed, typed: true, alwaysShow: true }] : [])
      : [mark({ label: `$(arrow-right) Forward ${describeTarget(parsed)}`, description: 'as typed', target: parsed, typed: true, alwaysShow: true })];
    qp.items = [...typed, ...listed.map(mark)];
  };
  void listTargets(kube, namespace).then(({ items, problems }) => {
    listed = items;
    qp.busy = false;
    if (!items.length) qp.placeholder = `Nothing to forward listed in ${namespace}${problems.length ? ` (${problems.join('; ')})` : ''}: type svc/NAME:PORT, pod/NAME:PORT or notebook/NAME`;
    render();
  });
  return new Promise((resolve) => {
    let done = false;
    qp.onDidChangeValue(render);
    qp.onDidAccept(() => {
      // Enter right after typing can come before the row for the text is rendered: the text itself decides then.
      const typed = qp.value.trim() ? parseTarget(qp.value, namespace) : undefined;
      const target = (qp.selectedItems[0] ?? qp.activeItems[0])?.target ?? (typeof typed === 'object' ? typed : undefined);
      if (!target) return; // nothing picked, or text that is not a target (its row says why)
      done = true;
      resolve(target);
      qp.hide();
    });
    qp.onDidHide(() => {
      if (!done) resolve(undefined);
      qp.dispose();
    });
    render();
    qp.show();
  });
}
