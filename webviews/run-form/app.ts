// The "Submit Pipeline Run" form: run name, experiment (pick or create), where the pipeline goes (a new version of
// the pipeline of that name, or a new pipeline), and one typed input per pipeline parameter with its default,
// description and the values the pipeline branches on. Checks as the user types; Submit stays off while a value
// is wrong. Presets and "last run's values" fill the fields.
import { buildParameters, checkField, initialValues, placeholder, TYPE_LABELS, valueToText, type FormSpec, type FormValues, type ParamField } from '../../core/kfp/params';
import type { Channel } from '../shared/ipc';
import { button, clear, h } from '../shared/dom';
import type { ExperimentChoice, FromForm, PipelineMatch, SubmitRequest, ToForm } from './protocol';

interface ValueElement extends HTMLElement {
  value: string;
}

interface CheckElement extends HTMLElement {
  checked: boolean;
}

type Init = Extract<ToForm, { type: 'init' }>;
type Ready = Extract<ToForm, { type: 'connection'; state: 'ready' }>;

const NEW_EXPERIMENT = '__new__';

/** What the page keeps of what the user typed (back after the page or the window reloads). */
export interface FormState {
  values?: FormValues;
  runName?: string;
  description?: string;
  serviceAccount?: string;
}

export class FormApp {
  private channel!: Channel<FromForm, FormState>;
  private init: Init | undefined;
  private conn: Ready | undefined;
  private values: FormValues = {};
  private readonly inputs = new Map<string, ValueElement>();
  private readonly errors = new Map<string, HTMLElement>();
  private busy = false;

  private readonly header = h('header', { class: 'head' });
  private readonly connection = h('div', { class: 'banner', role: 'status', hidden: true });
  private readonly runSection = h('section', { class: 'card', 'aria-label': 'Run' });
  private readonly paramSection = h('section', { class: 'card', 'aria-label': 'Parameters' });
  private readonly footer = h('footer', { class: 'foot' });
  private readonly status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  private readonly runName = h('vscode-text-field', { id: 'run-name', size: 60 }, 'Run name') as ValueElement;
  private readonly description = h('vscode-text-field', { id: 'run-description', size: 60, placeholder: 'optional' }, 'Description') as ValueElement;
  private readonly serviceAccount = h('vscode-text-field', { id: 'service-account', size: 30, placeholder: 'the server default' }, 'Service account') as ValueElement;
  private readonly experimentBox = h('div', { class: 'field' });
  private readonly newExperiment = h('vscode-text-field', { id: 'new-experiment', size: 40, placeholder: 'name of the new experiment', hidden: true }) as ValueElement;
  private readonly targetBox = h('div', { class: 'field' });
  private experiment: ValueElement | undefined;
  private targetVersion: CheckElement | undefined;
  private readonly newPipelineName = h('vscode-text-field', { id: 'new-pipeline-name', size: 40 }) as ValueElement;
  private readonly submitButton = button('Submit Run', () => this.submit(), { appearance: 'primary', id: 'submit' });
  private readonly formError = h('div', { class: 'form-error', role: 'alert', hidden: true });

  constructor(root: HTMLElement) {
    root.append(this.header, this.connection, this.runSection, this.paramSection, this.formError, this.footer);
    this.footer.append(this.submitButton, button('Cancel', () => this.channel.post({ type: this.busy ? 'cancelSubmit' : 'cancel' }), { id: 'cancel', title: 'Close the form; while a submit runs, stop it' }), this.status);
    for (const f of [this.runName, this.description, this.serviceAccount, this.newExperiment, this.newPipelineName]) f.addEventListener('input', () => this.validate());
    for (const f of [this.runName, this.description, this.serviceAccount]) f.addEventListener('input', () => this.save());
    document.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
        e.preventDefault();
        this.submit();
      }
    });
  }

  attach(channel: Channel<FromForm, FormState>): void {
    this.channel = channel;
  }

  receive(msg: ToForm): void {
    switch (msg.type) {
      case 'init':
        this.onInit(msg);
        break;
      case 'connection':
        if (msg.state === 'ready') this.onReady(msg);
        else if (msg.state === 'loading') this.banner('loading', 'Connecting to Kubeflow Pipelines…');
        else this.banner('error', msg.message, () => this.channel.post({ type: 'retryConnection' }));
        this.validate();
        break;
      case 'values':
        this.setValues({ ...this.values, ...msg.values });
        this.setStatus(`Values from ${msg.from}.`);
        break;
      case 'presets':
        if (this.init) this.init.presets = msg.presets;
        this.renderPresets();
        break;
      case 'submitting':
        this.busy = true;
        this.setStatus(msg.step, true);
        this.validate();
        break;
      case 'failed':
        this.busy = false;
        this.setStatus('');
        this.formError.textContent = msg.message;
        this.formError.hidden = false;
        for (const [name, err] of Object.entries(msg.errors ?? {})) this.showError(name, err);
        this.validate();
        break;
      case 'done':
        this.busy = false;
        this.setStatus(`Run "${msg.runName}" submitted.`);
        this.validate();
        break;
    }
  }

  private onInit(msg: Init): void {
    this.init = msg;
    const saved = this.channel.state();
    clear(this.header);
    this.header.append(h('h1', {}, `Run ${msg.form.displayName || msg.pipeline}`), h('p', { class: 'muted' }, `${msg.file} · ${msg.where}`));
    if (msg.form.description) this.header.appendChild(h('p', { class: 'description' }, msg.form.description));
    this.runName.value = saved?.runName ?? msg.runName;
    this.description.value = saved?.description ?? this.description.value;
    this.serviceAccount.value = saved?.serviceAccount ?? msg.serviceAccount;
    if (msg.local) this.renderLocal();
    else this.renderRun();
    this.renderParams(msg.form);
    this.setValues(saved?.values ?? msg.values);
  }

  private onReady(msg: Ready): void {
    this.conn = msg;
    this.connection.hidden = true;
    this.renderExperiments(msg.experiments, msg.experiment);
    if (msg.pipeline?.fixed || msg.inline) this.renderFixed(msg.pipeline, msg.inline === true);
    else this.renderTarget(msg.pipelineName, msg.pipeline);
  }

  private banner(kind: 'loading' | 'error', text: string, retry?: () => void): void {
    clear(this.connection);
    this.connection.className = `banner ${kind}`;
    if (kind === 'loading') this.connection.appendChild(h('vscode-progress-ring', { class: 'ring' }));
    this.connection.appendChild(h('span', { class: 'grow' }, text));
    if (retry) this.connection.appendChild(button('Retry', retry));
    this.connection.hidden = false;
  }

  private renderRun(): void {
    clear(this.runSection);
    this.runSection.append(
      h('h2', {}, 'Run'),
      h('div', { class: 'row' }, this.runName),
      h('div', { class: 'row' }, this.description),
      h('div', { class: 'row two' }, this.experimentBox, this.targetBox),
      h('div', { class: 'row' }, this.serviceAccount),
    );
    this.experimentBox.append(h('label', { class: 'label' }, 'Experiment'), h('span', { class: 'muted' }, 'loading…'));
    this.targetBox.append(h('label', { class: 'label' }, 'Upload as'), h('span', { class: 'muted' }, 'loading…'));
  }

  /** A local run: its name only; no experiment, upload or service account. */
  private renderLocal(): void {
    clear(this.runSection);
    this.runSection.append(h('h2', {}, 'Local run'), h('div', { class: 'row' }, this.runName), h('p', { class: 'muted' }, 'Runs on this machine with kfp.local (no cluster); kept under the workspace with its logs and outputs.'));
    this.submitButton.textContent = 'Run Locally';
  }

  private renderExperiments(list: ExperimentChoice[], chosen: string | undefined): void {
    clear(this.experimentBox);
    const dd = h('vscode-dropdown', { id: 'experiment', position: 'below' }) as ValueElement;
    for (const e of list) dd.appendChild(h('vscode-option', { value: e.id, title: e.description ?? '' }, e.name));
    dd.appendChild(h('vscode-option', { value: NEW_EXPERIMENT }, '＋ New experiment…'));
    this.experiment = dd;
    this.experimentBox.append(h('label', { class: 'label', for: 'experiment' }, 'Experiment'), dd, this.newExperiment);
    const pick = chosen && list.some((e) => e.id === chosen) ? chosen : (list[0]?.id ?? NEW_EXPERIMENT);
    // Options upgrade asynchronously: set the value once they are connected.
    requestAnimationFrame(() => {
      dd.value = pick;
      this.newExperiment.hidden = pick !== NEW_EXPERIMENT;
      if (pick === NEW_EXPERIMENT && !this.newExperiment.value) this.newExperiment.value = 'Default';
      this.validate();
    });
    dd.addEventListener('change', () => {
      this.newExperiment.hidden = dd.value !== NEW_EXPERIMENT;
      if (!this.newExperiment.hidden) this.newExperiment.focus();
      this.validate();
    });
  }

  private renderTarget(name: string, match: PipelineMatch | undefined): void {
    clear(this.targetBox);
    this.targetBox.appendChild(h('label', { class: 'label' }, 'Upload as'));
    this.newPipelineName.value = match ? `${name}-2` : name;
    if (!match) {
      this.targetVersion = undefined;
      this.targetBox.append(h('div', { class: 'muted small' }, 'A new pipeline named'), this.newPipelineName);
      this.validate();
      return;
    }
    const group = h('vscode-radio-group', { orientation: 'vertical', id: 'target' });
    const version = h('vscode-radio', { value: 'version', checked: true, id: 'target-version' }, `New version of "${match.name}" (${match.versions} version${match.versions === 1 ? '' : 's'})`) as CheckElement;
    const fresh = h('vscode-radio', { value: 'pipeline', id: 'target-pipeline' }, 'A new pipeline named') as CheckElement;
    group.append(version, fresh);
    this.targetVersion = version;
    this.targetBox.append(group, this.newPipelineName);
    if (match.unchanged) this.targetBox.appendChild(h('div', { class: 'muted small', id: 'unchanged' }, `Its latest version (${match.latestVersion ?? ''}) is this very pipeline: it will be reused, nothing is uploaded.`));
    const sync = () => {
      this.newPipelineName.toggleAttribute('disabled', version.checked);
      this.validate();
    };
    group.addEventListener('change', sync);
    version.addEventListener('click', () => setTimeout(sync));
    fresh.addEventListener('click', () => setTimeout(sync));
    sync();
  }

  /** Clone / run of a stored version: nothing to choose. */
  private renderFixed(match: PipelineMatch | undefined, inline: boolean): void {
    clear(this.targetBox);
    this.targetVersion = undefined;
    this.targetBox.append(
      h('label', { class: 'label' }, 'Pipeline'),
      h('div', { id: 'fixed-target' }, inline ? 'The run\'s own pipeline spec (sent with the run)' : `${match?.name ?? ''} · version ${match?.fixed?.versionName ?? ''}`),
      h('div', { class: 'muted small' }, 'Nothing is uploaded.'),
    );
    this.validate();
  }

  private renderParams(form: FormSpec): void {
    clear(this.paramSection);
    this.inputs.clear();
    this.errors.clear();
    const required = form.fields.filter((f) => !f.optional).length;
    const title = h('div', { class: 'section-title' }, h('h2', {}, `Parameters (${form.fields.length})`), h('span', { class: 'muted' }, `${required ? `${required} required` : 'all have defaults'} · an emptied field takes the pipeline's default`));
    const tools = h('div', { class: 'tools' });
    this.paramSection.append(title, tools);
    this.renderPresets(tools);
    if (form.fields.length === 0) this.paramSection.appendChild(h('p', { class: 'muted' }, 'This pipeline takes no parameters.'));
    for (const f of form.fields) this.paramSection.appendChild(this.fieldRow(f));
    for (const s of form.skipped) this.paramSection.appendChild(h('p', { class: 'muted small' }, `${s.name}: not set here — ${s.reason}.`));
  }

  private renderPresets(into?: HTMLElement): void {
    const tools = into ?? (this.paramSection.querySelector('.tools') as HTMLElement | null);
    if (!tools || !this.init) return;
    clear(tools);
    const presets = this.init.presets;
    if (presets.length) {
      const dd = h('vscode-dropdown', { id: 'preset', title: 'Fill the fields from a saved preset' }) as ValueElement;
      dd.appendChild(h('vscode-option', { value: '' }, 'Presets…'));
      for (const p of presets) dd.appendChild(h('vscode-option', { value: p }, p));
      dd.addEventListener('change', () => {
        if (dd.value) this.channel.post({ type: 'loadPreset', name: dd.value });
      });
      tools.append(dd, button('Delete Preset', () => dd.value && this.channel.post({ type: 'deletePreset', name: dd.value }), { title: 'Delete the preset chosen on the left' }));
    }
    const name = h('vscode-text-field', { id: 'preset-name', placeholder: 'preset name', size: 16 }) as ValueElement;
    tools.append(name, button('Save as Preset', () => {
      const n = name.value.trim();
      if (!n) {
        name.focus();
        this.setStatus('Name the preset first.');
        return;
      }
      this.channel.post({ type: 'savePreset', name: n, values: this.values });
      name.value = '';
    }, { id: 'save-preset' }));
    if (this.init.last) tools.appendChild(button('Use Last Run\'s Values', () => this.channel.post({ type: 'useLast' }), { id: 'use-last', title: this.init.last.runName ? `From ${this.init.last.runName}` : undefined }));
    tools.appendChild(button('Reset to Defaults', () => this.init && this.setValues(initialValues(this.init.form.fields)), { id: 'reset' }));
  }

  private fieldRow(f: ParamField): HTMLElement {
    const id = `p-${f.name}`;
    const meta = [TYPE_LABELS[f.type], f.optional ? (f.hasDefault ? `default ${short(valueToText(f.type, f.default))}` : 'optional') : 'required'];
    const label = h('label', { class: 'label', for: id }, h('span', { class: 'name' }, f.name), h('span', { class: `tag ${f.optional ? '' : 'required'}` }, meta.join(' · ')));
    let input: ValueElement;
    if (f.type === 'BOOLEAN') {
      input = h('vscode-dropdown', { id, 'data-param': f.name }) as ValueElement;
      if (f.optional && !f.hasDefault) input.appendChild(h('vscode-option', { value: '' }, '(not set)'));
      input.append(h('vscode-option', { value: 'true' }, 'true'), h('vscode-option', { value: 'false' }, 'false'));
      input.addEventListener('change', () => this.onInput(f, input.value));
    } else if (f.type === 'LIST' || f.type === 'STRUCT') {
      input = h('vscode-text-area', { id, 'data-param': f.name, rows: 4, resize: 'vertical', class: 'json', placeholder: placeholder(f) }) as ValueElement;
      input.addEventListener('input', () => this.onInput(f, input.value));
    } else {
      input = h('vscode-text-field', { id, 'data-param': f.name, placeholder: placeholder(f), class: f.type === 'STRING' ? 'wide' : 'narrow' }) as ValueElement;
      if (f.type !== 'STRING') input.setAttribute('inputmode', f.type === 'NUMBER_INTEGER' ? 'numeric' : 'decimal');
      input.addEventListener('input', () => this.onInput(f, input.value));
    }
    this.inputs.set(f.name, input);
    const error = h('div', { class: 'error', id: `${id}-error`, role: 'alert' });
    this.errors.set(f.name, error);
    input.setAttribute('aria-describedby', `${id}-error`);
    const extras = h('div', { class: 'extras' });
    if (f.type === 'LIST' || f.type === 'STRUCT') {
      extras.appendChild(button('Format JSON', () => {
        const r = checkField(f, input.value);
        if (r.ok && r.value !== undefined) this.setField(f, JSON.stringify(r.value, null, 2));
      }, { title: 'Indent the JSON' }));
    }
    if (f.suggestions?.length) {
      extras.appendChild(h('span', { class: 'muted small' }, 'The pipeline branches on:'));
      for (const v of f.suggestions) extras.appendChild(button(v, () => this.setField(f, v), { title: `Set ${f.name} to ${v}` }));
    }
    return h('div', { class: 'param', 'data-type': f.type }, label, f.description ? h('div', { class: 'muted small' }, f.description) : undefined, input, extras.childNodes.length ? extras : undefined, error);
  }

  private setField(f: ParamField, text: string): void {
    const input = this.inputs.get(f.name);
    if (input) input.value = text;
    this.onInput(f, text);
  }

  private onInput(f: ParamField, text: string): void {
    this.values[f.name] = text;
    const r = checkField(f, text);
    this.showError(f.name, r.ok ? '' : r.error);
    this.formError.hidden = true;
    this.save();
    this.validate();
  }

  private setValues(values: FormValues): void {
    if (!this.init) return;
    this.values = { ...values };
    for (const f of this.init.form.fields) {
      const input = this.inputs.get(f.name);
      const text = values[f.name] ?? '';
      if (input) {
        if (f.type === 'BOOLEAN') requestAnimationFrame(() => (input.value = text));
        else input.value = text;
      }
      // Empty required fields are not shouted at before the user touches them or submits.
      const r = checkField(f, text);
      this.showError(f.name, r.ok || text === '' ? '' : r.error);
    }
    this.save();
    this.validate();
  }

  private showError(name: string, message: string): void {
    const el = this.errors.get(name);
    if (!el) return;
    el.textContent = message;
    this.inputs.get(name)?.classList.toggle('invalid', Boolean(message));
  }

  private save(): void {
    this.channel.setState({ values: this.values, runName: this.runName.value, description: this.description.value, serviceAccount: this.serviceAccount.value });
  }

  private setStatus(text: string, spinning = false): void {
    clear(this.status);
    if (spinning) this.status.appendChild(h('vscode-progress-ring', { class: 'ring' }));
    if (text) this.status.appendChild(h('span', {}, text));
  }

  /** Builds the request, or says what is missing. */
  private request(showAll: boolean): { request?: SubmitRequest; local?: { values: FormValues; runName: string }; problem?: string } {
    if (!this.init) return { problem: 'Loading…' };
    if (!this.conn && !this.init.local) return { problem: 'Not connected to Kubeflow Pipelines yet.' };
    const built = buildParameters(this.init.form.fields, this.values);
    if (!built.ok) {
      if (showAll) for (const [n, e] of Object.entries(built.errors)) this.showError(n, e);
      const names = Object.keys(built.errors);
      return { problem: `Check ${names.length === 1 ? 'parameter' : 'parameters'} ${names.join(', ')}.` };
    }
    const runName = this.runName.value.trim();
    if (!runName) return { problem: 'Name the run.' };
    if (this.init.local || !this.conn) return { local: { values: { ...this.values }, runName } };
    const exp = this.experiment?.value ?? NEW_EXPERIMENT;
    const newName = this.newExperiment.value.trim();
    if (exp === NEW_EXPERIMENT && !newName) return { problem: 'Name the new experiment.' };
    if (exp === NEW_EXPERIMENT && this.conn.experiments.some((e) => e.name === newName)) return { problem: `An experiment named "${newName}" exists: pick it from the list.` };
    const fixed = this.conn.pipeline?.fixed;
    const toVersion = Boolean(this.targetVersion?.checked && this.conn.pipeline);
    const pipelineName = this.newPipelineName.value.trim();
    const target: SubmitRequest['target'] | undefined = this.conn.inline
      ? { kind: 'inline' }
      : fixed && this.conn.pipeline
        ? { kind: 'existing', pipelineId: this.conn.pipeline.id, versionId: fixed.versionId }
        : undefined;
    if (!target && !toVersion && !pipelineName) return { problem: 'Name the new pipeline.' };
    if (!target && !toVersion && this.conn.pipeline && pipelineName === this.conn.pipeline.name) return { problem: `A pipeline named "${pipelineName}" exists: upload a new version of it, or choose another name.` };
    return {
      request: {
        values: { ...this.values },
        runName,
        description: this.description.value.trim(),
        experiment: exp === NEW_EXPERIMENT ? { create: newName } : { id: exp },
        target: target ?? (toVersion ? { kind: 'version', pipelineId: this.conn.pipeline!.id } : { kind: 'pipeline', name: pipelineName }),
        serviceAccount: this.serviceAccount.value.trim(),
      },
    };
  }

  private validate(): void {
    const { problem } = this.request(false);
    this.submitButton.toggleAttribute('disabled', this.busy || Boolean(problem));
    this.submitButton.title = problem ?? (this.init?.local ? 'Run on this machine (Ctrl+Enter)' : 'Submit the run (Ctrl+Enter)');
    if (!this.busy) this.setStatus(problem ?? '');
  }

  private submit(): void {
    if (this.busy) return;
    const { request, local, problem } = this.request(true);
    if (local) {
      this.formError.hidden = true;
      this.busy = true;
      this.validate();
      this.channel.post({ type: 'runLocally', ...local });
      return;
    }
    if (!request) {
      this.formError.textContent = problem ?? 'The form is not complete.';
      this.formError.hidden = false;
      return;
    }
    this.formError.hidden = true;
    this.busy = true;
    this.validate();
    this.channel.post({ type: 'submit', request });
  }
}

function short(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > 40 ? `${one.slice(0, 39)}…` : one === '' ? '""' : one;
}
