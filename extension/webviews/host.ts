// Creates webview panels for the browser bundles in dist/webviews: strict CSP with a fresh nonce, resources limited
// to dist/webviews and media, a ready handshake (messages posted before the page listens are queued, not lost) and
// typed messages both ways. The webview end is webviews/shared/ipc.ts.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { RestoreMessage, SavedState } from '../../webviews/shared/protocol';

interface Message {
  type: string;
}

export interface PanelOptions {
  /** The panel's view type, e.g. `kubeflow.pipelineGraph`. */
  viewType: string;
  title: string;
  /** The bundle name: dist/webviews/<script>.js. */
  script: string;
  column?: vscode.ViewColumn;
  preserveFocus?: boolean;
  iconPath?: vscode.Uri | { light: vscode.Uri; dark: vscode.Uri };
  /** A panel VS Code brought back after a window reload (its serializer's); else a new one is created. */
  revived?: vscode.WebviewPanel;
}

/** A panel with a typed channel. `In` = messages from the webview, `Out` = messages to it. */
export class WebviewHost<In extends Message, Out extends Message> implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private ready = false;
  private disposed = false;
  private queue: Out[] = [];
  private restore: RestoreMessage | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly messages = new vscode.EventEmitter<In>();
  private readonly readyEvents = new vscode.EventEmitter<void>();
  /** A message from the webview (the `ready` handshake is handled here and not forwarded). */
  readonly onMessage = this.messages.event;
  /** The page (re)loaded and listens; fires again if VS Code reloads the webview. */
  readonly onReady = this.readyEvents.event;

  constructor(extensionUri: vscode.Uri, options: PanelOptions) {
    const roots = [vscode.Uri.joinPath(extensionUri, 'dist', 'webviews'), vscode.Uri.joinPath(extensionUri, 'media')];
    const webviewOptions = { enableScripts: true, localResourceRoots: roots };
    if (options.revived) {
      this.panel = options.revived;
      this.panel.webview.options = webviewOptions;
      this.panel.title = options.title;
    } else {
      this.panel = vscode.window.createWebviewPanel(
        options.viewType,
        options.title,
        { viewColumn: options.column ?? vscode.ViewColumn.Active, preserveFocus: options.preserveFocus ?? false },
        { ...webviewOptions, retainContextWhenHidden: false },
      );
    }
    if (options.iconPath) this.panel.iconPath = options.iconPath;
    this.panel.webview.html = panelHtml(this.panel.webview, extensionUri, options.script, options.title);
    this.disposables.push(
      this.messages,
      this.readyEvents,
      this.panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      this.panel.onDidDispose(() => (this.disposed = true)),
      // A hidden panel loses its page (no retainContextWhenHidden); it says `ready` again when shown.
      this.panel.onDidChangeViewState(() => {
        if (!this.panel.visible) this.ready = false;
      }),
    );
  }

  /** The user closed the panel (or it was disposed): posts are dropped. */
  get closed(): boolean {
    return this.disposed;
  }

  /** Sends now if the page listens, else when it says `ready`; dropped once the panel is closed. */
  post(message: Out): void {
    if (this.disposed) return;
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.queue.push(message);
  }

  /**
   * What brings this panel back after a window reload: kept in the webview's state and handed to the panel type's
   * serializer (`registerPanelSerializer`). Sent again whenever the page reloads.
   */
  setRestoreData(data: unknown): void {
    this.restore = { type: 'kubeflow.restore', data };
    if (this.ready && !this.disposed) void this.panel.webview.postMessage(this.restore);
  }

  /** Drops queued messages of a type (e.g. an older model superseded by a newer one). */
  dropQueued(type: Out['type']): void {
    this.queue = this.queue.filter((m) => m.type !== type);
  }

  private receive(m: unknown): void {
    if (!m || typeof m !== 'object' || typeof (m as Message).type !== 'string') return;
    if ((m as Message).type === 'ready') {
      this.ready = true;
      if (this.restore && !this.disposed) void this.panel.webview.postMessage(this.restore);
      this.readyEvents.fire();
      const queued = this.queue;
      this.queue = [];
      if (!this.disposed) for (const q of queued) void this.panel.webview.postMessage(q);
      return;
    }
    this.messages.fire(m as In);
  }

  dispose(): void {
    if (!this.disposed) this.panel.dispose();
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * Brings back the panels of a view type after a window reload: `revive` gets the panel and the data its host set
 * with `setRestoreData` (with the page's own state). A panel without that data (saved by an older version) is closed
 * instead of staying empty. The view type needs an `onWebviewPanel:<viewType>` activation event.
 */
export function registerPanelSerializer<T>(viewType: string, revive: (panel: vscode.WebviewPanel, data: T) => void | Promise<void>, log?: { warn(m: string): void }): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(viewType, {
    async deserializeWebviewPanel(panel, state: unknown) {
      const data = (state as SavedState<unknown> | undefined)?.host as T | undefined;
      if (data === undefined) {
        panel.dispose();
        return;
      }
      try {
        await revive(panel, data);
      } catch (err) {
        log?.warn(`could not restore the ${viewType} panel: ${(err as Error).message}`);
        panel.dispose();
      }
    },
  });
}

export function nonce(): string {
  return randomBytes(18).toString('base64');
}

/** The page: one nonce'd script, the toolkit's nonce meta, nothing inline. */
export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, script: string, title: string): string {
  const n = nonce();
  const src = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webviews', `${script}.js`));
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${n}'`,
    `style-src ${webview.cspSource} 'nonce-${n}'`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp};">
<meta property="csp-nonce" content="${n}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
</head>
<body>
<div id="app"></div>
<script nonce="${n}" src="${src.toString()}"></script>
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
