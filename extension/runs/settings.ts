// The `kubeflow.pipelines.*` settings (where the KFP API is, who the user is) and the credential kept in
// SecretStorage. The credential is read only to build request headers; it is never logged or shown.
import * as vscode from 'vscode';
import { config } from '../config';
import { showInformationMessage } from '../notify';

const SECTION = 'kubeflow.pipelines';
const SECRET_KEY = 'kubeflow.pipelines.credential';

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
  /** Settings whose change means a new connection. */
  keys: ['kubeflow.pipelines', 'kubeflow.context', 'kubeflow.kubeconfig', 'kubeflow.namespace'],
};

export type Credential = { kind: 'bearer'; token: string } | { kind: 'cookie'; cookie: string };

export class Credentials implements vscode.Disposable {
  private cached: Credential | null | undefined;
  private readonly sub: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.sub = secrets.onDidChange((e) => {
      if (e.key === SECRET_KEY) this.cached = undefined;
    });
  }

  dispose(): void {
    this.sub.dispose();
  }

  async get(): Promise<Credential | undefined> {
    if (this.cached === undefined) {
      const raw = await this.secrets.get(SECRET_KEY);
      try {
        this.cached = raw ? (JSON.parse(raw) as Credential) : null;
      } catch {
        this.cached = null;
      }
    }
    return this.cached ?? undefined;
  }

  async set(c: Credential | undefined): Promise<void> {
    this.cached = c ?? null;
    if (c) await this.secrets.store(SECRET_KEY, JSON.stringify(c));
    else await this.secrets.delete(SECRET_KEY);
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
    { title: 'Kubeflow Pipelines API credentials', placeHolder: 'Stored in the editor\'s secret storage; never written to settings or logs' },
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
