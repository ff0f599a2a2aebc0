// Run metric columns (core/mlmd/runMetrics.ts): the metrics the real classifier run recorded in MLMD
// (test/fixtures/mlmd/classifier-run.json, see mlmd-outputs.test.ts), the column names offered, compact numbers and
// the Runs view's sort orders with runs that lack the metric last.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runOutputs, type RawRun } from '../../core/mlmd/outputs';
import { describeSort, formatMetric, metricColumns, metricsLine, metricValue, runMetrics, sortRuns, type RunMetric } from '../../core/mlmd/runMetrics';

const raw = (): RawRun => JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'mlmd', 'classifier-run.json'), 'utf8')) as RawRun;

describe('run metric columns (core/mlmd/runMetrics)', () => {
  it('reads the scalar metrics the classifier run logged, and only those (not the confusion matrix)', () => {
    assert.deepEqual(runMetrics(runOutputs('run-a', raw())), [{ task: 'train', name: 'accuracy', value: 0.9 }, { task: 'train', name: 'loss', value: 0.1 }]);
    assert.deepEqual(runMetrics(runOutputs('none', undefined)), []);
  });

  it('offers bare names, and task/name where two tasks log the same name', () => {
    const a: RunMetric[] = [{ task: 'train', name: 'accuracy', value: 0.9 }, { task: 'train', name: 'loss', value: 0.1 }];
    const b: RunMetric[] = [{ task: 'eval', name: 'accuracy', value: 0.8 }, { task: 'eval', name: 'f1', value: 0.7 }];
    assert.deepEqual(metricColumns([a]), ['accuracy', 'loss']);
    assert.deepEqual(metricColumns([a, b, []]), ['eval/accuracy', 'f1', 'loss', 'train/accuracy']);
    assert.equal(metricValue([...a, ...b], 'eval/accuracy'), 0.8);
    assert.equal(metricValue([...a, ...b], 'train/accuracy'), 0.9);
    // a bare name chosen earlier still finds the run's metric, whichever task logged it
    assert.equal(metricValue(b, 'accuracy'), 0.8);
    assert.equal(metricValue(a, 'f1'), undefined);
  });

  it('formats compact numbers, with – for a missing metric', () => {
    assert.deepEqual([0.9333333, 0.12, 12, 0, 12345, 2_500_000, -0.5, 0.0000123, Number.NaN, undefined].map(formatMetric),
      ['0.933', '0.12', '12', '0', '12.3K', '2.5M', '-0.5', '1.2e-5', '–', '–']);
    const m: RunMetric[] = [{ task: 'train', name: 'accuracy', value: 0.93 }, { task: 'train', name: 'loss', value: 0.1234 }];
    assert.equal(metricsLine(m, ['accuracy', 'loss', 'f1']), 'accuracy 0.93 · loss 0.123 · f1 –');
  });

  it('sorts by created, duration or a metric either way, runs without the value last (newest first among them)', () => {
    const m = (acc: number): RunMetric[] => [{ task: 'train', name: 'accuracy', value: acc }];
    const runs = [
      { id: 'a', created: 5, duration: 10, metrics: m(0.7) },
      { id: 'b', created: 4, duration: 30, metrics: m(0.9) },
      { id: 'running', created: 6 },
      { id: 'c', created: 3, duration: 20, metrics: m(0.8) },
      { id: 'no-metric', created: 2, duration: 5, metrics: [] as RunMetric[] },
      { id: 'old-running', created: 1 },
    ];
    const ids = (sort: Parameters<typeof sortRuns>[1]) => sortRuns(runs, sort, (r) => r).map((r) => r.id);
    assert.deepEqual(ids({ by: 'created' }), ['running', 'a', 'b', 'c', 'no-metric', 'old-running']);
    assert.deepEqual(ids({ by: 'duration' }), ['b', 'c', 'a', 'no-metric', 'running', 'old-running']);
    assert.deepEqual(ids({ by: 'metric', column: 'accuracy', desc: true }), ['b', 'c', 'a', 'running', 'no-metric', 'old-running']);
    assert.deepEqual(ids({ by: 'metric', column: 'accuracy', desc: false }), ['a', 'c', 'b', 'running', 'no-metric', 'old-running']);
    assert.deepEqual(runs.map((r) => r.id)[0], 'a', 'the input is left as it was');
  });

  it('says the sort in words (nothing for the default)', () => {
    assert.deepEqual([describeSort({ by: 'created' }), describeSort({ by: 'duration' }), describeSort({ by: 'metric', column: 'train/loss', desc: false })],
      [undefined, 'by duration', 'by train/loss ↑']);
  });
});
