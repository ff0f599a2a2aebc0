/**
 * "Send Test Request": a JSON body from a file of the workspace, POSTed to the predictor through a daemon forward to
 * its pods (by label, so it works in Serverless and RawDeployment mode and needs no ingress), to the path of the
 * service's protocol (v1 `:predict` or v2 `/infer`); the answer opens in an editor with the status and timing. While a
 * canary runs, the user picks which revision answers.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import * as P from '../../companion-daemon/src/protocol';
import { CancelledError, fetchTransport, UnreachableError } from '../../core/http/transport';
import { inferencePath, predictorSelector, type IsvcSummary } from '../../core/kserve/state';
import type { Ctx } from '../ctx';
import { showReadOnly } from '../training/readonly';
import { showErrorMessage, showWarningMessage } from '../notify';

const LAST_BODY = (ns: string, name: string) => `kubeflow.endpoints.testBody:${ns}/${name}`;
const LAST_PATH = (ns: string, name: string) => `kubeflow.endpoints.testPath:${ns}/${name}`;
/** The port the model server listens on in the predictor container (KServe's default for every runtime). */
export const PREDICTOR_PORT = 8080;

/** Picks the JSON body: the last one used for this service, a JSON file of the workspace, or one from disk. */
async function pickBody(ctx: Ctx, s: IsvcSummary, given?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (given) return given;
  const last = ctx.extension.workspaceState.get<string>(LAST_BODY(s.namespace, s.name));
  const files = await vscode.workspace.findFiles('**/*.json', '{**/node_modules/**,**/.vscode/**,**/package*.json,**/tsconfig*.json}', 200);
  type Item = vscode.QuickPickItem & { uri?: vscode.Uri };
  const items: Item[] = files
    .sort((a, b) => (a.toString() === last ? -1 : b.toString() === last ? 1 : a.fsPath.localeCompare(b.fsPath)))
    .map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(path.dirname(uri.fsPath)), uri, ...(uri.toString() === last ? { detail: '$(history) used last time' } : {}) }));
  items.push({ label: '$(folder-opened) Choose a File…' });
  const pick = await vscode.window.showQuickPick(items, { title: `Test request to ${s.name}: the JSON body`, placeHolder: 'A JSON file with the request body (e.g. {"instances": [[5.1, 3.5, 1.4, 0.2]]})', matchOnDescription: true, ignoreFocusOut: true });
  if (!pick) return undefined;
  if (pick.uri) return pick.uri;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { JSON: ['json'] }, title: 'Request body' });
  return chosen?.[0];
}

async function pickRevision(s: IsvcSummary): Promise<{ revision?: string; label: string } | undefined> {
  if (!s.canary || !s.traffic.latest?.revision || !s.traffic.previous?.revision) {
    // One revision takes the traffic (Serverless keeps the previous one's pods around): ask that one.
    const serving = s.traffic.latest && s.traffic.latest.percent > 0 ? s.traffic.latest.revision : s.traffic.previous?.revision;
    return serving ? { revision: serving, label: `revision ${serving}` } : { label: 'the predictor' };
  }
  const pick = await vscode.window.showQuickPick([
    { label: `Latest revision (canary, ${s.traffic.latest.percent}%)`, description: s.traffic.latest.revision, revision: s.traffic.latest.revision },
    { label: `Previous revision (${s.traffic.previous.percent}%)`, description: s.traffic.previous.revision, revision: s.traffic.previous.revision },
  ], { title: `Test request to ${s.name}: which revision answers?` });
  return pick ? { revision: pick.revision, label: `revision ${pick.revision}` } : undefined;
}

export async function sendTestRequest(ctx: Ctx, s: IsvcSummary, bodyUri?: vscode.Uri): Promise<void> {
  const uri = await pickBody(ctx, s, bodyUri);
  if (!uri) return;
  let text: string;
  try {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (err) {
    void showErrorMessage(`Cannot read ${vscode.workspace.asRelativePath(uri)}: ${(err as Error).message}`);
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    const a = await showErrorMessage(`${vscode.workspace.asRelativePath(uri)} is not valid JSON: ${(err as Error).message}. Nothing was sent.`, 'Open File');
    if (a) await vscode.window.showTextDocument(uri);
    return;
  }
  await ctx.extension.workspaceState.update(LAST_BODY(s.namespace, s.name), uri.toString());
  const protocol = s.protocolVersion ?? (body && typeof body === 'object' && 'inputs' in body && !('instances' in body) ? 'v2' : 'v1');
  const last = ctx.extension.workspaceState.get<string>(LAST_PATH(s.namespace, s.name));
  const requestPath = await vscode.window.showInputBox({
    title: `Test request to ${s.name}: path`,
    value: last ?? inferencePath(s.name, protocol),
    prompt: `POST through a port-forward to the predictor's port ${PREDICTOR_PORT}. v1: /v1/models/<name>:predict · v2: /v2/models/<name>/infer`,
    validateInput: (v) => (v.startsWith('/') ? undefined : 'A path starting with /'),
    ignoreFocusOut: true,
  });
  if (!requestPath) return;
  await ctx.extension.workspaceState.update(LAST_PATH(s.namespace, s.name), requestPath);
  const rev = await pickRevision(s);
  if (!rev) return;

  const context = ctx.kube.context();
  const target: P.ForwardTarget = { kind: 'selector', namespace: s.namespace, selector: predictorSelector(s.name, rev.revision), port: PREDICTOR_PORT, ...(context ? { context } : {}) };
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `POST ${requestPath} to ${s.name}`, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    let info: P.ForwardInfo;
    try {
      progress.report({ message: `forwarding to ${rev.label}…` });
      info = await ctx.daemon.request(P.startForward, { target, secret: true });
      info = await settled(ctx, info, 10_000);
    } catch (err) {
      void showErrorMessage(`Cannot forward to the predictor pods of ${s.name}: ${(err as Error).message}`);
      return;
    }
    if (info.status.state === 'waiting-for-pod') {
      void showErrorMessage(`No running predictor pod of ${s.name}${rev.revision ? ` (${rev.revision})` : ''}: ${info.status.reason}. Is it Ready? (selector ${target.selector})`);
      return;
    }
    if (info.status.state === 'error') {
      void showErrorMessage(`The port-forward to ${s.name}'s predictor fails: ${info.status.reason}`);
      return;
    }
    progress.report({ message: `127.0.0.1:${info.localPort} → ${'pod' in info.status ? info.status.pod : s.name}` });
    const started = performance.now();
    let res: Awaited<ReturnType<ReturnType<typeof fetchTransport>>>;
    try {
      res = await fetchTransport(info.url, () => P.forwardHeaders(info))({ method: 'POST', path: requestPath, body: { json: body }, signal: abort.signal, timeoutMs: 120_000 });
    } catch (err) {
      if (err instanceof CancelledError) return;
      const why = err instanceof UnreachableError ? `no answer from the model server on port ${PREDICTOR_PORT} of ${'pod' in info.status ? info.status.pod : 'the predictor'}` : (err as Error).message;
      void showErrorMessage(`Test request to ${s.name} failed: ${why}.`, 'Open Logs').then((a) => a && vscode.commands.executeCommand('kubeflow.endpoints.openLogs', { name: s.name, namespace: s.namespace }));
      return;
    }
    const ms = Math.round(performance.now() - started);
    const pod = 'pod' in info.status ? info.status.pod : undefined;
    let pretty = res.text;
    try {
      pretty = JSON.stringify(JSON.parse(res.text), null, 2);
    } catch {
      // not JSON: shown as it came
    }
    const header = [
      `// POST ${requestPath} → ${res.status} in ${ms} ms`,
      `// ${s.name} (${s.namespace})${pod ? `, pod ${pod}` : ''}${rev.revision ? `, ${rev.revision}` : ''}, body from ${vscode.workspace.asRelativePath(uri)}`,
    ];
    await showReadOnly(`${s.name}-response.jsonc`, `${header.join('\n')}\n${pretty}\n`);
    if (res.status >= 400) void showWarningMessage(`${s.name} answered ${res.status}: ${res.text.slice(0, 200)}`);
  });
}

/** The forward's state once it leaves `connecting`, or after `ms`. */
async function settled(ctx: Ctx, info: P.ForwardInfo, ms: number): Promise<P.ForwardInfo> {
  if (info.status.state !== 'connecting') return info;
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    const now = (await ctx.daemon.request(P.listForwards)).find((f) => f.id === info.id);
    if (now && now.status.state !== 'connecting') return now;
  }
  return info;
}
