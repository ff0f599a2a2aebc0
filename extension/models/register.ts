/**
 * Registering versions from the editor: the `kubeflow.models.register` command other features call (Katib's best
 * trial plan, a pipeline run's output artifact) and "Register New Version…" (an artifact URI, or a pipeline output
 * artifact typed in). Names are confirmed by the user, the URI is checked (error: not a URI; warning: KServe could
 * not read it), and a name clash offers the next free version name.
 */
import os from 'node:os';
import * as vscode from 'vscode';
import { MODEL_FORMATS, guessFormat, kserveFormat } from '../../core/kserve/formats';
import { checkStorageUri } from '../../core/kserve/storageUri';
import { fromPipelineArtifact, fromPlan, isPipelineArtifactArgument, isPlanArgument, nextVersionName, register, RegistrationConflict, type Registered, type Registration } from '../../core/modelRegistry/register';
import type { RegisteredModel } from '../../core/modelRegistry/types';
import { currentNamespace } from '../training/namespace';
import { describe, type ModelsModel } from './model';
import { showErrorMessage, showInformationMessage, showWarningMessage } from '../notify';

function author(): string | undefined {
  try {
    return os.userInfo().username || undefined;
  } catch {
    return undefined;
  }
}

/** An input box for an artifact URI: not a URI is an error; a URI KServe cannot read is a warning. */
async function askUri(title: string, value = ''): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title,
    value,
    prompt: 'Where the model files are: s3://bucket/path, gs://…, pvc://claim/path, oci://registry/repo:tag, hf://org/model, https://…',
    placeHolder: 's3://models/churn/v3',
    ignoreFocusOut: true,
    validateInput: (v) => {
      const u = v.trim();
      if (!u) return 'The URI of the model files';
      if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(u)) return u.startsWith('/') ? 'A local path: the cluster cannot read it. Give a URI (s3://, gs://, pvc://…)' : 'Not a URI: it needs a scheme, e.g. s3://bucket/path';
      const c = checkStorageUri(u);
      if (!c.ok) return { message: `Registrable, but KServe could not deploy it: ${c.message}${c.suggestion ? ` (${c.suggestion})` : ''}`, severity: vscode.InputBoxValidationSeverity.Warning };
      return undefined;
    },
  }).then((v) => v?.trim());
}

async function askFormat(uri: string, given?: string): Promise<string | undefined | null> {
  const guess = kserveFormat(given) ?? guessFormat(uri);
  const items: Array<vscode.QuickPickItem & { value: string | undefined }> = MODEL_FORMATS.map((f) => ({ label: f.name, description: f.label, value: f.name, ...(f.name === guess ? { detail: '$(lightbulb) from the file name' } : {}) }));
  items.sort((a, b) => (a.value === guess ? -1 : b.value === guess ? 1 : 0));
  items.push({ label: 'Not recorded', description: 'leave the format empty', value: undefined });
  const pick = await vscode.window.showQuickPick(items, { title: 'Model format (recorded on the artifact; the deploy form starts from it)', ignoreFocusOut: true });
  return pick ? pick.value : null;
}

async function askVersionName(models: ModelsModel, model: RegisteredModel | undefined, suggested?: string): Promise<string | undefined> {
  let existing: string[] = [];
  if (model) existing = (await models.client().all((o) => models.client().listVersions(model.id, o), { pageSize: 100 }, 1000).catch(() => [])).map((v) => v.name);
  const value = suggested && !existing.includes(suggested) ? suggested : nextVersionName(existing);
  return vscode.window.showInputBox({
    title: `Version name${model ? ` for ${model.name}` : ''}`,
    value,
    ignoreFocusOut: true,
    validateInput: (v) => (!v.trim() ? 'A version name' : existing.includes(v.trim()) ? `${model?.name} already has a version ${v.trim()}` : undefined),
  }).then((v) => v?.trim());
}

async function pickModel(models: ModelsModel): Promise<RegisteredModel | { create: string } | undefined> {
  type Item = vscode.QuickPickItem & { model?: RegisteredModel; create?: boolean };
  let list: RegisteredModel[] = [];
  try {
    list = (await models.client().listRegisteredModels({ pageSize: 200, orderBy: 'LAST_UPDATE_TIME', sortOrder: 'DESC' })).items;
  } catch (err) {
    void showErrorMessage(`Cannot list the models of ${models.registry.label}: ${describe(err)}`);
    return undefined;
  }
  const items: Item[] = [{ label: '$(add) New Model…', create: true }, ...list.filter((m) => m.state !== 'ARCHIVED').map((m) => ({ label: m.name, description: m.owner, detail: m.description, model: m }))];
  const pick = await vscode.window.showQuickPick(items, { title: `Register a version in ${models.registry.label}: which model?`, ignoreFocusOut: true, matchOnDetail: true });
  if (!pick) return undefined;
  if (pick.model) return pick.model;
  const name = await vscode.window.showInputBox({ title: 'New model name', ignoreFocusOut: true, validateInput: (v) => (!v.trim() ? 'A name' : list.some((m) => m.name === v.trim()) ? `${v.trim()} exists: pick it in the list` : undefined) });
  return name?.trim() ? { create: name.trim() } : undefined;
}

/** Sends a registration with progress; a name clash offers the next free version name. */
export async function send(models: ModelsModel, r: Registration): Promise<Registered | undefined> {
  const where = models.registry.label;
  for (;;) {
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Registering ${r.model.name} ${r.version.name} in ${where}…` }, () => register(models.client(), r));
    } catch (err) {
      if (err instanceof RegistrationConflict) {
        const names = (await models.client().all((o) => models.client().listVersions(err.model.id, o), { pageSize: 100 }, 1000).catch(() => [])).map((v) => v.name);
        const next = nextVersionName(names);
        const a = await showWarningMessage(err.message, `Register as ${next}`);
        if (!a) return undefined;
        r = { ...r, version: { ...r.version, name: next } };
        continue;
      }
      void showErrorMessage(`Nothing was registered in ${where}: ${describe(err)}`);
      return undefined;
    }
  }
}

/** After a registration: refresh what shows it, and offer the next steps. */
export async function registered(models: ModelsModel, out: Registered): Promise<void> {
  if (out.createdModel) await models.load();
  else models.invalidateModel(out.model.id);
  const ref = { registeredModelId: out.model.id, modelVersionId: out.version.id };
  const a = await showInformationMessage(
    `Registered ${out.model.name} version ${out.version.name}${out.completedVersion ? ' (the version existed without a model artifact: it has one now)' : ''} in ${models.registry.label}: ${out.artifact.uri}`,
    'Show Details', 'Deploy…',
  );
  if (a === 'Show Details') await vscode.commands.executeCommand('kubeflow.models.showDetails', ref);
  if (a === 'Deploy…') await vscode.commands.executeCommand('kubeflow.models.deploy', ref);
}

/** `kubeflow.models.register`: a Katib plan, a pipeline output artifact, or nothing (asks). */
export async function registerCommand(models: ModelsModel, arg: unknown): Promise<Registered | undefined> {
  let r: Registration | undefined;
  if (isPlanArgument(arg)) {
    r = fromPlan(arg);
    const pick = await showInformationMessage(
      `Register ${r.artifact.uri} as ${r.model.name} version ${r.version.name} in the Model Registry ${models.registry.label}?`,
      { modal: true, detail: `${r.version.description ?? ''}\n${Object.keys(r.version.customProperties ?? {}).length} properties (hyperparameters, metrics) go along.` },
      'Register', 'Change Names…',
    );
    if (!pick) return undefined;
    if (pick === 'Change Names…') {
      const model = await vscode.window.showInputBox({ title: 'Model name', value: r.model.name, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'A name') });
      if (!model) return undefined;
      const existing = await models.client().findRegisteredModel(model.trim()).catch(() => undefined);
      const version = await askVersionName(models, existing, r.version.name);
      if (!version) return undefined;
      r = { ...r, model: { ...r.model, name: model.trim() }, version: { ...r.version, name: version } };
    }
  } else if (isPipelineArtifactArgument(arg)) {
    const modelName = await vscode.window.showInputBox({ title: `Register output "${arg.artifactName}" of run ${arg.runName ?? arg.runId}: model name`, value: arg.modelName ?? arg.pipelineName ?? arg.artifactName, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'A name') });
    if (!modelName) return undefined;
    const existing = await models.client().findRegisteredModel(modelName.trim()).catch(() => undefined);
    const version = await askVersionName(models, existing, arg.versionName);
    if (!version) return undefined;
    const format = arg.modelFormatName ?? (await askFormat(arg.uri));
    if (format === null) return undefined;
    r = fromPipelineArtifact({ ...arg, ...(format ? { modelFormatName: format } : {}) }, { model: modelName.trim(), version, ...(author() ? { author: author()! } : {}) });
  } else {
    return registerVersion(models, undefined);
  }
  const out = await send(models, r);
  if (out) await registered(models, out);
  return out;
}

/** "Register New Version…": of a model (or one picked / created), from an artifact URI or a pipeline output artifact. */
export async function registerVersion(models: ModelsModel, model: RegisteredModel | undefined): Promise<Registered | undefined> {
  const target = model ?? (await pickModel(models));
  if (!target) return undefined;
  const existing = 'create' in target ? undefined : target;
  const modelName = 'create' in target ? target.create : target.name;
  const source = await vscode.window.showQuickPick([
    { label: '$(link) Artifact URI', description: 's3://, gs://, pvc://, oci://, hf://, https://', value: 'uri' as const },
    { label: '$(type-hierarchy) Pipeline Run Output Artifact', description: 'records the run as the version\'s lineage', value: 'pipeline' as const },
  ], { title: `New version of ${modelName}: where is the model?`, ignoreFocusOut: true });
  if (!source) return undefined;
  let r: Registration;
  if (source.value === 'pipeline') {
    const runId = await vscode.window.showInputBox({ title: 'Pipeline run id', prompt: 'The KFP run that produced the model (its id, from the Runs view or the KFP UI)', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'A run id') });
    if (!runId) return undefined;
    const artifactName = await vscode.window.showInputBox({ title: 'Output artifact name', value: 'model', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'A name') });
    if (!artifactName) return undefined;
    const uri = await askUri(`URI of the run's "${artifactName.trim()}" output`);
    if (!uri) return undefined;
    const version = await askVersionName(models, existing);
    if (!version) return undefined;
    const format = await askFormat(uri);
    if (format === null) return undefined;
    r = fromPipelineArtifact({ source: 'pipeline', runId: runId.trim(), namespace: currentNamespace(), artifactName: artifactName.trim(), uri, ...(format ? { modelFormatName: format } : {}) }, { model: modelName, version, ...(author() ? { author: author()! } : {}) });
  } else {
    const uri = await askUri(`New version of ${modelName}: artifact URI`);
    if (!uri) return undefined;
    const version = await askVersionName(models, existing);
    if (!version) return undefined;
    const format = await askFormat(uri);
    if (format === null) return undefined;
    const description = await vscode.window.showInputBox({ title: `Description of ${modelName} ${version} (optional)`, ignoreFocusOut: true });
    if (description === undefined) return undefined;
    r = {
      model: { name: modelName },
      version: { name: version, ...(description.trim() ? { description: description.trim() } : {}), ...(author() ? { author: author()! } : {}) },
      artifact: { artifactType: 'model-artifact', name: uri.split('/').filter(Boolean).pop() ?? 'model', uri, ...(format ? { modelFormatName: format } : {}) },
    };
  }
  const out = await send(models, r);
  if (out) await registered(models, out);
  return out;
}
