/**
 * Which Model Registry the Models view talks to, and how: the registries of the settings (`kubeflow.modelRegistry.*`:
 * the default Service `model-registry-service:8080` in `kubeflow`, more entries by Service or URL), the ones found in
 * the cluster (Services labelled `component=model-registry`, as the registry UI finds them), the one picked last
 * (workspace state), and a bearer token per registry in SecretStorage (set by a command, sent as a header, never
 * logged). Each registry gets a `ServiceApi` (daemon forward to the Service, or the URL) and one client over it, which
 * finds out on its first call whether the registry serves `/api/model_registry/v1` or `v1alpha3` and keeps the answer.
 */
import * as vscode from 'vscode';
import { ModelRegistryClient } from '../../core/modelRegistry/client';
import { ServiceApi, type ServiceRef } from '../cluster/serviceApi';
import type { Ctx } from '../ctx';

export const SETTINGS = 'kubeflow.modelRegistry';
const SELECTED_KEY = 'kubeflow.modelRegistry.selected';
const TOKEN_KEY = (id: string) => `kubeflow.modelRegistry.token:${id}`;
const DISCOVERY_LABEL = 'component=model-registry';

export interface RegistryConfig {
  /** Stable id: `svc:<context>/<namespace>/<service>` or `url:<url>`. */
  id: string;
  /** What the user sees. */
  label: string;
  description?: string;
  service?: ServiceRef;
  url?: string;
  origin: 'default' | 'settings' | 'cluster';
}

interface SettingsEntry {
  name?: string;
  namespace?: string;
  service?: string;
  port?: number | string;
  url?: string;
  context?: string;
}

function settings(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SETTINGS);
}

function serviceId(s: ServiceRef): string {
  return `svc:${s.context ?? ''}/${s.namespace}/${s.name}`;
}

/** The registries the settings describe: the default one first, then `registries` entries. */
export function configuredRegistries(): RegistryConfig[] {
  const c = settings();
  const ns = c.get<string>('namespace', 'kubeflow').trim() || 'kubeflow';
  const name = c.get<string>('service', 'model-registry-service').trim() || 'model-registry-service';
  const port = c.get<number>('port', 8080) || 8080;
  const def: ServiceRef = { namespace: ns, name, port };
  const out: RegistryConfig[] = [{ id: serviceId(def), label: name, description: `${ns} · port ${port}`, service: def, origin: 'default' }];
  for (const e of c.get<SettingsEntry[]>('registries', []) ?? []) {
    if (!e || typeof e !== 'object') continue;
    if (e.url?.trim()) {
      const url = e.url.trim().replace(/\/+$/, '');
      out.push({ id: `url:${url}`, label: e.name?.trim() || url, description: url, url, origin: 'settings' });
    } else if (e.service?.trim() || e.namespace?.trim()) {
      const s: ServiceRef = { namespace: e.namespace?.trim() || ns, name: e.service?.trim() || 'model-registry-service', port: e.port ?? 8080, ...(e.context?.trim() ? { context: e.context.trim() } : {}) };
      if (out.some((r) => r.id === serviceId(s))) continue;
      out.push({ id: serviceId(s), label: e.name?.trim() || s.name, description: `${s.namespace} · port ${s.port}${s.context ? ` · ${s.context}` : ''}`, service: s, origin: 'settings' });
    }
  }
  return out;
}

interface ServiceObject {
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: { ports?: Array<{ name?: string; port: number }> };
}

export class Registries implements vscode.Disposable {
  private readonly apis = new Map<string, ServiceApi>();
  private readonly clients = new Map<string, ModelRegistryClient>();
  private discovered: RegistryConfig[] = [];
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  /** The selected registry or its settings changed. */
  readonly onDidChange = this._onDidChange.event;
  private readonly subs: vscode.Disposable[];

  constructor(private readonly ctx: Ctx) {
    this.subs = [
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SETTINGS) || e.affectsConfiguration('kubeflow.context') || e.affectsConfiguration('kubeflow.kubeconfig')) {
          // A registry's port or URL may have changed under the same id: build its API again.
          for (const a of this.apis.values()) a.dispose();
          this.apis.clear();
          this.clients.clear();
          this._onDidChange.fire();
        }
      }),
    ];
  }

  all(): RegistryConfig[] {
    const out = configuredRegistries();
    for (const d of this.discovered) {
      const i = out.findIndex((r) => r.id === d.id);
      // A configured registry that is also found: its display name from the cluster, and say it is there.
      if (i >= 0) out[i] = { ...out[i]!, label: d.label, description: `${out[i]!.description ?? ''} · found in the cluster` };
      else out.push(d);
    }
    return out;
  }

  /** The registry in use: the one picked last if it still exists, else the first configured one. */
  current(): RegistryConfig {
    const id = this.ctx.extension.workspaceState.get<string>(SELECTED_KEY);
    const all = this.all();
    return all.find((r) => r.id === id) ?? all[0]!;
  }

  async select(id: string): Promise<void> {
    await this.ctx.extension.workspaceState.update(SELECTED_KEY, id);
    this._onDidChange.fire();
  }

  /** Services labelled as Model Registries in the configured namespace (best effort: RBAC may forbid listing). */
  async discover(): Promise<RegistryConfig[]> {
    const ns = settings().get<string>('namespace', 'kubeflow').trim() || 'kubeflow';
    try {
      const services = await this.ctx.kube.list<ServiceObject>(`/api/v1/namespaces/${encodeURIComponent(ns)}/services`, { labelSelector: DISCOVERY_LABEL });
      this.discovered = services.map((s) => {
        const port = s.spec?.ports?.find((p) => p.name === 'http-api')?.port ?? s.spec?.ports?.find((p) => p.port === 8080)?.port ?? 8080;
        const ref: ServiceRef = { namespace: s.metadata.namespace ?? ns, name: s.metadata.name, port };
        const display = s.metadata.annotations?.displayName;
        return { id: serviceId(ref), label: display || s.metadata.name, description: `${ref.namespace} · port ${port} · found in the cluster`, service: ref, origin: 'cluster' as const };
      });
    } catch (err) {
      this.ctx.log.debug(`model registry discovery in ${ns}: ${(err as Error).message}`);
    }
    return this.discovered;
  }

  /** The HTTP API of a registry (one per registry, reused). */
  api(r: RegistryConfig = this.current()): ServiceApi {
    let api = this.apis.get(r.id);
    if (!api) {
      api = new ServiceApi(this.ctx, {
        title: `Model Registry ${r.label}`,
        url: () => r.url,
        service: () => r.service ?? { namespace: 'kubeflow', name: 'model-registry-service', port: 8080 },
        headers: async (): Promise<Record<string, string>> => {
          const token = await this.token(r.id);
          return token ? { authorization: `Bearer ${token}` } : {};
        },
        notFoundHint: `If the Model Registry runs elsewhere, set "kubeflow.modelRegistry.namespace" and "kubeflow.modelRegistry.service", or add a registry (with a URL if it is behind a gateway) to "kubeflow.modelRegistry.registries".`,
      });
      this.apis.set(r.id, api);
    }
    return api;
  }

  client(r: RegistryConfig = this.current()): ModelRegistryClient {
    let c = this.clients.get(r.id);
    if (!c) {
      c = new ModelRegistryClient(this.api(r).transport);
      this.clients.set(r.id, c);
    }
    return c;
  }

  /** Where the registry is reached, for tooltips and messages. */
  where(r: RegistryConfig = this.current()): string {
    return this.api(r).where();
  }

  token(id: string): Thenable<string | undefined> {
    return this.ctx.extension.secrets.get(TOKEN_KEY(id));
  }

  async setToken(id: string, token: string | undefined): Promise<void> {
    if (token) await this.ctx.extension.secrets.store(TOKEN_KEY(id), token);
    else await this.ctx.extension.secrets.delete(TOKEN_KEY(id));
    this._onDidChange.fire();
  }

  dispose(): void {
    for (const a of this.apis.values()) a.dispose();
    this.subs.forEach((s) => s.dispose());
    this._onDidChange.dispose();
  }
}
