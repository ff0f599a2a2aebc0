// Artifact contents from the run's object store, located the way the KFP UI does: the artifact's
// `store_session_info` (endpoint, TLS, the Secret with its keys), the store reached through a daemon port-forward when
// the endpoint is an in-cluster Service (`minio-service.kubeflow:9000`), credentials from that Secret in the run's
// namespace. Open (text in a read-only editor; HTML in a webview that runs no script; Markdown in VS Code's preview) and
// Download (into the workspace). Size-capped, with the store's own message when it refuses.
import * as vscode from 'vscode';
import * as P from '../../companion-daemon/src/protocol';
import type { ArtifactRecord } from '../../core/mlmd/outputs';
import { DEFAULT_MAX_BYTES, folderFiles, formatBytes, ObjectStoreError, parseS3Uri, S3Reader, storeTarget, type S3Location, type S3Object } from '../../core/objectStore/s3';
import type { Ctx } from '../ctx';
import { showReadOnly } from '../training/readonly';

/** What Download reads at most (Open reads DEFAULT_MAX_BYTES). */
const DOWNLOAD_MAX_BYTES = 512 * 1024 * 1024;

interface StoreSession { Provider?: string; Params?: Record<string, string> }

export class ArtifactStore {
  constructor(private readonly ctx: Ctx) {}

  private async reader(a: ArtifactRecord, namespace: string): Promise<S3Reader> {
    const session = (a.storeSession ?? {}) as StoreSession;
    const p = session.Params ?? {};
    if (!p.endpoint) throw new Error(`the artifact records no object store (store_session_info has no endpoint); its URI is ${a.uri}`);
    if (p.fromEnv === 'true') throw new Error(`the run's pods take the store's credentials from their environment (fromEnv), which the editor cannot read; its URI is ${a.uri}`);
    const secretName = p.secretName ?? 'mlpipeline-minio-artifact';
    let secret: { data?: Record<string, string> };
    try {
      secret = await this.ctx.kube.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(secretName)}`);
    } catch (err) {
      throw new Error(`cannot read the object store's credentials, Secret ${secretName} in namespace ${namespace}: ${(err as Error).message}`);
    }
    const key = (k: string | undefined, fallback: string): string => Buffer.from(secret.data?.[k ?? fallback] ?? '', 'base64').toString('utf8');
    const creds = { accessKeyId: key(p.accessKeyKey, 'accesskey'), secretAccessKey: key(p.secretKeyKey, 'secretkey'), ...(p.region ? { region: p.region } : {}) };
    if (!creds.accessKeyId) throw new Error(`Secret ${secretName} in namespace ${namespace} has no ${p.accessKeyKey ?? 'accesskey'}`);
    const target = storeTarget(p.endpoint, namespace, p.disableSSL !== 'true');
    if ('url' in target) return new S3Reader(target.url, creds);
    const t = target.service;
    const context = this.ctx.kube.context();
    const info = await this.ctx.daemon.request(P.startForward, { target: { kind: 'service', namespace: t.namespace, name: t.name, port: t.port, ...(context ? { context } : {}) }, secret: true });
    return new S3Reader(`http://127.0.0.1:${info.localPort}`, creds, P.forwardHeaders(info));
  }

  private async locate(a: ArtifactRecord, namespace: string): Promise<{ reader: S3Reader; loc: S3Location; files?: ReturnType<typeof folderFiles> }> {
    const loc = parseS3Uri(a.uri);
    if (!loc) throw new Error(`${a.uri} is not in an S3-compatible store (s3:// or minio://): copy the URI instead`);
    const reader = await this.reader(a, namespace);
    // A directory artifact (a saved model, a dataset folder) has objects under `<uri>/` and none of its own.
    try {
      const listing = await reader.list(loc);
      if (listing.truncated) throw new Error(`${a.uri} is a folder of more than ${listing.objects.length} objects: copy the URI and use an S3 client`);
      return { reader, loc, files: folderFiles(loc, listing) };
    } catch (err) {
      if (err instanceof ObjectStoreError && err.code === 'EmptyPrefix') return { reader, loc };
      throw err;
    }
  }

  /** Text in an editor, HTML in a script-less webview, Markdown in VS Code's preview; a folder: the file picked from it. */
  async open(a: ArtifactRecord, namespace: string): Promise<void> {
    const { reader, loc, files } = await this.locate(a, namespace);
    if (files) {
      const pick = await vscode.window.showQuickPick(files.map((f) => ({ label: f.segments.join('/'), description: formatBytes(f.size), key: f.key })), { title: `${a.name}: a folder of ${files.length} files`, placeHolder: 'The file to open' });
      if (!pick) return;
      return this.open({ ...a, uri: `s3://${loc.bucket}/${pick.key}`, type: '' }, namespace);
    }
    const obj = await reader.get(loc, { maxBytes: DEFAULT_MAX_BYTES });
    const text = new TextDecoder('utf-8', { fatal: false }).decode(obj.bytes);
    if (a.type === 'system.HTML' || /\.html?$/i.test(a.uri)) return showHtml(a, text);
    if (a.type === 'system.Markdown' || /\.md$/i.test(a.uri)) {
      const doc = await vscode.workspace.openTextDocument({ content: text, language: 'markdown' });
      await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
      return;
    }
    // read-only, named after the object (its extension picks the language): closing it never asks to save
    await showReadOnly(loc.key.replace(/\/+$/, '').split('/').pop() || a.name, text);
  }

  /** Saves the object where the user says (the workspace folder by default); a folder artifact as a folder of that name. */
  async download(a: ArtifactRecord, namespace: string): Promise<vscode.Uri | undefined> {
    const { reader, loc, files } = await this.locate(a, namespace);
    const name = loc.key.replace(/\/+$/, '').split('/').pop() || a.name;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (files) {
      const total = files.reduce((n, f) => n + f.size, 0);
      if (total > DOWNLOAD_MAX_BYTES) throw new Error(`${a.uri} is a folder of ${formatBytes(total)}, over the ${formatBytes(DOWNLOAD_MAX_BYTES)} Download saves: copy the URI and use an S3 client`);
      const parent = await vscode.window.showOpenDialog({ title: `Download the folder ${a.name} into…`, canSelectFolders: true, canSelectFiles: false, openLabel: 'Download here', ...(folder ? { defaultUri: folder } : {}) });
      if (!parent?.[0]) return undefined;
      const target = vscode.Uri.joinPath(parent[0], name);
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Downloading ${files.length} files of ${a.name}`, cancellable: true }, async (progress, token) => {
        const ctl = new AbortController();
        token.onCancellationRequested(() => ctl.abort());
        for (const f of files) {
          const obj = await reader.get({ bucket: loc.bucket, key: f.key }, { maxBytes: DOWNLOAD_MAX_BYTES, signal: ctl.signal });
          await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(target, ...f.segments), obj.bytes);
          progress.report({ increment: 100 / files.length, message: f.segments.join('/') });
        }
      });
      return target;
    }
    const target = await vscode.window.showSaveDialog({ title: `Download ${a.name}`, ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}) });
    if (!target) return undefined;
    const obj: S3Object = await reader.get(loc, { maxBytes: DOWNLOAD_MAX_BYTES });
    await vscode.workspace.fs.writeFile(target, obj.bytes);
    return target;
  }
}

/**
 * An HTML artifact in a webview that runs nothing: scripts disabled, and a CSP that allows no script, no frame, no
 * network (images only inline as data:, styles inline as the page has them).
 */
function showHtml(a: ArtifactRecord, html: string): void {
  const panel = vscode.window.createWebviewPanel('kubeflow.artifactHtml', `${a.displayName} (HTML artifact)`, vscode.ViewColumn.Active, { enableScripts: false, localResourceRoots: [] });
  const csp = `default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; form-action 'none'; frame-src 'none'; base-uri 'none'`;
  // The CSP comes first; a <meta> in the artifact cannot loosen it (a second policy only restricts further).
  panel.webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="${csp}"></head><body>${html}</body></html>`;
}
