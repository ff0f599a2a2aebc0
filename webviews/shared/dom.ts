// Tiny element builders for the panels. Children that are strings become text nodes and attribute values are set
// with setAttribute: nothing a cluster or a registry sends is ever parsed as HTML.

export type Child = Node | string | number | false | null | undefined;
export type Attrs = Record<string, string | number | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs?: Attrs, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return el;
}

/** Removes every child. */
export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** A toolkit button that calls `onClick`. */
export function button(label: string, onClick: () => void, o: { appearance?: 'primary' | 'secondary' | 'icon'; title?: string; id?: string; disabled?: boolean } = {}): HTMLElement {
  const b = h('vscode-button', { appearance: o.appearance ?? 'secondary', title: o.title, id: o.id, disabled: o.disabled }, label);
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) onClick();
  });
  return b;
}

/** A toolkit data grid whose cells are text (or nodes); the first row is the header. */
export function grid(label: string, headers: string[], rows: Child[][], columns?: string): HTMLElement {
  const g = h('vscode-data-grid', { 'aria-label': label, 'grid-template-columns': columns ?? headers.map(() => '1fr').join(' ') });
  g.appendChild(h('vscode-data-grid-row', { 'row-type': 'header' }, ...headers.map((t, i) => h('vscode-data-grid-cell', { 'cell-type': 'columnheader', 'grid-column': i + 1 }, t))));
  for (const r of rows) g.appendChild(h('vscode-data-grid-row', {}, ...r.map((c, i) => h('vscode-data-grid-cell', { 'grid-column': i + 1, ...(typeof c === 'string' ? { title: c } : {}) }, c))));
  return g;
}
