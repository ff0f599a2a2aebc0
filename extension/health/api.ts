// The window's connection to Prometheus, the source of the health SLIs: a configured URL with a bearer token kept in
// SecretStorage for that URL's origin only, or — by default — the Prometheus Service found in the cluster
// (`kubeflow.health.prometheusService`, else the first of the usual kube-prometheus / prometheus-community names in the
// usual monitoring namespaces) reached through a daemon port-forward with Kubernetes RBAC. When none is found the
// views say so and how to configure it; nothing else waits for it.
import * as vscode from 'vscode';
import { PrometheusClient } from '../../core/health/prometheus';
import type { Prices } from '../../core/health/cost';
import type { QueryOverrides } from '../../core/health/sli';
import { parseSlo, type Slo } from '../../core/health/slo';
import { endpointOrigin } from '../cluster/credentialPolicy';
import { ServiceApi, type ServiceRef } from '../cluster/serviceApi';
import type { Ctx } from '../ctx';
import { showInformationMessage } from '../notify';

const SECTION = 'kubeflow.health';
const SECRET_PREFIX = 'kubeflow.health.prometheusToken:';

/** Where clusters run Prometheus: [namespace, service, port], most common first. */
const CANDIDATES: Array<[string, string, number]> = [
  ['monitoring', 'prometheus-k8s', 9090],
  ['monitoring', 'prometheus-operated', 9090],
  ['monitoring', 'kube-prometheus-stack-prometheus', 9090],
  ['monitoring', 'prometheus-server', 80],
  ['prometheus', 'prometheus-server', 80],
  ['kube-prometheus', 'kube-prometheus-stack-prometheus', 9090],
  ['istio-system', 'prometheus', 9090],
  ['kubeflow', 'prometheus', 9090],
];

export type GateMode = 'warn' | 'refuse' | 'off';

export const healthSettings = {
  get(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  },
  url(): string {
    return this.get().get<string>('prometheusUrl', '').trim().replace(/\/+$/, '');
  },
  /** `namespace/name:port`, or empty to look for it. */
  service(): ServiceRef | undefined {
    const m = /^([a-z0-9-]+)\/([a-z0-9-]+):(\d+)$/.exec(this.get().get<string>('prometheusService', '').trim());
    return m ? { namespace: m[1]!, name: m[2]!, port: Number(m[3]) } : undefined;
  },
  window(): string {
    return this.get().get<string>('window', '5m').trim() || '5m';
  },
  /** Chart range and availability window, seconds. */
  rangeSeconds(): number {
    return Math.max(60, this.get().get<number>('rangeMinutes', 60) * 60);
  },
  queries(): QueryOverrides {
    return this.get().get<QueryOverrides>('queries', {}) ?? {};
  },
  gate(): GateMode {
    const v = this.get().get<string>('canaryGate', 'warn');
    return v === 'refuse' || v === 'off' ? v : 'warn';
  },
  /** Prices per CPU-hour and GPU-hour (cost per inference); undefined when not set. */
  prices(): Prices | undefined {
    return this.get().get<Prices>('prices') ?? undefined;
  },
  gpuIdleThreshold(): number {
    return this.get().get<number>('gpuIdleThreshold', 30);
  },
  /** The SLO of an endpoint: its annotation wins over `kubeflow.health.slo` (`namespace/name`, `namespace`, `*`). */
  slo(namespace: string, name: string, annotation: string | undefined): { slo?: Slo; problem?: string } {
    const own = parseSlo(annotation);
    if (own.slo || own.problem) return own;
    const all = this.get().get<Record<string, Slo>>('slo', {}) ?? {};
    const s = all[`${namespace}/${name}`] ?? all[namespace] ?? all['*'];
    return s ? parseSlo(JSON.stringify(s)) : {};
  },
  keys: ['kubeflow.health', 'kubeflow.context', 'kubeflow.kubeconfig'],
};

export class HealthApi implements vscode.Disposable {
  private found: Promise<ServiceRef | undefined> | undefined;
  private target: ServiceRef | undefined;
  private readonly service: ServiceApi;
  private readonly subs: vscode.Disposable[];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly ctx: Ctx) {
    this.service = new ServiceApi(ctx, {
      title: 'Prometheus',
      url: () => healthSettings.url() || undefined,
      service: () => this.target ?? { namespace: 'monitoring', name: 'prometheus-k8s', port: 9090 },
      headers: async (): Promise<Record<string, string>> => {
        const url = healthSettings.url();
        const token = url ? await ctx.extension.secrets.get(`${SECRET_PREFIX}${endpointOrigin(url)}`) : undefined;
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      notFoundHint: 'Set kubeflow.health.prometheusService (namespace/name:port) or kubeflow.health.prometheusUrl.',
    });
    this.subs = [
      this.service,
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (healthSettings.keys.some((k) => e.affectsConfiguration(k))) this.reset();
      }),
    ];
  }

  reset(): void {
    this.found = undefined;
    this.target = undefined;
    this.service.reset();
    this.changed.fire();
  }

  where(): string {
    return this.service.where();
  }

  /** A client, or why there is none (no Prometheus found: the message says how to point at one). */
  async client(signal?: AbortSignal): Promise<PrometheusClient> {
    if (!healthSettings.url()) {
      this.found ??= this.discover();
      const t = await this.found;
      if (!t) {
        this.found = undefined;
        throw new Error('No Prometheus found in the cluster (looked for prometheus-k8s, prometheus-operated, prometheus-server… in monitoring, prometheus, istio-system, kubeflow). Set kubeflow.health.prometheusService (namespace/name:port) or kubeflow.health.prometheusUrl.');
      }
      this.target = t;
    }
    return new PrometheusClient(this.service.transport, signal ? { signal } : {});
  }

  /** The configured Service, else the first candidate that exists (reading each costs one GET; RBAC refusals skip it). */
  private async discover(): Promise<ServiceRef | undefined> {
    const configured = healthSettings.service();
    if (configured) return configured;
    for (const [namespace, name, port] of CANDIDATES) {
      try {
        await this.ctx.kube.get(`/api/v1/namespaces/${namespace}/services/${name}`);
        this.ctx.log.info(`health: Prometheus found as service ${name} in ${namespace}`);
        return { namespace, name, port };
      } catch {
        // not there, or not readable: try the next
      }
    }
    return undefined;
  }

  /** The "Set Prometheus Token" command: a bearer token for the configured URL's origin only. */
  async askToken(): Promise<void> {
    const url = healthSettings.url();
    if (!url) {
      void showInformationMessage('Kubeflow: Prometheus is reached through a port-forward (Kubernetes RBAC); a token is only needed with kubeflow.health.prometheusUrl.');
      return;
    }
    const token = await vscode.window.showInputBox({ title: `Bearer token for ${endpointOrigin(url)}`, password: true, prompt: 'Kept in the editor\'s secret storage and sent only to this origin.' });
    if (token === undefined) return;
    const key = `${SECRET_PREFIX}${endpointOrigin(url)}`;
    if (token.trim()) await this.ctx.extension.secrets.store(key, token.trim());
    else await this.ctx.extension.secrets.delete(key);
    this.reset();
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
  }
}
