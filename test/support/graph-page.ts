// Loads the built pipeline graph webview (dist/webviews/pipeline-graph.js) in headless Chromium (the VS Code rig's)
// outside VS Code: the same CSP and nonce meta as extension/webviews/host.ts, a fake `acquireVsCodeApi` that records
// what the page posts, and Dark Modern / Light Modern theme variables. Used by the webview tests and `npm run bench`.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { PipelineModel } from '../../core/pipeline/model';
import { packModel } from '../../core/pipeline/wire.node';
import { launchChromium } from '../rigs/vscode/codeserver';

const ROOT = path.resolve(__dirname, '..', '..');

const THEMES: Record<'dark' | 'light', Record<string, string>> = {
  dark: {
    'editor-background': '#1f1f1f', 'editor-foreground': '#cccccc', foreground: '#cccccc', 'descriptionForeground': '#9d9d9d',
    'editorWidget-background': '#202020', 'editorWidget-border': '#313131', 'panel-border': '#2b2b2b', 'focusBorder': '#0078d4',
    'textLink-foreground': '#4daafc', 'charts-blue': '#3794ff', 'charts-green': '#89d185', 'charts-orange': '#d18616',
    'charts-yellow': '#cca700', 'charts-red': '#f14c4c', 'charts-purple': '#b180d7', 'sideBar-background': '#181818',
    'editor-findMatchHighlightBackground': '#623315', 'editor-findMatchBorder': '#d18616', 'badge-background': '#616161',
    'badge-foreground': '#f8f8f8', 'errorForeground': '#f85149', 'list-hoverBackground': '#2a2d2e', 'textCodeBlock-background': '#2b2b2b',
    'font-family': 'system-ui, sans-serif', 'font-size': '13px', 'editor-font-family': 'monospace',
    'editorIndentGuide-background': '#404040', 'button-background': '#0078d4', 'button-foreground': '#ffffff', 'input-background': '#313131',
    'input-foreground': '#cccccc', 'inputValidation-errorBackground': '#5a1d1d', 'inputValidation-errorBorder': '#be1100',
    'checkbox-background': '#313131', 'checkbox-foreground': '#cccccc', 'checkbox-border': '#3c3c3c',
  },
  light: {
    'editor-background': '#ffffff', 'editor-foreground': '#3b3b3b', foreground: '#3b3b3b', 'descriptionForeground': '#717171',
    'editorWidget-background': '#f8f8f8', 'editorWidget-border': '#c8c8c8', 'panel-border': '#e5e5e5', 'focusBorder': '#005fb8',
    'textLink-foreground': '#005fb8', 'charts-blue': '#1a85ff', 'charts-green': '#388a34', 'charts-orange': '#d18616',
    'charts-yellow': '#bf8803', 'charts-red': '#e51400', 'charts-purple': '#652d90', 'sideBar-background': '#f8f8f8',
    'editor-findMatchHighlightBackground': '#ea5c0055', 'editor-findMatchBorder': '#d18616', 'badge-background': '#cccccc',
    'badge-foreground': '#3b3b3b', 'errorForeground': '#f85149', 'list-hoverBackground': '#f2f2f2', 'textCodeBlock-background': '#f2f2f2',
    'font-family': 'system-ui, sans-serif', 'font-size': '13px', 'editor-font-family': 'monospace',
    'editorIndentGuide-background': '#d3d3d3', 'button-background': '#005fb8', 'button-foreground': '#ffffff', 'input-background': '#ffffff',
    'input-foreground': '#3b3b3b', 'inputValidation-errorBackground': '#f2dede', 'inputValidation-errorBorder': '#be1100',
    'checkbox-background': '#f8f8f8', 'checkbox-foreground': '#3b3b3b', 'checkbox-border': '#cecece',
  },
};

export interface GraphPage {
  browser: Browser;
  page: Page;
  /** Everything the page posted to the "extension", in order. */
  posted(): Promise<{ type: string; [k: string]: unknown }[]>;
  /** CSP violations the page reported (directive and blocked URI). */
  cspViolations(): Promise<string[]>;
  /** Page errors and console errors so far. */
  errors: string[];
  /** Posts a message to the page as the extension would (a `model` message's model given as the object). */
  send(message: unknown): Promise<void>;
  close(): Promise<void>;
}

export async function openGraphPage(options: { theme?: 'dark' | 'light'; width?: number; height?: number; bundle?: string } = {}): Promise<GraphPage> {
  const bundle = options.bundle ?? path.join(ROOT, 'dist', 'webviews', 'pipeline-graph.js');
  if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run \`node esbuild.mjs\` first`);
  const nonce = 'dGVzdG5vbmNldGVzdG5vbmNl';
  // VS Code sets its theme variables through CSSOM (a style attribute would break the CSP); so does this page.
  const vars = JSON.stringify(Object.fromEntries(Object.entries(THEMES[options.theme ?? 'dark']).map(([k, v]) => [`--vscode-${k}`, v])));
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<script nonce="${nonce}">
  for (const [k, v] of Object.entries(${vars})) document.documentElement.style.setProperty(k, v);
  window.__posted = []; window.__state = undefined; window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.effectiveDirective + ' ' + (e.blockedURI || '')));
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => window.__state, setState: (s) => { window.__state = s; } });
</script>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self' 'nonce-${nonce}'; img-src 'self' data:;">
<meta property="csp-nonce" content="${nonce}">
</head><body class="vscode-${options.theme ?? 'dark'}"><div id="app"></div><script nonce="${nonce}" src="/pipeline-graph.js"></script></body></html>`;
  const server = http.createServer((req, res) => {
    if (req.url === '/pipeline-graph.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(fs.readFileSync(bundle));
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: options.width ?? 1400, height: options.height ?? 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => (globalThis as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
  return {
    browser,
    page,
    errors,
    posted: () => page.evaluate(() => (globalThis as unknown as { __posted: { type: string }[] }).__posted),
    cspViolations: () => page.evaluate(() => (globalThis as unknown as { __csp: string[] }).__csp),
    send: async (message) => {
      // A model message's model goes as the bytes the panel sends (core/pipeline/wire.node.ts), base64 on the way in.
      const m = message as { type?: string; model?: unknown };
      const packed = m.type === 'model' ? await packModel(m.model as PipelineModel) : undefined;
      const wire = packed ? { ...m, model: Buffer.from(packed.model).toString('base64'), gzip: packed.gzip } : m;
      await page.evaluate((x: { type?: string; model?: unknown }) => {
        if (x.type === 'model') x.model = Uint8Array.from(atob(x.model as string), (c) => c.charCodeAt(0));
        (globalThis as unknown as { postMessage(m: unknown, origin: string): void }).postMessage(x, '*');
      }, wire as object);
    },
    close: async () => {
      await browser.close();
      server.close();
    },
  };
}

/** Waits for the page to report the `rendered` message number `count` (1-based) and returns it. */
export async function waitForRender(g: GraphPage, count = 1): Promise<Record<string, number | string>> {
  await g.page.waitForFunction((n) => (globalThis as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'rendered').length >= n, count, { timeout: 60000 });
  const all = (await g.posted()).filter((m) => m.type === 'rendered');
  return all[count - 1] as unknown as Record<string, number | string>;
}

/**
 * Sends a model as the extension would and returns the `rendered` report of the level it draws, plus
 * `fromPostMs`: from the page's postMessage call (the model's bytes transferred, the page decoding them included) to
 * the painted frame. The model is handed to the page first, so Playwright's own transfer is not counted. `layout`: the top level's, as
 * the extension sends it (`firstLevelLayout`), in a `layout` message just before the model; `layoutVersion`: the
 * version that message names (default: the model message's, 0).
 */
export async function showModel(g: GraphPage, model: unknown, label = 'pipeline.yaml', layout?: unknown, o: { layoutVersion?: number } = {}): Promise<Record<string, number | string>> {
  const before = (await g.posted()).filter((m) => m.type === 'rendered').length;
  // Handed over as JSON text: Playwright's own serialization of a 111,782-task model (67 MB) crashes the page. The
  // packed layout's typed arrays go as plain number arrays and are made typed arrays again in the page (VS Code
  // hands the webview typed arrays): not with a JSON.parse reviver, which over a 130,000-node layout left the
  // page's later work 5–20× slower (its level building took 5.7 s instead of 0.2 s), something no webview sees.
  const wire = await packModel(model as PipelineModel);
  const packed = layout === undefined ? undefined : JSON.stringify(layout, (_k, v: unknown) => (ArrayBuffer.isView(v) ? { $typed: v.constructor.name, data: Array.from(v as unknown as ArrayLike<number>) } : v));
  const version = 0;
  await g.page.evaluate(
    ([bytes, gzip, layoutJson, v, lbl]) => {
      type Typed = { $typed: string; data: number[] };
      const w = globalThis as unknown as Record<string, unknown> & { __staged: unknown[] };
      w.__staged = [];
      if (layoutJson) {
        const l = JSON.parse(layoutJson) as { layout: Record<string, unknown> };
        for (const [k, x] of Object.entries(l.layout)) {
          const t = x as Typed | null;
          if (t && typeof t === 'object' && t.$typed) l.layout[k] = new (w[t.$typed] as new (d: number[]) => unknown)(t.data);
        }
        w.__staged.push({ type: 'layout', version: v, layout: l });
      }
      // The model as the panel sends it (core/pipeline/wire.node.ts), base64 on the way in.
      w.__staged.push({ type: 'model', model: Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0)), gzip, source: { label: lbl, kind: 'ir' }, version: 0 });
    },
    [Buffer.from(wire.model).toString('base64'), wire.gzip, packed, o.layoutVersion ?? version, label] as const,
  );
  const postedAt = await g.page.evaluate(() => {
    const w = globalThis as unknown as { __staged: { model?: unknown }[] | undefined; postMessage(m: unknown, o: string, transfer?: ArrayBuffer[]): void };
    const t = performance.now();
    // The model's buffer is transferred, as VS Code's webview frames pass it on.
    for (const m of w.__staged ?? []) w.postMessage(m, '*', m.model instanceof Uint8Array ? [m.model.buffer as ArrayBuffer] : []);
    // The messages are cloned: the staged copies are not the page's to keep (a webview holds only what it receives).
    w.__staged = undefined;
    return t;
  });
  const r = await waitForRender(g, before + 1);
  return { ...r, fromPostMs: Math.round((Number(r.sinceStartMs) - postedAt) * 10) / 10 };
}
