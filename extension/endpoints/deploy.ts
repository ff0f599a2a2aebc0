/**
 * "Deploy to KServe": the form panel (webviews/deploy-model) for a Model Registry version (or an existing
 * InferenceService), the YAML it generates, a server-side dry run whose refusals go back to their form field, the
 * apply (create, or a merge patch that rolls a new revision with a canary share), then the service's conditions
 * until it is Ready, in the panel and in a progress notification.
 */
import * as vscode from 'vscode';
import { ResponseError } from 'vscode-jsonrpc';
import YAML from 'yaml';
import * as P from '../../companion-daemon/src/protocol';
import {
  applyMergePatch,
  buildInferenceService,
  checkDeploySpec,
  forDisplay,
  formFieldOf,
  ISVC_API_VERSION,
  serviceName,
  specOf,
  updatePatch,
  type DeploySpec,
  type InferenceServiceObject,
  type RegistryLink,
} from '../../core/kserve/build';
import { canaryUpdatePatch, standardCanarySupported } from '../../core/kserve/canary';
import { formatInfo, guessFormat, kserveFormat, kserveFormatVersion, MODEL_FORMATS } from '../../core/kserve/formats';
import { controllerSilence, describeTraffic, summarizeInferenceService, type IsvcSummary } from '../../core/kserve/state';
import { checkStorageUri } from '../../core/kserve/storageUri';
import { fieldProblems, type ApiCause } from '../../core/training/fieldpath';
import type { DeployForm, DeployInit, FieldProblem, FromDeploy, ToDeploy } from '../../webviews/deploy-model/protocol';
import type { Ctx } from '../ctx';
import { currentNamespace } from '../training/namespace';
import { WebviewHost } from '../webviews/host';
import { isvcPath, type EndpointsModel } from './model';
import { showErrorMessage, showInformationMessage } from '../notify';

const FIELD_MANAGER = 'kubeflow-vscode';

/** What is being deployed: a registry version and its model artifact. */
export interface DeploySource {
  registryLabel: string;
  link: RegistryLink;
  /** After each apply (not dry runs): the registry records the service as serving the version; reports its own errors. */
  onApplied?: (served: { namespace: string; name: string; runtime?: string }) => Promise<void>;
  artifactUri: string;
  modelFormatName?: string;
  modelFormatVersion?: string;
  serviceAccountName?: string;
  /** The artifact's storage secret (a "data connection") and path in it, when it records them. */
  storageKey?: string;
}

function describe(err: unknown): string {
  if (err instanceof ResponseError) return ((err.data as P.ErrorData | undefined)?.detail ?? err.message).trim();
  return err instanceof Error ? err.message : String(err);
}

function reasonOf(err: unknown): string | undefined {
  if (!(err instanceof ResponseError)) return undefined;
  if (err.code === P.ErrorCode.NotFound) return 'NotFound';
  return (err.data as P.ErrorData | undefined)?.reason;
}

const int = (s: string): number | undefined => (s.trim() === '' ? undefined : Number(s.trim()));

/** The form's protocol is v2 because its format's runtimes speak only v2. */
const v2Only = (format: string, protocol: string): boolean => protocol === 'v2' && formatInfo(format)?.protocol === 'v2';

export function specFromForm(f: DeployForm, link?: RegistryLink): DeploySpec {
  return {
    name: (f.target || f.name).trim(),
    namespace: f.namespace.trim(),
    modelFormat: f.modelFormat.trim(),
    ...(f.modelFormatVersion.trim() ? { modelFormatVersion: f.modelFormatVersion.trim() } : {}),
    ...(f.runtime.trim() ? { runtime: f.runtime.trim() } : {}),
    ...(f.protocolVersion ? { protocolVersion: f.protocolVersion } : {}),
    storageUri: f.storageUri.trim(),
    ...(f.cpu.trim() ? { cpu: f.cpu.trim() } : {}),
    ...(f.memory.trim() ? { memory: f.memory.trim() } : {}),
    ...(int(f.gpus) !== undefined ? { gpus: int(f.gpus)! } : {}),
    ...(int(f.minReplicas) !== undefined ? { minReplicas: int(f.minReplicas)! } : {}),
    ...(int(f.maxReplicas) !== undefined ? { maxReplicas: int(f.maxReplicas)! } : {}),
    ...(f.target && int(f.canaryTrafficPercent) !== undefined ? { canaryTrafficPercent: int(f.canaryTrafficPercent)! } : {}),
    ...(f.serviceAccountName.trim() ? { serviceAccountName: f.serviceAccountName.trim() } : {}),
    ...(f.deploymentMode ? { deploymentMode: f.deploymentMode } : {}),
    ...(link ? { registry: link } : {}),
  };
}

function formOf(s: Partial<DeploySpec>, base: DeployForm): DeployForm {
  const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  return {
    ...base,
    name: s.name ?? base.name,
    namespace: s.namespace ?? base.namespace,
    modelFormat: s.modelFormat ?? base.modelFormat,
    modelFormatVersion: str(s.modelFormatVersion),
    runtime: str(s.runtime),
    protocolVersion: s.protocolVersion ?? '',
    storageUri: s.storageUri ?? base.storageUri,
    cpu: str(s.cpu),
    memory: str(s.memory),
    gpus: str(s.gpus ?? 0),
    minReplicas: str(s.minReplicas),
    maxReplicas: str(s.maxReplicas),
    serviceAccountName: str(s.serviceAccountName),
    deploymentMode: s.deploymentMode ?? '',
  };
}

/** What brings the form back after a window reload: what it deploys and the values not yet deployed. */
export interface DeployRestore {
  source?: DeploySource;
  target?: string;
  form: DeployForm;
}

export class DeployPanel implements vscode.Disposable {
  private static readonly open = new Map<string, DeployPanel>();
  /** Per `namespace/name` of a RawDeployment target: whether its KServe (≥ 0.20) takes Standard-mode canaries. */
  private readonly standardCanary = new Map<string, boolean>();
  private readonly host: WebviewHost<FromDeploy, ToDeploy>;
  private readonly subs: vscode.Disposable[] = [];
  private form: DeployForm;
  private init: DeployInit;
  private yaml = '';
  private watch: vscode.Disposable | undefined;
  private busy = false;
  private lastPhase: Extract<ToDeploy, { type: 'phase' }> | undefined;
  private lastProblems: FieldProblem[] = [];

  /** Opens the form for a registry version (or an existing service: `target`). */
  static async show(ctx: Ctx, endpoints: EndpointsModel, source: DeploySource | undefined, target?: string): Promise<DeployPanel> {
    const key = DeployPanel.keyOf(source, target);
    const existing = DeployPanel.open.get(key);
    if (existing) {
      existing.host.panel.reveal();
      return existing;
    }
    // The namespace's services decide the default target (a model with an endpoint rolls onto it).
    await endpoints.whenLoaded(5000);
    const again = DeployPanel.open.get(key);
    if (again) return again;
    const p = new DeployPanel(ctx, endpoints, source, target, key);
    DeployPanel.open.set(key, p);
    return p;
  }

  /** A form VS Code restored after a window reload, with the values the user had typed. */
  static async revive(ctx: Ctx, endpoints: EndpointsModel, revived: vscode.WebviewPanel, data: DeployRestore): Promise<void> {
    const key = DeployPanel.keyOf(data.source, data.target);
    if (DeployPanel.open.has(key)) {
      revived.dispose();
      return;
    }
    await endpoints.whenLoaded(5000);
    const p = new DeployPanel(ctx, endpoints, data.source, data.target, key, revived, data.form);
    DeployPanel.open.set(key, p);
  }

  private static keyOf(source: DeploySource | undefined, target: string | undefined): string {
    return source ? `version:${source.link.modelVersionId}` : `isvc:${target ?? ''}`;
  }

  private constructor(
    private readonly ctx: Ctx,
    private readonly endpoints: EndpointsModel,
    private readonly source: DeploySource | undefined,
    private readonly target: string | undefined,
    private readonly key: string,
    revived?: vscode.WebviewPanel,
    restored?: DeployForm,
  ) {
    endpoints.start();
    const namespace = endpoints.namespace || currentNamespace();
    const link = source?.link;
    const format = kserveFormat(source?.modelFormatName) ?? guessFormat(source?.artifactUri) ?? 'sklearn';
    const name = target ?? (link ? serviceName(link.modelName, link.versionName) : 'model');
    // Deploying a version of a model that already has an endpoint here: offer that endpoint as the default target.
    const sameModel = link ? endpoints.list().find((e) => e.summary.registry?.registeredModelId === link.registeredModelId && e.summary.namespace === namespace) : undefined;
    const initialTarget = target ?? (endpoints.find(name, namespace) ? name : sameModel?.summary.name ?? '');
    this.form = {
      target: initialTarget,
      name,
      namespace,
      modelFormat: format,
      modelFormatVersion: kserveFormatVersion(source?.modelFormatVersion) ?? '',
      runtime: '',
      protocolVersion: '',
      storageUri: source?.artifactUri ?? '',
      cpu: '1',
      memory: '2Gi',
      gpus: '0',
      minReplicas: '1',
      maxReplicas: '',
      canaryTrafficPercent: '',
      serviceAccountName: source?.serviceAccountName ?? '',
      deploymentMode: '',
    };
    if (initialTarget) this.form = this.targetForm(initialTarget, this.form);
    if (restored) this.form = { ...this.form, ...restored };
    this.init = this.initMessage();
    this.host = new WebviewHost<FromDeploy, ToDeploy>(ctx.extension.extensionUri, {
      viewType: 'kubeflow.deployModel',
      title: link ? `Deploy ${link.modelName} ${link.versionName}` : `Deploy ${target ?? 'model'}`,
      script: 'deploy-model',
      iconPath: vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'kubeflow.svg'),
      ...(revived ? { revived } : {}),
    });
    this.saveRestore();
    this.subs.push(
      this.host,
      this.host.onMessage((m) => void this.onMessage(m)),
      // A (re)loaded page (hidden and shown again) starts from the current form, problems and progress.
      this.host.onReady(() => {
        for (const t of ['init', 'form', 'preview', 'existing', 'serverProblems', 'phase'] as const) this.host.dropQueued(t);
        this.host.post({ type: 'init', init: { ...this.init, form: this.form } });
        this.preview();
        if (this.lastProblems.length) this.host.post({ type: 'serverProblems', problems: this.lastProblems });
        if (this.lastPhase) this.host.post(this.lastPhase);
      }),
      this.host.panel.onDidDispose(() => this.dispose()),
      endpoints.onDidChange(() => {
        const before = JSON.stringify(this.init.existing);
        this.init = this.initMessage();
        if (JSON.stringify(this.init.existing) !== before) this.host.post({ type: 'existing', existing: this.init.existing });
      }),
    );
  }

  private saveRestore(): void {
    this.host.setRestoreData({ ...(this.source ? { source: this.source } : {}), ...(this.target ? { target: this.target } : {}), form: this.form } satisfies DeployRestore);
  }

  private initMessage(): DeployInit {
    const link = this.source?.link;
    const formats = MODEL_FORMATS.map((f) => ({ name: f.name, label: f.label, runtimes: f.runtimes }));
    if (this.form.modelFormat && !formats.some((f) => f.name === this.form.modelFormat)) formats.push({ name: this.form.modelFormat, label: this.form.modelFormat, runtimes: [] });
    return {
      ...(link && this.source ? { source: { model: link.modelName, version: link.versionName, registry: this.source.registryLabel, artifactUri: this.source.artifactUri } } : {}),
      form: this.form,
      formats,
      existing: this.endpoints.list().filter((e) => e.summary.namespace === this.form.namespace).map((e) => ({ name: e.summary.name, ...(e.summary.modelFormat ? { modelFormat: e.summary.modelFormat } : {}), ...(e.summary.storageUri ? { storageUri: e.summary.storageUri } : {}), phase: e.summary.phase, ...(e.summary.rawDeployment ? { raw: true } : {}) })),
    };
  }

  /** The form when rolling onto an existing service: its current settings, this version's model, a 10% canary. */
  private targetForm(target: string, f: DeployForm): DeployForm {
    const e = this.endpoints.find(target, f.namespace);
    if (!e) return { ...f, target: '' };
    const cur = specOf(e.object);
    const next = formOf({ ...cur, name: target }, f);
    const modelFormat = this.source ? f.modelFormat : next.modelFormat;
    return {
      ...next,
      target,
      // What is being deployed wins over what runs: the version's model and format, and the protocol when the
      // running one was v2 only because its format's runtimes speak nothing else (onnx → sklearn: KServe's default).
      storageUri: this.source?.artifactUri ?? next.storageUri,
      modelFormat,
      protocolVersion: v2Only(next.modelFormat, next.protocolVersion) && formatInfo(modelFormat)?.protocol !== 'v2' ? '' : next.protocolVersion,
      // RawDeployment before KServe 0.20 has no canary: the update is a rolling one (0.20's Standard canaries: probed).
      canaryTrafficPercent: e.summary.rawDeployment && !this.standardCanary.get(`${f.namespace}/${target}`) ? '' : f.canaryTrafficPercent || '10',
    };
  }

  /** Whether the target is a Standard-mode service whose KServe takes canaries; probes once (dry run), then re-renders. */
  private standardTarget(existing: InferenceServiceObject | undefined): boolean {
    if (!existing || !summarizeInferenceService(existing).rawDeployment) return false;
    const key = `${existing.metadata.namespace ?? ''}/${existing.metadata.name}`;
    const known = this.standardCanary.get(key);
    if (known !== undefined) return known;
    this.standardCanary.set(key, false);
    void standardCanarySupported(this.ctx.kube, isvcPath(existing.metadata.namespace ?? '', existing.metadata.name)).then((ok) => {
      if (!ok) return;
      this.standardCanary.set(key, true);
      if (this.form.target === existing.metadata.name && this.form.namespace === existing.metadata.namespace && !this.form.canaryTrafficPercent) {
        this.form = { ...this.form, canaryTrafficPercent: '10' };
        this.host.post({ type: 'form', form: this.form });
      }
      this.preview();
    });
    return false;
  }

  /** The patch an update sends: a Standard-mode canary when one is asked and supported, else the predictor's update. */
  private updateBody(existing: InferenceServiceObject, spec: DeploySpec): Record<string, unknown> {
    return this.standardTarget(existing) && spec.canaryTrafficPercent !== undefined && spec.canaryTrafficPercent < 100 ? canaryUpdatePatch(existing, spec) : updatePatch(existing, spec);
  }

  private existingObject(): InferenceServiceObject | undefined {
    return this.form.target ? this.endpoints.find(this.form.target, this.form.namespace)?.object : undefined;
  }

  /** Checks the form, regenerates the YAML, and sends both. */
  private preview(): void {
    const spec = specFromForm(this.form, this.source?.link);
    const existing = this.existingObject();
    const updating = !!existing;
    const standard = this.standardTarget(existing);
    const raw = !!existing && summarizeInferenceService(existing).rawDeployment && !standard;
    const problems: FieldProblem[] = checkDeploySpec(spec, updating, raw).map((p) => ({ field: p.field as FieldProblem['field'], message: p.message, ...(p.suggestion ? { suggestion: p.suggestion } : {}) }));
    if (this.form.target && !existing) problems.push({ field: 'target', message: `${this.form.target} no longer exists in ${this.form.namespace}.` });
    let object: InferenceServiceObject;
    const changes: string[] = [];
    if (existing) {
      object = forDisplay(applyMergePatch(existing, this.updateBody(existing, spec)));
      const before = specOf(existing);
      const diff = (what: string, a: unknown, b: unknown) => {
        if (String(a ?? '') !== String(b ?? '')) changes.push(`${what}: ${a === undefined || a === '' ? '(none)' : String(a)} → ${b === undefined || b === '' ? '(none)' : String(b)}`);
      };
      diff('Storage URI', before.storageUri, spec.storageUri);
      diff('Model format', before.modelFormat, spec.modelFormat);
      diff('Runtime', before.runtime, spec.runtime);
      diff('CPU', before.cpu, spec.cpu);
      diff('Memory', before.memory, spec.memory);
      diff('GPUs', before.gpus ?? 0, spec.gpus ?? 0);
      diff('Min replicas', before.minReplicas, spec.minReplicas);
      diff('Max replicas', before.maxReplicas, spec.maxReplicas);
      const pct = spec.canaryTrafficPercent;
      changes.unshift(raw
        ? `RawDeployment mode: the new version replaces the running pods (a rolling update of Deployment ${spec.name}-predictor); no canary, no traffic split.`
        : standard && pct !== undefined && pct < 100 ? `Standard-mode canary (KServe 0.20): the new version runs in its own Deployment and gets ${pct}% of the traffic, the current predictor keeps ${100 - pct}%; Promote or Roll Back it in the Endpoints view.`
        : standard ? `Standard mode: the new version replaces the running pods (a rolling update of Deployment ${spec.name}-predictor); set a canary share to run it beside them.`
        : pct === undefined || pct >= 100 ? 'A new revision takes all the traffic once it is ready.' : `Canary: the new revision gets ${pct}% of the traffic, the current one keeps ${100 - pct}%.`);
    } else {
      object = buildInferenceService(spec);
    }
    const notes: string[] = [];
    const uri = checkStorageUri(spec.storageUri);
    if (uri.ok && uri.note) notes.push(uri.note);
    if (spec.gpus) notes.push(`Asks for ${spec.gpus} nvidia.com/gpu per replica: it schedules on a node with free GPUs.`);

    const fmt = formatInfo(spec.modelFormat);
    if (spec.runtime && fmt && !fmt.runtimes.includes(spec.runtime)) notes.push(`${spec.runtime} is not one of KServe's runtimes for ${spec.modelFormat} (${fmt.runtimes.join(', ')}).`);
    this.yaml = YAML.stringify(object, { lineWidth: 0 });
    this.host.post({ type: 'preview', mode: existing ? 'update' : 'create', yaml: this.yaml, problems, changes, notes, warnings: this.warnings(spec) });
  }

  /** Storage credentials the form cannot check: Deploy needs the user to acknowledge them. */
  private warnings(spec: DeploySpec): string[] {
    if (spec.serviceAccountName) return [];
    if (this.source?.storageKey) return [`The artifact names the storage secret ${this.source.storageKey}, and no service account is set: without one that carries those credentials the model server cannot download the model.`];
    if (spec.storageUri.startsWith('s3://')) return ['s3:// needs credentials, and no service account is set: set the one whose secret holds them, unless the cluster gives them by default.'];
    return [];
  }

  private async onMessage(m: FromDeploy): Promise<void> {
    switch (m.type) {
      case 'change': {
        const before = this.form;
        this.form = m.form;
        if (m.field === 'target' && m.form.target !== before.target) {
          const fresh = this.source ? serviceName(this.source.link.modelName, this.source.link.versionName) : m.form.name;
          this.form = m.form.target ? this.targetForm(m.form.target, m.form) : { ...m.form, canaryTrafficPercent: '', name: before.target ? fresh : m.form.name };
          this.host.post({ type: 'form', form: this.form });
        } else if (m.field === 'modelFormat' && (!formatInfo(m.form.modelFormat)?.runtimes.includes(m.form.runtime) || v2Only(before.modelFormat, before.protocolVersion))) {
          // The runtime and a v2 that only the old format needed (its runtimes speak nothing else) go with it.
          this.form = { ...this.form, ...(!formatInfo(m.form.modelFormat)?.runtimes.includes(m.form.runtime) ? { runtime: '' } : {}), ...(v2Only(before.modelFormat, before.protocolVersion) && formatInfo(m.form.modelFormat)?.protocol !== 'v2' ? { protocolVersion: '' as const } : {}) };
          this.host.post({ type: 'form', form: this.form });
        } else if (m.field === 'namespace') {
          this.init = this.initMessage();
        }
        this.problems([]);
        this.preview();
        this.saveRestore();
        return;
      }
      case 'validate':
        await this.apply(true);
        return;
      case 'deploy': {
        const open = this.warnings(specFromForm(this.form, this.source?.link)).filter((w) => !m.acknowledged.includes(w));
        if (open.length) {
          this.phase({ phase: 'failed', message: `Not deployed: acknowledge first: ${open[0]}` });
          return;
        }
        await this.apply(false);
        return;
      }
      case 'openYaml': {
        const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: this.yaml });
        await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
        return;
      }
      case 'after': {
        const ref = { name: (this.form.target || this.form.name).trim(), namespace: this.form.namespace.trim() };
        const command = { endpoints: 'kubeflow.endpoints.reveal', test: 'kubeflow.endpoints.testRequest', logs: 'kubeflow.endpoints.openLogs' }[m.action];
        await vscode.commands.executeCommand(command, ref);
        return;
      }
    }
  }

  private phase(m: Omit<Extract<ToDeploy, { type: 'phase' }>, 'type'>): void {
    this.lastPhase = { type: 'phase', ...m };
    this.host.post(this.lastPhase);
  }

  private problems(problems: FieldProblem[]): void {
    this.lastProblems = problems;
    this.host.post({ type: 'serverProblems', problems });
  }

  /** Dry run (always), then — unless `dryOnly` — the apply and the watch to Ready. */
  private async apply(dryOnly: boolean): Promise<void> {
    if (this.busy) return;
    const spec = specFromForm(this.form, this.source?.link);
    const existing = this.existingObject();
    if (checkDeploySpec(spec, !!existing, !!existing && summarizeInferenceService(existing).rawDeployment && !this.standardTarget(existing)).length) return;
    this.busy = true;
    try {
      this.phase({ phase: 'dry-run', message: 'Checking with the API server (dry run)…' });
      const kserve = await this.kserveServed();
      if (kserve !== true) {
        this.problems([{ message: kserve }]);
        this.phase({ phase: 'failed', message: 'Not deployed.' });
        return;
      }
      const collection = isvcPath(spec.namespace);
      const send = async (dryRun: boolean): Promise<InferenceServiceObject> => {
        const query: Record<string, string> = { fieldValidation: 'Strict', fieldManager: FIELD_MANAGER, ...(dryRun ? { dryRun: 'All' } : {}) };
        if (existing) return this.ctx.kube.request<InferenceServiceObject>('PATCH', isvcPath(spec.namespace, spec.name), { body: this.updateBody(existing, spec), query, contentType: 'application/merge-patch+json' });
        return this.ctx.kube.request<InferenceServiceObject>('POST', collection, { body: buildInferenceService(spec), query });
      };
      try {
        await send(true);
      } catch (err) {
        this.problems(this.serverProblems(err, spec));
        this.phase({ phase: 'failed', message: 'The API server refused it (dry run): nothing was changed.' });
        return;
      }
      this.problems([]);
      if (dryOnly) {
        this.phase({ phase: 'editing', message: '✓ The API server accepts it (dry run, nothing created).' });
        return;
      }
      this.phase({ phase: 'applying', message: existing ? `Updating ${spec.name}…` : `Creating ${spec.name}…` });
      let applied: InferenceServiceObject;
      try {
        applied = await send(false);
      } catch (err) {
        this.problems(this.serverProblems(err, spec));
        this.phase({ phase: 'failed', message: 'The API server refused it: nothing was changed.' });
        return;
      }
      this.ctx.log.info(`deploy: ${existing ? 'updated' : 'created'} InferenceService ${spec.namespace}/${spec.name} (${spec.storageUri})`);
      void this.source?.onApplied?.({ namespace: spec.namespace, name: spec.name, ...(spec.runtime ? { runtime: spec.runtime } : {}) });
      if (!existing) {
        // From now on the form updates this service (a second Deploy rolls a new revision onto it).
        this.form = { ...this.form, target: spec.name, canaryTrafficPercent: '' };
        this.host.post({ type: 'form', form: this.form });
        this.saveRestore();
      }
      this.followToReady(spec.namespace, spec.name, Number(applied.metadata.generation ?? 0));
    } finally {
      this.busy = false;
    }
  }

  /** true, or why InferenceServices cannot be created here. */
  private async kserveServed(): Promise<true | string> {
    try {
      const r = await this.ctx.kube.get<{ resources?: Array<{ name: string }> }>(`/apis/${ISVC_API_VERSION}`);
      if (r.resources?.some((x) => x.name === 'inferenceservices')) return true;
    } catch (err) {
      if (reasonOf(err) !== 'NotFound') return `Cannot ask the cluster whether KServe is installed: ${describe(err)}`;
    }
    return `KServe is not installed in this cluster: the API server serves no ${ISVC_API_VERSION} InferenceService. Install KServe, or pick the cluster context where it runs (Kubeflow: Select Cluster Context…).`;
  }

  private serverProblems(err: unknown, spec: DeploySpec): FieldProblem[] {
    const reason = reasonOf(err);
    if (reason === 'AlreadyExists') return [{ field: 'name', message: `An InferenceService named ${spec.name} already exists in ${spec.namespace}. Pick "Update ${spec.name}" under "Deploy as" to roll this version onto it, or another name.` }];
    if (reason === 'NotFound' && spec.namespace) return [{ field: 'namespace', message: `Namespace ${spec.namespace} does not exist (or the service was deleted meanwhile): ${describe(err)}` }];
    if (reason === 'Forbidden') return [{ message: `Kubernetes RBAC does not allow it: ${describe(err)}` }];
    const data = err instanceof ResponseError ? (err.data as P.ErrorData | undefined) : undefined;
    const problems = fieldProblems(data?.detail ?? describe(err), data?.causes as ApiCause[] | undefined);
    if (!problems.length) return [{ message: describe(err) }];
    return problems.map((p) => {
      const field = p.field ? formFieldOf(p.field) : undefined;
      return { ...(field ? { field: field as FieldProblem['field'] } : {}), message: p.field && !field ? `${p.field}: ${p.message}` : p.message };
    });
  }

  /** Watches the service until it is Ready at (at least) `generation`; the panel and a notification show progress. */
  private followToReady(namespace: string, name: string, generation: number): void {
    this.watch?.dispose();
    let settle: ((s: IsvcSummary | undefined) => void) | undefined;
    let report: ((m: string) => void) | undefined;
    let done = false;
    let last: InferenceServiceObject | undefined;
    const since = Date.now();
    const onItems = (items: InferenceServiceObject[]) => {
      const o = items.find((x) => x.metadata.name === name);
      if (!o) return;
      last = o;
      const s = summarizeInferenceService(o);
      const observed = Number((o.status as { observedGeneration?: number } | undefined)?.observedGeneration ?? 0);
      const current = observed >= generation;
      const conditions = s.conditions.map((c) => ({ type: c.type, status: c.status, ...(c.reason ? { reason: c.reason } : {}), ...(c.message ? { message: c.message } : {}) }));
      const traffic = describeTraffic(s.traffic);
      if (current && s.ready && s.phase === 'Ready') {
        this.phase({ phase: 'ready', message: `${name} is Ready.`, conditions, ...(s.url ? { url: s.url } : {}), ...(traffic ? { traffic } : {}) });
        if (!done) {
          done = true;
          settle?.(s);
        }
        return;
      }
      if (current && s.phase === 'Failed') {
        this.phase({ phase: 'failed', message: `${name} failed: ${s.reasons[0] ?? 'no reason given'}`, conditions });
        if (!done) {
          done = true;
          settle?.(s);
        }
        return;
      }
      const silent = controllerSilence(o, since);
      if (silent) {
        this.phase({ phase: 'waiting', message: silent, conditions });
        report?.(silent);
        return;
      }
      const waiting = s.reasons[0] ?? s.conditions.filter((c) => c.status !== 'True').map((c) => c.type).join(', ') ?? '';
      const msg = `Waiting for ${name} to be Ready${waiting ? `: ${waiting}` : '…'}`;
      this.phase({ phase: 'waiting', message: msg, conditions });
      report?.(waiting || 'waiting for KServe');
    };
    this.phase({ phase: 'waiting', message: `Waiting for ${name} to be Ready…` });
    const watch = this.ctx.kube.watch<InferenceServiceObject>(isvcPath(namespace), onItems, (message) => this.phase({ phase: 'waiting', message: `Watching ${name}: ${message}` }), { fieldSelector: `metadata.name=${name}` });
    // A controller that is not running writes nothing, so no watch event comes: look again now and then.
    const silence = setInterval(() => !done && last && onItems([last]), 5_000);
    this.watch = { dispose: () => { clearInterval(silence); watch.dispose(); } };
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Deploying ${name}`, cancellable: true }, (progress, token) => new Promise<IsvcSummary | undefined>((resolve) => {
      settle = resolve;
      report = (m) => progress.report({ message: m });
      token.onCancellationRequested(() => resolve(undefined));
    })).then(async (s) => {
      if (!s) return;
      if (s.phase === 'Failed') {
        void showErrorMessage(`InferenceService ${name} failed: ${s.reasons.join('; ') || 'no reason given'}`, 'Open Logs').then((a) => a && vscode.commands.executeCommand('kubeflow.endpoints.openLogs', { name, namespace }));
        return;
      }
      const a = await showInformationMessage(`InferenceService ${name} is Ready${s.url ? ` at ${s.url}` : ''}.`, 'Send Test Request', 'Show in Endpoints');
      if (a === 'Send Test Request') await vscode.commands.executeCommand('kubeflow.endpoints.testRequest', { name, namespace });
      if (a === 'Show in Endpoints') await vscode.commands.executeCommand('kubeflow.endpoints.reveal', { name, namespace });
    });
  }

  dispose(): void {
    DeployPanel.open.delete(this.key);
    this.watch?.dispose();
    this.subs.forEach((s) => s.dispose());
  }
}
