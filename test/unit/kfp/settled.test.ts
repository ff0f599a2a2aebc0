// A run read between the real KFP API server's two writes of a final report has the run's final state with the
// tasks of an earlier report (core/kfp/settled.ts). Replayed on a recorded cached run (test/fixtures/kfp-real/).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runSettled } from '../../../core/kfp/settled';
import type { Run } from '../../../core/kfp/types';

const final = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../fixtures/kfp-real/hello_cached.run.json'), 'utf8')) as Run;
/** The report before the last: the run's state already written, its tasks those of the report in which root ran. */
const stale: Run = {
  ...final,
  run_details: { task_details: (final.run_details?.task_details ?? []).filter((t) => !/^(say-hello|executor)$/.test(t.display_name ?? '')).map((t) => (t.display_name === 'root' ? { ...t, state: 'RUNNING' } : t)) },
};

describe('when a run read has its final task states (core/kfp/settled.ts)', () => {
  it('the final state with an earlier report\'s tasks is not settled; the reads after it are, once they agree', () => {
    assert.equal(final.state, 'SUCCEEDED');
    assert.equal(runSettled(stale, { ...stale, state: 'RUNNING' }), false, 'just ended, a task still running');
    assert.equal(runSettled(final, stale), false, 'the tasks changed since the read before');
    assert.equal(runSettled(final, final), true);
  });

  it('a first read, or one after a live read, is never settled', () => {
    assert.equal(runSettled(final, undefined), false);
    assert.equal(runSettled(final, { ...final, state: 'RUNNING' }), false);
    assert.equal(runSettled({ ...final, state: 'RUNNING' }, final), false);
  });
});
