// The Kernel Variables view's question to a real IPython kernel (the Jupyter rig, through the extension's own
// Jupyter client): names, types, shapes and values as the view lists them; modules, functions, classes, IPython's own
// names and `_` names left out; awkward values (quotes, backslashes, non-ASCII, huge) arrive intact and shortened;
// the question is silent (no execution count taken, no output), and a kernel busy with a cell answers nothing in time.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { askVariables, describeVariable } from '../../core/notebooks/variables';
import { JupyterServerClient, jupyterSettings, openSession } from '../../extension/notebooks/jupyter';
import { startJupyter, type JupyterServer } from '../rigs/jupyter/index';

async function run(kernel: Kernel.IKernelConnection, code: string): Promise<{ count: number | null; outputs: string[] }> {
  const outputs: string[] = [];
  const future = kernel.requestExecute({ code });
  future.onIOPub = (m) => {
    if (m.header.msg_type === 'stream') outputs.push((m.content as KernelMessage.IStreamMsg['content']).text);
  };
  const reply = await future.done;
  assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
  return { count: (reply.content as { execution_count: number | null }).execution_count, outputs };
}

describe('kernel variables (the Kernel Variables view) on a real IPython kernel', function () {
  this.timeout(120_000);
  let jup: JupyterServer | undefined;
  let client: JupyterServerClient | undefined;
  let kernel: Kernel.IKernelConnection;

  before(async () => {
    jup = await startJupyter({ baseUrl: '/notebook/kubeflow-user/vars-nb' });
    client = new JupyterServerClient(jupyterSettings(jup.url), 'vars-nb');
    ({ kernel } = await openSession(client, { path: 'vars.ipynb', kernelName: 'python3', clientId: randomUUID() }));
  });
  after(async () => {
    await kernel?.shutdown().catch(() => undefined);
    client?.dispose();
    await jup?.stop();
  });

  it('lists what the cells defined, with type, shape or length and a shortened one-line value', async () => {
    await run(kernel, [
      'import os, pandas as pd',
      'x = 41',
      'df = pd.DataFrame({"step": [1, 2, 3], "loss": [0.9, 0.5, 0.3]})',
      'text = "it\'s \\"quoted\\" \\\\ ünïcode\\nsecond line"',
      'big = list(range(100000))',
      'def helper(): pass',
      'class Model: pass',
      '_private = 1',
    ].join('\n'));
    const vars = await askVariables(kernel, 30_000);
    assert.ok(vars);
    const by = new Map(vars.map((v) => [v.name, v]));
    assert.deepEqual([...by.keys()], ['big', 'df', 'text', 'x'], 'no modules, functions, classes, IPython names or _names');
    assert.deepEqual(by.get('x'), { name: 'x', type: 'int', value: '41' });
    assert.equal(describeVariable(by.get('df')!), 'DataFrame · 3×2');
    assert.match(by.get('df')!.value, /step\s+loss/);
    assert.equal(by.get('text')!.type, 'str');
    assert.equal(by.get('text')!.value, String.raw`'it\'s "quoted" \\ ünïcode\nsecond line'`);
    assert.equal(describeVariable(by.get('big')!), 'list · 100000');
    assert.ok(by.get('big')!.value.length < 120 && by.get('big')!.value.endsWith('...]'), by.get('big')!.value);
  });

  it('asks silently: the next cell keeps its execution count and nothing is printed', async () => {
    const before = await run(kernel, 'print("before")');
    for (let i = 0; i < 3; i++) assert.ok(await askVariables(kernel, 30_000));
    const after = await run(kernel, 'print("after")');
    assert.equal(after.count, (before.count ?? 0) + 1);
    assert.deepEqual(after.outputs, ['after\n']);
  });

  it('gives no answer in time while a cell runs, and the variables once it has finished', async () => {
    const running = run(kernel, 'import time\ntime.sleep(3)\nlate = "done"');
    assert.equal(await askVariables(kernel, 500), undefined);
    await running;
    const vars = await askVariables(kernel, 30_000);
    assert.ok(vars?.some((v) => v.name === 'late' && v.value === "'done'"));
  });
});
