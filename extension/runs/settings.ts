// The `kubeflow.pipelines.*` settings (where the KFP API is, who the user is) and the credentials kept in
// SecretStorage, one per endpoint (a gateway's origin, or the service a port-forward reaches): a token set for one
// gateway is never sent to another URL a repository's settings name. A credential is read only to build request
// headers; it is never logged or shown.
import * as vscode from 'vscode';
import { endpointOrigin } from '../cluster/credentialPolicy';
import { config } from '../config';
import { showInformationMessage } from '../notify';

const SECTION = 'kubeflow.pipelines';
const SECRET_PREFIX = 'kubeflow.pipelines.credential:';
const LEGACY_SECRET_KEY = 'kubeflow.pipelines.credential';

export const pipelineSettings = {
  get(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  },
  /** A gateway URL (`https://kubeflow.example.com/pipeline`); empty = a daemon port-forward to the service. */
  endpoint(): string {
    return this.get().get<string>('endpoint', '').trim().replace(/\/+$/, '');
  },
  service(): { namespace: string; name: string; port: number } {
    const s = this.get();
    return {
      namespace: s.get<string>('serviceNamespace', 'kubeflow').trim() || 'kubeflow',
      name: s.get<string>('serviceName', 'ml-pipeline').trim() || 'ml-pipeline',
      port: s.get<number>('servicePort', 8888) || 8888,
    };
  },
  /** The profile namespace of runs and experiments in multi-user mode; empty = `kubeflow.namespace`. */
  namespace(): string {
    return this.get().get<string>('namespace', '').trim() || config.namespace();
  },
  /** Sent as `kubeflow-userid` (the header the gateway sets after login); empty = not sent. */
  userId(): string {
    return this.get().get<string>('userId', '').trim();
  },
  serviceAccount(): string {
    return this.get().get<string>('serviceAccount', '').trim();
  },
  /** Seconds between refreshes of an open run while it is active. */
  refreshSeconds(): number {
    return Math.max(2, this.get().get<number>('refreshInterval', 5));
  },
  /** What a credential belongs to: `url:<origin>` of the gateway, or `service:<namespace>/<name>:<port>` of the forward. */
  credentialTarget(): string {
    const url = this.endpoint();
    if (url) return `url:${endpointOrigin(url)}`;
    const s = this.service();
    return `service:${s.namespace}/${s.name}:${s.port}`;
  },
  /** Settings whose change means a new connection. */
  keys: ['kubeflow.pipelines', 'kubeflow.context', 'kubeflow.kubeconfig', 'kubeflow.namespace'],
};

export type Credential = { kind: 'bearer'; token: string } | { kind: 'cookie'; cookie: string };

export class Credentials implements vscode.Disposable {
  private readonly cached = new Map<string, Credential | null>();
  private readonly sub: vscode.Disposable;

  /** `target` says which endpoint's credential applies now (`pipelineSettings.credentialTarget`). */
  constructor(private readonly secrets: vscode.SecretStorage, private readonly target = () => pipelineSettings.credentialTarget()) {
    this.sub = secrets.onDidChange((e) => {
      if (e.key.startsWith(SECRET_PREFIX)) this.cached.delete(e.key);
    });
    // The single credential of earlier versions belonged to no endpoint in particular: it is not sent anywhere now.
    // Deleted only when present: every delete fires onDidChange, and the connection resets on a credential change.
    void Promise.resolve(secrets.get(LEGACY_SECRET_KEY))
      .then((old) => (old === undefined ? undefined : secrets.delete(LEGACY_SECRET_KEY)))
      .catch(() => undefined);
  }

  dispose(): void {
    this.sub.dispose();
  }

  private key(): string {
    return `${SECRET_PREFIX}${this.target()}`;
  }

  async get(): Promise<Credential | undefined> {
    const key = this.key();
    if (!this.cached.has(key)) {
      const raw = await this.secrets.get(key);
      let c: Credential | null = null;
      try {
        c = raw ? (JSON.parse(raw) as Credential) : null;
      } catch {
        c = null;
      }
      this.cached.set(key, c);
    }
    return this.cached.get(key) ?? undefined;
  }

  async set(c: Credential | undefined): Promise<void> {
    const key = this.key();
    this.cached.set(key, c ?? null);
    if (c) await this.secrets.store(key, JSON.stringify(c));
    else await this.secrets.delete(key);
  }

  /** The request headers: the credential and `kubeflow-userid`. */
  async headers(): Promise<Record<string, string>> {
    const h: Record<string, string> = {};
    const c = await this.get();
    if (c?.kind === 'bearer') h.authorization = `Bearer ${c.token}`;
    if (c?.kind === 'cookie') h.cookie = c.cookie;
    const user = pipelineSettings.userId();
    if (user) h['kubeflow-userid'] = user;
    return h;
  }
}

/** The "Set Pipelines API Credentials" command: a bearer token or a session cookie, into SecretStorage. */
export async function askCredentials(creds: Credentials): Promise<boolean> {
  const current = await creds.get();
  const pick = await vscode.window.showQuickPick(
    [
      { label: '$(key) Bearer token', description: 'a Kubernetes service-account token with audience pipelines.kubeflow.org', id: 'bearer' as const },
      { label: '$(globe) Session cookie', description: 'oauth2_proxy_kubeflow=… from a browser logged in to the gateway', id: 'cookie' as const },
      ...(current ? [{ label: '$(trash) Forget the stored credential', description: current.kind === 'bearer' ? 'bearer token' : 'cookie', id: 'clear' as const }] : []),
    ],
    { title: `Kubeflow Pipelines API credentials for ${pipelineSettings.endpoint() ? endpointOrigin(pipelineSettings.endpoint()) : 'the port-forwarded service'}`, placeHolder: 'Stored in the editor\'s secret storage; never written to settings or logs' },
  );
  if (!pick) return false;
  if (pick.id === 'clear') {
    await creds.set(undefined);
    void showInformationMessage('Kubeflow: the Pipelines API credential was removed.');
    return true;
  }
  const value = await vscode.window.showInputBox({
    title: pick.id === 'bearer' ? 'Bearer token' : 'Cookie',
    prompt: pick.id === 'bearer' ? 'e.g. the output of: kubectl create token default-editor -n <profile> --audience pipelines.kubeflow.org' : 'e.g. oauth2_proxy_kubeflow=… (copy it from the browser\'s developer tools)',
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (!v.trim() ? 'Enter a value' : pick.id === 'cookie' && !v.includes('=') ? 'A cookie looks like name=value' : /[\r\n]/.test(v) ? 'One line only' : undefined),
  });
  if (!value) return false;
  await creds.set(pick.id === 'bearer' ? { kind: 'bearer', token: value.trim().replace(/^Bearer\s+/i, '') } : { kind: 'cookie', cookie: value.trim() });
  void showInformationMessage(`Kubeflow: the Pipelines API ${pick.id === 'bearer' ? 'token' : 'cookie'} is stored in the editor's secret storage.`);
  return true;
}
