import assert from 'node:assert/strict';
import type { KernelMessage } from '@jupyterlab/services';
import { MIME, bundleItems, stripAnsi, toOps, type OutputOp } from '../../../extension/notebooks/outputs';
import { requestHeaders, chooseKernelSpec, explain, JupyterError } from '../../../extension/notebooks/jupyter';

const msg = (type: string, content: object): KernelMessage.IIOPubMessage =>
  ({ header: { msg_type: type, msg_id: 'm', session: 's', username: '', date: '', version: '5.3' }, parent_header: {}, metadata: {}, content, channel: 'iopub' }) as unknown as KernelMessage.IIOPubMessage;
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('notebook outputs from Jupyter messages', () => {
  it('streams go to stdout/stderr text', () => {
    assert.deepEqual(toOps(msg('stream', { name: 'stdout', text: 'hi\n' })), [{ op: 'stream', name: 'stdout', text: 'hi\n' }]);
    assert.deepEqual(toOps(msg('stream', { name: 'stderr', text: 'warn' })), [{ op: 'stream', name: 'stderr', text: 'warn' }]);
  });

  it('execute_input and execute_result set the execution order; the result is saved back as execute_result', () => {
    assert.deepEqual(toOps(msg('execute_input', { code: '1', execution_count: 7 })), [{ op: 'count', count: 7 }]);
    const ops = toOps(msg('execute_result', { execution_count: 8, data: { 'text/plain': '42' }, metadata: {} }));
    assert.deepEqual(ops[0], { op: 'count', count: 8 });
    const append = ops[1] as Extract<OutputOp, { op: 'append' }>;
    assert.equal(append.op, 'append');
    assert.deepEqual(append.output.metadata, { outputType: 'execute_result', metadata: {}, executionCount: 8 });
    assert.equal(dec(append.output.items[0].data), '42');
  });

  it('images are decoded from base64; HTML comes before text/plain; JSON is JSON text', () => {
    const items = bundleItems({ 'text/plain': ['<Figure ', 'size 1x1>'], 'image/png': `${PNG_1PX}\n`, 'text/html': '<b>x</b>', 'application/json': { a: [1, 2] } });
    assert.deepEqual(items.map((i) => i.mime), ['text/html', 'image/png', 'application/json', 'text/plain']);
    const png = items[1].data;
    assert.deepEqual([...png.slice(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.equal(dec(items[2].data), '{"a":[1,2]}');
    assert.equal(dec(items[3].data), '<Figure size 1x1>');
    assert.equal(dec(bundleItems({ 'image/svg+xml': '<svg/>' })[0].data), '<svg/>');
  });

  it('errors become the notebook error item with name, message and the traceback as stack', () => {
    const [op] = toOps(msg('error', { ename: 'ZeroDivisionError', evalue: 'division by zero', traceback: ['\x1b[31mTraceback\x1b[0m', 'line 1'] }));
    assert.equal(op.op, 'append');
    const item = (op as Extract<OutputOp, { op: 'append' }>).output.items[0];
    assert.equal(item.mime, MIME.error);
    assert.deepEqual(JSON.parse(dec(item.data)), { name: 'ZeroDivisionError', message: 'division by zero', stack: '\x1b[31mTraceback\x1b[0m\nline 1' });
    // What the .ipynb serializer saves instead of re-splitting the stack (lines ending in \n: double-spaced on reopen).
    assert.deepEqual((op as Extract<OutputOp, { op: 'append' }>).output.metadata.originalError, { output_type: 'error', ename: 'ZeroDivisionError', evalue: 'division by zero', traceback: ['\x1b[31mTraceback\x1b[0m', 'line 1'] });
    assert.equal(stripAnsi('\x1b[31mTraceback\x1b[0m'), 'Traceback');
  });

  it('display ids: display_data remembers its id, update_display_data replaces by id; clear_output keeps wait', () => {
    const [d] = toOps(msg('display_data', { data: { 'text/plain': '0%' }, metadata: {}, transient: { display_id: 'p1' } }));
    assert.equal((d as Extract<OutputOp, { op: 'append' }>).displayId, 'p1');
    const [u] = toOps(msg('update_display_data', { data: { 'text/plain': '50%' }, metadata: {}, transient: { display_id: 'p1' } }));
    assert.equal(u.op, 'update');
    assert.equal(dec((u as Extract<OutputOp, { op: 'update' }>).output.items[0].data), '50%');
    assert.deepEqual(toOps(msg('clear_output', { wait: true })), [{ op: 'clear', wait: true }]);
    assert.deepEqual(toOps(msg('status', { execution_state: 'idle' })), []);
  });
});

describe('notebook server connection', () => {
  it('sends a matching XSRF cookie and header, keeps gateway cookies, and the token as a header', () => {
    const h = requestHeaders({ token: 't0k', headers: { Cookie: 'authservice_session=abc' } });
    const x = h['X-XSRFToken'];
    assert.match(x, /^[0-9a-f]{32}$/);
    assert.equal(h.Cookie, `authservice_session=abc; _xsrf=${x}`);
    assert.equal(h.Authorization, 'token t0k');
    assert.notEqual(requestHeaders()['X-XSRFToken'], x);
  });

  it('says what a 403, a 404 and a network error mean', () => {
    const res = (status: number) => ({ response: { status } as Response, message: 'x' });
    assert.equal(explain(res(403), 'nb').problem, 'auth');
    assert.match(explain(res(403), 'nb').message, /password or token/);
    assert.equal(explain(res(302), 'nb').problem, 'auth');
    assert.equal(explain(res(404), 'nb').problem, 'not-jupyter');
    assert.equal(explain(new TypeError('fetch failed'), 'nb').problem, 'unreachable');
    const e = new JupyterError('kernel-spec', 'x');
    assert.equal(explain(e, 'nb'), e);
  });

  it('runs a notebook on the kernel it names, or the server default when it names none', () => {
    const specs = { default: 'python3', specs: { python3: { display: 'Python 3', language: 'python' }, ir: { display: 'R', language: 'R' } } };
    assert.equal(chooseKernelSpec(specs, 'ir', 's'), 'ir');
    assert.equal(chooseKernelSpec(specs, undefined, 's'), 'python3');
    assert.throws(() => chooseKernelSpec(specs, 'julia', 's'), /no kernel "julia" \(it has: python3, ir\)/);
  });
});
