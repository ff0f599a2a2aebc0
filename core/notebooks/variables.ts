/**
 * The variables of a live IPython kernel, as the Kernel Variables view lists them: one silent `execute_request`
 * (no execution count, no history, no output) defines a helper and asks for its result as a user expression. The
 * kernel answers with the expression's repr, a quoted base64 string of JSON, so nothing in a value (quotes,
 * backslashes, non-ASCII) needs Python's string escapes to be undone here. Modules, functions, classes, names
 * starting with `_` and IPython's own (`In`, `Out`, `exit`, …) are left out; values are shortened by `reprlib`.
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';

/** One variable: its name, type, a one-line shortened value, and the shape or length when it has one. */
export interface KernelVariable {
  name: string;
  type: string;
  value: string;
  size?: string;
}

/** At most this many variables are listed (sorted by name). */
export const MAX_VARIABLES = 500;

export const VARIABLES_CODE = `def _kubeflow_variables():
    import base64, json, reprlib, types
    ip = get_ipython()
    hidden = set(getattr(ip, 'user_ns_hidden', {}))
    skip = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType, type)
    short = reprlib.Repr()
    short.maxstring = short.maxother = 200
    short.maxlist = short.maxtuple = short.maxdict = short.maxset = 10
    out = []
    for name, value in list(ip.user_ns.items()):
        if name.startswith('_') or name in hidden or isinstance(value, skip):
            continue
        try:
            text = short.repr(value)
        except Exception as e:
            text = '<repr failed: %s>' % type(e).__name__
        shape = getattr(value, 'shape', None)
        size = None
        if isinstance(shape, tuple):
            size = '\\u00d7'.join(str(d) for d in shape)
        elif not isinstance(value, (str, bytes)):
            try:
                size = str(len(value))
            except Exception:
                size = None
        out.append([name, type(value).__name__, ' '.join(text.split()), size])
    out.sort(key=lambda r: r[0].lower())
    return base64.b64encode(json.dumps(out[:${MAX_VARIABLES}]).encode()).decode()
`;

/** The user expression that carries the answer. */
export const VARIABLES_EXPRESSION = '_kubeflow_variables()';

/** The `user_expressions` entry of an execute_reply for VARIABLES_EXPRESSION. */
export interface UserExpressionResult {
  status?: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}

/** The variables from the reply's user expression; throws with the kernel's error when it failed. */
export function parseVariables(result: UserExpressionResult | undefined): KernelVariable[] {
  if (!result) throw new Error('the kernel did not evaluate the variables expression');
  if (result.status !== 'ok') throw new Error(`the kernel could not list its variables: ${result.ename ?? 'error'}: ${result.evalue ?? ''}`.trim());
  const text = result.data?.['text/plain'];
  const m = typeof text === 'string' ? /^'([A-Za-z0-9+/=]*)'$/.exec(text.trim()) : null;
  if (!m) throw new Error('the kernel answered the variables expression with something else');
  const rows = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0)))) as unknown;
  if (!Array.isArray(rows)) throw new Error('the kernel answered the variables expression with something else');
  return rows
    .filter((r): r is [string, string, string, string | null] => Array.isArray(r) && typeof r[0] === 'string' && typeof r[1] === 'string' && typeof r[2] === 'string')
    .map(([name, type, value, size]) => ({ name, type, value, ...(typeof size === 'string' ? { size } : {}) }));
}

/** The row's description: type, then shape or length (`DataFrame · 3×2`, `list · 4`, `int`). */
export function describeVariable(v: KernelVariable): string {
  return v.size ? `${v.type} · ${v.size}` : v.type;
}

/**
 * Asks the kernel for its variables. Undefined when it gave no answer within `waitMs` (a cell is running: the
 * request waits behind it); throws with the kernel's error when the listing failed.
 */
export async function askVariables(kernel: Kernel.IKernelConnection, waitMs: number): Promise<KernelVariable[] | undefined> {
  const future = kernel.requestExecute({ code: VARIABLES_CODE, silent: true, store_history: false, user_expressions: { variables: VARIABLES_EXPRESSION }, allow_stdin: false, stop_on_error: false });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reply = await Promise.race([
    future.done,
    new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), waitMs))),
  ]).finally(() => clearTimeout(timer));
  if (!reply) return undefined;
  const content = reply.content as KernelMessage.IExecuteReply & { user_expressions?: Record<string, UserExpressionResult> };
  if (content.status !== 'ok') throw new Error(`the kernel could not list its variables: ${(content as { ename?: string }).ename ?? content.status}`);
  return parseVariables(content.user_expressions?.variables);
}
