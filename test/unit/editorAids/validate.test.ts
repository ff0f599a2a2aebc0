// The editor's Kubeflow YAML validation (extension/editorAids/validate.ts) with our hand-written fallback schemas
// (schemas/fallback, what the build ships when ../shared is absent): the YAML snippets pass, and problems land on
// the line of the offending key or value. The full CRD-generated schemas are checked in test/integration/snippets.test.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KubeflowYamlValidator, type SchemaIndexEntry } from '../../../extension/editorAids/validate';
import { contributedSnippets, expandSnippet, REPO } from '../../support/snippets';

const dir = path.join(REPO, 'schemas/fallback');
const index: SchemaIndexEntry[] = fs.readdirSync(dir).map((f) => {
  const s = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  return { id: f.replace('.schema.json', ''), apiVersion: s.properties.apiVersion.const, kind: s.properties.kind.const, file: f, source: 'fallback' };
});
const v = new KubeflowYamlValidator(index, (f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
const lines = (text: string) => {
  const r = v.validate(text);
  return r.findings.map((f) => `${r.position(f.start).line + 1}: ${f.message}`);
};

const PROFILE = `apiVersion: kubeflow.org/v1
kind: Profile
metadata:
  name: team-a
spec:
  owner:
    kind: Person
    name: alice@example.com
`;

describe('Kubeflow YAML validation (fallback schemas)', () => {
  it('there is a fallback schema for every YAML snippet kind, and every YAML snippet passes', () => {
    const yaml = contributedSnippets().filter((s) => s.language === 'yaml');
    assert.equal(yaml.length, 6);
    for (const s of yaml) {
      const r = v.validate(expandSnippet(s.body));
      assert.ok(r.recognized, `${s.prefix} recognized`);
      assert.deepEqual(r.findings, [], s.prefix);
    }
  });

  it('reports a wrong enum value at its line', () => {
    assert.deepEqual(lines(PROFILE), ['7: Profile: /spec/owner/kind must be one of "User", "Group", "ServiceAccount"']);
  });

  it('reports a missing required field at the key of the object that lacks it', () => {
    const text = PROFILE.replace('    kind: Person\n', '');
    assert.deepEqual(lines(text), ['6: Profile: missing required field "kind" in /spec/owner']);
  });

  it('reports a wrong type in the second document of a multi-document file', () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\napiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata:\n  name: j\nspec:\n  runPolicy:\n    backoffLimit: lots\n  pytorchReplicaSpecs: {}\n`;
    assert.deepEqual(lines(text), ['12: PyTorchJob: /spec/runPolicy/backoffLimit must be integer']);
  });

  it('says which version it knows for a known kind under another version', () => {
    assert.deepEqual(lines(PROFILE.replace('kubeflow.org/v1', 'kubeflow.org/v1beta1').replace('Person', 'User')),
      ['1: Profile: this extension knows kubeflow.org/v1, not kubeflow.org/v1beta1']);
  });

  it('leaves other YAML alone (not recognized: no diagnostics), also with syntax errors', () => {
    const r = v.validate('apiVersion: apps/v1\nkind: Deployment\nspec: [\n');
    assert.equal(r.recognized, false);
    assert.equal(v.validate('name: x\nitems: - a\n').recognized, false);
  });

  it('reports YAML syntax errors of a recognized file', () => {
    const r = lines(`${PROFILE}  extra: [unclosed\n`);
    assert.ok(r.length > 0 && r.some((l) => /^9: /.test(l) || /^10: /.test(l)), r.join('\n'));
  });
});
