// The run form inside a real extension host (issue 22): a submit that fails after the user closed the form reaches
// them as a notification, and nothing is posted to the closed webview ("Webview is disposed"). The form is the
// real RunFormPanel with a real webview panel and progress notification; the Pipelines API is a stand-in whose
// connection the test holds and then breaks, as the stalled forward of the issue did.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PipelinesApi } from '../../../extension/runs/api';
import type { Ctx } from '../../../extension/ctx';
import { RunFormPanel } from '../../../extension/runs/form';
import { Presets } from '../../../extension/runs/presets';
import type { Prepared } from '../../../extension/runs/submit';
import type { SubmitRequest } from '../../../webviews/run-form/protocol';
import { until } from './wait';

class Memory implements vscode.Memento {
  private data = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.data.keys()];
  }
  get<T>(key: string, fallback?: T): T {
    return (this.data.has(key) ? this.data.get(key) : fallback) as T;
  }
  update(key: string, value: unknown): Thenable<void> {
    this.data.set(key, value);
    return Promise.resolve();
  }
}

suite('run form (extension host)', function () {
  this.timeout(120_000);
  const realShowError = vscode.window.showErrorMessage;
  const errors: string[] = [];

  suiteSetup(() => {
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = (message: string) => {
      errors.push(message);
      return Promise.resolve(undefined);
    };
  });
  suiteTeardown(async () => {
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = realShowError;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('closing the form mid-submit, then a failure: the error is a notification, nothing is posted to the closed webview', async () => {
    const extension = vscode.extensions.getExtension('kubeflow-vscode.kubeflow-vscode');
    assert.ok(extension, 'the extension under test is installed');
    // The connection hangs until the test breaks it.
    let breakConnection!: (err: Error) => void;
    const connection = new Promise<never>((_, reject) => (breakConnection = reject));
    connection.catch(() => undefined);
    let submitAsked = false;
    const api = {
      where: () => 'http://127.0.0.1:1 (test)',
      info: () => connection,
      client: () => connection,
      cancellableClient: () => {
        submitAsked = true;
        return connection;
      },
      reset: () => undefined,
      explain: (err: unknown) => (err as Error).message,
    } as unknown as PipelinesApi;
    const log = vscode.window.createOutputChannel('Kubeflow run form test', { log: true });
    const ctx = { extension: { extensionUri: extension.extensionUri }, log } as unknown as Ctx;
    const prepared: Prepared = {
      text: '{}', spec: {}, name: 'stalled-pipeline', uploadName: 'stalled.yaml', label: 'stalled.yaml',
      form: { pipelineName: 'stalled-pipeline', fields: [], skipped: [] },
    };
    const form = RunFormPanel.show(ctx, api, new Presets(new Memory()), prepared, { submitted: () => assert.fail('nothing was submitted') });
    const panel = (form as unknown as { host: { panel: vscode.WebviewPanel; closed: boolean } }).host.panel;
    // Every post that reaches the webview after it was closed is the bug ("Webview is disposed").
    let closed = false;
    const sent: { type: string }[] = [];
    const lateSends: unknown[] = [];
    const postMessage = panel.webview.postMessage.bind(panel.webview);
    (panel.webview as { postMessage: unknown }).postMessage = (m: { type: string }) => {
      (closed ? lateSends : sent).push(m);
      return postMessage(m);
    };
    panel.onDidDispose(() => (closed = true));
    // The page is up and shows the form (as when the user pressed Submit).
    await until('the form is on the page', () => sent.some((m) => m.type === 'init') || undefined);

    const request: SubmitRequest = { values: {}, runName: 'stalled run', description: '', experiment: { create: 'Default' }, target: { kind: 'pipeline', name: 'stalled-pipeline' }, serviceAccount: '' };
    // What the page sends on Submit.
    const submitting = (form as unknown as { onMessage(m: { type: 'submit'; request: SubmitRequest }): Promise<void> }).onMessage({ type: 'submit', request });
    await until('the submit is connecting', () => submitAsked || undefined);
    await until('the form shows the submit\'s progress', () => sent.some((m) => m.type === 'submitting') || undefined);

    // The user closes the form's tab while the submit hangs.
    const tab = await until('the form\'s tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Run stalled-pipeline'));
    await vscode.window.tabGroups.close(tab);
    await until('the form is closed', () => closed || undefined);

    breakConnection(new Error('terminated'));
    await submitting;
    const shown = await until('the error notification', () => errors.find((m) => m.includes('stalled-pipeline')));
    assert.equal(shown, 'Kubeflow: the run of stalled-pipeline was not submitted. Nothing was submitted: terminated');
    assert.deepEqual(lateSends, [], 'nothing is posted to the closed webview');
    log.dispose();
  });
});
