/**
 * What a person does to a notebook server: start (and wait with progress, showing why it is not up yet), stop,
 * delete after confirmation, and create one from a few questions (name, image, CPU, memory, GPUs, workspace volume).
 */
import * as vscode from 'vscode';
import { apiPath, type Kube, type KubeObject } from '../cluster/kube';
import { NOTEBOOKS, STANDARD_IMAGES, describeResources, newServerManifests, shortImage, startPatch, stopPatch, validateQuantity, validateServerName, type NewServer, type NotebookServer } from './model';
import type { ServerStore } from './servers';
import { showInformationMessage, showWarningMessage } from '../notify';

const MERGE = 'application/merge-patch+json';

export async function startServer(kube: Kube, store: ServerStore, name: string): Promise<void> {
  await kube.request('PATCH', apiPath({ ...NOTEBOOKS, namespace: store.scope.namespace, name }), { body: startPatch(), contentType: MERGE });
}

export async function stopServer(kube: Kube, store: ServerStore, name: string): Promise<void> {
  await kube.request('PATCH', apiPath({ ...NOTEBOOKS, namespace: store.scope.namespace, name }), { body: stopPatch(), contentType: MERGE });
}

/**
 * Waits, with a cancellable progress notification, until the server runs. The notification shows why it does not
 * yet (pulling the image, no node with a free GPU). Resolves false when cancelled.
 */
export function waitRunning(store: ServerStore, name: string, timeoutMs = 15 * 60_000): Promise<boolean> {
  return Promise.resolve(vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Starting notebook server ${name}`, cancellable: true },
    async (progress, token) => {
      let seenStarting = false;
      const show = (s: NotebookServer | undefined) => progress.report({
        message: !s ? 'waiting for the server to appear' : s.phase === 'stopped' && !seenStarting ? 'start requested' : `${s.phase}${s.reason ? ` — ${s.reason}` : ''}`,
      });
      const sub = store.onDidChange(() => show(store.get(name)));
      const source = new vscode.CancellationTokenSource();
      token.onCancellationRequested(() => source.cancel());
      const timer = setTimeout(() => source.cancel(), timeoutMs);
      show(store.get(name));
      try {
        // Right after the start patch the watch may still show it stopped: 'stopped' ends the wait only once it was
        // seen starting (someone stopped it again).
        const s = await store.waitFor(name, (x) => {
          if (x && x.phase !== 'stopped' && x.phase !== 'stopping') seenStarting = true;
          return x?.phase === 'running' || x === undefined || x.phase === 'terminating' || (seenStarting && x.phase === 'stopped');
        }, source.token);
        if (s?.phase !== 'running') throw new Error(s ? `Notebook server ${name} is ${s.phase}.` : `Notebook server ${name} was deleted.`);
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
    const choice = await showInformationMessage(`Notebook server ${s.name} is stopped. Start it?`, { modal: true, detail: `${shortImage(s.image)} · ${describeResources(s)}` }, 'Start');
    if (choice !== 'Start') return false;
    await startServer(kube, store, s.name);
  }
  return waitRunning(store, s.name);
}

export async function deleteServer(kube: Kube, s: NotebookServer): Promise<boolean> {
  const detail = s.volumes.length
    ? `Its volumes (${s.volumes.join(', ')}) are kept; delete them separately if you no longer need the files.`
    : 'It has no persistent volume: files in the server are lost.';
  const choice = await showWarningMessage(`Delete notebook server ${s.name} in ${s.namespace}?`, { modal: true, detail }, 'Delete');
  if (choice !== 'Delete') return false;
  await kube.request('DELETE', apiPath({ ...NOTEBOOKS, namespace: s.namespace, name: s.name }));
  return true;
}

/** Asks for a new server's settings, creates it (and its workspace volume); resolves its name, or undefined. */
export async function createServer(kube: Kube, store: ServerStore): Promise<string | undefined> {
  await store.ensure();
  const ns = store.scope.namespace;
  const title = (step: number) => `Create Notebook Server in ${ns} (${step}/6)`;
  const taken = new Set(store.list().map((s) => s.name));
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
