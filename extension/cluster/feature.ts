/**
 * Which cluster and namespace the views work in: pick a kubeconfig context and a profile namespace. Both are
 * settings (`kubeflow.context`, `kubeflow.namespace`), so they are visible and editable like any other.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import { resolveKubeconfigSet } from '../../companion-daemon/src/paths';
import { config } from '../config';
import type { Ctx } from '../ctx';
import { showErrorMessage } from '../notify';

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: Array<{ name?: string; context?: { cluster?: string; namespace?: string; user?: string } }>;
}

/** The contexts of the kubeconfig set, with the file's current context marked. Unreadable files are reported. */
export function readContexts(files: string): { contexts: Array<{ name: string; cluster: string; namespace: string }>; current: string; problems: string[] } {
  const out = { contexts: [] as Array<{ name: string; cluster: string; namespace: string }>, current: '', problems: [] as string[] };
  for (const file of files.split(path.delimiter)) {
    let doc: KubeconfigFile;
    try {
      doc = (parse(fs.readFileSync(file, 'utf8')) ?? {}) as KubeconfigFile;
    } catch (err) {
      out.problems.push(`${file}: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    out.current ||= doc['current-context'] ?? '';
    for (const c of doc.contexts ?? []) {
      if (c.name && !out.contexts.some((x) => x.name === c.name)) out.contexts.push({ name: c.name, cluster: c.context?.cluster ?? '', namespace: c.context?.namespace ?? '' });
    }
  }
  return out;
}

export function clusterFeature(ctx: Ctx): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('kubeflow.selectContext', async () => {
      const files = resolveKubeconfigSet(config.kubeconfig() || undefined);
      const { contexts, current, problems } = readContexts(files);
      if (contexts.length === 0) {
        const detail = problems.length ? ` (${problems.join('; ')})` : '';
        void showErrorMessage(`No contexts in the kubeconfig ${files}${detail}. Set "kubeflow.kubeconfig" or $KUBECONFIG.`, 'Open Settings').then((a) => a && vscode.commands.executeCommand('workbench.action.openSettings', 'kubeflow.kubeconfig'));
        return;
      }
      const chosen = config.context() || current;
      const pick = await vscode.window.showQuickPick(
        contexts.map((c) => ({ label: c.name, description: [c.cluster, c.namespace && `namespace ${c.namespace}`].filter(Boolean).join(' · '), picked: c.name === chosen, ...(c.name === chosen ? { detail: '$(check) in use' } : {}) })),
        { title: 'Kubeflow: Select Cluster Context', placeHolder: files },
      );
      if (!pick) return;
      await config.get().update('context', pick.label === current ? '' : pick.label, vscode.ConfigurationTarget.Global);
      ctx.log.info(`context: ${pick.label}`);
    }),
    vscode.commands.registerCommand('kubeflow.selectNamespace', async () => {
      const ns = await vscode.window.showInputBox({
        title: 'Kubeflow: Select Namespace',
        prompt: 'Your Kubeflow profile namespace (empty: the context\'s namespace)',
        value: config.namespace(),
        validateInput: (v) => (v === '' || /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v) ? undefined : 'A namespace is lower-case letters, digits and dashes'),
      });
      if (ns === undefined) return;
      await config.get().update('namespace', ns, vscode.ConfigurationTarget.Global);
    }),
  ];
}
