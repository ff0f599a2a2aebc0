// Entry of the "Deploy to KServe" panel (bundled to dist/webviews/deploy-model.js): a form for the InferenceService
// (new, or a new revision of an existing one with a canary share), the YAML it generates, the problems the extension
// and the API server's dry run find (at their field, with a fix when there is one), then the service's conditions
// until it is Ready. Every value from the extension is set as text.
import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeLink,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';
import { button, clear, h } from '../shared/dom';
import { addStyles, connect, type Channel } from '../shared/ipc';
import type { DeployForm, DeployInit, DeployPhase, FieldProblem, FormField, FromDeploy, ToDeploy } from './protocol';
import baseCss from '../shared/base.css';
import css from './styles.css';

// Dropdowns render empty unless their options are registered too.
provideVSCodeDesignSystem().register(
  vsCodeBadge(),
  vsCodeButton(),
  vsCodeCheckbox(),
  vsCodeDivider(),
  vsCodeDropdown(),
  vsCodeOption(),
  vsCodeLink(),
  vsCodeProgressRing(),
  vsCodeTextField(),
);
addStyles(baseCss);
addStyles(css);

type InputEl = HTMLElement & { value: string };

const root = document.getElementById('app') ?? document.body;
root.classList.add('deploy-app');
let init: DeployInit | undefined;
let form: DeployForm | undefined;
let mode: 'create' | 'update' = 'create';
let clientProblems: FieldProblem[] = [];
let serverProblems: FieldProblem[] = [];
let phase: DeployPhase = 'editing';
/** Warnings of the preview (storage credentials) and whether the user acknowledged them. */
let warnings: string[] = [];
let acknowledged = false;
/** The form as it was deployed: Deploy stays disabled while it is rolling out or Ready and nothing changed. */
let deployed: string | undefined;
const inputs = new Map<FormField, InputEl>();
const problemSlots = new Map<FormField, HTMLElement>();
let timer: number | undefined;

function post(m: FromDeploy): void {
  channel.post(m);
}

function changed(field: FormField, value: string, now = false): void {
  if (!form) return;
  form = { ...form, [field]: value };
  serverProblems = serverProblems.filter((p) => p.field !== field);
  window.clearTimeout(timer);
  const send = () => post({ type: 'change', form: form!, field });
  if (now) send();
  else timer = window.setTimeout(send, 150);
}

function field(name: FormField, label: string, o: { placeholder?: string; hint?: string; size?: 'wide' | 'narrow' } = {}): HTMLElement {
  const input = h('vscode-text-field', { id: `f-${name}`, placeholder: o.placeholder, ...(o.size === 'wide' ? { class: 'wide' } : {}) }, label) as unknown as InputEl;
  input.addEventListener('input', () => changed(name, input.value));
  inputs.set(name, input);
  const slot = h('div', { class: 'problem', id: `p-${name}` });
  problemSlots.set(name, slot);
  return h('div', { class: `field ${o.size ?? ''}` }, input, o.hint ? h('div', { class: 'hint' }, o.hint) : false, slot);
}

function dropdown(name: FormField, label: string, options: Array<[string, string]>): HTMLElement {
  const dd = h('vscode-dropdown', { id: `f-${name}`, position: 'below' }) as unknown as InputEl;
  fillOptions(dd, options, form?.[name] ?? '');
  dd.addEventListener('change', () => changed(name, dd.value, true));
  inputs.set(name, dd);
  const slot = h('div', { class: 'problem', id: `p-${name}` });
  problemSlots.set(name, slot);
  return h('div', { class: 'field' }, h('label', { for: `f-${name}` }, label), dd, slot);
}

function fillOptions(dd: InputEl, options: Array<[string, string]>, value: string): void {
  const same = (list: Array<[string, string]>) => {
    const opts = [...dd.querySelectorAll('vscode-option')];
    return opts.length === list.length && opts.every((o, i) => o.getAttribute('value') === list[i]![0] && o.textContent === list[i]![1]);
  };
  const wanted = options.some(([v]) => v === value) ? options : [...options, [value, value] as [string, string]];
  // Rebuilding the options of a dropdown re-renders it: only when they changed, and never under the user's focus.
  if (same(wanted)) {
    if (dd.value !== value) dd.value = value;
    return;
  }
  if (document.activeElement === dd) return;
  clear(dd);
  for (const [v, text] of wanted) dd.appendChild(h('vscode-option', { value: v, ...(v === value ? { selected: true } : {}) }, text));
  dd.value = value;
}

function runtimeOptions(format: string): Array<[string, string]> {
  const f = init?.formats.find((x) => x.name === format);
  return [['', 'Let KServe choose'], ...(f?.runtimes ?? []).map((r) => [r, r] as [string, string])];
}

function setValues(f: DeployForm): void {
  for (const [name, el] of inputs) {
    if (name === 'runtime') fillOptions(el, runtimeOptions(f.modelFormat), f.runtime);
    else if (name === 'target') fillOptions(el, targetOptions(), f.target);
    else if (el.value !== f[name]) el.value = f[name];
  }
  // Updating: the name is the target's; the canary share applies.
  const toggle = (name: FormField, enabled: boolean) => {
    const el = inputs.get(name);
    if (el && enabled) el.removeAttribute('disabled');
    else if (el) el.setAttribute('disabled', '');
  };
  toggle('canaryTrafficPercent', !!f.target);
  toggle('name', !f.target);
}

function targetOptions(): Array<[string, string]> {
  return [['', 'A new InferenceService'], ...(init?.existing ?? []).map((e) => [e.name, `Update ${e.name} (${e.phase}) — ${e.raw ? 'rolling update' : 'new revision'}`] as [string, string])];
}

function renderForm(i: DeployInit): void {
  init = i;
  form = i.form;
  inputs.clear();
  problemSlots.clear();
  clear(root);
  const heading = i.source ? `Deploy ${i.source.model} ${i.source.version}` : 'Deploy a model to KServe';
  const sub = i.source ? `From the Model Registry ${i.source.registry}${i.source.artifactUri ? ` · ${i.source.artifactUri}` : ''}` : 'A KServe InferenceService (serving.kserve.io/v1beta1)';
  const formEl = h('div', { class: 'form' },
    h('h2', {}, 'Service'),
    h('div', { class: 'row' }, dropdown('target', 'Deploy as', targetOptions())),
    h('div', { class: 'row' }, field('name', 'Name', { hint: 'Lower-case letters, digits and "-"' }), field('namespace', 'Namespace')),
    h('h2', {}, 'Model'),
    h('div', { class: 'row' },
      dropdown('modelFormat', 'Model format', [...i.formats.map((f) => [f.name, `${f.label} (${f.name})`] as [string, string])]),
      dropdown('runtime', 'Serving runtime', runtimeOptions(i.form.modelFormat)),
      dropdown('protocolVersion', 'Protocol', [['', 'Runtime default'], ['v1', 'v1 (:predict)'], ['v2', 'v2 Open Inference Protocol']])),
    h('div', { class: 'row' }, field('storageUri', 'Storage URI', { size: 'wide', placeholder: 's3://bucket/path, gs://, pvc://claim/path, oci://, hf://org/model, https://' })),
    h('h2', {}, 'Resources'),
    h('div', { class: 'row' }, field('cpu', 'CPU', { placeholder: '1', size: 'narrow' }), field('memory', 'Memory', { placeholder: '2Gi', size: 'narrow' }), field('gpus', 'GPUs (nvidia.com/gpu)', { placeholder: '0', size: 'narrow' })),
    h('h2', {}, 'Scaling and rollout'),
    h('div', { class: 'row' },
      field('minReplicas', 'Min replicas', { placeholder: '1', size: 'narrow', hint: '0 scales to zero' }),
      field('maxReplicas', 'Max replicas', { placeholder: 'KServe default', size: 'narrow' }),
      field('canaryTrafficPercent', 'Canary traffic %', { placeholder: '100', size: 'narrow', hint: 'Updates only: the new revision\'s share' })),
    h('div', { class: 'row' },
      dropdown('deploymentMode', 'Deployment mode', [['', 'Cluster default'], ['Serverless', 'Serverless (Knative)'], ['RawDeployment', 'Raw Deployment']]),
      field('serviceAccountName', 'Service account', { placeholder: 'with the storage credentials' }),
      field('modelFormatVersion', 'Format version', { size: 'narrow' })),
  );
  const ack = h('vscode-checkbox', { id: 'ack-warnings' }, 'I have checked this: deploy anyway') as unknown as HTMLElement & { checked: boolean };
  ack.addEventListener('change', () => {
    acknowledged = ack.checked;
    updateButtons();
  });
  const warningBox = h('div', { id: 'warnings', class: 'warnings', role: 'alert', hidden: true }, h('ul', { id: 'warning-list' }), ack);
  const actions = h('div', { class: 'actions' },
    button('Deploy', () => {
      deployed = JSON.stringify(form);
      post({ type: 'deploy', acknowledged: acknowledged ? warnings : [] });
    }, { appearance: 'primary', id: 'deploy' }),
    button('Validate (Dry Run)', () => post({ type: 'validate' }), { id: 'validate' }),
    h('div', { id: 'phase', class: 'phase' }),
  );
  const preview = h('div', { class: 'preview' },
    h('div', { class: 'preview-head' }, h('h2', {}, 'InferenceService YAML'), h('span', { id: 'mode', class: 'mode' }), h('vscode-link', { id: 'open-yaml', href: '#' }, 'Open in Editor')),
    h('ul', { id: 'changes', class: 'changes' }),
    h('pre', { id: 'yaml', class: 'yaml', tabindex: 0 }),
  );
  preview.querySelector('#open-yaml')!.addEventListener('click', (e) => {
    e.preventDefault();
    post({ type: 'openYaml' });
  });
  root.append(
    h('header', {}, h('h1', {}, heading), h('div', { class: 'subtitle' }, sub)),
    h('div', { id: 'general', class: 'general' }),
    h('div', { class: 'columns' }, h('div', { class: 'left' }, formEl, warningBox, actions, h('div', { id: 'progress' })), preview),
  );
  setValues(i.form);
}

function showProblems(): void {
  for (const slot of problemSlots.values()) clear(slot);
  const general = document.getElementById('general');
  if (general) clear(general);
  const all = [...clientProblems.map((p) => ({ ...p, server: false })), ...serverProblems.map((p) => ({ ...p, server: true }))];
  for (const p of all) {
    const slot = p.field ? problemSlots.get(p.field) : undefined;
    const target = slot ?? general;
    if (!target) continue;
    const line = h('div', { class: `problem-line ${p.server ? 'server' : ''}` }, h('span', {}, p.server ? `API server: ${p.message}` : p.message));
    if (p.suggestion && p.field) {
      const fix = h('vscode-link', { href: '#', class: 'fix' }, `Use ${p.suggestion}`);
      fix.addEventListener('click', (e) => {
        e.preventDefault();
        const el = inputs.get(p.field!);
        if (el) el.value = p.suggestion!;
        changed(p.field!, p.suggestion!, true);
      });
      line.append(fix);
    }
    target.append(line);
  }
  for (const [f, el] of inputs) {
    if (all.some((p) => p.field === f)) el.classList.add('invalid');
    else el.classList.remove('invalid');
  }
  updateButtons();
}

function updateButtons(): void {
  const busy = phase === 'dry-run' || phase === 'applying';
  const done = (phase === 'waiting' || phase === 'ready') && deployed === JSON.stringify(form);
  const blocked = { deploy: busy || done || clientProblems.length > 0 || (warnings.length > 0 && !acknowledged), validate: busy || clientProblems.length > 0 };
  for (const id of ['deploy', 'validate'] as const) {
    const b = document.getElementById(id);
    if (!b) continue;
    if (blocked[id]) b.setAttribute('disabled', '');
    else b.removeAttribute('disabled');
  }
  const d = document.getElementById('deploy');
  if (d) {
    d.textContent = mode === 'update' ? `Update ${form?.target ?? ''}` : 'Deploy';
    d.title = done ? 'Deployed: change a field to deploy again' : warnings.length && !acknowledged ? 'Acknowledge the warning above first' : '';
  }
}

function renderWarnings(next: string[]): void {
  if (JSON.stringify(next) !== JSON.stringify(warnings)) {
    acknowledged = false;
    const ack = document.getElementById('ack-warnings') as (HTMLElement & { checked: boolean }) | null;
    if (ack) ack.checked = false;
  }
  warnings = next;
  const box = document.getElementById('warnings');
  const list = document.getElementById('warning-list');
  if (!box || !list) return;
  clear(list);
  for (const w of warnings) list.append(h('li', {}, w));
  box.hidden = warnings.length === 0;
}

function renderPhase(m: Extract<ToDeploy, { type: 'phase' }>): void {
  phase = m.phase;
  updateButtons();
  const line = document.getElementById('phase');
  const progress = document.getElementById('progress');
  if (!line || !progress) return;
  clear(line);
  const working = m.phase === 'dry-run' || m.phase === 'applying' || m.phase === 'waiting';
  if (working) line.append(h('vscode-progress-ring'));
  if (m.message) line.append(h('span', { class: `phase-text phase-${m.phase}` }, m.message));
  // Redraw only what changed: status updates come several times a second while KServe rolls out.
  const key = JSON.stringify([m.phase, m.conditions, m.url, m.traffic]);
  if (progress.dataset.key === key) return;
  progress.dataset.key = key;
  clear(progress);
  if (m.phase === 'editing') return;
  if (m.conditions?.length) {
    // A plain table: it takes no focus (a toolkit grid moves focus into the page as its rows change).
    const table = h('table', { class: 'conditions', 'aria-label': 'Conditions' },
      h('thead', {}, h('tr', {}, ...['Condition', 'Status', 'Reason', 'Message'].map((t) => h('th', {}, t)))),
      h('tbody', {}, ...m.conditions.map((c) => h('tr', { class: `status-${c.status.toLowerCase()}` }, h('td', {}, c.type), h('td', {}, c.status), h('td', {}, c.reason ?? ''), h('td', {}, c.message ?? '')))));
    progress.append(h('h2', {}, 'Conditions'), table);
  }
  if (m.phase === 'ready') {
    const box = h('div', { class: 'ready', id: 'ready' },
      h('div', { class: 'ready-title' }, '✓ Ready'),
      m.url ? h('div', {}, 'URL: ', h('code', {}, m.url)) : false,
      m.traffic ? h('div', {}, `Traffic: ${m.traffic}`) : false,
      h('div', { class: 'actions' },
        button('Send Test Request…', () => post({ type: 'after', action: 'test' }), { appearance: 'primary' }),
        button('Open Logs', () => post({ type: 'after', action: 'logs' })),
        button('Show in Endpoints', () => post({ type: 'after', action: 'endpoints' }))));
    progress.prepend(box);
  }
}

const channel: Channel<FromDeploy, unknown> = connect<ToDeploy, FromDeploy>((msg) => {
  switch (msg.type) {
    case 'init':
      renderForm(msg.init);
      break;
    case 'form':
      // The extension's own change after a create (the form now updates that service) is still what was deployed.
      if (deployed !== undefined && phase === 'applying') deployed = JSON.stringify(msg.form);
      form = msg.form;
      setValues(msg.form);
      break;
    case 'preview': {
      mode = msg.mode;
      clientProblems = msg.problems;
      const yaml = document.getElementById('yaml');
      if (yaml) yaml.textContent = msg.yaml;
      const badge = document.getElementById('mode');
      if (badge) badge.textContent = msg.mode === 'update' ? `update of ${form?.target ?? ''}` : 'new';
      const changes = document.getElementById('changes');
      if (changes) {
        clear(changes);
        for (const c of [...msg.changes, ...msg.notes]) changes.append(h('li', {}, c));
      }
      renderWarnings(msg.warnings);
      showProblems();
      break;
    }
    case 'existing':
      if (init) {
        init = { ...init, existing: msg.existing };
        const dd = inputs.get('target');
        if (dd && form) fillOptions(dd, targetOptions(), form.target);
      }
      break;
    case 'serverProblems':
      serverProblems = msg.problems;
      showProblems();
      break;
    case 'phase':
      renderPhase(msg);
      break;
  }
});
root.append(h('div', { class: 'loading' }, h('vscode-progress-ring'), 'Loading…'));
