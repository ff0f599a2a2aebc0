/**
 * Jupyter IOPub messages → what a cell's outputs should do: append a rich output, append stream text, clear, update a
 * display by id, set the execution count. Items carry the bytes VS Code's renderers expect (images decoded from
 * base64, JSON as JSON text, errors as `application/vnd.code.notebook.error`), and metadata the built-in `.ipynb`
 * serializer uses to save them back as the same nbformat output types: an error carries `originalError` (the nbformat
 * error as the kernel sent it), else the serializer splits the joined stack into lines ending in `\n` and every
 * traceback reopens double-spaced. Pure: no `vscode`, no I/O.
 */
import type { KernelMessage } from '@jupyterlab/services';

export const MIME = {
  stdout: 'application/vnd.code.notebook.stdout',
  stderr: 'application/vnd.code.notebook.stderr',
  error: 'application/vnd.code.notebook.error',
} as const;

export interface Item {
  mime: string;
  data: Uint8Array;
}

export interface Output {
  items: Item[];
  /** What the `.ipynb` serializer reads: `outputType`, `executionCount`, the Jupyter output `metadata`, `transient`. */
  metadata: Record<string, unknown>;
}

export type OutputOp =
  | { op: 'append'; output: Output; displayId?: string }
  | { op: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { op: 'clear'; wait: boolean }
  | { op: 'update'; displayId: string; output: Output }
  | { op: 'count'; count: number };

const enc = new TextEncoder();
const text = (v: unknown): string => (Array.isArray(v) ? v.join('') : typeof v === 'string' ? v : JSON.stringify(v));

/** Mime types whose Jupyter value is base64 of binary data. */
function isBinary(mime: string): boolean {
  return /^image\//.test(mime) && mime !== 'image/svg+xml';
}
function isJson(mime: string): boolean {
  return mime === 'application/json' || /\+json$/.test(mime);
}

/** One mime bundle → items, richest first in the order Jupyter front ends prefer. */
export function bundleItems(data: Record<string, unknown>): Item[] {
  const order = ['application/vnd.jupyter.widget-view+json', 'application/javascript', 'text/html', 'image/svg+xml', 'text/markdown', 'text/latex', 'image/png', 'image/jpeg', 'image/gif', 'application/json', 'text/plain'];
  const mimes = Object.keys(data).sort((a, b) => rank(a) - rank(b));
  function rank(m: string): number {
    const i = order.indexOf(m);
    return i < 0 ? order.length - 1 : i;
  }
  return mimes.map((mime) => {
    const v = data[mime];
    if (isBinary(mime) && typeof (Array.isArray(v) ? v.join('') : v) === 'string') {
      return { mime, data: new Uint8Array(Buffer.from(text(v).replace(/\s+/g, ''), 'base64')) };
    }
    if (isJson(mime)) return { mime, data: enc.encode(typeof v === 'string' ? v : JSON.stringify(v)) };
    return { mime, data: enc.encode(text(v)) };
  });
}

export function errorItem(ename: string, evalue: string, traceback: string[]): Item {
  return { mime: MIME.error, data: enc.encode(JSON.stringify({ name: ename, message: evalue, stack: traceback.join('\n') })) };
}

/** An nbformat error output as an output: the item VS Code renders, and the error itself for the serializer. */
export function errorOutput(ename: string, evalue: string, traceback: string[]): Output {
  return { items: [errorItem(ename, evalue, traceback)], metadata: { outputType: 'error', originalError: { output_type: 'error', ename, evalue, traceback } } };
}

/** An error output for something that happened around the kernel (it died, the server restarted, the forward failed). */
export function noticeOutput(name: string, message: string): Output {
  return errorOutput(name, message, []);
}

export function toOps(msg: KernelMessage.IIOPubMessage): OutputOp[] {
  const c = msg.content as Record<string, unknown>;
  switch (msg.header.msg_type) {
    case 'stream': {
      const name = c.name === 'stderr' ? 'stderr' : 'stdout';
      return [{ op: 'stream', name, text: text(c.text) }];
    }
    case 'execute_input':
      return typeof c.execution_count === 'number' ? [{ op: 'count', count: c.execution_count }] : [];
    case 'execute_result':
    case 'display_data': {
      const outputType = msg.header.msg_type;
      const meta = (c.metadata as Record<string, unknown>) ?? {};
      const transient = c.transient as { display_id?: string } | undefined;
      const output: Output = {
        items: bundleItems((c.data as Record<string, unknown>) ?? {}),
        metadata: { outputType, metadata: meta, ...(transient?.display_id ? { transient } : {}), ...(outputType === 'execute_result' ? { executionCount: c.execution_count ?? null } : {}) },
      };
      const ops: OutputOp[] = [];
      if (outputType === 'execute_result' && typeof c.execution_count === 'number') ops.push({ op: 'count', count: c.execution_count });
      ops.push({ op: 'append', output, ...(transient?.display_id ? { displayId: transient.display_id } : {}) });
      return ops;
    }
    case 'update_display_data': {
      const transient = c.transient as { display_id?: string } | undefined;
      if (!transient?.display_id) return [];
      return [{ op: 'update', displayId: transient.display_id, output: { items: bundleItems((c.data as Record<string, unknown>) ?? {}), metadata: { outputType: 'display_data', metadata: c.metadata ?? {}, transient } } }];
    }
    case 'error':
      return [{ op: 'append', output: errorOutput(String(c.ename ?? 'Error'), String(c.evalue ?? ''), Array.isArray(c.traceback) ? c.traceback.map(String) : []) }];
    case 'clear_output':
      return [{ op: 'clear', wait: c.wait === true }];
    default:
      return [];
  }
}

/** ANSI colour codes stripped, for messages shown outside the notebook (notifications, the log). */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}
