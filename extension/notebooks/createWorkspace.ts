/**
 * Creating a Notebooks 2.0 Workspace from a WorkspaceKind, as its spawner does: the kind, a name, the image and pod
 * options by their display names (retired options say where they redirect), the home volume and data volumes from
 * the namespace's claims; the Workspace's YAML is shown in an editor and applied only after "Create".
 */
import * as vscode from 'vscode';
import YAML from 'yaml';
import { apiPath, type Kube, type KubeObject } from '../cluster/kube';
import { showInformationMessage, showWarningMessage } from '../notify';
import { showReadOnly } from '../training/readonly';
import type { ServerStore } from './servers';
import { jupyterPort, kindOptions, newWorkspaceManifest, validateWorkspaceName, WORKSPACES, type NewWorkspace, type WorkspaceKindResource } from './workspaces';

const STEPS = 6;

/** Asks for the new Workspace, shows its YAML, creates it; resolves its name, or undefined when cancelled. */
export async function createWorkspace(kube: Kube, store: ServerStore): Promise<string | undefined> {
  await store.ensure();
  const ns = store.scope.namespace;
  const title = (step: number) => `Create Workspace in ${ns} (${step}/${STEPS})`;
  const kinds = store.workspaceKinds().filter((k) => !k.spec?.spawner?.hidden);
  if (kinds.length === 0) {
    void showWarningMessage('The cluster has no WorkspaceKind to create a Workspace from (an administrator installs them).');
    return undefined;
  }
  const kindPick = await vscode.window.showQuickPick(kinds.map((k) => {
    const port = jupyterPort(k, k.spec?.podTemplate?.options?.imageConfig?.spawner?.default);
    return {
      label: k.spec?.spawner?.displayName || k.metadata.name,
      description: k.metadata.name,
      detail: [k.spec?.spawner?.description, 'problem' in port ? 'no Jupyter port: notebooks cannot run on it' : undefined, k.spec?.spawner?.deprecated ? `deprecated${k.spec.spawner.deprecationMessage ? `: ${k.spec.spawner.deprecationMessage}` : ''}` : undefined].filter(Boolean).join(' — ') || undefined,
      wk: k,
    };
  }), { title: title(1), placeHolder: 'Workspace kind', ignoreFocusOut: true, matchOnDescription: true });
  if (!kindPick) return undefined;
  const kind = kindPick.wk;
  const taken = new Set(store.list().filter((s) => s.kind === 'Workspace').map((s) => s.name));
  const name = await vscode.window.showInputBox({
    title: title(2), prompt: 'Name', placeHolder: 'my-workspace', ignoreFocusOut: true,
    validateInput: (v) => validateWorkspaceName(v) ?? (taken.has(v) ? `Workspace ${v} exists in ${ns}` : undefined),
  });
  if (!name) return undefined;
  const imageConfig = await pickOption(kind, 'imageConfig', title(3), 'Image');
  if (!imageConfig) return undefined;
  const podConfig = await pickOption(kind, 'podConfig', title(4), 'Pod configuration (resources)');
  if (!podConfig) return undefined;
  const claims = (await kube.list<KubeObject>(apiPath({ version: 'v1', plural: 'persistentvolumeclaims', namespace: ns }))).map((c) => c.metadata.name);
  const homeMount = kind.spec?.podTemplate?.volumeMounts?.home ?? '/home/jovyan';
  const none = '$(circle-slash) No home volume';
  const home = await vscode.window.showQuickPick([...claims.map((c) => ({ label: c, description: `mounted at ${homeMount}` })), { label: none, description: 'files are lost when the workspace pauses' }],
    { title: title(5), placeHolder: `Home volume (an existing claim, mounted at ${homeMount})`, ignoreFocusOut: true });
  if (!home) return undefined;
  const homeClaim = home.label === none ? undefined : home.label;
  const data = await vscode.window.showQuickPick(claims.filter((c) => c !== homeClaim).map((c) => ({ label: c, description: `mounted at /data/${c}` })),
    { title: title(6), placeHolder: 'Data volumes (optional; Enter for none)', canPickMany: true, ignoreFocusOut: true });
  if (!data) return undefined;
  const spec: NewWorkspace = { name, namespace: ns, kind: kind.metadata.name, imageConfig, podConfig, ...(homeClaim ? { home: homeClaim } : {}), data: data.map((d) => ({ pvcName: d.label, mountPath: `/data/${d.label}` })) };
  const manifest = newWorkspaceManifest(spec);
  // The YAML first, read-only (closing it never asks to save); nothing is applied until the person says so.
  await showReadOnly(`${name}.workspace.yaml`, YAML.stringify(manifest));
  const go = await showInformationMessage(`Create Workspace ${name} in ${ns} as shown?`, { modal: true, detail: `Kind ${kind.metadata.name} · image ${imageConfig} · pod ${podConfig}` }, 'Create');
  if (go !== 'Create') return undefined;
  await kube.request('POST', apiPath({ ...WORKSPACES, namespace: ns }), { body: manifest });
  return name;
}

async function pickOption(kind: WorkspaceKindResource, which: 'imageConfig' | 'podConfig', title: string, placeHolder: string): Promise<string | undefined> {
  const options = kindOptions(kind, which);
  if (options.length === 0) throw new Error(`WorkspaceKind ${kind.metadata.name} offers no ${which} option.`);
  const pick = await vscode.window.showQuickPick(options.map((o) => ({
    label: o.label,
    description: [o.isDefault ? 'default' : undefined, o.id !== o.label ? o.id : undefined].filter(Boolean).join(' · ') || undefined,
    detail: [o.description, o.redirect].filter(Boolean).join(' — ') || undefined,
    id: o.id,
  })), { title, placeHolder, ignoreFocusOut: true, matchOnDetail: true });
  return pick?.id;
}
