// The run parameter form over the 124 real compiled pipelines of ../shared/fixtures/kfp-ir: the fields are the
// pipeline's parameters (as the graph parser also reads them), defaults fill the form and are what the run gets,
// required fields left empty stop the submit, and the typed values are a valid `runtime_config` for the API.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KfpClient } from '../../../core/kfp/client';
import { buildParameters, checkField, formSpec, initialValues, type ParamField, valueToText } from '../../../core/kfp/params';
import { diffSpecs, specFromText, specName } from '../../../core/kfp/spec';
import { parsePipeline } from '../../../core/pipeline/parse';
import { KFP_SPECS, KfpSpec } from '../../support/kfp-swagger';
import { requireShared, sharedAvailable, sharedPath } from '../../support/shared';

interface IndexEntry {
  file: string;
  pipeline: string;
}

const DIR = sharedPath('fixtures', 'kfp-ir');
const index: IndexEntry[] = sharedAvailable('fixtures', 'kfp-ir', 'INDEX.json') ? (JSON.parse(fs.readFileSync(path.join(DIR, 'INDEX.json'), 'utf8')) as IndexEntry[]) : [];
const valid = index.filter((e) => !e.file.includes('/invalid/'));

/** A value of the field's type that is not its default (what a user would type). */
function sample(f: ParamField): string {
  switch (f.type) {
    case 'STRING':
      return 'from the form';
    case 'NUMBER_INTEGER':
      return '7';
    case 'NUMBER_DOUBLE':
      return '0.25';
    case 'BOOLEAN':
      return 'true';
    case 'LIST':
      return '["x", 2]';
    case 'STRUCT':
      return '{"k": [1, 2]}';
  }
}

const JS_TYPE: Record<ParamField['type'], (v: unknown) => boolean> = {
  STRING: (v) => typeof v === 'string',
  NUMBER_INTEGER: (v) => Number.isInteger(v),
  NUMBER_DOUBLE: (v) => typeof v === 'number',
  BOOLEAN: (v) => typeof v === 'boolean',
  LIST: (v) => Array.isArray(v),
  STRUCT: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
};

describe('run parameter form on the shared KFP IR fixtures', function () {
  let swagger: KfpSpec | undefined;
  before(function () {
    requireShared(this, 'fixtures', 'kfp-ir', 'INDEX.json');
    if (sharedAvailable('kubeflow-specs', 'kfp-v2beta1')) swagger = new KfpSpec(KFP_SPECS['2.17']);
  });

  it('covers the 121 valid pipelines, with every parameter type and shape among them', () => {
    assert.equal(valid.length, 121);
    const seen = new Set<string>();
    for (const e of valid) {
      for (const f of formSpec(specFromText(fs.readFileSync(path.join(DIR, e.file), 'utf8'))).fields) seen.add(`${f.type}${f.hasDefault ? '+default' : ''}${f.optional && !f.hasDefault ? '+optional' : ''}`);
    }
    for (const t of ['STRING', 'STRING+default', 'STRING+optional', 'NUMBER_INTEGER', 'NUMBER_INTEGER+default', 'BOOLEAN+default', 'LIST', 'LIST+default', 'STRUCT', 'STRUCT+default', 'STRUCT+optional']) {
      assert.ok(seen.has(t), `a fixture has a ${t} parameter (seen: ${[...seen].join(', ')})`);
    }
  });

  for (const e of valid) {
    it(e.file, function () {
      const text = fs.readFileSync(path.join(DIR, e.file), 'utf8');
      const spec = specFromText(text);
      assert.equal(specName(spec), e.pipeline);
      const form = formSpec(spec);
      assert.equal(form.pipelineName, e.pipeline);

      // The same parameters the graph parser reads from the file (an independent reader), minus what a run cannot set.
      const model = parsePipeline(text);
      const declared = model.root.inputs.filter((i) => i.kind === 'parameter').map((i) => i.name).sort();
      const skippedParams = form.skipped.filter((s) => !/artifact/.test(s.reason)).map((s) => s.name);
      assert.deepEqual([...form.fields.map((f) => f.name), ...skippedParams].sort(), declared);
      assert.deepEqual(form.skipped.filter((s) => /artifact/.test(s.reason)).map((s) => s.name).sort(), model.root.inputs.filter((i) => i.kind === 'artifact').map((i) => i.name).sort());
      // Required fields come first.
      const firstOptional = form.fields.findIndex((f) => f.optional);
      assert.ok(firstOptional === -1 || form.fields.slice(firstOptional).every((f) => f.optional));

      // The form opens with the defaults; sending it as is gives the defaults (typed) and omits what has none.
      const initial = initialValues(form.fields);
      const required = form.fields.filter((f) => !f.optional && f.type !== 'BOOLEAN');
      const first = buildParameters(form.fields, initial);
      if (required.length) {
        assert.equal(first.ok, false, 'required fields left empty stop the submit');
        assert.deepEqual(Object.keys((first as { errors: Record<string, string> }).errors).sort(), required.map((f) => f.name).sort());
      } else {
        assert.ok(first.ok, JSON.stringify(first));
        const sentParams: Record<string, unknown> = first.parameters;
        for (const f of form.fields) {
          if (!f.hasDefault) continue;
          const sent = sentParams[f.name];
          if (f.default === '' && sent === undefined) continue; // an empty string default: left out, the same value applies
          assert.ok(JS_TYPE[f.type](sent), `${f.name}: ${JSON.stringify(sent)} is a ${f.type}`);
          const irDefault = model.root.inputs.find((i) => i.name === f.name)?.defaultValue;
          assert.deepEqual(sent, f.type === 'NUMBER_INTEGER' ? Math.trunc(Number(irDefault)) : irDefault, `${f.name}: the default the pipeline declares is what the run gets`);
        }
      }

      // Filled in by a user: every value typed, and a create-run request the API accepts.
      const filled = initialValues(form.fields, Object.fromEntries(form.fields.map((f) => [f.name, sample(f)])));
      const built = buildParameters(form.fields, filled);
      assert.ok(built.ok, JSON.stringify(built));
      for (const f of form.fields) assert.ok(JS_TYPE[f.type](built.parameters[f.name]), `${f.name} typed as ${f.type}`);
      if (swagger) {
        const requests: Parameters<KfpSpec['checkRequest']>[0][] = [];
        void new KfpClient(async (req) => {
          requests.push(req);
          return { status: 200, headers: {}, text: '{}' };
        }).createRun({ displayName: e.pipeline, pipelineSpec: spec, runtimeConfig: { parameters: built.parameters } });
        assert.deepEqual(swagger.checkRequest(requests[0]!), []);
      }
      // Values round-trip through the form's text (re-run with the same parameters).
      const again = buildParameters(form.fields, initialValues(form.fields, built.parameters));
      assert.deepEqual(again, built);
    });
  }

  it('offers the values a condition compares a parameter with', () => {
    const form = formSpec(specFromText(fs.readFileSync(path.join(DIR, 'sdk-compiled/valid/conditional_producer_and_consumers.yaml'), 'utf8')));
    const threshold = form.fields.find((f) => f.name === 'threshold');
    assert.deepEqual(threshold?.suggestions, ['2']);
  });

  it('reads legacy (schema 2.0) `type: STRING` parameters', () => {
    const form = formSpec(JSON.parse(fs.readFileSync(path.join(DIR, 'frontend-mock-backend/lightweight_python_functions_v2_pipeline.json'), 'utf8')));
    assert.deepEqual(form.fields.map((f) => [f.name, f.type, f.optional]), [['input_dict', 'STRING', false], ['message', 'STRING', false]]);
  });
});

describe('run parameter validation', () => {
  const f = (type: ParamField['type'], extra: Partial<ParamField> = {}): ParamField => ({ name: 'p', type, hasDefault: false, optional: false, ...extra });

  it('checks each type and says what is wrong', () => {
    assert.deepEqual(checkField(f('NUMBER_INTEGER'), ' 42 '), { ok: true, value: 42 });
    assert.match((checkField(f('NUMBER_INTEGER'), '4.5') as { error: string }).error, /4\.5 is not a whole number/);
    assert.match((checkField(f('NUMBER_INTEGER'), 'ten') as { error: string }).error, /Enter a whole number \(e\.g\. 3\), not "ten"/);
    assert.match((checkField(f('NUMBER_INTEGER'), '99999999999999999999') as { error: string }).error, /too large/);
    assert.deepEqual(checkField(f('NUMBER_DOUBLE'), '1e-3'), { ok: true, value: 0.001 });
    assert.equal(checkField(f('NUMBER_DOUBLE'), '0x10').ok, false, 'hex is not a KFP number');
    assert.equal(checkField(f('NUMBER_DOUBLE'), 'NaN').ok, false);
    assert.deepEqual(checkField(f('BOOLEAN'), 'True'), { ok: true, value: true });
    assert.match((checkField(f('LIST'), '{"a": 1}') as { error: string }).error, /Expected a JSON list \[ … \], got an object/);
    assert.match((checkField(f('STRUCT'), '[1]') as { error: string }).error, /Expected a JSON object \{ … \}, got a list/);
    assert.match((checkField(f('STRUCT'), '{"a": }') as { error: string }).error, /^Not valid JSON: /);
    assert.match((checkField(f('STRING'), '') as { error: string }).error, /Required/);
    assert.deepEqual(checkField(f('STRING'), '  spaced  '), { ok: true, value: '  spaced  ' }, 'strings are sent as typed');
  });

  it('an emptied field with a default is left out, so the pipeline\'s default applies; optional ones too', () => {
    const fields = [f('NUMBER_INTEGER', { name: 'epochs', hasDefault: true, optional: true, default: 3 }), f('STRUCT', { name: 'cfg', optional: true })];
    assert.deepEqual(buildParameters(fields, { epochs: '', cfg: '' }), { ok: true, parameters: {} });
    assert.deepEqual(buildParameters(fields, { epochs: '5', cfg: '{"a":1}' }), { ok: true, parameters: { epochs: 5, cfg: { a: 1 } } });
    assert.equal(valueToText('STRUCT', { a: 1 }), '{\n  "a": 1\n}');
  });
});

describe('local file vs the run\'s pipeline', () => {
  const ir = (image: string, extra = '') => `pipelineInfo: {name: p}
sdkVersion: kfp-2.17.3
schemaVersion: 2.1.0
root:
  inputDefinitions: {parameters: {lr: {parameterType: NUMBER_DOUBLE, defaultValue: 0.1}${extra}}}
  dag: {tasks: {train: {taskInfo: {name: train}, componentRef: {name: comp-train}}}}
components: {comp-train: {executorLabel: exec-train}}
deploymentSpec: {executors: {exec-train: {container: {image: ${image}}}}}
`;
  it('the same pipeline recompiled (other SDK version, key order, 2 vs 2.0) is the same', () => {
    const a = specFromText(ir('python:3.11'));
    const b = specFromText(ir('python:3.11').replace('kfp-2.17.3', 'kfp-2.18.0').replace('0.1', '0.10'));
    assert.deepEqual(diffSpecs(a, b), { same: true, changes: [] });
    assert.deepEqual(diffSpecs(a, { pipeline_spec: b }), { same: true, changes: [] }, 'the API\'s wrapped shape');
  });
  it('names what changed', () => {
    const d = diffSpecs(specFromText(ir('python:3.12', ', epochs: {parameterType: NUMBER_INTEGER}')), specFromText(ir('python:3.11')));
    assert.equal(d.same, false);
    assert.deepEqual(d.changes, ['parameter epochs: only in the local file', 'executor exec-train: changed']);
  });
  it('reads the PlatformSpec document into the API shape', () => {
    const s = specFromText(`${ir('x')}---\nplatforms: {kubernetes: {deploymentSpec: {executors: {exec-train: {nodeSelector: {labels: {gpu: a100}}}}}}}\n`);
    assert.ok('pipeline_spec' in s && 'platform_spec' in s);
    assert.throws(() => specFromText('a: [1, 2'), /not valid YAML/);
    assert.throws(() => specFromText('apiVersion: v1\nkind: Pod\n'), /no KFP pipeline spec/);
  });
});
