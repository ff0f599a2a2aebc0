/**
 * A small, realistic registry written through the REST API (so the seed is validated like any client's requests):
 * - fraud-detector: 3 versions (v1, v2 sklearn on S3; v3 ONNX on S3 registered by a KFP run, with upstream's lineage
 *   fields), v3 deployed by an InferenceService in the `kubeflow-user` serving environment;
 * - sentiment-bert: 1 version on a PVC (pytorch), labels and typed custom properties;
 * - legacy-churn: ARCHIVED model with an ARCHIVED version, OCI model-car artifact (onnx);
 * - image-classifier: 1 version without artifacts (registered, upload pending).
 * Conventions from upstream's UI and clients: labels are custom properties with an empty string_value; KFP lineage is
 * the model artifact's modelSource* fields (kind "kfp", class "pipelinerun", group = namespace, id = run id, name =
 * run name) plus the KFP backend's `kfp.*` custom properties on the version.
 */
import { API_PREFIX } from './v1-front';

type Json = Record<string, unknown>;

export interface SeededRegistry {
  /** Registered model name → id. */
  models: Record<string, string>;
  /** Model name → version name → id. */
  versions: Record<string, Record<string, string>>;
  /** `<model>/<version>` → model artifact id (image-classifier/0.1.0 has none). */
  artifacts: Record<string, string>;
  servingEnvironment: string;
  /** InferenceService name → id. */
  inferenceServices: Record<string, string>;
}

export const SEED_NAMESPACE = 'kubeflow-user';
export const SEED_KFP_RUN_ID = '3f1b2c9e-7a44-4d2b-9c61-0b8e5d2f4a17';

const str = (v: string) => ({ metadataType: 'MetadataStringValue', string_value: v });
const dbl = (v: number) => ({ metadataType: 'MetadataDoubleValue', double_value: v });
const int = (v: number) => ({ metadataType: 'MetadataIntValue', int_value: String(v) });
const bool = (v: boolean) => ({ metadataType: 'MetadataBoolValue', bool_value: v });
const label = () => str('');

export async function seedRegistry(url: string): Promise<SeededRegistry> {
  const api = async (method: string, path: string, body?: Json): Promise<Json> => {
    const res = await fetch(`${url}${API_PREFIX}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`seedRegistry: ${method} ${path} → ${res.status} ${text}`);
    return JSON.parse(text) as Json;
  };
  const out: SeededRegistry = { models: {}, versions: {}, artifacts: {}, servingEnvironment: '', inferenceServices: {} };
  const model = async (body: Json): Promise<string> => {
    const m = await api('POST', '/registered_models', body);
    out.models[String(body.name)] = String(m.id);
    out.versions[String(body.name)] = {};
    return String(m.id);
  };
  const version = async (modelName: string, body: Json, artifact?: Json): Promise<string> => {
    const rm = out.models[modelName]!;
    const v = await api('POST', `/registered_models/${rm}/versions`, { registeredModelId: rm, ...body });
    const id = String(v.id);
    out.versions[modelName]![String(body.name)] = id;
    if (artifact) {
      const a = await api('POST', `/model_versions/${id}/artifacts`, { artifactType: 'model-artifact', ...artifact });
      out.artifacts[`${modelName}/${String(body.name)}`] = String(a.id);
    }
    return id;
  };

  // ---- fraud-detector: three versions, the newest from a pipeline run and deployed
  await model({
    name: 'fraud-detector',
    description: 'Gradient-boosted scoring of card transactions; flags likely fraud for manual review.',
    owner: 'risk-ml@example.com',
    customProperties: { tabular: label(), finance: label(), team: str('risk-ml') },
  });
  await version('fraud-detector', {
    name: 'v1', author: 'alice', description: 'Baseline: 40 engineered features, trained on Q1 data.',
    customProperties: { auc: dbl(0.912), training_rows: int(1_200_000) },
  }, {
    name: 'fraud-detector-v1', uri: 's3://ml-models/fraud-detector/v1/model.joblib', modelFormatName: 'sklearn', modelFormatVersion: '1.3',
    storageKey: 'aws-connection-ml-models', storagePath: 'fraud-detector/v1', description: 'joblib pickle of a GradientBoostingClassifier',
  });
  await version('fraud-detector', {
    name: 'v2', author: 'alice', description: 'Adds merchant-category features; retrained on Q1+Q2.',
    customProperties: { auc: dbl(0.934), training_rows: int(2_450_000) },
  }, {
    name: 'fraud-detector-v2', uri: 's3://ml-models/fraud-detector/v2/model.joblib', modelFormatName: 'sklearn', modelFormatVersion: '1.3',
    storageKey: 'aws-connection-ml-models', storagePath: 'fraud-detector/v2',
  });
  const v3 = await version('fraud-detector', {
    name: 'v3', author: 'pipeline-runner', description: 'ONNX export from the nightly training pipeline.',
    customProperties: {
      auc: dbl(0.941), training_rows: int(2_610_000), validated: bool(true),
      'kfp.namespace': str(SEED_NAMESPACE), 'kfp.name': str('fraud-training'), 'kfp.run_id': str(SEED_KFP_RUN_ID),
    },
  }, {
    name: 'fraud-detector-v3', uri: 's3://ml-models/fraud-detector/v3/model.onnx', modelFormatName: 'onnx', modelFormatVersion: '1',
    storageKey: 'aws-connection-ml-models', storagePath: 'fraud-detector/v3',
    modelSourceKind: 'kfp', modelSourceClass: 'pipelinerun', modelSourceGroup: SEED_NAMESPACE, modelSourceId: SEED_KFP_RUN_ID, modelSourceName: 'fraud-training-nightly-2026-11-26',
    customProperties: { 'kfp.artifact_uri': str('s3://mlpipeline/v2/artifacts/fraud-training/3f1b2c9e/train/model') },
  });

  // ---- sentiment-bert: one version on a PVC, labels and typed custom properties
  await model({
    name: 'sentiment-bert',
    description: 'BERT-base fine-tuned for 3-class sentiment of product reviews.',
    owner: 'nlp-team@example.com',
    readme: '# sentiment-bert\n\nLabels: negative, neutral, positive. Max sequence length 256.',
    language: ['en'], tasks: ['text-classification'], license: 'apache-2.0', provider: 'ACME NLP',
    customProperties: { nlp: label(), production: label(), framework: str('pytorch'), base_model: str('bert-base-uncased') },
  });
  await version('sentiment-bert', {
    name: '1.0.0', author: 'bob', description: 'First production release.',
    customProperties: { accuracy: dbl(0.912), f1_macro: dbl(0.897), epochs: int(3), quantized: bool(false), framework: str('pytorch') },
  }, {
    name: 'sentiment-bert-1.0.0', uri: 'pvc://sentiment-models/bert-base/1.0.0', modelFormatName: 'pytorch', modelFormatVersion: '2.1',
    serviceAccountName: 'model-loader', description: 'TorchScript weights + tokenizer files',
  });

  // ---- legacy-churn: archived model and version
  await model({
    name: 'legacy-churn',
    description: 'Customer churn predictor, replaced by the 2026 retention model.',
    owner: 'growth@example.com', state: 'ARCHIVED',
    customProperties: { deprecated: label() },
  });
  await version('legacy-churn', {
    name: '1.0', author: 'carol', state: 'ARCHIVED', description: 'Last release before retirement.',
  }, {
    name: 'legacy-churn-1.0', uri: 'oci://quay.io/acme/churn-model:1.0', modelFormatName: 'onnx', modelFormatVersion: '1',
  });

  // ---- image-classifier: a version without artifacts
  await model({ name: 'image-classifier', description: 'ResNet-50 for product photos (in progress).', owner: 'vision@example.com' });
  await version('image-classifier', { name: '0.1.0', author: 'dave', description: 'Registered before the weights were uploaded.' });

  // ---- serving: fraud-detector v3 deployed in the user namespace
  const env = await api('POST', '/serving_environments', { name: SEED_NAMESPACE, description: `KServe in namespace ${SEED_NAMESPACE}` });
  out.servingEnvironment = String(env.id);
  const isvc = await api('POST', `/serving_environments/${out.servingEnvironment}/inference_services`, {
    name: 'fraud-detector', registeredModelId: out.models['fraud-detector']!, servingEnvironmentId: out.servingEnvironment,
    modelVersionId: v3, runtime: 'kserve-onnxruntime', desiredState: 'DEPLOYED',
  });
  out.inferenceServices['fraud-detector'] = String(isvc.id);
  return out;
}
