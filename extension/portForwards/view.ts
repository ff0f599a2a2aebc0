/**
 * The Port Forwards view and its status-bar item: the daemon's forwards with their state, kept current by the
 * daemon's `portForward/didChange` notifications. Rendering only; the daemon owns the forwards.
 */
import * as vscode from 'vscode';
import { describeTarget } from '../../companion-daemon/src/forwards/resolve';
import * as P from '../../companion-daemon/src/protocol';
import type { DaemonClient } from '../daemon/client';

export class ForwardItem extends vscode.TreeItem {
  constructor(readonly info: P.ForwardInfo) {
    const t = info.target;
    super(t.kind === 'selector' ? t.selector : t.name, vscode.TreeItemCollapsibleState.None);
    const s = info.status;
    this.id = info.id;
    this.description = `${t.kind} · ${t.namespace} · ${info.localPort} · ${stateLabel(s)}`;
    this.iconPath = stateIcon(s);
    this.contextValue = `kubeflow.forward.${s.state}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${escapeMd(describeTarget(info.target))}**\n\n`);
    md.appendMarkdown(`Local: \`${info.url}\`\n\n`);
    md.appendMarkdown(`State: ${escapeMd(stateLabel(s))}${'reason' in s ? ` — ${escapeMd(s.reason)}` : ''}\n\n`);
    md.appendMarkdown(`Connections: ${info.connections} · in ${bytes(info.bytesIn)} · out ${bytes(info.bytesOut)}`);
    this.tooltip = md;
    this.command = { command: 'kubeflow.portForwards.copyUrl', title: 'Copy URL', arguments: [this] };
  }
}

export class PortForwardsView implements vscode.TreeDataProvider<ForwardItem>, vscode.Disposable {
  private forwards = new Map<string, P.ForwardInfo>();
  private loaded = false;
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly status = vscode.window.createStatusBarItem('kubeflow.portForwards', vscode.StatusBarAlignment.Left, 50);
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly daemon: DaemonClient) {
    this.status.name = 'Kubeflow Port Forwards';
    this.status.command = 'kubeflow.portForwards.focus';
    this.subs.push(
      daemon.onNotification(P.didChangeForward, (info) => {
        if (info.status.state === 'stopped') this.forwards.delete(info.id);
        else this.forwards.set(info.id, info);
        this.changed();
      }),
      daemon.onReconnect(async () => this.load()),
    );
  }

  getTreeItem(e: ForwardItem): vscode.TreeItem {
    return e;
  }

  async getChildren(): Promise<ForwardItem[]> {
    if (!this.loaded) await this.load();
    return [...this.forwards.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map((f) => new ForwardItem(f));
  }

  /** Reads the full list from the daemon (first open, after a reconnect, on refresh). */
  async load(): Promise<void> {
    const list = await this.daemon.request(P.listForwards);
    this.forwards = new Map(list.map((f) => [f.id, f]));
    this.loaded = true;
    this.changed();
  }

  /** Applies a forward the extension just started or restarted, without waiting for the notification. */
  upsert(info: P.ForwardInfo): void {
    this.forwards.set(info.id, info);
    this.changed();
  }

  remove(id: string): void {
    this.forwards.delete(id);
    this.changed();
  }

  find(id: string): P.ForwardInfo | undefined {
    return this.forwards.get(id);
  }

  /** The local ports of the daemon's forwards this window knows of. */
  localPorts(): Set<number> {
    return new Set([...this.forwards.values()].map((f) => f.localPort));
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
    this.status.dispose();
    this._onDidChangeTreeData.dispose();
  }

  private changed(): void {
    this._onDidChangeTreeData.fire();
    const all = [...this.forwards.values()];
    if (all.length === 0) {
      this.status.hide();
      return;
    }
    const failing = all.filter((f) => f.status.state === 'error').length;
    const waiting = all.filter((f) => f.status.state === 'waiting-for-pod' || f.status.state === 'connecting').length;
    this.status.text = `$(plug) ${all.length}${failing ? ` $(error) ${failing}` : waiting ? ` $(sync~spin) ${waiting}` : ''}`;
    this.status.tooltip = `Kubeflow port-forwards: ${all.length} (${failing} failing, ${waiting} waiting)`;
    this.status.backgroundColor = failing ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.status.show();
  }
}

function stateLabel(s: P.ForwardState): string {
  switch (s.state) {
    case 'ready':
      return `ready → ${s.pod}:${s.podPort}`;
    case 'waiting-for-pod':
      return 'waiting for pod';
    case 'error':
      return 'error';
    default:
      return s.state;
  }
}

function stateIcon(s: P.ForwardState): vscode.ThemeIcon {
  switch (s.state) {
    case 'ready':
      return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
    case 'waiting-for-pod':
    case 'connecting':
      return new vscode.ThemeIcon('sync~spin');
    case 'error':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    default:
      return new vscode.ThemeIcon('circle-slash');
  }
}

function bytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 ** 2).toFixed(1)} MB`;
}

/** Cluster-provided text goes into Markdown tooltips escaped, so names cannot inject links or markup. */
export function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
