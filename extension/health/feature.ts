// Health in the editor: the health panel of an endpoint or a training job (SLIs, SLO, GPU use, drift from
// Prometheus), the Prometheus token, and the canary gate the Endpoints view's Promote asks before it promotes
// (`kubeflow.health.checkPromote`: warn, refuse or off, from `kubeflow.health.canaryGate`).
import * as vscode from 'vscode';
import { readEndpointHealth } from '../../core/health/read';
import type { JobSummary } from '../../core/training/state';
import type { Ctx } from '../ctx';
import { describeError } from '../daemon/client';
import { showErrorMessage, showWarningMessage } from '../notify';
import { HealthApi, healthSettings } from './api';
import { HealthPanel, endpointView } from './panel';
import type { EndpointHealthStatus } from './status';
import { gateHeadline, gateOf } from './present';

type NamedArg = { name?: string; namespace?: string; entry?: { summary?: { name?: string; namespace?: string } } } | undefined;

const refOf = (arg: NamedArg): { name: string; namespace: string } | undefined => {
  const s = arg?.entry?.summary ?? arg;
  return s?.name && s.namespace ? { name: s.name, namespace: s.namespace } : undefined;
};

export function healthFeature(ctx: Ctx, status: EndpointHealthStatus): vscode.Disposable[] {
  const api = new HealthApi(ctx);

  /**
   * Asked by Promote: the canary's SLIs against the SLO and the default revision. True = promote. Without Prometheus
   * or a canary it does not stand in the way (it says why it could not judge when the gate is set to refuse).
   */
  const checkPromote = async (ref: { name: string; namespace: string }): Promise<boolean> => {
    const mode = healthSettings.gate();
    if (mode === 'off') return true;
    let verdict;
    try {
      const client = await api.client();
      const { view, pods, podGroups } = await endpointView(ctx, api, ref.namespace, ref.name);
      if (!view.canary) return true;
      const h = await readEndpointHealth(client, { namespace: ref.namespace, service: ref.name, mode: view.mode, revisions: [view.stable!, view.canary], pods, ...(podGroups ? { podGroups } : {}), window: healthSettings.window(), rangeSeconds: view.rangeSeconds, overrides: healthSettings.queries() });
      verdict = gateOf(view, h);
      if (!verdict || verdict.verdict === 'pass') return true;
      const text = `${gateHeadline(verdict, view.canary)}${verdict.findings.length ? `: ${verdict.findings.map((f) => f.message).join('; ')}` : ''}.`;
      if (verdict.verdict === 'breach' && mode === 'refuse') {
        const a = await showErrorMessage(`Not promoted. ${text} (kubeflow.health.canaryGate is "refuse".)`, 'Roll Back', 'Show Health');
        if (a === 'Roll Back') await vscode.commands.executeCommand('kubeflow.endpoints.rollback', ref);
        if (a === 'Show Health') HealthPanel.show(ctx, api, { kind: 'endpoint', ...ref });
        return false;
      }
      const a = await showWarningMessage(`${text} Promote anyway?`, { modal: true }, 'Promote Anyway', 'Roll Back');
      if (a === 'Roll Back') await vscode.commands.executeCommand('kubeflow.endpoints.rollback', ref);
      return a === 'Promote Anyway';
    } catch (err) {
      if (mode !== 'refuse') return true;
      void showErrorMessage(`Not promoted: the canary gate cannot read the canary's SLIs (${describeError(err)}). Set kubeflow.health.canaryGate to "warn" to promote without it.`);
      return false;
    }
  };

  return [
    api,
    status.attach(api),
    HealthPanel.serializer(ctx, api),
    vscode.commands.registerCommand('kubeflow.health.showEndpoint', async (arg: NamedArg) => {
      const ref = refOf(arg) ?? refOf(await vscode.commands.executeCommand<NamedArg>('kubeflow.endpoints.selected'));
      if (!ref) return void showErrorMessage('Kubeflow: pick an InferenceService in the Endpoints view to see its health.');
      HealthPanel.show(ctx, api, { kind: 'endpoint', ...ref });
    }),
    vscode.commands.registerCommand('kubeflow.health.showJob', (arg: { entry?: { summary?: JobSummary } } | undefined) => {
      const s = arg?.entry?.summary;
      if (!s) return void showErrorMessage('Kubeflow: pick a training job in the Training Jobs view to see its GPU use.');
      const pods = s.roles.flatMap((r) => r.replicas.map((x) => x.pod));
      HealthPanel.show(ctx, api, { kind: 'job', name: s.name, namespace: s.namespace, jobKind: s.kind, pods, ...(s.startedAt ?? s.createdAt ? { startedAt: s.startedAt ?? s.createdAt! } : {}) });
    }),
    vscode.commands.registerCommand('kubeflow.health.setPrometheusToken', () => api.askToken()),
    vscode.commands.registerCommand('kubeflow.health.checkPromote', (ref: { name: string; namespace: string }) => checkPromote(ref)),
  ];
}
