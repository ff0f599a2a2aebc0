/**
 * KFP runs as the launcher records them in MLMD, for tests that write them with the official client
 * (index.ts recordKfpRun; the MLMD rig's test and unit fixtures — the sandbox runs test/fixtures/pipelines/classifier.py
 * for real instead): a classifier pipeline whose tasks log a Dataset, a Model, scalar Metrics, ClassificationMetrics
 * (confusion matrix + ROC, the kfp SDK's metadata keys) and HTML/Markdown reports.
 */
import type { KfpRunSpec } from './index';

export const CLASSES = ['cat', 'dog', 'bird'];

export function classifierRun(runId: string, o: { learningRate: number; accuracy: number; html?: string; cachedPrep?: boolean; bucket?: string }): KfpRunSpec {
  const root = `s3://${o.bucket ?? 'mlpipeline'}/v2/artifacts/classifier/${runId}`;
  const wrong = Math.round((1 - o.accuracy) * 30);
  return {
    run_id: runId,
    pipeline: 'classifier',
    namespace: 'kubeflow',
    pipeline_root: `s3://${o.bucket ?? 'mlpipeline'}/v2/artifacts`,
    parameters: { learning_rate: o.learningRate, epochs: 3 },
    tasks: [
      {
        name: 'prep', state: o.cachedPrep ? 'CACHED' : 'COMPLETE', cached: o.cachedPrep,
        inputs: { rows: 1000 }, outputs: { n_rows: 1000 },
        artifacts: [{ name: 'dataset', type: 'system.Dataset', uri: `${root}/prep/dataset`, event: 'OUTPUT', metadata: { rows: 1000 } }],
      },
      {
        name: 'train', inputs: { learning_rate: o.learningRate, epochs: 3 },
        artifacts: [
          { name: 'dataset', event: 'INPUT', from: 'prep' },
          { name: 'model', type: 'system.Model', uri: `${root}/train/model`, event: 'OUTPUT', metadata: { framework: 'sklearn', accuracy: o.accuracy } },
          { name: 'metrics', type: 'system.Metrics', uri: `${root}/train/metrics`, event: 'OUTPUT', metadata: { accuracy: o.accuracy, loss: Number((1 - o.accuracy).toFixed(3)) } },
          {
            name: 'classification', type: 'system.ClassificationMetrics', uri: `${root}/train/classification`, event: 'OUTPUT',
            metadata: {
              confusionMatrix: {
                annotationSpecs: CLASSES.map((displayName) => ({ displayName })),
                rows: [{ row: [10 - wrong, wrong, 0] }, { row: [0, 10, 0] }, { row: [0, 0, 10] }],
              },
              confidenceMetrics: [0, 0.2, 0.5, 0.8, 1].map((t, i) => ({
                confidenceThreshold: 1 - t, falsePositiveRate: t, recall: Math.min(1, t + o.accuracy * (i ? 0.4 : 0)),
              })),
            },
          },
        ],
      },
      {
        name: 'report', inputs: { title: 'Classifier report' },
        artifacts: [
          { name: 'model', event: 'INPUT', from: 'train' },
          { name: 'page', type: 'system.HTML', uri: `${root}/report/page`, event: 'OUTPUT' },
          { name: 'notes', type: 'system.Markdown', uri: `${root}/report/notes`, event: 'OUTPUT' },
        ],
      },
    ],
  };
}
