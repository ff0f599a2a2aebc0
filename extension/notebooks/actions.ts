/**
 * What a person does to a notebook server: start (and wait with progress, showing why it is not up yet), stop,
 * delete after confirmation, and create one from a few questions (name, image, CPU, memory, GPUs, workspace volume).
 */
import * as vscode from 'vscode';
import { apiPath, type Kube, type KubeObject } from '../cluster/kube';
import { NOTEBOOKS, STANDARD_IMAGES, describeResources, newServerManifests, shortImage, startPatch, stopPatch, validateQuantity, validateServerName, type NewServer, type NotebookServer } from './model';
import { serverLabel, type ServerStore } from './servers';
import { pausePatch, WORKSPACES } from './workspaces';

export const upperFirst = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);
import { showInformationMessage, showWarningMessage } from '../notify';

const MERGE = 'application/merge-patch+json';

type Which = Pick<NotebookServer, 'name' | 'kind'>;

/** The resource path of a v1 Notebook or a v2 Workspace. */
function serverPath(namespace: string, s: Which): string {
  return apiPath({ ...(s.kind === 'Workspace' ? WORKSPACES : NOTEBOOKS), namespace, name: s.name });
}

/** Start a v1 server (drop the stopped annotation) or resume a Workspace (`spec.paused: false`). */
export async function startServer(kube: Kube, store: ServerStore, s: Which): Promise<void> {
  await kube.request('PATCH', serverPath(store.scope.namespace, s), { body: s.kind === 'Workspace' ? pausePatch(false) : startPatch(), contentType: MERGE });
}

/** Stop a v1 server or pause a Workspace. */
export async function stopServer(kube: Kube, store: ServerStore, s: Which): Promise<void> {
  await kube.request('PATCH', serverPath(store.scope.namespace, s), { body: s.kind === 'Workspace' ? pausePatch(true) : stopPatch(), contentType: MERGE });
}

/**
 * Waits, with a cancellable progress notification, until the server runs. The notification shows why it does not
 * yet (pulling the image, no node with a free GPU). Resolves false when cancelled.
 */
export function waitRunning(store: ServerStore, which: Which, timeoutMs = 15 * 60_000): Promise<boolean> {
  const { name, kind } = which;
  const label = serverLabel(which);
  return Promise.resolve(vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `${kind === 'Workspace' ? 'Resuming' : 'Starting'} ${label}`, cancellable: true },
    async (progress, token) => {
      let seenStarting = false;
      const show = (s: NotebookServer | undefined) => progress.report({
        message: !s ? 'waiting for the server to appear' : s.phase === 'stopped' && !seenStarting ? 'start requested' : `${s.phase}${s.reason ? ` — ${s.reason}` : ''}`,
      });
      const sub = store.onDidChange(() => show(store.get(name, kind)));
      const source = new vscode.CancellationTokenSource();
      token.onCancellationRequested(() => source.cancel());
      const timer = setTimeout(() => source.cancel(), timeoutMs);
      show(store.get(name, kind));
      try {
        // Right after the start patch the watch may still show it stopped: 'stopped' ends the wait only once it was
        // seen starting (someone stopped it again).
        const s = await store.waitFor(name, (x) => {
          if (x && x.phase !== 'stopped' && x.phase !== 'stopping') seenStarting = true;
          return x?.phase === 'running' || x === undefined || x.phase === 'terminating' || (seenStarting && x.phase === 'stopped');
        }, source.token, kind);
        if (s?.phase !== 'running') throw new Error(s ? `${upperFirst(label)} is ${s.phase}.` : `${upperFirst(label)} was deleted.`);
        return true;
      } catch (err) {
        if (err instanceof vscode.CancellationError) return false;
        throw err;
      } finally {
        clearTimeout(timer);
        sub.dispose();
        source.dispose();
      }
    },
  ));
}

/** Starts a stopped server after asking, and waits for it. Resolves true when it runs. */
export async function offerStart(kube: Kube, store: ServerStore, s: NotebookServer): Promise<boolean> {
  if (s.phase === 'running') return true;
  if (s.phase === 'stopped' || s.phase === 'stopping') {
    const [what, verb] = s.kind === 'Workspace' ? ['paused', 'Resume'] : ['stopped', 'Start'];
    const choice = await showInformationMessage(`${upperFirst(serverLabel(s))} is ${what}. ${verb} it?`, { modal: true, detail: `${s.imageOption ?? shortImage(s.image)} · ${describeResources(s)}` }, verb);
    if (choice !== verb) return false;
    await startServer(kube, store, s);
  }
  return waitRunning(store, s);
}

export async function deleteServer(kube: Kube, s: NotebookServer): Promise<boolean> {
  const detail = s.volumes.length
    ? `Its volumes (${s.volumes.join(', ')}) are kept; delete them separately if you no longer need the files.`
    : 'It has no persistent volume: files in the server are lost.';
  const choice = await showWarningMessage(`Delete ${serverLabel(s)} in ${s.namespace}?`, { modal: true, detail }, 'Delete');
  if (choice !== 'Delete') return false;
  await kube.request('DELETE', serverPath(s.namespace, s));
  return true;
}

/** Asks for a new server's settings, creates it (and its workspace volume); resolves its name, or undefined. */
export async function createServer(kube: Kube, store: ServerStore): Promise<string | undefined> {
  await store.ensure();
  const ns = store.scope.namespace;
  const title = (step: number) => `Create Notebook Server in ${ns} (${step}/6)`;
  const taken = new Set(store.list().filter((s) => s.kind === 'Notebook').map((s) => s.name));
  const name = await vscode.window.showInputBox({
    title: title(1), prompt: 'Name', placeHolder: 'my-notebook', ignoreFocusOut: true,
    validateInput: (v) => validateServerName(v) ?? (taken.has(v) ? `${v} exists in ${ns}` : undefined),
  });
  if (!name) return undefined;
  const custom = '$(edit) Custom image…';
  const picked = await vscode.window.showQuickPick([...STANDARD_IMAGES.map((i) => ({ label: shortImage(i).split('/').pop()!, description: i, image: i })), { label: custom, description: '', image: '' }], { title: title(2), placeHolder: 'Image', ignoreFocusOut: true });
  if (!picked) return undefined;
  const image = picked.image || (await vscode.window.showInputBox({ title: title(2), prompt: 'Image', placeHolder: 'registry/image:tag', ignoreFocusOut: true, validateInput: (v) => (/^\S+$/.test(v) ? undefined : 'An image reference') }));
  if (!image) return undefined;
  const cpu = await vscode.window.showInputBox({ title: title(3), prompt: 'CPUs', value: '1', ignoreFocusOut: true, validateInput: (v) => validateQuantity('cpu', v) });
  if (!cpu) return undefined;
  const memory = await vscode.window.showInputBox({ title: title(4), prompt: 'Memory', value: '2Gi', ignoreFocusOut: true, validateInput: (v) => validateQuantity('memory', v) });
  if (!memory) return undefined;
  const gpu = await vscode.window.showQuickPick(['0', '1', '2', '4', '8'].map((n) => ({ label: n, description: n === '0' ? 'no GPU' : 'nvidia.com/gpu' })), { title: title(5), placeHolder: 'GPUs', ignoreFocusOut: true });
  if (!gpu) return undefined;
  const workspace = await askWorkspace(kube, ns, name, title(6));
  if (!workspace) return undefined;
  const spec: NewServer = { name, namespace: ns, image, cpu, memory, gpus: Number(gpu.label), workspace };
  const { notebook, pvc } = newServerManifests(spec);
  if (pvc) await createUnlessExists(kube, apiPath({ version: 'v1', plural: 'persistentvolumeclaims', namespace: ns }), pvc);
  await kube.request('POST', apiPath({ ...NOTEBOOKS, namespace: ns }), { body: notebook });
  return name;
}

async function askWorkspace(kube: Kube, ns: string, name: string, title: string): Promise<NewServer['workspace'] | undefined> {
  const items: Array<vscode.QuickPickItem & { w: NewServer['workspace'] | 'size' | 'existing' }> = [
    { label: `New volume ${name}-workspace`, description: '10Gi, mounted at /home/jovyan', w: { kind: 'new', size: '10Gi' } },
    { label: 'New volume of another size…', w: 'size' },
    { label: 'Existing volume…', w: 'existing' },
    { label: 'No workspace volume', description: 'files are lost when the server stops', w: { kind: 'none' } },
  ];
  const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'Workspace volume', ignoreFocusOut: true });
  if (!pick) return undefined;
  if (pick.w === 'size') {
    const size = await vscode.window.showInputBox({ title, prompt: 'Size', value: '20Gi', ignoreFocusOut: true, validateInput: (v) => validateQuantity('memory', v) });
    return size ? { kind: 'new', size } : undefined;
  }
  if (pick.w === 'existing') {
    const claims = await kube.list<KubeObject>(apiPath({ version: 'v1', plural: 'persistentvolumeclaims', namespace: ns }));
    if (claims.length === 0) {
      void showWarningMessage(`There are no persistent volume claims in ${ns}.`);
      return undefined;
    }
    const c = await vscode.window.showQuickPick(claims.map((x) => x.metadata.name), { title, placeHolder: 'Persistent volume claim', ignoreFocusOut: true });
    return c ? { kind: 'existing', claim: c } : undefined;
  }
  return pick.w;
}

async function createUnlessExists(kube: Kube, collection: string, body: KubeObject): Promise<void> {
  try {
    await kube.request('POST', collection, { body });
  } catch (err) {
    if (!/already exists/i.test((err as Error).message)) throw err;
  }
}
