/**
 * KServe endpoints in the editor: the Endpoints view and its actions — promote a canary, roll back, set the canary
 * share, open the predictor's logs (the daemon's merged capture of its pods), send a test request through a forward,
 * show the YAML, copy the URL, roll a new revision, delete — and a notification when a watched service becomes Ready
 * or fails.
 */
import * as vscode from 'vscode';
import YAML from 'yaml';
import type * as P from '../../companion-daemon/src/protocol';
import { forDisplay, type InferenceServiceObject } from '../../core/kserve/build';
import { canaryPercentPatch, promoteCanaryPatch, rollbackCanaryPatch, standardCanarySupported } from '../../core/kserve/canary';
import { predictorSelector, rawCanaryMessage, summarizeInferenceService, type IsvcSummary } from '../../core/kserve/state';
import { config } from '../config';
import type { Ctx } from '../ctx';
import { describeError } from '../daemon/client';
import { openJobLogs } from '../training/feature';
import { describe } from '../views/watchedList';
import { showReadOnly } from '../training/readonly';
import { DeployPanel } from './deploy';
import { EndpointsModel, isvcPath, type EndpointEntry } from './model';
import { sendTestRequest } from './testRequest';
import { EndpointsView, type EndpointsNode } from './view';
import type { EndpointHealthStatus } from '../health/status';
import { showErrorMessage, showInformationMessage, showWarningMessage } from '../notify';

/** What the endpoint commands accept: a view node, or `{ name, namespace }` (from the deploy panel, tests). */
export type EndpointArg = EndpointsNode | { name: string; namespace?: string } | string | undefined;

export function endpointsFeature(ctx: Ctx, model: EndpointsModel, health?: EndpointHealthStatus): vscode.Disposable[] {
  const view = new EndpointsView(model, health);

  const entryOf = async (arg: EndpointArg): Promise<EndpointEntry | undefined> => {
    if (arg && typeof arg === 'object' && 'type' in arg) {
      if (arg.type === 'isvc' || arg.type === 'traffic') return arg.entry;
      if (arg.entry) return arg.entry;
    }
    const ref = typeof arg === 'string' ? { name: arg } : arg && typeof arg === 'object' && 'name' in arg ? arg : undefined;
    await model.whenLoaded(5000);
    if (ref) {
      const ns = ref.namespace || model.namespace;
      const found = model.find(ref.name, ns);
      if (found) return found;
      try {
        const object = await ctx.kube.get<InferenceServiceObject>(isvcPath(ns, ref.name));
        return { object, summary: summarizeInferenceService(object) };
      } catch (err) {
        void showErrorMessage(`Cannot read InferenceService ${ref.name} in ${ns}: ${describeError(err)}`);
        return undefined;
      }
    }
    const list = model.list();
    if (!list.length) {
      void showInformationMessage(model.state.kind === 'not-installed' ? 'KServe is not installed in this cluster.' : `No InferenceServices in ${model.namespace || 'the namespace'}.`);
      return undefined;
    }
    return (await vscode.window.showQuickPick(list.map((entry) => ({ label: entry.summary.name, description: entry.summary.phase, entry })), { title: 'InferenceService' }))?.entry;
  };

  const patchCanary = async (s: IsvcSummary, percent: number | null, what: string, body: Record<string, unknown> = { spec: { predictor: { canaryTrafficPercent: percent } } }): Promise<boolean> => {
    try {
      await ctx.kube.request('PATCH', isvcPath(s.namespace, s.name), { body, contentType: 'application/merge-patch+json', query: { fieldManager: 'kubeflow-vscode' } });
      ctx.log.info(`endpoints: ${what} ${s.namespace}/${s.name} (${s.standardCanaries.length ? 'spec.canary' : `canaryTrafficPercent ${percent ?? 'removed'}`})`);
      vscode.window.setStatusBarMessage(`$(check) ${what}: ${s.name}`, 4000);
      return true;
    } catch (err) {
      void showErrorMessage(`Cannot ${what.toLowerCase()} ${s.name}: ${describeError(err)}`);
      return false;
    }
  };

  /** A RawDeployment service without a Standard canary: what to tell (KServe 0.20 has them; before, none). */
  const noStandardCanary = async (s: IsvcSummary): Promise<void> => {
    if (await standardCanarySupported(ctx.kube, isvcPath(s.namespace, s.name))) void showInformationMessage(`${s.name} runs no canary: its stable predictor takes all the traffic. To start one, roll the next version on with Deploy and a canary share.`);
    else void showWarningMessage(rawCanaryMessage(s.name));
  };

  const logSource = (s: IsvcSummary): P.LogSource => {
    const context = config.context();
    return { kind: 'selector', namespace: s.namespace, selector: predictorSelector(s.name), ...(context ? { context } : {}) };
  };

  const notify = async ({ entry, from }: { entry: EndpointEntry; from: string }): Promise<void> => {
    const s = entry.summary;
    if (s.phase === 'Failed' || (from === 'Ready' && s.phase === 'NotReady')) {
      const a = await showWarningMessage(`InferenceService ${s.name} ${s.phase === 'Failed' ? 'failed' : 'is no longer ready'}: ${s.reasons[0] ?? 'no reason given'}`, 'Open Logs', 'Show Endpoints');
      if (a === 'Open Logs') await openJobLogs(logSource(s));
      if (a === 'Show Endpoints') await vscode.commands.executeCommand('kubeflow.endpoints.focus');
    }
  };

  return [
    view,
    // the endpoint selected in the view, for commands invoked without one (the palette, a menu on a row just redrawn)
    vscode.commands.registerCommand('kubeflow.endpoints.selected', () => view.treeView.selection.find((n) => n.type === 'isvc')),
    model.onDidTransition((t) => void notify(t)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (config.connectionKeys.some((k) => e.affectsConfiguration(k)) && model.state.kind !== 'idle') model.restart();
    }),
    vscode.commands.registerCommand('kubeflow.endpoints.refresh', () => model.restart()),
    vscode.commands.registerCommand('kubeflow.endpoints.reveal', async (arg: EndpointArg) => {
      await vscode.commands.executeCommand('kubeflow.endpoints.focus');
      const e = await entryOf(arg);
      if (!e) return;
      try {
        await view.treeView.reveal({ type: 'isvc', entry: model.find(e.summary.name, e.summary.namespace) ?? e }, { select: true, focus: true, expand: true });
      } catch {
        // not in this namespace's list
      }
    }),
    vscode.commands.registerCommand('kubeflow.endpoints.promote', async (arg: EndpointArg) => {
      const e = await entryOf(arg);
      if (!e) return;
      const s = e.summary;
      const std = s.standardCanaries[0];
      if (s.rawDeployment && !std) return void noStandardCanary(s);
      if (!s.canary && s.canaryTrafficPercent === undefined) {
        void showInformationMessage(`${s.name} runs no canary: its latest revision already takes all the traffic.`);
        return;
      }
      // The canary gate (kubeflow.health.canaryGate): the canary's SLIs against the SLO and the default revision.
      if (!(await vscode.commands.executeCommand<boolean>('kubeflow.health.checkPromote', { name: s.name, namespace: s.namespace }))) return;
      await patchCanary(s, null, 'Promoted', std ? promoteCanaryPatch(e.object, std.name) : undefined);
    }),
    vscode.commands.registerCommand('kubeflow.endpoints.rollback', async (arg: EndpointArg) => {
      const e = await entryOf(arg);
      if (!e) return;
      const s = e.summary;
      const std = s.standardCanaries[0];
      if (s.rawDeployment && !std) return void noStandardCanary(s);
      if (std) {
        const yes = await showWarningMessage(`Roll back the canary ${std.name} of ${s.name}? Its Deployment ${s.name}-${std.name}-predictor is removed and the stable predictor takes all the traffic.`, { modal: true }, 'Roll Back');
        if (yes === 'Roll Back') await patchCanary(s, 0, 'Rolled back', rollbackCanaryPatch(e.object, std.name));
        return;
      }
      if (!s.previousRolledoutRevision && !s.traffic.previous) {
        void showInformationMessage(`${s.name} has no previous revision to roll back to.`);
        return;
      }
      const ok = await showWarningMessage(`Send all traffic of ${s.name} back to the previous revision${s.traffic.previous?.revision ? ` (${s.traffic.previous.revision})` : s.previousRolledoutRevision ? ` (${s.previousRolledoutRevision})` : ''}? The latest revision stays deployed with 0%.`, { modal: true }, 'Roll Back');
      if (ok === 'Roll Back') await patchCanary(s, 0, 'Rolled back');
    }),
    vscode.commands.registerCommand('kubeflow.endpoints.setCanary', async (arg: EndpointArg) => {
      const e = await entryOf(arg);
      if (!e) return;
      const s = e.summary;
      const std = s.standardCanaries[0];
      if (s.rawDeployment && !std) return void noStandardCanary(s);
      const v = await vscode.window.showInputBox({
        title: `Canary traffic for ${s.name}`,
        prompt: 'The share of requests the latest revision gets (0–100). 100 promotes it; 0 sends everything to the previous revision.',
        value: String(std?.trafficPercent ?? s.canaryTrafficPercent ?? s.traffic.latest?.percent ?? 10),
        validateInput: (x) => (/^\d{1,3}$/.test(x.trim()) && Number(x) <= 100 ? undefined : 'A whole percentage from 0 to 100'),
      });
      if (v === undefined) return;
      const n = Number(v.trim());
      const body = std ? (n >= 100 ? promoteCanaryPatch(e.object, std.name) : canaryPercentPatch(e.object, std.name, n)) : undefined;
      await patchCanary(s, n >= 100 ? null : n, n >= 100 ? 'Promoted' : `Canary set to ${n}%`, body);
    }),
    vscode.commands.registerCommand('kubeflow.endpoints.openLogs', async (arg: EndpointArg) => {
      const e = await entryOf(arg);
      if (e) await openJobLogs(logSource(e.summary));
    }),
    vscode.commands.registerCommand('kubeflow.endpoints.testRequest', async (arg: EndpointArg, body?: vscode.Uri) => {
      const e = await entryOf(arg);
      if (e) await sendTestRequest(ctx, e.summary, body instanceof vscode.Uri ? body : undefined);
    }),
    vscode.commands.registerCommand('kubeflow.endpoints.copyUrl', async (arg: EndpointArg) => {
      const e = await entryOf(arg);
      if (!e) return;
      const url = e.summary.url ?? e.summary.internalUrl;
      if (!url) {
        void showInformationMessage(`${e.summary.name} has no URL yet: KServe sets it once the service is routed.`);
        return;
      }
      await vscode.env.clipboard.writeText(url);
      vscode.window.setStatusBarMessage(`$(copy) ${url}`, 3000);
    }),
    vscode.commands.registerCommand('kubeflow.endpoints.showYaml', async (arg: EndpointArg) => {
      const e = await entryOf(arg);
      if (!e) return;
      try {
        const o = await ctx.kube.get<InferenceServiceObject>(isvcPath(e.summary.namespace, e.summary.name));
        await showReadOnly(`${e.summary.name}.inferenceservice.yaml`, YAML.stringify({ ...forDisplay(o), status: o.status }));
      } catch (err) {
        void showErrorMessage(`Cannot read ${e.summary.name}: ${describe(err)}`);
      }
    }),
    vscode.commands.registerCommand('kubeflow.endpoints.update', async (arg: EndpointArg) => {
      const e = await entryOf(arg);
      if (e) await DeployPanel.show(ctx, model, undefined, e.summary.name);
    }),
    vscode.commands.registerCommand('kubeflow.endpoints.delete', async (arg: EndpointArg) => {
      const e = await entryOf(arg);
      if (!e) return;
      const ok = await showWarningMessage(`Delete InferenceService ${e.summary.name} in ${e.summary.namespace}? Its endpoint stops answering.`, { modal: true }, 'Delete');
      if (ok !== 'Delete') return;
      try {
        await ctx.kube.request('DELETE', isvcPath(e.summary.namespace, e.summary.name));
      } catch (err) {
        void showErrorMessage(`Cannot delete ${e.summary.name}: ${describeError(err)}`);
      }
    }),
  ];
}
