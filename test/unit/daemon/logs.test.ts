import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { V1Pod } from '@kubernetes/client-node';
import { unseen } from '../../../companion-daemon/src/cli/follow';
import { CaptureFile } from '../../../companion-daemon/src/logs/file';
import { captureId, compareTags, podSelectorFor, replicaTag } from '../../../companion-daemon/src/logs/replicas';
import { LineDeduper } from '../../../companion-daemon/src/logs/stream';
import type { Pod } from '../../../core/training/objects';
import { podTag } from '../../../core/training/state';

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

  it('tags a pod the same in the merged log and in the Training view', () => {
    const cases: Array<Record<string, string>> = [
      { 'training.kubeflow.org/replica-type': 'Worker', 'training.kubeflow.org/replica-index': '7' },
      { 'training.kubeflow.org/job-role': 'Launcher' },
      { 'jobset.sigs.k8s.io/replicatedjob-name': 'node', 'jobset.sigs.k8s.io/job-index': '1', 'batch.kubernetes.io/job-completion-index': '2' },
      {},
    ];
    const view = cases.map((labels) => podTag({ metadata: { name: 'p', labels } } as Pod).tag);
    assert.deepEqual(cases.map((l) => replicaTag(withLabels(l))), view);
    assert.deepEqual(view, ['worker-7', 'launcher', 'node-1-2', 'p']);
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

  it('writes each line as the JSON of the line, whatever its replica, pod and text', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-cap-'));
    const f = new CaptureFile(path.join(dir, 'job.jsonl'));
    const lines = [
      { replica: 'worker-"0"', pod: 'p\n', container: 'c', time: '2026-01-01T00:00:01Z', text: 'quote " backslash \\ nul \u0000 ü' },
      { replica: 'worker-"0"', pod: 'p\n', container: 'c', time: '', text: '' },
      { replica: 'master-0', pod: 'p', container: 'c', time: '2026-01-01T00:00:02Z', text: '{"json": true}' },
      { replica: 'master-0', pod: 'p', container: 'other', time: '2026-01-01T00:00:03Z', text: 'x' },
    ];
    f.append(lines.slice(0, 3));
    f.append(lines.slice(3));
    assert.equal(fs.readFileSync(f.file, 'utf8'), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    assert.deepEqual(f.tail(), lines);
    f.close();
  });
});

describe('resuming after a daemon restart', () => {
  const L = (pod: string, time: string, text: string) => ({ replica: pod, pod, container: 'c', time, text });

  it('finds where each container stopped in the capture, and a new deduper goes on from there', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-resume-'));
    const file = path.join(dir, 'job.jsonl');
    const f = new CaptureFile(file, 1200, 2);
    f.append([L('a', '2026-01-01T00:00:01.1Z', 'a1'), L('b', '2026-01-01T00:00:01.2Z', 'b1')]);
    for (let i = 0; i < 20; i++) f.append([L('b', `2026-01-01T00:00:02.${i}Z`, `b-${i}`)]);
    f.append([L('a', '2026-01-01T00:00:03.1Z', 'same'), L('a', '2026-01-01T00:00:03.1Z', 'same')]);
    f.close();
    assert.ok(fs.existsSync(`${file}.1`), 'rotated');
    // A daemon killed mid-write leaves half a line; the next one cuts it and reads the rest.
    fs.appendFileSync(file, '{"replica":"a","pod":"a","contai');
    const again = new CaptureFile(file, 1200, 2);
    assert.ok(fs.readFileSync(file, 'utf8').endsWith('\n'));
    const points = again.resumePoints();
    assert.deepEqual(points.get('a/c')?.map((l) => l.text), ['same', 'same']);
    assert.equal(points.get('b/c')?.length, 20, 'every line of b\'s last second, across the rotated part');
    const d = new LineDeduper();
    d.restore(points.get('a/c')!);
    assert.equal(d.resumeFrom(), '2026-01-01T00:00:03Z');
    const kept = [
      ['2026-01-01T00:00:03.1Z', 'same'],
      ['2026-01-01T00:00:03.1Z', 'same'],
      ['2026-01-01T00:00:03.1Z', 'same'],
      ['2026-01-01T00:00:04.0Z', 'new'],
    ].filter(([t, x]) => d.accept(t, x));
    assert.deepEqual(kept.map(([, x]) => x), ['same', 'new']);
  });

  it('prints only what follows the last printed line when the CLI reconnects', () => {
    const lines = Array.from({ length: 10 }, (_, i) => L('p', `2026-01-01T00:00:0${i}Z`, i % 3 === 0 ? 'same' : `l${i}`));
    const key = (l: ReturnType<typeof L>) => JSON.stringify([l.replica, l.pod, l.container, l.time, l.text]);
    assert.deepEqual(unseen(lines.slice(0, 4).map(key), lines)?.map((l) => l.text), lines.slice(4).map((l) => l.text));
    assert.deepEqual(unseen(lines.map(key), lines), []);
    assert.equal(unseen([key(L('p', 'x', 'gone'))], lines), undefined, 'the backlog does not reach back');
    const dup = [L('p', 't', 'x'), L('p', 't', 'x'), L('p', 't', 'x')];
    assert.equal(unseen([key(dup[0]), key(dup[0])], dup)?.length, 0, 'the latest match wins');
  });
});
