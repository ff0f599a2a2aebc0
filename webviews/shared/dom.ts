// Tiny element builders for the panels (HTML and SVG). Children that are strings become text nodes and attribute
// values are set with setAttribute: nothing a cluster, a registry or a pipeline file sends is ever parsed as HTML.

export type Child = Node | string | number | false | null | undefined;
export type Attrs = Record<string, string | number | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs?: Attrs, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  apply(el, attrs, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** `h` for SVG elements (the pipeline graph). */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs, children);
  return el;
}

function apply(el: Element, attrs: Attrs | undefined, children: Child[]): void {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
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
