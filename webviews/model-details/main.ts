// Entry of the model details panel (bundled to dist/webviews/model-details.js): a registered model or one of its
// versions, with its description, labels, properties, versions or artifacts, lineage and deployments, and the
// actions (deploy, copy URI, archive/restore, register a new version). Every value is set as text.
import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodeDivider,
  vsCodeLink,
  vsCodePanels,
  vsCodePanelTab,
  vsCodePanelView,
  vsCodeProgressRing,
  vsCodeTag,
} from '@vscode/webview-ui-toolkit';
import { clear, grid, h, button, type Child } from '../shared/dom';
import { addStyles, connect, type Channel } from '../shared/ipc';
import type { DetailsAction, DetailsData, DetailsViewState, FromDetails, LineageRow, PropertyRow, ToDetails } from './protocol';
import baseCss from '../shared/base.css';
import css from './styles.css';

// Grids render empty and tabs stay invisible unless the row/cell and tab/view elements are registered too.
provideVSCodeDesignSystem().register(
  vsCodeBadge(),
  vsCodeButton(),
  vsCodeDataGrid(),
  vsCodeDataGridRow(),
  vsCodeDataGridCell(),
  vsCodeDivider(),
  vsCodeLink(),
  vsCodePanels(),
  vsCodePanelTab(),
  vsCodePanelView(),
  vsCodeProgressRing(),
  vsCodeTag(),
);
addStyles(baseCss);
addStyles(css);

const root = document.getElementById('app') ?? document.body;
root.classList.add('details-app');
let current: DetailsData | undefined;

const act = (action: DetailsAction, ref?: string, lineage?: LineageRow['action']): void => channel.post({ type: 'action', action, ...(ref ? { ref } : {}), ...(lineage ? { lineage } : {}) });

function status(message: string, kind: 'busy' | 'error'): void {
  const bar = document.getElementById('status') ?? root.appendChild(h('div', { id: 'status' }));
  clear(bar);
  bar.className = `status ${kind}`;
  if (kind === 'busy') bar.append(h('vscode-progress-ring'), h('span', {}, message));
  else bar.append(h('span', { class: 'codicon' }, '⚠'), h('span', {}, message), button('Retry', () => act('refresh')));
}

function stateBadge(state: string): HTMLElement {
  return h('span', { class: `state state-${state.toLowerCase()}` }, state);
}

function props(rows: PropertyRow[], empty: string): HTMLElement {
  if (!rows.length) return h('p', { class: 'muted' }, empty);
  return grid('Properties', ['Property', 'Value', 'Type'], rows.map((p) => [p.key, p.value, p.type]), '2fr 3fr 1fr');
}

function labels(list: string[]): HTMLElement | undefined {
  if (!list.length) return undefined;
  return h('div', { class: 'labels' }, ...list.map((l) => h('vscode-tag', {}, l)));
}

function facts(pairs: Array<[string, Child]>): HTMLElement {
  const dl = h('dl', { class: 'facts' });
  for (const [k, v] of pairs) if (v !== undefined && v !== '' && v !== null && v !== false) dl.append(h('dt', {}, k), h('dd', {}, v));
  return dl;
}

function link(text: string, onClick: () => void, title?: string): HTMLElement {
  const a = h('vscode-link', { href: '#', title }, text);
  a.addEventListener('click', (e) => {
    e.preventDefault();
    onClick();
  });
  return a;
}

function render(d: DetailsData): void {
  current = d;
  clear(root);
  const isVersion = d.kind === 'version' && d.version;
  const title = isVersion ? `${d.model.name} · ${d.version!.name}` : d.model.name;
  const state = isVersion ? d.version!.state : d.model.state;
  const archived = state === 'ARCHIVED';

  const actions = h('div', { class: 'actions' });
  if (isVersion) {
    actions.append(button('Deploy to KServe…', () => act('deploy'), { appearance: 'primary', disabled: !d.deployable || archived, title: d.deployable ? 'Generate an InferenceService for this version' : 'This version has no model artifact with a URI: nothing to deploy', id: 'deploy' }));
    if (d.deployable) actions.append(button('Copy URI', () => act('copyUri'), { id: 'copy-uri' }));
  } else {
    actions.append(button('Register New Version…', () => act('registerVersion'), { appearance: 'primary', id: 'register-version' }));
  }
  actions.append(archived ? button('Restore', () => act('restore'), { id: 'restore' }) : button('Archive', () => act('archive'), { id: 'archive', title: 'The registry has no delete: archived entries are hidden and can be restored' }));
  actions.append(button('Refresh', () => act('refresh'), { appearance: 'icon', title: 'Refresh' }));

  root.append(
    h('header', {},
      h('div', { class: 'title-row' }, h('h1', {}, title), stateBadge(state)),
      h('div', { class: 'subtitle' }, `${isVersion ? 'Model version' : 'Registered model'} in ${d.registry}`),
      actions),
    h('div', { id: 'status' }),
  );

  const overview = h('section', { class: 'overview' });
  const desc = isVersion ? d.version!.description : d.model.description;
  overview.append(desc ? h('p', { class: 'description' }, desc) : h('p', { class: 'muted' }, 'No description.'));
  const lab = labels(isVersion ? d.version!.labels : d.model.labels);
  if (lab) overview.append(lab);
  overview.append(isVersion
    ? facts([['Model', d.model.name], ['Version', d.version!.name], ['Author', d.version!.author], ['State', d.version!.state], ['Created', d.version!.created], ['Updated', d.version!.updated], ['Id', d.version!.id]])
    : facts([['Owner', d.model.owner], ['State', d.model.state], ['Versions', String(d.versions.length)], ['Created', d.model.created], ['Updated', d.model.updated], ['Id', d.model.id]]));

  const tabs: Array<[string, string, HTMLElement]> = [['overview', 'Overview', overview]];
  if (isVersion) {
    const arts = h('section');
    if (!d.artifacts.length) arts.append(h('p', { class: 'warning' }, 'This version has no artifacts: there is no model file to deploy. Register the version again with the URI of its model.'));
    else {
      arts.append(grid('Artifacts', ['Name', 'Type', 'Format', 'URI', 'State'], d.artifacts.map((a) => [a.name, a.artifactType, a.format ?? '', a.uri ?? '', a.state ?? '']), '1.2fr 1fr 1fr 3fr 0.8fr'));
      for (const a of d.artifacts.filter((x) => x.storage || x.serviceAccountName || x.description || x.properties.length)) {
        arts.append(h('h3', {}, a.name), facts([['Storage', a.storage], ['Service account', a.serviceAccountName], ['Description', a.description]]));
        if (a.properties.length) arts.append(props(a.properties, ''));
      }
    }
    tabs.push(['artifacts', `Artifacts (${d.artifacts.length})`, arts]);
  } else {
    const vs = h('section');
    if (!d.versions.length) vs.append(h('p', { class: 'muted' }, 'No versions yet.'));
    else vs.append(grid('Versions', ['Version', 'State', 'Author', 'Created', 'Format', 'URI'], d.versions.map((v) => [link(v.name, () => act('openVersion', v.id), `Show version ${v.name}`), v.state, v.author ?? '', v.created ?? '', v.format ?? '', v.uri ?? '']), '1fr 0.8fr 1fr 1.4fr 0.8fr 3fr'));
    tabs.push(['versions', `Versions (${d.versions.length})`, vs]);
  }
  tabs.push(['properties', 'Properties', props(isVersion ? d.version!.properties : d.model.properties, 'No custom properties.')]);

  const lineage = h('section');
  if (!d.lineage.length) lineage.append(h('p', { class: 'muted' }, 'No lineage recorded: the model artifact names no source (modelSourceKind/Id), and no pipeline run or Katib trial is in its properties.'));
  else {
    const ol = h('ol', { class: 'lineage' });
    for (const l of d.lineage) ol.append(h('li', {}, l.action && l.action !== 'copy' ? link(l.text, () => act('openLineage', l.ref, l.action)) : l.text));
    lineage.append(ol);
  }
  tabs.push(['lineage', 'Lineage', lineage]);

  const deployments = h('section');
  if (!d.deployments.length) deployments.append(h('p', { class: 'muted' }, isVersion ? 'Not deployed in this namespace.' : 'No version of this model is deployed in this namespace.'));
  else deployments.append(grid('Deployments', ['InferenceService', 'State', 'Traffic', 'URL'], d.deployments.map((x) => [link(x.name, () => act('openEndpoint', x.name), 'Show in the Endpoints view'), x.phase, x.traffic ?? '', x.url ?? '']), '1.4fr 1fr 1.4fr 3fr'));
  tabs.push(['deployments', `Deployments (${d.deployments.length})`, deployments]);

  const saved = channel.state()?.tab;
  const panels = h('vscode-panels', { 'aria-label': 'Details', ...(saved && tabs.some(([id]) => id === saved) ? { activeid: `tab-${saved}` } : {}) });
  for (const [id, label] of tabs) panels.append(h('vscode-panel-tab', { id: `tab-${id}` }, label));
  for (const [id, , view] of tabs) panels.append(h('vscode-panel-view', { id: `view-${id}` }, view));
  panels.addEventListener('change', () => {
    const active = panels.getAttribute('activeid');
    if (active) channel.setState({ tab: active.replace(/^tab-/, '') });
  });
  root.append(panels);
}

const channel: Channel<FromDetails, DetailsViewState> = connect<ToDetails, FromDetails, DetailsViewState>((msg) => {
  if (msg.type === 'data') render(msg.data);
  else if (msg.type === 'busy') status(msg.message, 'busy');
  else if (msg.type === 'error') {
    if (!current) clear(root);
    status(msg.message, 'error');
  }
});
status('Loading…', 'busy');
