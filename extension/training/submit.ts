/**
 * Submit a job YAML (every document of the file): a server-side dry run with strict field validation first; what
 * the API rejects becomes diagnostics at the line of the offending field (the API's field path mapped onto the YAML
 * with the `yaml` package). Only when every document passes is anything created. An existing job of the same name
 * can be replaced (training jobs are immutable).
 */
import * as vscode from 'vscode';
import { ResponseError } from 'vscode-jsonrpc';
import * as P from '../../companion-daemon/src/protocol';
import { fieldProblems, locatePath, parseFieldPath, readYamlResources, type ApiCause, type YamlResource } from '../../core/training/fieldpath';
import { kindInfo } from '../../core/training/kinds';
import { apiPath, type Kube } from '../cluster/kube';
import type { Log } from '../log';
import { describe } from '../views/watchedList';
import { currentNamespace } from './namespace';
import { showErrorMessage, showWarningMessage } from '../notify';

const SOURCE = 'kubeflow dry run';
const FIELD_MANAGER = 'kubeflow-vscode';

interface Target {
  resource: YamlResource;
  object: Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name?: string; generateName?: string; namespace?: string } };
  collection: string;
  namespace?: string;
  label: string;
}

export interface Submitted {
  kind: string;
  name: string;
  namespace: string;
}

export class Submitter implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('kubeflow-submit');
  private readonly subs: vscode.Disposable[];
  private resources = new Map<string, Array<{ name: string; kind: string; namespaced: boolean }> | null>();

  constructor(
    private readonly kube: Kube,
    private readonly log: Log,
  ) {
    // What the dry run said no longer holds once the text changes.
    this.subs = [vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length && this.diagnostics.delete(e.document.uri))];
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
    this.diagnostics.dispose();
  }

  /** Dry-runs then creates every document; returns what was created, or undefined when nothing was. */
  async submit(doc: vscode.TextDocument): Promise<Submitted[] | undefined> {
    this.diagnostics.delete(doc.uri);
    this.resources.clear();
    const text = doc.getText();
    const { resources } = readYamlResources(text);
    const diags: vscode.Diagnostic[] = [];
    const diag = (start: number, end: number, message: string, code?: string): void => {
      const d = new vscode.Diagnostic(new vscode.Range(doc.positionAt(start), doc.positionAt(Math.max(start + 1, end))), message, vscode.DiagnosticSeverity.Error);
      d.source = SOURCE;
      if (code) d.code = code;
      diags.push(d);
    };
    for (const r of resources) for (const e of r.errors) diag(e.start, e.end, e.message, 'YAMLSyntax');
    if (diags.length) return this.fail(doc, diags, 'is not valid YAML');

    const targets: Target[] = [];
    for (const r of resources) {
      const o = r.object;
      if (!o) continue;
      const at = (path: string): [number, number] => {
        const loc = locatePath(r.doc, parseFieldPath(path));
        return loc ? [loc.start, loc.end] : [r.start, r.start + 1];
      };
      if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') {
        diag(...at('kind'), 'A Kubernetes object needs apiVersion and kind.', 'Required');
        continue;
      }
      const meta = (o.metadata ?? {}) as Target['object']['metadata'];
      if (!meta.name && !meta.generateName) {
        diag(...at('metadata'), 'metadata.name is required.', 'Required');
        continue;
      }
      let found: { name: string; namespaced: boolean } | undefined;
      try {
        found = await this.resourceOf(o.apiVersion, o.kind);
      } catch (err) {
        void showErrorMessage(`Cannot submit: ${describe(err)}`);
        return undefined;
      }
      if (!found) {
        diag(...at('kind'), `The cluster does not serve ${o.kind} in ${o.apiVersion}${kindInfo(o.kind) ? ' (is its operator installed?)' : ''}.`, 'NotServed');
        continue;
      }
      const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : [undefined, o.apiVersion];
      const namespace = found.namespaced ? meta.namespace || currentNamespace() : undefined;
      targets.push({
        resource: r,
        object: o as Target['object'],
        collection: apiPath({ ...(group ? { group } : {}), version: version!, plural: found.name, ...(namespace ? { namespace } : {}) }),
        ...(namespace ? { namespace } : {}),
        label: `${o.kind} ${meta.name ?? `${meta.generateName}…`}${namespace ? ` in ${namespace}` : ''}`,
      });
    }
    if (diags.length) return this.fail(doc, diags, 'cannot be submitted');
    if (targets.length === 0) {
      void showWarningMessage('Nothing to submit: the file has no Kubernetes object.');
      return undefined;
    }

    // 1. Dry run of every document, so that a bad second document does not leave the first one created.
    const exists: Target[] = [];
    for (const t of targets) {
      try {
        await this.create(t, true);
      } catch (err) {
        if (reasonOf(err) === 'AlreadyExists') exists.push(t);
        else this.mapError(t, err, diag);
      }
    }
    if (diags.length) return this.fail(doc, diags, 'was rejected by the dry run');
    if (exists.length) {
      const replace = await showWarningMessage(
        `${exists.map((t) => t.label).join(', ')} already exist${exists.length === 1 ? 's' : ''}. Training jobs cannot be changed in place: delete and submit again?`,
        { modal: true },
        'Delete and Submit',
      );
      if (replace !== 'Delete and Submit') return undefined;
      for (const t of exists) await this.deleteAndWait(t);
    }

    // 2. For real.
    const created: Submitted[] = [];
    for (const t of targets) {
      try {
        const o = (await this.create(t, false)) as { kind?: string; metadata?: { name?: string; namespace?: string } };
        created.push({ kind: o.kind ?? t.object.kind, name: o.metadata?.name ?? t.object.metadata.name ?? '', namespace: o.metadata?.namespace ?? t.namespace ?? '' });
        this.log.info(`submitted ${t.label}`);
      } catch (err) {
        this.mapError(t, err, diag);
        this.fail(doc, diags, `was rejected${created.length ? ` after ${created.map((c) => `${c.kind} ${c.name}`).join(', ')} had been created` : ''}`);
        return created.length ? created : undefined;
      }
    }
    return created;
  }

  private create(t: Target, dryRun: boolean): Promise<unknown> {
    const body = { ...t.object, metadata: { ...t.object.metadata, ...(t.namespace ? { namespace: t.namespace } : {}) } };
    const query: Record<string, string> = { fieldValidation: 'Strict', fieldManager: FIELD_MANAGER };
    if (dryRun) query.dryRun = 'All';
    return this.kube.request('POST', t.collection, { body, query });
  }

  private async deleteAndWait(t: Target): Promise<void> {
    const path = `${t.collection}/${encodeURIComponent(t.object.metadata.name ?? '')}`;
    await this.kube.request('DELETE', path, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' } }).catch((err: unknown) => {
      if (reasonOf(err) !== 'NotFound') throw err;
    });
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      try {
        await this.kube.get(path);
      } catch (err) {
        if (reasonOf(err) === 'NotFound') return;
        throw err;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${t.label} is still being deleted after 2 minutes (finalizers?).`);
  }

  /** The API's field problems of one document, as diagnostics at their YAML location. */
  private mapError(t: Target, err: unknown, diag: (start: number, end: number, message: string, code?: string) => void): void {
    const data = err instanceof ResponseError ? (err.data as P.ErrorData | undefined) : undefined;
    const message = data?.detail ?? describe(err);
    const problems = fieldProblems(message, data?.causes as ApiCause[] | undefined);
    for (const p of problems) {
      const loc = p.field ? locatePath(t.resource.doc, parseFieldPath(p.field)) : undefined;
      const text = p.field && !loc?.exact ? `${p.field}: ${p.message}` : p.message;
      if (loc) diag(loc.start, loc.end, text, data?.reason);
      else {
        const kind = locatePath(t.resource.doc, ['kind']);
        diag(kind?.start ?? t.resource.start, kind?.end ?? t.resource.start + 1, p.field ? `${p.field}: ${p.message}` : p.message, data?.reason);
      }
    }
  }

  private fail(doc: vscode.TextDocument, diags: vscode.Diagnostic[], what: string): undefined {
    this.diagnostics.set(doc.uri, diags);
    const name = doc.isUntitled ? 'The job' : vscode.workspace.asRelativePath(doc.uri);
    void showErrorMessage(`${name} ${what}: ${diags.length} problem${diags.length === 1 ? '' : 's'} — ${diags[0]!.message}`, 'Show Problems').then((a) => {
      if (a) void vscode.commands.executeCommand('workbench.actions.view.problems');
    });
    return undefined;
  }

  /** The resource (plural, namespaced) that serves a kind, from discovery; undefined when none does. */
  private async resourceOf(apiVersion: string, kind: string): Promise<{ name: string; namespaced: boolean } | undefined> {
    let list = this.resources.get(apiVersion);
    if (list === undefined) {
      try {
        const r = await this.kube.get<{ resources?: Array<{ name: string; kind: string; namespaced: boolean }> }>(apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
        list = (r.resources ?? []).filter((x) => !x.name.includes('/'));
      } catch (err) {
        if (reasonOf(err) !== 'NotFound') throw err;
        list = null;
      }
      this.resources.set(apiVersion, list);
    }
    return list?.find((x) => x.kind === kind);
  }
}

function reasonOf(err: unknown): string | undefined {
  if (!(err instanceof ResponseError)) return undefined;
  if (err.code === P.ErrorCode.NotFound) return 'NotFound';
  return (err.data as P.ErrorData | undefined)?.reason;
}
