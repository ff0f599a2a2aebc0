// The one-line health of each Serverless endpoint in the Endpoints view ("P95 120 ms · 0.5% errors · 12 req/s", the
// canary's beside it), read from Prometheus every minute while the view is visible: one query per SLI for every
// endpoint of the namespace at once. Without Prometheus the line is absent and nothing else waits.
import * as vscode from 'vscode';
import { readEndpointHealth } from '../../core/health/read';
import { formatValue } from '../../core/health/sli';
import type { EndpointsModel } from '../endpoints/model';
import type { Ctx } from '../ctx';
import { describeError } from '../daemon/client';
import { healthSettings, type HealthApi } from './api';
import { revisionsOf } from './panel';

const REFRESH_MS = 60_000;
const SHOWN = ['latencyP95', 'errorRate', 'requestRate'] as const;

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
    const serverless = this.model.list().filter((e) => e.summary.deploymentMode !== 'RawDeployment');
    const revisions = serverless.flatMap((e) => Object.values(revisionsOf(e.summary)).filter((v): v is string => typeof v === 'string'));
    if (!revisions.length) return;
    const next = new Map<string, EndpointHealthLine>();
    try {
      const client = await api.client();
      const h = await readEndpointHealth(client, { namespace: this.model.namespace, service: '', mode: 'Serverless', revisions, window: healthSettings.window(), rangeSeconds: healthSettings.rangeSeconds(), overrides: healthSettings.queries() });
      for (const e of serverless) {
        const r = revisionsOf(e.summary);
        const part = (rev: string | undefined): string =>
          rev
            ? SHOWN.map((id) => {
                const s = h.slis.find((x) => x.def.id === id);
                const v = s?.values[rev];
                return v === undefined ? '' : id === 'errorRate' ? `${formatValue(v, 'ratio')} errors` : formatValue(v, s!.def.unit);
              })
                .filter(Boolean)
                .join(' · ')
            : '';
        const stable = part(r.stable);
        const canary = part(r.canary);
        if (!stable && !canary) continue;
        next.set(`${e.summary.namespace}/${e.summary.name}`, {
          text: canary ? `${stable || '—'}  |  canary ${canary}` : stable,
          tooltip: `From Prometheus at ${api.where()}, over the last ${healthSettings.window()}. Open Show Health for charts, the SLO and the canary gate.`,
        });
      }
    } catch (err) {
      this.ctx.log.info(`health: no endpoint status (${describeError(err)})`);
    }
    this.lines = next;
    this.changed.fire();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.changed.dispose();
  }
}
