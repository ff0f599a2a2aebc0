// The Runs view's metric cache (extension/runs/runMetrics.ts) inside a real extension host, reading through the real
// MLMD gRPC client (core/mlmd/client.ts with the build's dist/mlmd.desc) from an address where no MLMD listens: the
// unreachable store is one kept message and one log line, however many runs are listed, reads stop until retry(),
// at most 4 run at once, and running runs are never read.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Run } from '../../../core/kfp/types';
import { MlmdClient } from '../../../core/mlmd/client';
import { runOutputs } from '../../../core/mlmd/outputs';
import { RunMetricsCache } from '../../../extension/runs/runMetrics';
import { errorMessage } from '../../../extension/log';
import { repoRoot } from '../../rigs/kube/index';

/** A port that was free a moment ago: nothing listens there. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

suite('run metric columns: the metrics cache (extension host)', function () {
  this.timeout(120_000);

  test('an unreachable MLMD is one message and one log line for 12 runs, no reads after it until retry(), at most 4 at once', async () => {
    const client = new MlmdClient(`127.0.0.1:${await closedPort()}`, fs.readFileSync(path.join(repoRoot, 'dist', 'mlmd.desc')), { timeoutMs: 20_000 });
    let calls = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const metadata = {
      runOutputs: async (id: string) => {
        calls++;
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
          return runOutputs(id, await client.run(id));
        } finally {
          inFlight--;
        }
      },
    };
    const warnings: string[] = [];
    const log = vscode.window.createOutputChannel('Kubeflow metrics test', { log: true });
    const spy = Object.assign(Object.create(log) as vscode.LogOutputChannel, { warn: (m: string) => warnings.push(m) });
    const cache = new RunMetricsCache(metadata, errorMessage, spy);
    const runs: Run[] = [
      ...Array.from({ length: 12 }, (_, i) => ({ run_id: `ended-${i}`, state: 'SUCCEEDED' as const })),
      { run_id: 'running', state: 'RUNNING' },
    ];
    try {
      let changes = 0;
      cache.onDidChange(() => changes++);
      await cache.read(runs);
      assert.match(cache.error ?? '', /MLMD at 127\.0\.0\.1:\d+ is unreachable/);
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.ok(maxInFlight <= 4, `at most 4 reads at once, saw ${maxInFlight}`);
      assert.ok(calls >= 1 && calls <= 4, `reads stop at the failure: ${calls} of 12 were made`);
      assert.equal(cache.get('ended-0'), undefined);
      const before = calls;
      cache.want(runs);
      await cache.read(runs);
      assert.equal(calls, before, 'no read while the failure stands');
      cache.retry();
      assert.equal(cache.error, undefined);
      await cache.read(runs.slice(0, 1));
      assert.equal(calls, before + 1, 'retry() reads again');
      assert.ok(cache.error, 'and fails again, once');
      assert.equal(warnings.length, 2);
      await new Promise((r) => setTimeout(r, 400));
      assert.ok(changes >= 1 && changes <= 3, `the view is told in batches, not per run: ${changes} changes`);
    } finally {
      cache.dispose();
      client.close();
      log.dispose();
    }
  });
});
