/**
 * Code intelligence from the live kernel in the cells of notebooks bound to a Kubeflow notebook server: completions
 * (`complete_request`, so `df.` lists the columns and methods of the DataFrame a previous cell made) and hover
 * (`inspect_request`: the object's type, value and docstring). Only a kernel this window is connected to is asked,
 * none is started for it; a busy or slow kernel gives nothing after 10 s instead of holding the editor.
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import * as vscode from 'vscode';
import { NOTEBOOK_TYPE, type KernelControllers } from './controller';
import { stripAnsi } from './outputs';

// Jedi on a large object (a DataFrame) can take seconds on a busy kernel host; the editor shows "Loading…" meanwhile.
const WAIT_MS = 10_000;

const KINDS: Record<string, vscode.CompletionItemKind> = {
  function: vscode.CompletionItemKind.Function,
  class: vscode.CompletionItemKind.Class,
  module: vscode.CompletionItemKind.Module,
  instance: vscode.CompletionItemKind.Variable,
  statement: vscode.CompletionItemKind.Variable,
  param: vscode.CompletionItemKind.Variable,
  property: vscode.CompletionItemKind.Property,
  keyword: vscode.CompletionItemKind.Keyword,
  path: vscode.CompletionItemKind.File,
  magic: vscode.CompletionItemKind.Function,
};

/** Jupyter counts the cursor in code points; VS Code offsets are UTF-16 units. */
function codePoints(text: string, utf16: number): number {
  return [...text.slice(0, utf16)].length;
}
function utf16Offset(text: string, points: number): number {
  return [...text].slice(0, points).join('').length;
}

async function withTimeout<T>(p: Promise<T>, token: vscode.CancellationToken): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  let sub: vscode.Disposable | undefined;
  const stop = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), WAIT_MS);
    sub = token.onCancellationRequested(() => resolve(undefined));
  });
  try {
    return await Promise.race([p.catch(() => undefined), stop]);
  } finally {
    clearTimeout(timer);
    sub?.dispose();
  }
}

export function registerKernelIntelligence(controllers: KernelControllers): vscode.Disposable[] {
  /** The connected kernel of the notebook that holds this cell document, if it is bound to one of ours. */
  const kernelOf = (doc: vscode.TextDocument): Kernel.IKernelConnection | undefined => {
    const uri = doc.uri.toString();
    const nb = vscode.workspace.notebookDocuments.find((n) => n.notebookType === NOTEBOOK_TYPE && n.getCells().some((c) => c.document.uri.toString() === uri));
    const k = nb && controllers.kernelOf(nb)?.connection;
    return k && k.status !== 'dead' ? k : undefined;
  };
  // Cells of any notebook; kernelOf() keeps those of notebooks on one of our kernels.
  const selector: vscode.DocumentSelector = { scheme: 'vscode-notebook-cell' };

  const completions: vscode.CompletionItemProvider = {
    async provideCompletionItems(doc, position, token) {
      const kernel = kernelOf(doc);
      if (!kernel) return undefined;
      const code = doc.getText();
      const reply = await withTimeout(kernel.requestComplete({ code, cursor_pos: codePoints(code, doc.offsetAt(position)) }), token);
      const c = reply?.content as KernelMessage.ICompleteReplyMsg['content'] | undefined;
      if (!c || c.status !== 'ok' || !c.matches.length) return undefined;
      const range = new vscode.Range(doc.positionAt(utf16Offset(code, c.cursor_start)), doc.positionAt(utf16Offset(code, c.cursor_end)));
      const types = new Map(((c.metadata?._jupyter_types_experimental ?? []) as Array<{ text: string; type?: string; signature?: string }>).map((t) => [t.text, t]));
      const items = c.matches.map((m, i) => {
        const t = types.get(m);
        const item = new vscode.CompletionItem(m, KINDS[t?.type ?? ''] ?? vscode.CompletionItemKind.Text);
        item.range = range;
        item.sortText = String(i).padStart(5, '0'); // the kernel's order
        item.detail = [t?.type, t?.signature].filter(Boolean).join(' ') || 'from the kernel';
        return item;
      });
      return new vscode.CompletionList(items, false);
    },
  };

  const hover: vscode.HoverProvider = {
    async provideHover(doc, position, token) {
      const kernel = kernelOf(doc);
      const word = doc.getWordRangeAtPosition(position, /[A-Za-z_][A-Za-z0-9_.]*/);
      if (!kernel || !word) return undefined;
      const code = doc.getText();
      const reply = await withTimeout(kernel.requestInspect({ code, cursor_pos: codePoints(code, doc.offsetAt(word.end)), detail_level: 0 }), token);
      const c = reply?.content as KernelMessage.IInspectReplyMsg['content'] | undefined;
      const text = c?.status === 'ok' && c.found ? c.data['text/plain'] : undefined;
      if (typeof text !== 'string' || !text.trim()) return undefined;
      // The kernel's text as a code block: nothing in it is read as Markdown or HTML.
      const md = new vscode.MarkdownString().appendCodeblock(stripAnsi(text).slice(0, 4000), 'text');
      return new vscode.Hover(md, word);
    },
  };

  return [
    vscode.languages.registerCompletionItemProvider(selector, completions, '.'),
    vscode.languages.registerHoverProvider(selector, hover),
  ];
}
