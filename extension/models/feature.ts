/**
 * The Kubeflow Model Registry in the editor: the Models view (registry picker, search and filters, paging), the
 * details panel, archive/restore, copy URI, register a version (also `kubeflow.models.register`, which Katib's "Register
 * Best Trial's Model" and the Runs view call), a bearer token per registry, and "Deploy to KServe" of a version.
 */
import * as vscode from 'vscode';
import { isModelArtifact } from '../../core/modelRegistry/client';
import { recordServing } from '../../core/modelRegistry/serving';
import { modelsToSet } from '../../core/modelRegistry/filter';
import type { Artifact, ModelArtifact, ModelVersion, RegisteredModel, RegisteredModelState } from '../../core/modelRegistry/types';
import { ApiError } from '../../core/http/transport';
import type { Ctx } from '../ctx';
import { DeployPanel, type DeployRestore } from '../endpoints/deploy';
import { registerPanelSerializer } from '../webviews/host';
import type { EndpointsModel } from '../endpoints/model';
import { lineageFeature } from '../lineage/feature';
import { DetailsPanel, type DetailsTarget } from './details';
import { describe, ModelsModel } from './model';
import { Registries } from './registries';
import { registerCommand, registerVersion } from './register';
import { ModelsView, type ModelsNode } from './view';
import { showErrorMessage, showInformationMessage, showWarningMessage } from '../notify';

/** What model commands accept: a view node, or ids (from the details panel, the Endpoints view, tests). */
export type ModelsArg = ModelsNode | DetailsTarget | undefined;

interface Resolved {
  model: RegisteredModel;
  version?: ModelVersion;
  artifact?: Artifact;
}

export function modelsFeature(ctx: Ctx, endpoints: EndpointsModel): vscode.Disposable[] {
  const registries = new Registries(ctx);
  const model = new ModelsModel(registries, ctx.log);
  const view = new ModelsView(model);

  /** The model (and version, artifact) an argument names, read from the registry when only ids are given. */
  const resolve = async (arg: ModelsArg, need: 'model' | 'version', only?: { to: RegisteredModelState; title: string }): Promise<Resolved | undefined> => {
    if (arg && 'type' in arg) {
      if (arg.type === 'model') return { model: arg.model };
      if (arg.type === 'version') return { model: arg.model, version: arg.version };
      if (arg.type === 'artifact') return { model: arg.model, version: arg.version, artifact: arg.artifact };
      return undefined;
    }
    const client = model.client();
    if (arg && 'registeredModelId' in arg) {
      try {
        const [m, v] = await Promise.all([
          arg.registeredModelId ? client.getRegisteredModel(arg.registeredModelId) : Promise.resolve(undefined),
          arg.modelVersionId ? client.getVersion(arg.modelVersionId) : Promise.resolve(undefined),
        ]);
        const mm = m ?? (v ? await client.getRegisteredModel(v.registeredModelId) : undefined);
        if (!mm) return undefined;
        return { model: mm, ...(v ? { version: v } : {}) };
      } catch (err) {
        const missing = err instanceof ApiError && err.status === 404;
        void showErrorMessage(missing ? `The Model Registry ${model.registry.label} has no such ${arg.modelVersionId ? 'version' : 'model'} (id ${arg.modelVersionId ?? arg.registeredModelId}): it may come from another registry (Kubeflow: Select Model Registry…).` : `Cannot read it from ${model.registry.label}: ${describe(err)}`);
        return undefined;
      }
    }
    // Nothing given (command palette): pick.
    model.start();
    let models: RegisteredModel[];
    try {
      models = (await client.listRegisteredModels({ pageSize: 200, orderBy: 'LAST_UPDATE_TIME', sortOrder: 'DESC' })).items;
      if (only) models = modelsToSet(models, only.to);
    } catch (err) {
      void showErrorMessage(`Cannot list the models of ${model.registry.label}: ${describe(err)}`);
      return undefined;
    }
    if (!models.length) {
      void showInformationMessage(`No ${only ? `${only.to === 'ARCHIVED' ? 'live' : 'archived'} ` : ''}registered models in ${model.registry.label}.`);
      return undefined;
    }
    const m = (await vscode.window.showQuickPick(models.map((x) => ({ label: x.name, description: x.state === 'ARCHIVED' ? 'archived' : x.owner, x })), { title: only?.title ?? 'Model' }))?.x;
    if (!m || need === 'model') return m ? { model: m } : undefined;
    const versions = await client.all((o) => client.listVersions(m.id, o), { pageSize: 100, orderBy: 'CREATE_TIME', sortOrder: 'DESC' }, 1000).catch(() => []);
    if (!versions.length) {
      void showInformationMessage(`${m.name} has no versions.`);
      return undefined;
    }
    const v = (await vscode.window.showQuickPick(versions.map((x) => ({ label: x.name, description: [x.state === 'ARCHIVED' ? 'archived' : '', x.author].filter(Boolean).join(' · '), x })), { title: `Version of ${m.name}` }))?.x;
    return v ? { model: m, version: v } : undefined;
  };

  /** The model artifact to use for a version (the one given, the only one, or picked). */
  const modelArtifactOf = async (r: Resolved): Promise<ModelArtifact | undefined> => {
    if (r.artifact) return isModelArtifact(r.artifact) ? r.artifact : undefined;
    if (!r.version) return undefined;
    const all = await model.client().all((o) => model.client().listVersionArtifacts(r.version!.id, { ...o, artifactType: 'model-artifact' }), { pageSize: 100 }, 200);
    const arts = all.filter(isModelArtifact).filter((a) => a.uri);
    if (arts.length <= 1) return arts[0];
    return (await vscode.window.showQuickPick(arts.map((a) => ({ label: a.name ?? a.id, description: a.uri, a })), { title: `Model artifacts of ${r.model.name} ${r.version.name}` }))?.a;
  };

  const noArtifact = (r: Resolved): void => {
    void showWarningMessage(`Version ${r.version?.name} of ${r.model.name} has no model artifact with a URI: there is nothing to deploy or copy. Register the version again with the URI of its model files (Register New Version…).`);
  };

  const setState = async (arg: ModelsArg, state: 'LIVE' | 'ARCHIVED'): Promise<void> => {
    // From the palette: only the models this can change (live ones to archive, archived ones to restore).
    const r = await resolve(arg, 'model', { to: state, title: state === 'ARCHIVED' ? 'Registered model to archive' : 'Archived model to restore' });
    if (!r) return;
    const what = r.version ? `version ${r.version.name} of ${r.model.name}` : `model ${r.model.name}`;
    if (state === 'ARCHIVED') {
      const ok = await showWarningMessage(`Archive ${what}? It is hidden from the lists (the registry has no delete) and can be restored.`, { modal: true }, 'Archive');
      if (ok !== 'Archive') return;
    }
    try {
      if (r.version) {
        await model.client().setVersionState(r.version.id, state);
        model.invalidateModel(r.model.id);
      } else {
        model.replaceModel(await model.client().setModelState(r.model.id, state));
      }
      DetailsPanel.refreshModel(r.model.id);
      vscode.window.setStatusBarMessage(`$(check) ${state === 'ARCHIVED' ? 'Archived' : 'Restored'} ${what}`, 4000);
    } catch (err) {
      void showErrorMessage(`Cannot ${state === 'ARCHIVED' ? 'archive' : 'restore'} ${what}: ${describe(err)}`);
    }
  };

  const showDetails = async (arg: ModelsArg): Promise<void> => {
    let target: DetailsTarget | undefined;
    if (arg && 'type' in arg) {
      if (arg.type === 'model') target = { registeredModelId: arg.model.id };
      else if (arg.type === 'version' || arg.type === 'artifact') target = { registeredModelId: arg.model.id, modelVersionId: arg.version.id };
    } else if (arg && 'registeredModelId' in arg) {
      target = arg.registeredModelId ? arg : undefined;
      if (!target && arg.modelVersionId) {
        const r = await resolve(arg, 'version');
        if (r?.version) target = { registeredModelId: r.model.id, modelVersionId: r.version.id };
      }
    } else {
      const r = await resolve(undefined, 'model');
      if (r) target = { registeredModelId: r.model.id };
    }
    if (target) DetailsPanel.show(ctx, model, endpoints, target);
  };

  return [
    registerPanelSerializer<DetailsTarget>('kubeflow.modelDetails', (panel, target) => void DetailsPanel.show(ctx, model, endpoints, target, panel), ctx.log),
    registerPanelSerializer<DeployRestore>('kubeflow.deployModel', (panel, data) => DeployPanel.revive(ctx, endpoints, panel, data), ctx.log),
    registries,
    model,
    view,
    ...lineageFeature(ctx, endpoints, () => model.client()),
    vscode.commands.registerCommand('kubeflow.models.refresh', () => model.restart()),
    vscode.commands.registerCommand('kubeflow.models.loadMore', async (node?: ModelsNode) => {
      if (node?.type === 'more' && node.modelId) await model.moreVersions(node.modelId);
      else await model.load(true);
    }),
    vscode.commands.registerCommand('kubeflow.models.selectRegistry', async () => {
      const cur = registries.current();
      const found = await vscode.window.withProgress({ location: { viewId: 'kubeflow.models' } }, () => registries.discover());
      type Item = vscode.QuickPickItem & { id?: string; action?: 'settings' | 'token' };
      const items: Item[] = registries.all().map((r) => ({ label: `${r.id === cur.id ? '$(check) ' : ''}${r.label}`, description: r.description, detail: r.origin === 'default' ? 'default (kubeflow.modelRegistry.namespace / .service / .port)' : r.origin === 'cluster' ? 'found in the cluster' : 'from kubeflow.modelRegistry.registries', id: r.id }));
      items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: '$(settings-gear) Add or Change Registries…', action: 'settings' }, { label: '$(key) Set Bearer Token for the Selected Registry…', action: 'token' });
      const pick = await vscode.window.showQuickPick(items, { title: 'Kubeflow: Select Model Registry', placeHolder: found.length ? `${found.length} found in the cluster` : 'Registries of the settings' });
      if (!pick) return;
      if (pick.action === 'settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'kubeflow.modelRegistry');
      else if (pick.action === 'token') await vscode.commands.executeCommand('kubeflow.models.setToken');
      else if (pick.id) await registries.select(pick.id);
    }),
    vscode.commands.registerCommand('kubeflow.models.setToken', async () => {
      const r = registries.current();
      const has = !!(await registries.token(r.id));
      const token = await vscode.window.showInputBox({
        title: `Bearer token for the Model Registry ${r.label}`,
        prompt: `Sent as "Authorization: Bearer …" with every request to ${r.url ?? 'the registry'}; kept in VS Code's secret storage, never in settings or logs.${has ? ' Empty removes the stored token.' : ''}`,
        password: true,
        ignoreFocusOut: true,
      });
      if (token === undefined) return;
      await registries.setToken(r.id, token.trim() || undefined);
      vscode.window.setStatusBarMessage(token.trim() ? `$(key) Token stored for ${r.label}` : `Token removed for ${r.label}`, 4000);
    }),
    vscode.commands.registerCommand('kubeflow.models.search', async () => {
      const text = await vscode.window.showInputBox({ title: 'Search models', prompt: 'Part of the model name (case-insensitive). Empty shows every model.', value: model.filter.text ?? '' });
      if (text === undefined) return;
      model.setFilter({ ...model.filter, text: text.trim() || undefined });
    }),
    vscode.commands.registerCommand('kubeflow.models.filter', async () => {
      const f = model.filter;
      const pick = await vscode.window.showQuickPick([
        { label: '$(search) Name Contains…', description: f.text ?? '', value: 'text' },
        { label: f.archived ? '$(check) Archived Models Shown' : '$(archive) Show Archived Models', value: 'archived' },
        { label: '$(filter) Filter Query…', description: f.query ?? 'e.g. framework.string_value = \'pytorch\'', value: 'query' },
        { label: '$(clear-all) Clear Filter', value: 'clear' },
      ], { title: 'Filter models' });
      if (!pick) return;
      if (pick.value === 'text') await vscode.commands.executeCommand('kubeflow.models.search');
      else if (pick.value === 'archived') model.setFilter({ ...f, archived: !f.archived });
      else if (pick.value === 'clear') model.setFilter({});
      else {
        const q = await vscode.window.showInputBox({ title: 'Filter query (Model Registry filterQuery)', value: f.query ?? '', prompt: "SQL-like: name LIKE '%mnist%' AND owner = 'ada'; custom properties by name (accuracy > 0.9, framework.string_value = 'pytorch')" });
        if (q !== undefined) model.setFilter({ ...f, query: q.trim() || undefined });
      }
    }),
    vscode.commands.registerCommand('kubeflow.models.clearFilter', () => model.setFilter({})),
    vscode.commands.registerCommand('kubeflow.models.showDetails', (arg?: ModelsArg) => showDetails(arg)),
    vscode.commands.registerCommand('kubeflow.models.showVersion', (arg?: ModelsArg) => showDetails(arg)),
    vscode.commands.registerCommand('kubeflow.models.archive', (arg?: ModelsArg) => setState(arg, 'ARCHIVED')),
    vscode.commands.registerCommand('kubeflow.models.restore', (arg?: ModelsArg) => setState(arg, 'LIVE')),
    vscode.commands.registerCommand('kubeflow.models.copyUri', async (arg?: ModelsArg) => {
      const r = await resolve(arg, 'version');
      if (!r) return;
      const uri = r.artifact?.uri ?? (await modelArtifactOf(r).catch(() => undefined))?.uri;
      if (!uri) return noArtifact(r);
      await vscode.env.clipboard.writeText(uri);
      vscode.window.setStatusBarMessage(`$(copy) ${uri}`, 3000);
    }),
    vscode.commands.registerCommand('kubeflow.models.registerVersion', async (arg?: ModelsArg) => {
      const r = arg ? await resolve(arg, 'model') : undefined;
      await registerVersion(model, r?.model);
    }),
    vscode.commands.registerCommand('kubeflow.models.register', (arg?: unknown) => registerCommand(model, arg)),
    vscode.commands.registerCommand('kubeflow.models.deploy', async (arg?: ModelsArg) => {
      const r = await resolve(arg, 'version');
      if (!r?.version) return;
      let artifact: ModelArtifact | undefined;
      try {
        artifact = await modelArtifactOf(r);
      } catch (err) {
        void showErrorMessage(`Cannot read the artifacts of ${r.model.name} ${r.version.name}: ${describe(err)}`);
        return;
      }
      if (!artifact?.uri) return noArtifact(r);
      if (r.version.state === 'ARCHIVED') {
        const go = await showWarningMessage(`${r.model.name} ${r.version.name} is archived. Deploy it anyway?`, { modal: true }, 'Deploy');
        if (go !== 'Deploy') return;
      }
      const reg = registries.current();
      const client = registries.client(reg);
      const [m, v] = [r.model, r.version];
      await DeployPanel.show(ctx, endpoints, {
        registryLabel: reg.label,
        link: { registeredModelId: r.model.id, modelVersionId: r.version.id, modelName: r.model.name, versionName: r.version.name, ...(reg.service ? { registryName: reg.service.name, registryNamespace: reg.service.namespace } : {}) },
        onApplied: async (s) => {
          try {
            await recordServing(client, { ...s, registeredModelId: m.id, modelVersionId: v.id });
          } catch (err) {
            void showWarningMessage(`${s.name} is deployed, but the Model Registry could not record it as serving ${m.name} ${v.name}: ${describe(err)}`);
          }
        },
        artifactUri: artifact.uri,
        ...(artifact.modelFormatName ? { modelFormatName: artifact.modelFormatName } : {}),
        ...(artifact.modelFormatVersion ? { modelFormatVersion: artifact.modelFormatVersion } : {}),
        ...(artifact.serviceAccountName ? { serviceAccountName: artifact.serviceAccountName } : {}),
        ...(artifact.storageKey ? { storageKey: artifact.storageKey } : {}),
      });
    }),
  ];
}
