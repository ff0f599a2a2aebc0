// Generates the JSON schemas of the Kubeflow kinds the editor knows (dist/schemas/) from the CRDs' OpenAPI in
// ../shared/kubeflow-specs/crds (or $KFVS_SHARED). The upstream CRDs are not copied into the repository: the schemas
// are built here, at build/package time. Without ../shared, our small hand-written schemas in schemas/fallback/
// (the fields the snippets use) are copied instead.
//
//   node scripts/gen-schemas.mjs [outDir]        esbuild.mjs calls generateSchemas('dist/schemas')
//
// What the conversion does (OpenAPI v3 structural schema → JSON schema draft-07, as kubectl's strict field validation
// sees it): objects with `properties` and no `additionalProperties`/`x-kubernetes-preserve-unknown-fields` reject
// unknown fields; `x-kubernetes-int-or-string` → integer or string; `nullable` → also null; apiVersion and kind become
// constants. Katib's Experiment CRD is schema-less (preserve-unknown-fields), so its schema comes from Katib's
// swagger definitions (katib-v1beta1-types.swagger.json) instead.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The kinds: file name in dist/schemas, apiVersion, kind, the CRD (or swagger) file under kubeflow-specs/crds. */
export const KINDS = [
  { id: 'notebook', apiVersion: 'kubeflow.org/v1', kind: 'Notebook', crd: 'notebook/kubeflow.org_notebooks.yaml' },
  { id: 'profile', apiVersion: 'kubeflow.org/v1', kind: 'Profile', crd: 'profile/kubeflow.org_profiles.yaml' },
  { id: 'pytorchjob', apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', crd: 'training-operator-v1/kubeflow.org_pytorchjobs.yaml' },
  { id: 'tfjob', apiVersion: 'kubeflow.org/v1', kind: 'TFJob', crd: 'training-operator-v1/kubeflow.org_tfjobs.yaml' },
  { id: 'mpijob', apiVersion: 'kubeflow.org/v1', kind: 'MPIJob', crd: 'training-operator-v1/kubeflow.org_mpijobs.yaml' },
  { id: 'jaxjob', apiVersion: 'kubeflow.org/v1', kind: 'JAXJob', crd: 'training-operator-v1/kubeflow.org_jaxjobs.yaml' },
  { id: 'trainjob', apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', crd: 'trainer-v2/trainer.kubeflow.org_trainjobs.yaml' },
  { id: 'experiment', apiVersion: 'kubeflow.org/v1beta1', kind: 'Experiment', swagger: 'katib/katib-v1beta1-types.swagger.json', definition: 'v1beta1.Experiment' },
  { id: 'inferenceservice', apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', crd: 'kserve/serving.kserve.io_inferenceservices.yaml' },
];

export function sharedCrdDir() {
  const shared = process.env.KFVS_SHARED ? path.resolve(process.env.KFVS_SHARED) : path.resolve(REPO, '..', 'shared');
  return path.join(shared, 'kubeflow-specs', 'crds');
}

/** OpenAPI v3 (structural, Kubernetes dialect) → JSON schema draft-07. */
export function convert(s) {
  if (Array.isArray(s)) return s.map(convert);
  if (!s || typeof s !== 'object') return s;
  const out = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-kubernetes-') || k === 'nullable' || k === 'example') continue;
    if (k === 'properties' || k === 'definitions' || k === 'patternProperties') {
      out[k] = Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, convert(sub)]));
    } else if (k === '$ref' && typeof v === 'string') {
      out[k] = v; // swagger's #/definitions/X is a draft-07 pointer too
    } else out[k] = convert(v);
  }
  if (s['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (s.nullable && typeof out.type === 'string') out.type = [out.type, 'null'];
  const open = s['x-kubernetes-preserve-unknown-fields'] || 'additionalProperties' in s;
  if (out.properties && !open) out.additionalProperties = false;
  return out;
}

function topLevel(k, body, source) {
  const [group] = k.apiVersion.split('/');
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `https://kubeflow-vscode.invalid/schemas/${k.id}.schema.json`,
    title: `${k.kind} (${k.apiVersion})`,
    description: body.description ?? `${k.kind} of ${group}`,
    ...body,
    'x-kubeflow-source': source,
  };
  schema.type = 'object';
  schema.properties = {
    ...(body.properties ?? {}),
    apiVersion: { type: 'string', const: k.apiVersion, description: `${k.apiVersion}` },
    kind: { type: 'string', const: k.kind, description: k.kind },
    metadata: {
      type: 'object',
      properties: {
        name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253 },
        namespace: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        annotations: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  };
  schema.required = [...new Set(['apiVersion', 'kind', 'metadata', ...(body.required ?? [])])];
  return schema;
}

function fromCrd(k, crdDir) {
  const crd = YAML.parse(fs.readFileSync(path.join(crdDir, k.crd), 'utf8'));
  const version = k.apiVersion.split('/')[1];
  const v = crd.spec.versions.find((x) => x.name === version);
  if (!v?.schema?.openAPIV3Schema) throw new Error(`${k.crd}: no openAPIV3Schema for ${version}`);
  return topLevel(k, convert(v.schema.openAPIV3Schema), `crd:${k.crd}#${version}`);
}

function fromSwagger(k, crdDir) {
  const sw = JSON.parse(fs.readFileSync(path.join(crdDir, k.swagger), 'utf8'));
  const defs = convert(sw.definitions);
  // References to Kubernetes core types (v1.ObjectMeta, v1.PodSpec, …) are not in the file: leave them open.
  const refs = new Set();
  JSON.stringify(defs, (key, val) => { if (key === '$ref') refs.add(val.replace('#/definitions/', '')); return val; });
  for (const r of refs) if (!defs[r]) defs[r] = { description: `${r} (not described here)` };
  const root = defs[k.definition];
  const body = { ...root, definitions: defs };
  delete body.properties.status;
  return topLevel(k, body, `swagger:${k.swagger}#${k.definition}`);
}

/** Writes <outDir>/<id>.schema.json for every kind, kubeflow.schema.json (all of them) and index.json. */
export function generateSchemas(outDir = path.join(REPO, 'dist', 'schemas'), crdDir = sharedCrdDir()) {
  fs.mkdirSync(outDir, { recursive: true });
  const fallbackDir = path.join(REPO, 'schemas', 'fallback');
  const useShared = fs.existsSync(crdDir);
  const index = [];
  for (const k of KINDS) {
    let schema;
    if (useShared) schema = k.crd ? fromCrd(k, crdDir) : fromSwagger(k, crdDir);
    else {
      const f = path.join(fallbackDir, `${k.id}.schema.json`);
      if (!fs.existsSync(f)) continue;
      schema = JSON.parse(fs.readFileSync(f, 'utf8'));
    }
    fs.writeFileSync(path.join(outDir, `${k.id}.schema.json`), JSON.stringify(schema));
    index.push({ id: k.id, apiVersion: k.apiVersion, kind: k.kind, file: `${k.id}.schema.json`, source: schema['x-kubeflow-source'] ?? 'fallback' });
  }
  // One schema for all kinds, for yamlValidation: picks the kind's schema by apiVersion + kind, accepts anything else.
  const all = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Kubeflow resources',
    allOf: index.map((e) => ({
      if: { properties: { apiVersion: { const: e.apiVersion }, kind: { const: e.kind } }, required: ['apiVersion', 'kind'] },
      then: { $ref: `./${e.file}` },
    })),
  };
  fs.writeFileSync(path.join(outDir, 'kubeflow.schema.json'), JSON.stringify(all));
  fs.writeFileSync(path.join(outDir, 'index.json'), JSON.stringify(index, null, 1));
  return { outDir, source: useShared ? crdDir : fallbackDir, index };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = generateSchemas(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`[schemas] ${r.index.length} kinds from ${r.source} → ${r.outDir}`);
}
