// The one-line health of each endpoint in the Endpoints view ("P95 120 ms · 0.5% errors · 12 req/s", the canary's
// beside it), read from Prometheus every minute while the view is visible: for Serverless endpoints one query per SLI
// it shows or the gate needs, for every revision of the namespace at once; for RawDeployment endpoints one query per
// SLI it shows and endpoint, over its predictor pods (one pod list for the namespace). A canary that breaches its SLO
// is said at once, with Roll Back (once per canary revision). Without Prometheus the line is absent and nothing else
// waits.
import * as vscode from 'vscode';
import { readEndpointHealth, type EndpointHealth } from '../../core/health/read';
import type { EndpointMode, SliId } from '../../core/health/sli';
import { SLO_ANNOTATION } from '../../core/health/slo';
import { predictorPodGroups } from '../../core/kserve/canary';
import type { EndpointEntry, EndpointsModel } from '../endpoints/model';
import type { Ctx } from '../ctx';
import { describeError } from '../daemon/client';
import { showWarningMessage } from '../notify';
import { healthSettings, type HealthApi } from './api';
import { revisionsOf, UNNAMED_PREDICTOR } from './panel';
import { gateOf, lineOf } from './present';

const REFRESH_MS = 60_000;

/** The tree's health line of an endpoint: the default's, and the canary's beside it when there is one. */
const withCanary = (stable: string, canary: string): string => (canary ? `${stable || '—'}  |  canary ${canary}` : stable);
/** What the line shows, and what the canary gate reads besides. */
const LINE: SliId[] = ['latencyP95', 'errorRate', 'requestRate'];
const GATE: SliId[] = ['availability', 'latencyP99'];
/** Every KServe predictor pod carries these labels; the value of the first names its InferenceService. */
const PREDICTOR_PODS = 'serving.kserve.io/inferenceservice,component=predictor';

export interface EndpointHealthLine {
  text: string;
  tooltip: string;
}

export class EndpointHealthStatus implements vscode.Disposable {
  private lines = new Map<string, EndpointHealthLine>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private api: HealthApi | undefined;
  private visible = false;
  /** Canary revisions already said to breach (`namespace/name/revision`). */
  private readonly breaches = new Set<string>();

  constructor(
    private readonly ctx: Ctx,
    private readonly model: EndpointsModel,
  ) {}

  /** The health feature hands over its Prometheus connection. */
  attach(api: HealthApi): vscode.Disposable {
    this.api = api;
    if (this.visible) void this.refresh();
    return api.onDidChange(() => void this.refresh());
  }

  /** The Endpoints view shows or hides: refresh every minute while shown. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!visible) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
  }

  line(namespace: string, name: string): EndpointHealthLine | undefined {
    return this.lines.get(`${namespace}/${name}`);
  }

  refresh(): Promise<void> {
    this.running ??= this.read().finally(() => (this.running = undefined));
    return this.running;
  }

  private async read(): Promise<void> {
    const api = this.api;
    if (!api || !this.visible) return;
    // the view may show before its first list arrived: read the lines then, not a minute later
    await this.model.whenLoaded(10_000);
    const entries = this.model.list();
    const serverless = entries.filter((e) => !e.summary.rawDeployment);
    const raw = entries.filter((e) => e.summary.rawDeployment);
    const revisions = serverless.flatMap((e) => Object.values(revisionsOf(e.summary)).filter((v): v is string => typeof v === 'string'));
    if (!revisions.length && !raw.length) return;
    const next = new Map<string, EndpointHealthLine>();
    try {
      const client = await api.client();
      const tooltip = `From Prometheus at ${api.where()}, over the last ${healthSettings.window()}. Open Show Health for charts, the SLO and the canary gate.`;
      const common = { namespace: this.model.namespace, window: healthSettings.window(), rangeSeconds: healthSettings.rangeSeconds(), overrides: healthSettings.queries() };
      const reads: Array<Promise<void>> = [];
      if (revisions.length) {
        reads.push(
          readEndpointHealth(client, { ...common, service: '', mode: 'Serverless', revisions, slis: [...LINE, ...GATE] }).then((h) => {
            for (const e of serverless) {
              const r = revisionsOf(e.summary);
              const text = withCanary(lineOf(h, r.stable), lineOf(h, r.canary));
              if (!text) continue;
              next.set(`${e.summary.namespace}/${e.summary.name}`, { text, tooltip });
              this.sayBreach(e, h, r);
            }
          }),
        );
      }
      if (raw.length) {
        const pods = await this.ctx.kube.list<{ metadata: { name: string; labels?: Record<string, string> } }>(`/api/v1/namespaces/${encodeURIComponent(this.model.namespace)}/pods`, { labelSelector: PREDICTOR_PODS });
        for (const e of raw) {
          const mine = pods.filter((p) => p.metadata.labels?.['serving.kserve.io/inferenceservice'] === e.summary.name);
          const own = mine.map((p) => p.metadata.name);
          if (!own.length) continue;
          // KServe 0.20 Standard-mode canaries: each predictor from its own pods, and the gate's SLIs for the warning
          const podGroups = predictorPodGroups(e.summary, mine, UNNAMED_PREDICTOR);
          reads.push(
            readEndpointHealth(client, { ...common, service: e.summary.name, mode: 'RawDeployment', pods: own, ...(podGroups ? { podGroups, slis: [...LINE, ...GATE] } : { slis: LINE }) }).then((h) => {
              const r = podGroups ? revisionsOf(e.summary) : {};
              const text = podGroups ? withCanary(lineOf(h, r.stable), lineOf(h, r.canary)) : lineOf(h, '');
              if (text) next.set(`${e.summary.namespace}/${e.summary.name}`, { text, tooltip });
              if (podGroups) this.sayBreach(e, h, r, 'RawDeployment');
            }),
          );
        }
      }
      await Promise.all(reads);
    } catch (err) {
      this.ctx.log.info(`health: no endpoint status (${describeError(err)})`);
    }
    this.lines = next;
    this.changed.fire();
  }

  /** A canary that breaches its endpoint's SLO: said once per canary revision, with Roll Back and Show Health. */
  private sayBreach(e: EndpointEntry, h: EndpointHealth, r: { stable?: string; canary?: string }, mode: EndpointMode = 'Serverless'): void {
    const s = e.summary;
    if (!r.canary || !r.stable || healthSettings.gate() === 'off') return;
    const { slo } = healthSettings.slo(s.namespace, s.name, e.object.metadata.annotations?.[SLO_ANNOTATION]);
    if (!slo) return;
    const g = gateOf({ name: s.name, namespace: s.namespace, mode, stable: r.stable, canary: r.canary, where: '', rangeSeconds: 0, slo, gateMode: healthSettings.gate() }, h);
    const key = `${s.namespace}/${s.name}/${r.canary}`;
    if (g?.verdict !== 'breach' || this.breaches.has(key)) return;
    this.breaches.add(key);
    const ref = { name: s.name, namespace: s.namespace };
    void showWarningMessage(`Canary ${r.canary} of ${s.name} breaches its SLO: ${g.findings.map((f) => f.message).join('; ')}.`, 'Roll Back', 'Show Health').then(async (a) => {
      if (a === 'Roll Back') await vscode.commands.executeCommand('kubeflow.endpoints.rollback', ref);
      if (a === 'Show Health') await vscode.commands.executeCommand('kubeflow.health.showEndpoint', ref);
    });
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.changed.dispose();
  }
}
