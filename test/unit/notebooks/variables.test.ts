// The Kernel Variables view's reading of the kernel's answer (core/notebooks/variables.ts): the base64 JSON in the
// user expression's repr, the kernel's own error, and answers that are not what was asked for.
import assert from 'node:assert/strict';
import { describeVariable, parseVariables } from '../../../core/notebooks/variables';

const answer = (rows: unknown) => ({ status: 'ok', data: { 'text/plain': `'${Buffer.from(JSON.stringify(rows)).toString('base64')}'` } });

describe('kernel variables: reading the kernel\'s answer', () => {
  it('reads rows with and without a size; non-ASCII and quotes come through', () => {
    const vars = parseVariables(answer([['df', 'DataFrame', 'step loss 0 1 0.9', '3×2'], ['s', 'str', `'ü "q"'`, null]]));
    assert.deepEqual(vars, [{ name: 'df', type: 'DataFrame', value: 'step loss 0 1 0.9', size: '3×2' }, { name: 's', type: 'str', value: `'ü "q"'` }]);
    assert.deepEqual(vars.map(describeVariable), ['DataFrame · 3×2', 'str']);
  });

  it('says what the kernel said when the expression failed', () => {
    assert.throws(() => parseVariables({ status: 'error', ename: 'NameError', evalue: "name 'get_ipython' is not defined" }), /could not list its variables: NameError: name 'get_ipython' is not defined/);
  });

  it('refuses an answer that is not the quoted base64 it asked for, or none', () => {
    assert.throws(() => parseVariables({ status: 'ok', data: { 'text/plain': '42' } }), /something else/);
    assert.throws(() => parseVariables(answer({ not: 'a list' })), /something else/);
    assert.throws(() => parseVariables(undefined), /did not evaluate/);
    // Rows of another shape are left out rather than shown half.
    assert.deepEqual(parseVariables(answer([['ok', 'int', '1', null], [1, 2, 3], 'x'])), [{ name: 'ok', type: 'int', value: '1' }]);
  });
});
