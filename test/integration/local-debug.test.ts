// Debug Component at the Debug Adapter Protocol level: the driver runs one component in its own process under the
// rig venv's real debugpy (what *Debug Component…* starts), a DAP client attaches as VS Code's Python debugger would,
// and a breakpoint in the component's body (in the user's file, not kfp's ephemeral copy) stops with the inputs
// given. Also: a component run with an artifact input taken from an earlier local run's outputs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { startLocalRun, type LocalRun } from '../../core/localRun/runner.node';
import { debugpyArgs } from '../../core/localRun/debug';
import { freePort, venvBin } from '../rigs/jupyter/index';
import { until } from '../support/wait';

const FIXTURES = path.resolve(__dirname, '../fixtures/pipelines/local');
const DRIVER = path.resolve(__dirname, '../../core/localRun/driver.py');

/** Whether a socket listens on 127.0.0.1:port (Linux: /proc/net/tcp, state 0A). */
function listening(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').some((l) => {
    const f = l.trim().split(/\s+/);
    return f[1] === `0100007F:${hex}` && f[3] === '0A';
  });
}

describe('Debug Component (debugpy, DAP)', function () {
  this.timeout(240_000);
  let runsDir: string;
  const runs: LocalRun[] = [];
  before(() => {
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-local-debug-'));
  });
  after(async () => {
    for (const r of runs) r.cancel();
    await Promise.all(runs.map((r) => r.done));
    fs.rmSync(runsDir, { recursive: true, force: true });
  });

  it('a breakpoint in the component body stops, with the inputs from the form; continuing finishes the run', async () => {
    const file = path.join(FIXTURES, 'failing.py');
    const port = await freePort();
    const r = startLocalRun({ python: venvBin('python'), runsDir, driver: DRIVER, file, mode: 'component', function: 'divide', arguments: { a: 6, b: 3 }, pythonArgs: debugpyArgs(port) });
    runs.push(r);
    const dc = new DebugClient('unused', '', 'debugpy');
    dc.defaultTimeout = 60_000;
    // debugpy takes its one client on the first connection: wait until it listens (a probe connection would be it).
    await until('debugpy listens', 60_000, () => listening(port), 200);
    await dc.start(port);
    try {
      await dc.initializeRequest({ adapterID: 'debugpy', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
      const attached = dc.attachRequest({ justMyCode: true } as never);
      await dc.waitForEvent('initialized');
      const bp = await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line: 7 }] });
      assert.equal(bp.body.breakpoints[0]?.verified, true, JSON.stringify(bp.body));
      await dc.configurationDoneRequest();
      await attached;
      const stopped = await dc.waitForEvent('stopped');
      assert.equal(stopped.body.reason, 'breakpoint');
      const stack = await dc.stackTraceRequest({ threadId: stopped.body.threadId as number });
      const top = stack.body.stackFrames[0]!;
      assert.equal(top.name, 'divide');
      assert.equal(top.line, 7);
      assert.equal(top.source?.path, file, 'stops in the user file, not an ephemeral copy');
      // The inputs from the form are the function's arguments.
      const scopes = await dc.scopesRequest({ frameId: top.id });
      const vars = await dc.variablesRequest({ variablesReference: scopes.body.scopes[0]!.variablesReference });
      const byName = Object.fromEntries(vars.body.variables.map((v) => [v.name, v.value]));
      assert.equal(byName.a, '6');
      assert.equal(byName.b, '3');
      await dc.continueRequest({ threadId: stopped.body.threadId as number });
      const rec = await r.done;
      assert.equal(rec.state, 'succeeded', rec.error);
      assert.equal(rec.tasks.divide.outputs?.parameters.Output, 2);
      assert.match(fs.readFileSync(path.join(r.dir, rec.tasks.divide.log), 'utf8').concat(fs.readFileSync(path.join(r.dir, 'driver.log'), 'utf8')), /dividing 6 by 3/);
    } finally {
      await dc.stop().catch(() => undefined);
    }
  });

  it('a component with an artifact input from an earlier local run\'s outputs', async () => {
    const file = path.join(FIXTURES, 'loop_condition_artifacts.py');
    const base = { python: venvBin('python'), runsDir, driver: DRIVER, file, mode: 'component' as const };
    const w = startLocalRun({ ...base, function: 'write_dataset', arguments: { rows: 7 } });
    runs.push(w);
    const wrote = await w.done;
    assert.equal(wrote.state, 'succeeded', wrote.error);
    const data = wrote.outputs!.artifacts.data[0]!;
    const c = startLocalRun({ ...base, function: 'count_lines', arguments: { data } });
    runs.push(c);
    const counted = await c.done;
    assert.equal(counted.state, 'succeeded', counted.error);
    assert.equal(counted.outputs?.parameters.Output, 7);
  });
});
