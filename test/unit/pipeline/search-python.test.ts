// Search across levels, and finding pipelines and components in Python source.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parsePipeline } from '../../../core/pipeline/parse';
import { findComponentFunctions, findFunction, findPipelineFunctions, functionCandidates } from '../../../core/pipeline/python-source';
import { searchPipeline } from '../../../core/pipeline/search';
import { requireShared } from '../../support/shared';

const PY = path.resolve(__dirname, '../../fixtures/pipelines/training_pipeline.py');

describe('pipeline search', function () {
  it('finds tasks in every level with the path to open, root level first', function () {
    const dir = requireShared(this, 'fixtures', 'kfp-ir');
    const m = parsePipeline(fs.readFileSync(path.join(dir, 'frontend-test/pipeline_with_loops_and_conditions.yaml'), 'utf8'));
    const hits = searchPipeline(m, 'print-text-4');
    assert.deepEqual(hits.map((h) => [h.path, h.task]), [[['condition-1', 'for-loop-2', 'for-loop-8'], 'print-text-4']]);
    const all = searchPipeline(m, 'PRINT-TEXT');
    assert.equal(all.length, 9);
    assert.ok(all.every((h, i) => i === 0 || h.path.length >= all[i - 1].path.length), 'shallower levels first');
    assert.deepEqual(searchPipeline(m, 'python:3.11').length > 0, true, 'images match too');
    assert.deepEqual(searchPipeline(m, '   '), []);
  });
});

describe('Python pipeline source', function () {
  const text = fs.readFileSync(PY, 'utf8');

  it('finds @dsl.pipeline functions with their decorator lines', function () {
    const found = findPipelineFunctions(text);
    assert.deepEqual(found.map((f) => f.name), ['prepare', 'training_pipeline', 'second_pipeline']);
    const lines = text.split('\n');
    for (const f of found) {
      assert.match(lines[f.decoratorLine], /^@dsl\.pipeline/);
      assert.match(lines[f.line], new RegExp(`^def ${f.name}\\(`));
    }
  });

  it('finds decorators spread over lines and in other spellings; ignores other decorators', function () {
    const src = ['import kfp', '@kfp.dsl.pipeline(', "    name='x',", ')', 'def a(): ...', '', '@pipeline', '@other', 'def b(): ...', '@functools.cache', 'def c(): ...', 'x = 1'].join('\n');
    assert.deepEqual(findPipelineFunctions(src).map((f) => [f.name, f.decoratorLine, f.line]), [['a', 1, 4], ['b', 6, 8]]);
  });

  it('maps compiled component names back to functions', function () {
    assert.deepEqual(findComponentFunctions(text).map((f) => f.name), ['make_items', 'flip_coin', 'train', 'evaluate', 'publish', 'announce', 'report']);
    assert.deepEqual(functionCandidates('comp-announce-2'), ['announce_2', 'announce']);
    assert.deepEqual(functionCandidates('comp-train', 'train'), ['train']);
    assert.equal(findFunction(text, 'announce'), text.split('\n').findIndex((l) => l.startsWith('def announce(')));
    assert.equal(findFunction(text, 'nope'), undefined);
  });
});
