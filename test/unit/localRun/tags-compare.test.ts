// Kale cell tags read and written as the notebook keeps them, the cell a Kale error is about, and the compare of two
// local runs (Markdown-safe cells, differences marked).
import assert from 'node:assert/strict';
import { cellOfError, describeCellTags, readCellTags, validStepName, writeCellTags } from '../../../core/kale/tags';
import { compareLocalRuns } from '../../../core/localRun/compare';
import type { LocalRunRecord } from '../../../core/localRun/record';

describe('Kale cell tags', () => {
  it('reads a step with its previous steps and keeps tags it does not interpret', () => {
    const t = readCellTags(['step:train', 'prev:load', 'prev:split', 'limit:nvidia.com/gpu:1', 42]);
    assert.deepEqual(t, { role: 'step', step: 'train', prev: ['load', 'split'], other: ['limit:nvidia.com/gpu:1'] });
    assert.equal(describeCellTags(t), 'step train ← load, split');
    assert.deepEqual(writeCellTags({ ...t, prev: ['load'] }), ['step:train', 'prev:load', 'limit:nvidia.com/gpu:1']);
  });
  it('roles without a step; a role change drops the step tags', () => {
    assert.equal(readCellTags(['pipeline-parameters']).role, 'pipeline-parameters');
    assert.equal(describeCellTags(readCellTags([])), 'no Kale tag (part of the step above)');
    assert.deepEqual(writeCellTags({ role: 'imports', step: 'x', prev: ['y'], other: [] }), ['imports']);
    assert.equal(readCellTags(['block:old']).step, 'old');
  });
  it('step names as Kale accepts them', () => {
    assert.equal(validStepName('train_2'), undefined);
    assert.match(validStepName('Train-2') ?? '', /Lower-case/);
  });
  it('the cell of an error: the quoted unknown tag, else the named step', () => {
    const cells = [readCellTags(['imports']), readCellTags(['step:a']), readCellTags(['step:b', 'bogus:tag'])];
    assert.equal(cellOfError('ValueError: Unrecognized tag: bogus:tag', cells), 2);
    assert.equal(cellOfError("ValueError: step 'a' depends on itself", cells), 1);
    assert.equal(cellOfError('something else', cells), undefined);
  });
});

describe('compare two local runs', () => {
  const run = (id: string, n: number, out: number, state: LocalRunRecord['state']): LocalRunRecord => ({
    id, mode: 'run', file: '/w/p.py', function: '', name: 'p', python: '/py', kfp: '2.17.3', arguments: { n, label: 'a|b' }, useVenv: false, state, started: 0, finished: 2000,
    tasks: { t: { path: [], task: 't', state: state === 'failed' ? 'failed' : 'succeeded', started: 0, log: 'logs/t.log', outputs: { parameters: { Output: out }, artifacts: {} } } },
  });
  it('marks what differs and escapes table characters', () => {
    const md = compareLocalRuns(run('r1', 1, 10, 'succeeded'), run('r2', 2, 10, 'failed'));
    assert.match(md, /\| \*\*≠\*\* parameter n \| 1 \| 2 \|/);
    assert.match(md, /\| parameter label \| a\\\|b \| a\\\|b \|/);
    assert.match(md, /\| t → Output \| 10 \| 10 \|/);
    assert.match(md, /\| \*\*≠\*\* state \| succeeded \| failed \|/);
  });
});
