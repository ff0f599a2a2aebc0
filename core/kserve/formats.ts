/**
 * KServe model formats and the serving runtimes that ship with KServe (ClusterServingRuntimes of v0.15+). A runtime is
 * optional in an InferenceService (KServe picks one that supports the format); the form offers the known ones.
 */

export interface ModelFormatInfo {
  /** `spec.predictor.model.modelFormat.name`. */
  name: string;
  label: string;
  /** ClusterServingRuntimes that serve it, preferred first. */
  runtimes: string[];
  /** Default inference protocol of the preferred runtime. */
  protocol: 'v1' | 'v2';
}

export const MODEL_FORMATS: readonly ModelFormatInfo[] = [
  { name: 'sklearn', label: 'scikit-learn', runtimes: ['kserve-sklearnserver', 'kserve-mlserver'], protocol: 'v1' },
  { name: 'xgboost', label: 'XGBoost', runtimes: ['kserve-xgbserver', 'kserve-mlserver'], protocol: 'v1' },
  { name: 'lightgbm', label: 'LightGBM', runtimes: ['kserve-lgbserver', 'kserve-mlserver'], protocol: 'v1' },
  { name: 'tensorflow', label: 'TensorFlow SavedModel', runtimes: ['kserve-tensorflow-serving', 'kserve-tritonserver'], protocol: 'v1' },
  { name: 'pytorch', label: 'PyTorch (TorchServe .mar)', runtimes: ['kserve-torchserve', 'kserve-tritonserver'], protocol: 'v1' },
  { name: 'onnx', label: 'ONNX', runtimes: ['kserve-tritonserver'], protocol: 'v2' },
  { name: 'triton', label: 'Triton model repository', runtimes: ['kserve-tritonserver'], protocol: 'v2' },
  { name: 'tensorrt', label: 'TensorRT', runtimes: ['kserve-tritonserver'], protocol: 'v2' },
  { name: 'huggingface', label: 'Hugging Face (transformers / vLLM)', runtimes: ['kserve-huggingfaceserver'], protocol: 'v1' },
  { name: 'mlflow', label: 'MLflow model', runtimes: ['kserve-mlserver'], protocol: 'v2' },
  { name: 'paddle', label: 'PaddlePaddle', runtimes: ['kserve-paddleserver'], protocol: 'v1' },
  { name: 'pmml', label: 'PMML', runtimes: ['kserve-pmmlserver'], protocol: 'v1' },
];

const ALIASES: Record<string, string> = {
  'scikit-learn': 'sklearn',
  scikit_learn: 'sklearn',
  sk: 'sklearn',
  xgb: 'xgboost',
  lgbm: 'lightgbm',
  tf: 'tensorflow',
  keras: 'tensorflow',
  torch: 'pytorch',
  hf: 'huggingface',
  transformers: 'huggingface',
  vllm: 'huggingface',
};

/** The KServe format of a Model Registry `modelFormatName` (`scikit-learn`, `ONNX`, `torch`…), or the name itself. */
export function kserveFormat(modelFormatName: string | undefined): string | undefined {
  if (!modelFormatName?.trim()) return undefined;
  const n = modelFormatName.trim().toLowerCase();
  return ALIASES[n] ?? n;
}

export function formatInfo(name: string | undefined): ModelFormatInfo | undefined {
  const f = kserveFormat(name);
  return MODEL_FORMATS.find((m) => m.name === f);
}

/** A guess from the artifact's file name, for artifacts that record no format. */
export function guessFormat(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  const path = uri.split(/[?#]/)[0]!.toLowerCase().replace(/\/+$/, '');
  if (uri.toLowerCase().startsWith('hf://')) return 'huggingface';
  if (/\.(joblib|pkl|pickle)$/.test(path)) return 'sklearn';
  if (/\.(bst|ubj)$/.test(path)) return 'xgboost';
  if (/\.onnx$/.test(path)) return 'onnx';
  if (/\.(mar|pt|pth)$/.test(path)) return 'pytorch';
  if (/\.(pmml)$/.test(path)) return 'pmml';
  if (/\.(pb|keras|h5)$/.test(path) || /saved_?model/.test(path)) return 'tensorflow';
  if (/\.(safetensors)$/.test(path)) return 'huggingface';
  return undefined;
}

/**
 * The `modelFormat.version` KServe matches for a registry's format version: its runtimes declare major versions
 * ("1" for scikit-learn 1.x) and KServe compares them exactly, so "1.3" would find no runtime (NoSupportingRuntime).
 */
export function kserveFormatVersion(version: string | undefined): string | undefined {
  const v = version?.trim();
  if (!v) return undefined;
  return /^\d+(\.\d+)*$/.test(v) ? v.split('.')[0] : v;
}
