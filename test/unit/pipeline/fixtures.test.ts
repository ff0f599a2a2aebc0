// Every compiled pipeline of ../shared/fixtures/kfp-ir: valid ones read without errors and show the control-flow
// features INDEX.json (written independently, by scanning the raw files) says they have; invalid ones yield a
// diagnostic at the line that is wrong.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { PipelineModel } from '../../../core/pipeline/model';
import { parsePipeline } from '../../../core/pipeline/parse';
import { requireShared, sharedAvailable, sharedPath } from '../../support/shared';

interface IndexEntry {
  file: string;
  pipeline: string;
  features: string[];
}

const DIR = sharedPath('fixtures', 'kfp-ir');
const index: IndexEntry[] = sharedAvailable('fixtures', 'kfp-ir', 'INDEX.json') ? (JSON.parse(fs.readFileSync(path.join(DIR, 'INDEX.json'), 'utf8')) as IndexEntry[]) : [];
const parse = (file: string): PipelineModel => parsePipeline(fs.readFileSync(path.join(DIR, file), 'utf8'));
const allTasks = (m: PipelineModel) => [m.root, ...Object.values(m.dags)].flatMap((d) => d.tasks);

/** What each INDEX.json feature means, checked on the model. */
const FEATURES: Record<string, (m: PipelineModel) => boolean> = {
  'parallel-for': (m) => allTasks(m).some((t) => t.iterator && t.role === 'loop'),
  'parallelism-limit': (m) => allTasks(m).some((t) => (t.iterator?.parallelism ?? 0) > 0),
  condition: (m) => allTasks(m).some((t) => t.condition !== undefined),
  'if-elif-else': (m) => allTasks(m).some((t) => t.role === 'branches'),
  'exit-handler': (m) => allTasks(m).some((t) => t.role === 'exit-handler'),
  'all-upstream-completed': (m) => allTasks(m).some((t) => t.strategy === 'ALL_UPSTREAM_TASKS_COMPLETED'),
  importer: (m) => allTasks(m).some((t) => t.kind === 'importer'),
  'sub-dags': (m) => Object.keys(m.dags).length > 0 && allTasks(m).some((t) => t.kind === 'sub-dag'),
  'platform-spec': (m) => m.hasPlatformSpec && Object.values(m.executors).some((e) => e.platform !== undefined),
  retry: (m) => allTasks(m).some((t) => t.retry?.maxRetryCount !== undefined),
};

describe('pipeline parser on the shared KFP IR fixtures', function () {
  before(function () {
    requireShared(this, 'fixtures', 'kfp-ir', 'INDEX.json');
  });

  it('the index lists the 121 valid and 3 invalid upstream files', function () {
    assert.equal(index.filter((e) => !e.file.includes('/invalid/')).length, 121);
    assert.equal(index.filter((e) => e.file.includes('/invalid/')).length, 3);
  });

  for (const entry of index.filter((e) => !e.file.includes('/invalid/'))) {
    it(`reads ${entry.file}`, function () {
      const m = parse(entry.file);
      const errors = m.diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(errors, [], 'a valid upstream file has no errors');
      assert.equal(m.name, entry.pipeline);
      assert.ok(m.root.tasks.length > 0, 'the root DAG has tasks');
      for (const dag of [m.root, ...Object.values(m.dags)]) {
        const ids = new Set(dag.tasks.map((t) => t.id));
        for (const e of dag.edges) assert.ok(ids.has(e.from) && ids.has(e.to), `${dag.id}: edge ${e.from} → ${e.to} joins tasks of the DAG`);
        for (const t of dag.tasks) {
          assert.notEqual(t.kind, 'unknown', `${dag.id}/${t.id} has a known kind`);
          if (t.kind === 'sub-dag') assert.ok(t.subDag && m.dags[t.subDag], `${t.id} opens a DAG of the file`);
        }
      }
      for (const f of entry.features) {
        if (FEATURES[f]) assert.ok(FEATURES[f](m), `the model shows the "${f}" feature`);
      }
      // And nothing the index does not list (guards against a reader that invents control flow).
      for (const [f, has] of Object.entries(FEATURES)) {
        if (!entry.features.includes(f)) assert.ok(!has(m), `no "${f}" where the index lists none`);
      }
    });
  }

  it('an empty file: one error on line 1, nothing drawn', function () {
    const m = parse('sdk-compiled/invalid/empty_file.yaml');
    assert.equal(m.diagnostics.length, 1);
    assert.equal(m.diagnostics[0].severity, 'error');
    assert.equal(m.diagnostics[0].range.start.line, 0);
    assert.equal(m.root.tasks.length, 0);
  });

  it('a misspelled top-level key (`components_1`): errors at that key and at the task whose component is lost; the task still shows', function () {
    const text = fs.readFileSync(path.join(DIR, 'sdk-compiled/invalid/invalid_yaml.yaml'), 'utf8');
    const lines = text.split('\n');
    const m = parsePipeline(text);
    const unknown = m.diagnostics.find((d) => d.code === 'unknown-field');
    assert.ok(unknown, 'the unknown key is reported');
    assert.match(lines[unknown.range.start.line], /^components_1:/);
    assert.match(unknown.message, /did you mean `components`/);
    const lost = m.diagnostics.find((d) => d.code === 'unknown-component');
    assert.ok(lost, 'the dangling componentRef is reported');
    assert.match(lines[lost.range.start.line], /name: comp-echo/);
    assert.deepEqual(m.root.tasks.map((t) => t.name), ['echo'], 'what could be read is still there');
  });

  it('an empty pipeline name: an error on the `name:` line of pipelineInfo', function () {
    const text = fs.readFileSync(path.join(DIR, 'sdk-compiled/invalid/no_name.yaml'), 'utf8');
    const m = parsePipeline(text);
    const errors = m.diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors.length, 1);
    const line = text.split('\n')[errors[0].range.start.line];
    assert.match(line, /^\s+name:\s*$/);
    assert.match(text.split('\n')[errors[0].range.start.line - 1], /^pipelineInfo:/);
  });

  it('the upstream file with an under-indented quoted continuation reads, with a warning at that line', function () {
    const file = 'sdk-compiled/valid/essential/placeholder_with_if_placeholder_none_input_value.yaml';
    const text = fs.readFileSync(path.join(DIR, file), 'utf8');
    const m = parsePipeline(text);
    assert.deepEqual(m.diagnostics.map((d) => [d.severity, d.code]), [['warning', 'yaml-indentation']]);
    assert.match(text.split('\n')[m.diagnostics[0].range.start.line], /^\s+"Else": \["--arg2"/);
    assert.equal(m.executors['exec-component-with-optional-inputs'].container?.args?.length, 4);
  });
});
