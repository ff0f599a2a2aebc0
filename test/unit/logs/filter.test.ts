// What a job-log document shows: lines in time order across replicas, a text filter (substring any case, or
// /regex/flags), and the filter named in the document's name.
import assert from 'node:assert/strict';
import type * as P from '../../../companion-daemon/src/protocol';
import { byTime, describeFilter, logPath, textMatcher, textProblem } from '../../../extension/logs/filter';

const line = (replica: string, time: string, text: string): P.LogLine => ({ replica, pod: `job-${replica}`, container: 'pytorch', time, text });

describe('job log filter (extension/logs/filter.ts)', () => {
  it('interleaves the backlog by time across replicas; lines of one instant keep their order', () => {
    const grouped = [
      line('master-0', '2026-12-06T10:00:00.100Z', 'm1'), line('master-0', '2026-12-06T10:00:02.000Z', 'm2'),
      line('worker-0', '2026-12-06T10:00:01.000Z', 'w1'), line('worker-0', '2026-12-06T10:00:03.000Z', 'w2'),
      line('worker-1', '2026-12-06T10:00:01.000Z', 'x1'), line('worker-1', '2026-12-06T10:00:01.000Z', 'x2'),
    ];
    assert.deepEqual(byTime(grouped).map((l) => l.text), ['m1', 'w1', 'x1', 'x2', 'm2', 'w2']);
  });

  it('filters by substring in any case, or by /regex/flags; a bad expression is a problem, not a crash', () => {
    assert.ok(textMatcher('LOSS')('epoch 1 loss 2.3'));
    assert.ok(!textMatcher('acc')('epoch 1 loss 2.3'));
    assert.ok(textMatcher('/loss \\d\\.\\d/')('epoch 1 loss 2.3'));
    assert.ok(!textMatcher('/^loss/')('epoch 1 loss 2.3'));
    assert.ok(textMatcher('/TRACEBACK/i')('Traceback (most recent call last):'));
    // A "g" flag would make test() stateful: it is dropped.
    const g = textMatcher('/a/g');
    assert.ok(g('a') && g('a'));
    assert.match(textProblem('/(unclosed/') ?? '', /Not a valid regular expression/);
    assert.equal(textProblem('(just text'), undefined);
  });

  it('names the filter for the tab title', () => {
    assert.equal(describeFilter({}), '');
    assert.equal(describeFilter({ replicas: ['worker-2'] }), ' (worker-2)');
    assert.equal(describeFilter({ replicas: ['master-0', 'worker-1'], text: 'loss' }), ' (master-0, worker-1 · “loss”)');
    // No path separator gets into the document's name.
    assert.equal(describeFilter({ text: '/a\\/b/' }), ' (“∕a∕∕b∕”)');
  });

  it('names a pipeline step\'s live log after its task and run, not its pod; other logs after their source', () => {
    const pod: P.LogSource = { kind: 'pod', namespace: 'kubeflow-user', name: 'hello-x7k2p-system-container-impl-690511402' };
    const name = (path: string) => path.split('/').pop();
    // The tab title is the path's last segment: the server-side copy's name (`<task> · <run>.kflog`).
    assert.equal(name(logPath(pod, {}, 'train-model · nightly 2026-12-06')), 'train-model · nightly 2026-12-06.kflog');
    assert.equal(logPath(pod, {}, 'train-model · nightly'), '/kubeflow-user/train-model · nightly.kflog');
    // A filter keeps the name and says what it shows; a slash in a run name does not split the path.
    assert.equal(name(logPath(pod, { text: 'loss' }, 'train · a/b')), 'train · a∕b (“loss”).kflog');
    assert.equal(logPath(pod, {}), '/kubeflow-user/pod/hello-x7k2p-system-container-impl-690511402.kflog');
    assert.equal(logPath({ kind: 'job', namespace: 'ns', jobKind: 'PyTorchJob', name: 'mnist' }, { replicas: ['worker-2'] }), '/ns/PyTorchJob/mnist (worker-2).kflog');
  });
});
