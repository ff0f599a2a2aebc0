// The health panel of an endpoint (its SLIs per revision, SLO, canary gate, drift) or of a training job (GPU use per
// replica), read from Prometheus every 15 s while the panel is visible (one query per SLI), and restored after a
// window reload. Promote and Roll Back go through the Endpoints view's commands, so the gate applies there too.
import * as vscode from 'vscode';
import { resourcesByKey, type PodLike } from '../../core/health/cost';
import { readEndpointHealth, readJobGpu } from '../../core/health/read';
import { SLO_ANNOTATION } from '../../core/health/slo';
import type { InferenceServiceObject } from '../../core/kserve/build';
import { predictorPodGroups } from '../../core/kserve/canary';
import { predictorSelector, summarizeInferenceService, type IsvcSummary } from '../../core/kserve/state';
import type { FromHealth, ToHealth } from '../../webviews/health/protocol';
import type { Ctx } from '../ctx';
import { describeError } from '../daemon/client';
import { isvcPath } from '../endpoints/model';
import { registerPanelSerializer, WebviewHost } from '../webviews/host';
import { healthSettings, type HealthApi } from './api';
import { endpointData, jobData, type EndpointView } from './present';

const REFRESH_MS = 15_000;

export type HealthTarget = { kind: 'endpoint'; namespace: string; name: string } | { kind: 'job'; namespace: string; name: string; jobKind: string; pods: string[]; startedAt?: number };

/** What the stable predictor of a Standard-mode service is called in the health panel when `spec.predictor` has no name. */
export const UNNAMED_PREDICTOR = 'predictor';

/**
 * The default and canary revisions of a Serverless endpoint, from its traffic split; of a Standard-mode one with
 * KServe 0.20 canaries, its stable predictor and its (first) canary, by predictor name.
 */
export function revisionsOf(s: IsvcSummary): { stable?: string; canary?: string; canaryPercent?: number } {
  const first = s.standardCanaries[0];
  if (first) return { stable: s.predictorName ?? UNNAMED_PREDICTOR, canary: first.name, canaryPercent: first.trafficPercent };
  const latest = s.traffic.latest?.revision ?? s.latestReadyRevision;
  if (s.canary && s.traffic.previous?.revision) return { stable: s.traffic.previous.revision, ...(latest ? { canary: latest } : {}), ...(s.traffic.latest ? { canaryPercent: s.traffic.latest.percent } : {}) };
  return latest ? { stable: latest } : {};
}

/** What the panel needs of an endpoint to read its health. */
export async function endpointView(ctx: Ctx, api: HealthApi, namespace: string, name: string): Promise<{ view: EndpointView; pods: string[]; podGroups?: Record<string, string[]> }> {
  const o = await ctx.kube.get<InferenceServiceObject>(isvcPath(namespace, name));
  const s = summarizeInferenceService(o);
  // KServe 0.15+ writes RawDeployment's new name, Standard
  const mode = s.rawDeployment ? 'RawDeployment' : 'Serverless';
  const annotation = (o.metadata.annotations as Record<string, string> | undefined)?.[SLO_ANNOTATION];
  const { slo, problem } = healthSettings.slo(namespace, name, annotation);
  // the predictor's pods: what RawDeployment SLIs cover, and what the cost per inference counts
  const podList = await ctx.kube.list<PodLike>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, { labelSelector: predictorSelector(name) }).catch(() => undefined);
  const prices = healthSettings.prices();
  const pods = mode === 'RawDeployment' ? (podList ?? []).map((p) => p.metadata.name) : [];
  const podGroups = mode === 'RawDeployment' ? predictorPodGroups(s, podList ?? [], UNNAMED_PREDICTOR) : undefined;
  return {
    pods,
    ...(podGroups ? { podGroups } : {}),
    view: {
      name, namespace, mode, ...revisionsOf(s), where: api.where(), rangeSeconds: healthSettings.rangeSeconds(), ...(slo ? { slo } : {}), ...(problem ? { sloProblem: problem } : {}), gateMode: healthSettings.gate(),
      ...(podList ? { resources: resourcesByKey(podList, mode, podGroups) } : {}), ...(prices ? { prices } : {}),
    },
  };
}

export class HealthPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, HealthPanel>();
  private readonly host: WebviewHost<FromHealth, ToHealth>;
  private readonly subs: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last: ToHealth | undefined;
  private loading = 0;

  static show(ctx: Ctx, api: HealthApi, target: HealthTarget, revived?: vscode.WebviewPanel): HealthPanel {
    const key = `${target.kind}/${target.namespace}/${target.name}`;
    const open = HealthPanel.panels.get(key);
    if (open) {
      revived?.dispose();
      open.host.panel.reveal(undefined, false);
      void open.load();
      return open;
    }
    const p = new HealthPanel(ctx, api, target, key, revived);
    HealthPanel.panels.set(key, p);
    void p.load();
    return p;
  }

  static serializer(ctx: Ctx, api: HealthApi): vscode.Disposable {
    return registerPanelSerializer<HealthTarget>('kubeflow.health', (panel, target) => void HealthPanel.show(ctx, api, target, panel), ctx.log);
  }

  private constructor(
    private readonly ctx: Ctx,
    private readonly api: HealthApi,
    readonly target: HealthTarget,
    private readonly key: string,
    revived?: vscode.WebviewPanel,
  ) {
    this.host = new WebviewHost<FromHealth, ToHealth>(ctx.extension.extensionUri, {
      viewType: 'kubeflow.health',
      title: `${target.name} health`,
      script: 'health',
      iconPath: vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'kubeflow.svg'),
      ...(revived ? { revived } : {}),
    });
    this.host.setRestoreData(target);
    this.subs.push(
      this.host,
      this.host.onMessage((m) => void this.onMessage(m)),
      this.host.onReady(() => {
        if (!this.last) return;
        this.host.dropQueued('data');
        this.host.post(this.last);
      }),
      this.host.panel.onDidChangeViewState(() => this.schedule()),
      this.host.panel.onDidDispose(() => this.dispose()),
      api.onDidChange(() => void this.load()),
    );
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = this.host.panel.visible ? setInterval(() => void this.load(), REFRESH_MS) : undefined;
  }

  private async onMessage(m: FromHealth): Promise<void> {
    if (m.type !== 'action') return;
    const ref = { name: this.target.name, namespace: this.target.namespace };
    if (m.action === 'refresh') await this.load();
    else if (m.action === 'settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'kubeflow.health');
    else if (m.action === 'promote') await vscode.commands.executeCommand('kubeflow.endpoints.promote', ref);
    else if (m.action === 'rollback') await vscode.commands.executeCommand('kubeflow.endpoints.rollback', ref);
    if (m.action === 'promote' || m.action === 'rollback') await this.load();
  }

  async load(): Promise<void> {
    const n = ++this.loading;
    if (!this.last) this.host.post({ type: 'busy' });
    try {
      const client = await this.api.client();
      const t = this.target;
      let m: ToHealth;
      if (t.kind === 'endpoint') {
        const { view, pods, podGroups } = await endpointView(this.ctx, this.api, t.namespace, t.name);
        const revisions = [view.stable, view.canary].filter((r): r is string => Boolean(r));
        const h = await readEndpointHealth(client, { namespace: t.namespace, service: t.name, mode: view.mode, revisions, pods, ...(podGroups ? { podGroups } : {}), window: healthSettings.window(), rangeSeconds: view.rangeSeconds, overrides: healthSettings.queries() });
        m = { type: 'data', data: endpointData(view, h, new Date()) };
      } else {
        const rangeSeconds = t.startedAt ? Math.max(60, Math.round((Date.now() - t.startedAt) / 1000)) : healthSettings.rangeSeconds();
        const g = await readJobGpu(client, { namespace: t.namespace, pods: t.pods, start: Math.floor(Date.now() / 1000) - rangeSeconds, overrides: healthSettings.queries(), idleThreshold: healthSettings.gpuIdleThreshold() });
        m = { type: 'data', data: jobData({ kind: t.jobKind, name: t.name, namespace: t.namespace, where: this.api.where(), rangeSeconds, threshold: healthSettings.gpuIdleThreshold() }, g.gpu, g.problem, new Date()) };
      }
      if (n !== this.loading) return;
      this.last = m;
      this.host.post(m);
    } catch (err) {
      if (n !== this.loading) return;
      const m: ToHealth = { type: 'error', title: `${this.target.name} — health`, message: `Cannot read the health of ${this.target.name}: ${describeError(err)}` };
      this.last = m;
      this.host.post(m);
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    HealthPanel.panels.delete(this.key);
    this.subs.forEach((s) => s.dispose());
  }
}
