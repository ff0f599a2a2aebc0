// Every contributed snippet, inserted with its default placeholder values, is valid:
// - Python (KFP v2) snippets compile with the real kfp 2.17.3 (+ kfp-kubernetes) of the rig's venv: every
//   component and pipeline the snippet defines is compiled to IR.
// - YAML snippets are accepted by the real kube-apiserver of the kube rig with the upstream Kubeflow CRDs
//   (`kubectl apply --dry-run=server`: structural schema, strict field validation, CEL rules, formats), AND by the
//   JSON schemas the build generates (what the editor validates on save), so the editor shows no false problem.
//   The apiserver is the authority; our schemas are checked against it. Katib's Experiment CRD is schema-less, so
//   for it only our schema (from Katib's swagger types) says anything.
// Negative controls: a snippet with a typo'd field is rejected by both, at the typo's line.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeflowYamlValidator, type SchemaIndexEntry } from '../../extension/editorAids/validate';
import { venvBin } from '../rigs/jupyter/index';
import { sharedKubeRig, type KubeRig } from '../rigs/kube/index';
import { contributedSnippets, expandSnippet, REPO } from '../support/snippets';

const snippets = contributedSnippets();
const python = snippets.filter((s) => s.language === 'python');
const yaml = snippets.filter((s) => s.language === 'yaml');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-snippets-'));
const NAMESPACE = 'kubeflow-user-example-com';

// Compiles every GraphComponent/component object a file defines; one process for all files (importing kfp is slow).
const DRIVER = `
import importlib.util, json, sys, traceback
from kfp import compiler
from kfp.dsl.base_component import BaseComponent
from kfp.dsl.graph_component import GraphComponent
results = {}
for src in sys.argv[2:]:
    try:
        spec = importlib.util.spec_from_file_location('snippet_' + str(len(results)), src)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        done = []
        for name, obj in vars(mod).items():
            if isinstance(obj, BaseComponent):
                out = src + '.' + name + '.yaml'
                compiler.Compiler().compile(obj, package_path=out)
                done.append({'name': name, 'pipeline': isinstance(obj, GraphComponent), 'ir': out})
        results[src] = {'ok': True, 'compiled': done}
    except Exception:
        results[src] = {'ok': False, 'error': traceback.format_exc()}
json.dump(results, open(sys.argv[1], 'w'))
`;

describe('snippets', function () {
  this.timeout(180_000);

  it('are contributed for Python and YAML, with unique prefixes and descriptions', () => {
    assert.ok(python.length >= 10, `python snippets: ${python.length}`);
    assert.ok(yaml.length >= 6, `yaml snippets: ${yaml.length}`);
    const prefixes = snippets.map((s) => s.prefix);
    assert.equal(new Set(prefixes).size, prefixes.length, 'unique prefixes');
    for (const s of snippets) assert.ok(s.description.length > 10, `${s.name} has a description`);
    for (const want of ['kfp-component', 'kfp-container-component', 'kfp-pipeline', 'kfp-parallelfor', 'kfp-condition',
      'kfp-exit-handler', 'kfp-importer', 'kfp-k8s-secret', 'kfp-k8s-volume', 'kfp-gpu', 'kf-notebook', 'kf-pytorchjob',
      'kf-trainjob', 'kf-katib-experiment', 'kf-inferenceservice', 'kf-profile']) {
      assert.ok(prefixes.includes(want), `${want} is contributed`);
    }
  });

  describe('Python (KFP v2) snippets compile with the real kfp', () => {
    let results: Record<string, { ok: boolean; error?: string; compiled?: { name: string; pipeline: boolean; ir: string }[] }> = {};
    const files = new Map<string, string>();

    before(async () => {
      const imports = expandSnippet(python.find((s) => s.prefix === 'kfp-imports')!.body);
      for (const s of python) {
        const file = path.join(tmp, `${s.prefix.replace(/-/g, '_')}.py`);
        fs.writeFileSync(file, `${imports}\n${expandSnippet(s.body)}\n`);
        files.set(s.prefix, file);
      }
      const out = path.join(tmp, 'results.json');
      await new Promise<void>((resolve, reject) => {
        const p = spawn(venvBin('python'), ['-c', DRIVER, out, ...files.values()], { stdio: ['ignore', 'ignore', 'pipe'], cwd: tmp });
        let err = '';
        p.stderr.on('data', (d) => (err += d));
        p.on('error', reject);
        p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kfp driver exit ${code}: ${err}`))));
      });
      results = JSON.parse(fs.readFileSync(out, 'utf8'));
    });

    for (const s of python) {
      it(`${s.prefix}: ${s.name}`, () => {
        const r = results[files.get(s.prefix)!];
        assert.ok(r?.ok, `${s.prefix} failed:\n${r?.error}\n--- expanded:\n${fs.readFileSync(files.get(s.prefix)!, 'utf8')}`);
        if (s.prefix === 'kfp-imports') return;
        assert.ok(r.compiled!.length > 0, `${s.prefix} defines something kfp compiles`);
        const ir = fs.readFileSync(r.compiled!.at(-1)!.ir, 'utf8');
        assert.match(ir, /pipelineInfo:/);
        // Each snippet's feature is in the IR, not just "it compiled".
        const feature: Record<string, RegExp> = {
          'kfp-parallelfor': /parameterIterator/, 'kfp-condition': /triggerPolicy:\s*\n\s*condition:/, 'kfp-exit-handler': /exit-handler-1/,
          'kfp-importer': /importer:/, 'kfp-k8s-secret': /secretAsEnv/, 'kfp-k8s-volume': /pvcMount/, 'kfp-gpu': /accelerator:/,
          'kfp-container-component': /image: python:3.11/, 'kfp-component': /pandas==2.2.3/,
        };
        if (feature[s.prefix]) assert.match(ir, feature[s.prefix]);
        if (!['kfp-component', 'kfp-container-component'].includes(s.prefix)) {
          assert.ok(r.compiled!.some((c) => c.pipeline), `${s.prefix} defines a pipeline`);
        }
      });
    }
  });

  describe('YAML snippets validate against the CRDs (apiserver dry-run) and the generated schemas', () => {
    let rig: KubeRig;
    let validator: KubeflowYamlValidator;
    const expanded = new Map(yaml.map((s) => [s.prefix, expandSnippet(s.body)]));

    before(async () => {
      const schemaDir = path.join(tmp, 'schemas');
      const gen = spawnSync(process.execPath, [path.join(REPO, 'scripts/gen-schemas.mjs'), schemaDir], { encoding: 'utf8' });
      assert.equal(gen.status, 0, gen.stderr);
      const index = JSON.parse(fs.readFileSync(path.join(schemaDir, 'index.json'), 'utf8')) as SchemaIndexEntry[];
      assert.ok(index.every((e) => e.source !== 'fallback'), 'schemas generated from ../shared CRDs');
      validator = new KubeflowYamlValidator(index, (f) => JSON.parse(fs.readFileSync(path.join(schemaDir, f), 'utf8')));
      rig = await sharedKubeRig();
      await rig.kubectl(['create', 'namespace', NAMESPACE]).catch((e: Error) => {
        if (!/AlreadyExists/.test(e.message)) throw e;
      });
    });

    for (const s of yaml) {
      it(`${s.prefix}: ${s.name}`, async () => {
        const text = expanded.get(s.prefix)!;
        const r = validator.validate(text);
        assert.ok(r.recognized, `${s.prefix}: the editor recognizes the kind`);
        assert.deepEqual(r.findings.map((f) => `${r.position(f.start).line + 1}: ${f.message}`), [], `${s.prefix}: generated schema accepts it`);
        const out = await rig.kubectl(['apply', '--dry-run=server', '--validate=strict', '-o', 'name', '-f', '-'], { input: text });
        assert.match(out, /created \(server dry run\)|\//, out);
      });
    }

    it('a typo\'d field is rejected by the apiserver and by the editor\'s validation, at its line', async () => {
      const text = expanded.get('kf-pytorchjob')!.replace('restartPolicy: OnFailure', 'restartPolicyy: OnFailure');
      const line = text.split('\n').findIndex((l) => l.includes('restartPolicyy'));
      await assert.rejects(rig.kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], { input: text }), /restartPolicyy/);
      const r = validator.validate(text);
      const f = r.findings.find((x) => x.message.includes('restartPolicyy'));
      assert.ok(f, JSON.stringify(r.findings));
      assert.equal(r.position(f.start).line, line);
    });

    it('a TrainJob without runtimeRef and an InferenceService with a bad quantity type are rejected by both', async () => {
      const noRef = expanded.get('kf-trainjob')!.replace(/ {2}runtimeRef:\n {4}name: .*\n/, '');
      await assert.rejects(rig.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: noRef }), /runtimeRef/);
      assert.ok(validator.validate(noRef).findings.some((f) => /runtimeRef/.test(f.message)));
      const badReplicas = expanded.get('kf-inferenceservice')!.replace('minReplicas: 1', 'minReplicas: one');
      await assert.rejects(rig.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: badReplicas }), /minReplicas/);
      const r = validator.validate(badReplicas);
      const f = r.findings.find((x) => x.path.endsWith('/minReplicas'));
      assert.ok(f, JSON.stringify(r.findings));
      assert.equal(r.position(f.start).line, badReplicas.split('\n').findIndex((l) => l.includes('minReplicas')));
    });

    it('a Katib Experiment with a typo\'d field and a wrong type is caught by our schema (the CRD itself is schema-less)', async () => {
      const bad = expanded.get('kf-katib-experiment')!.replace('parallelTrialCount:', 'parallelTrials:').replace('maxTrialCount: 12', 'maxTrialCount: twelve');
      // The apiserver accepts anything under spec for Experiments ...
      await rig.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: bad });
      // ... the editor does not.
      const r = validator.validate(bad);
      const lines = r.findings.map((f) => `${r.position(f.start).line}: ${f.message}`);
      const at = (needle: string) => bad.split('\n').findIndex((l) => l.includes(needle));
      assert.ok(lines.includes(`${at('parallelTrials:')}: Experiment: unknown field "parallelTrials" in /spec`), lines.join('\n'));
      assert.ok(lines.includes(`${at('maxTrialCount:')}: Experiment: /spec/maxTrialCount must be integer`), lines.join('\n'));
    });
  });
});
