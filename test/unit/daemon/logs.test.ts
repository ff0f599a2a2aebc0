import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { V1Pod } from '@kubernetes/client-node';
import { CaptureFile } from '../../../companion-daemon/src/logs/file';
import { captureId, compareTags, podSelectorFor, replicaTag } from '../../../companion-daemon/src/logs/replicas';
import { LineDeduper } from '../../../companion-daemon/src/logs/stream';

const withLabels = (labels: Record<string, string>, name = 'p'): V1Pod => ({ metadata: { name, labels } });

describe('job log replicas', () => {
  it('tags training-operator replicas by role and rank', () => {
    assert.equal(replicaTag(withLabels({ 'training.kubeflow.org/replica-type': 'Master', 'training.kubeflow.org/replica-index': '0' })), 'master-0');
    assert.equal(replicaTag(withLabels({ 'training.kubeflow.org/replica-type': 'worker', 'training.kubeflow.org/replica-index': '2' })), 'worker-2');
    assert.equal(replicaTag(withLabels({ 'training.kubeflow.org/job-role': 'launcher' })), 'launcher');
  });

  it('tags TrainJob (JobSet) pods by replicated job and completion index', () => {
    const l = { 'jobset.sigs.k8s.io/replicatedjob-name': 'node', 'jobset.sigs.k8s.io/job-index': '0', 'batch.kubernetes.io/job-completion-index': '3' };
    assert.equal(replicaTag(withLabels(l)), 'node-3');
    assert.equal(replicaTag(withLabels({})), 'p');
  });

  it('finds a job\'s pods by the operator\'s job-name label', () => {
    assert.deepEqual(podSelectorFor({ kind: 'job', namespace: 'n', jobKind: 'PyTorchJob', name: 'bert' }), { labelSelector: 'training.kubeflow.org/job-name=bert' });
    assert.deepEqual(podSelectorFor({ kind: 'job', namespace: 'n', jobKind: 'TrainJob', name: 'tj' }), { labelSelector: 'jobset.sigs.k8s.io/jobset-name=tj' });
  });

  it('orders master before workers and ranks numerically', () => {
    assert.deepEqual(['worker-10', 'worker-2', 'master-0', 'worker-1'].sort(compareTags), ['master-0', 'worker-1', 'worker-2', 'worker-10']);
  });

  it('names captures so a selector cannot escape the logs directory', () => {
    const id = captureId({ kind: 'selector', namespace: 'n', selector: 'app=../../x' });
    assert.ok(!id.includes('/'), id);
  });
});

describe('resuming a cut log stream', () => {
  it('keeps every line once when the resume repeats the last second', () => {
    const d = new LineDeduper();
    const first = [
      ['2026-01-01T00:00:01.100Z', 'a'],
      ['2026-01-01T00:00:02.100Z', 'b'],
      ['2026-01-01T00:00:02.200Z', 'same'],
      ['2026-01-01T00:00:02.200Z', 'same'],
    ];
    const kept: string[] = [];
    for (const [t, x] of first) if (d.accept(t, x)) kept.push(x);
    assert.equal(d.resumeFrom(), '2026-01-01T00:00:02Z');
    // The API resends the whole second, then new lines (one identical text at the same instant is new).
    const resent = [
      ['2026-01-01T00:00:02.100Z', 'b'],
      ['2026-01-01T00:00:02.200Z', 'same'],
      ['2026-01-01T00:00:02.200Z', 'same'],
      ['2026-01-01T00:00:02.200Z', 'same'],
      ['2026-01-01T00:00:02.900Z', 'c'],
      ['2026-01-01T00:00:03.000Z', 'b'],
    ];
    for (const [t, x] of resent) if (d.accept(t, x)) kept.push(x);
    assert.deepEqual(kept, ['a', 'b', 'same', 'same', 'same', 'c', 'b']);
  });

  it('does not keep the text of a second\'s lines in memory', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const heapUsed = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const d = new LineDeduper();
    const before = heapUsed();
    // 20,000 lines of one second (8 MB of text), cut from chunks the way a log stream delivers them.
    for (let c = 0; c < 200; c++) {
      const chunk = Array.from({ length: 100 }, (_, i) => `2026-01-01T00:00:01.000000000Z step ${c * 100 + i} ${'x'.repeat(400)}`).join('\n');
      for (const line of chunk.split('\n')) assert.ok(d.accept(line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)));
    }
    const kept = heapUsed() - before;
    assert.ok(kept < 3 * 1024 * 1024, `the deduper holds ${(kept / 1048576).toFixed(1)} MB for 20,000 lines`);
    assert.equal(d.resumeFrom(), '2026-01-01T00:00:01Z');
    assert.equal(d.accept('2026-01-01T00:00:01.000000000Z', `step 7 ${'x'.repeat(400)}`), false, 'a resent line is still dropped');
  });

  it('has nothing to resume from before the first line', () => {
    assert.equal(new LineDeduper().resumeFrom(), undefined);
  });
});

describe('capture files', () => {
  it('rotates past the size bound and still reads the tail across parts', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-cap-'));
    const f = new CaptureFile(path.join(dir, 'job.jsonl'), 2000, 2);
    const line = (i: number) => ({ replica: `worker-${i % 3}`, pod: 'p', container: 'c', time: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`, text: `step ${i}` });
    for (let i = 0; i < 100; i++) f.append([line(i)]);
    assert.ok(fs.existsSync(path.join(dir, 'job.jsonl.1')));
    assert.ok(!fs.existsSync(path.join(dir, 'job.jsonl.3')));
    const total = fs.readdirSync(dir).reduce((n, p) => n + fs.statSync(path.join(dir, p)).size, 0);
    assert.ok(total < 3 * 2000 + 200, `bounded: ${total} bytes`);
    const tail = f.tail(10);
    assert.deepEqual(tail.map((l) => l.text), Array.from({ length: 10 }, (_, i) => `step ${90 + i}`));
    f.close();
    // A new daemon reopening the capture sees the same lines.
    const again = new CaptureFile(path.join(dir, 'job.jsonl'), 2000, 2);
    assert.equal(again.tail(1)[0].text, 'step 99');
    again.close();
  });
});
