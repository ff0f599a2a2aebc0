// The model the graph panel sends as gzipped UTF-8 JSON bytes, without its edges and with shared output lists written
// once: it comes back whole (also through the gzip and the page's DecompressionStream), the page builds the same levels from it as from the model the extension host parsed (every
// DAG of every fixture, with and without artifacts), it is smaller than the model's JSON, and text from the file
// survives the bytes unchanged (non-ASCII names, quotes, line separators).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { buildLevel } from '../../../core/pipeline/layer';
import { parsePipeline } from '../../../core/pipeline/parse';
import { decodeModel, encodeModel, unpackModel } from '../../../core/pipeline/wire';
import { GZIP_ABOVE_BYTES, packModel } from '../../../core/pipeline/wire.node';
import { requireShared } from '../../support/shared';
import { syntheticPipeline } from '../../support/synthetic-pipeline';

function irFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ya?ml|json)$/.test(f)).map((f) => path.join(dir, f));
}

describe('pipeline model on the wire (core/pipeline/wire.ts, wire.node.ts)', function () {
  let dir = '';
  before(function () {
    dir = requireShared(this, 'fixtures', 'kfp-ir');
  });

  it('every fixture: each DAG level from the decoded bytes equals the one from the parsed model', function () {
    const files = irFiles(dir);
    assert.ok(files.length >= 100, `${files.length} fixtures`);
    let levels = 0;
    for (const f of files) {
      const model = parsePipeline(fs.readFileSync(f, 'utf8'));
      const bytes = encodeModel(model);
      assert.ok(bytes instanceof Uint8Array);
      const back = decodeModel(bytes);
      // All of it, edges (made again from the tasks) and each task's outputs (written once per component) included.
      assert.deepEqual(back, JSON.parse(JSON.stringify(model)), f);
      for (const dag of [model.root, ...Object.values(model.dags)]) {
        const other = dag.id === model.root.id ? back.root : back.dags[dag.id];
        for (const artifacts of [true, false]) {
          const a = buildLevel(model, dag, undefined, { artifacts });
          const b = buildLevel(back, other, undefined, { artifacts });
          assert.deepEqual(b.nodes, a.nodes, `${f} ${dag.id}`);
          assert.deepEqual(b.edges, a.edges, `${f} ${dag.id}`);
          levels++;
        }
      }
    }
    assert.ok(levels > 200, `${levels} levels compared`);
  });

  it('is smaller than the model\'s own JSON: a 2,000-task pipeline, sent as plain bytes (under GZIP_ABOVE_BYTES)', async function () {
    const model = parsePipeline(syntheticPipeline({ tasks: 2000 }).text);
    const plain = Buffer.byteLength(JSON.stringify(model));
    const sent = encodeModel(model).byteLength;
    assert.ok(sent < 0.75 * plain, `${sent} bytes sent vs ${plain} of plain JSON`);
    assert.deepEqual(decodeModel(encodeModel(model)), JSON.parse(JSON.stringify(model)));
    const packed = await packModel(model);
    assert.equal(packed.gzip, false);
    assert.deepEqual(packed.model, encodeModel(model));
    assert.deepEqual(await unpackModel(packed), JSON.parse(JSON.stringify(model)));
  });

  it('a pipeline past GZIP_ABOVE_BYTES goes gzipped, a tenth of its bytes, and comes back whole', async function () {
    const model = parsePipeline(syntheticPipeline({ tasks: 6000 }).text);
    const sent = encodeModel(model).byteLength;
    assert.ok(sent > GZIP_ABOVE_BYTES, `${sent} bytes`);
    const packed = await packModel(model);
    assert.equal(packed.gzip, true);
    assert.ok(packed.model.byteLength < 0.1 * sent, `${packed.model.byteLength} bytes gzipped vs ${sent}`);
    assert.deepEqual(await unpackModel(packed), JSON.parse(JSON.stringify(model)));
  });

  it('every fixture comes back whole through the gzip', async function () {
    for (const f of irFiles(dir)) {
      const model = parsePipeline(fs.readFileSync(f, 'utf8'));
      const bytes = encodeModel(model);
      assert.deepEqual(await unpackModel({ model: new Uint8Array(zlib.gzipSync(bytes, { level: 1 })), gzip: true }), JSON.parse(JSON.stringify(model)), f);
    }
  });

  it('bytes that are not what the message says are refused, not half read', async function () {
    const model = parsePipeline(syntheticPipeline({ tasks: 6000 }).text);
    const packed = await packModel(model);
    await assert.rejects(unpackModel({ model: encodeModel(model), gzip: true }));
    await assert.rejects(unpackModel({ model: packed.model.subarray(0, packed.model.byteLength >> 1), gzip: true }));
    assert.throws(() => decodeModel(packed.model));
  });

  it('names with quotes, non-ASCII letters and line separators come back as written', async function () {
    const file = path.join(dir, 'frontend-test/pipeline_with_loops_and_conditions.yaml');
    const name = 'flip "coin" — Münze ✓ \u2028 line';
    const text = fs.readFileSync(file, 'utf8').replace(/(taskInfo:\n\s+name: )flip-coin-op/, (_m, head: string) => `${head}${JSON.stringify(name)}`);
    const model = parsePipeline(text);
    const task = model.root.tasks.find((t) => t.id === 'flip-coin-op');
    assert.equal(task?.name, name);
    assert.equal(decodeModel(encodeModel(model)).root.tasks.find((t) => t.id === 'flip-coin-op')?.name, name);
    assert.equal((await unpackModel({ model: new Uint8Array(zlib.gzipSync(encodeModel(model))), gzip: true })).root.tasks.find((t) => t.id === 'flip-coin-op')?.name, name);
  });
});
