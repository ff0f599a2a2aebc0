import assert from 'node:assert/strict';
import { metricValue, modelArtifactOf, registrationPlan, sortTrials, summarizeExperiment, summarizeTrial } from '../../../core/katib/state';
import type { JobObject } from '../../../core/training/objects';
import { at } from './fixtures';

// Shaped like katib-controller v0.19 writes them: conditions appended, Running set to False when done, metric and
// parameter values as strings, trials labelled and owned by their experiment.
const cond = (type: string, status: string, reason: string, message: string, s: number) => ({ type, status, reason, message, lastUpdateTime: at(s), lastTransitionTime: at(s) });

function experiment(phase: 'Running' | 'Succeeded' | 'Failed', extra: Record<string, unknown> = {}): JobObject {
  const conditions = [cond('Created', 'True', 'ExperimentCreated', 'Experiment is created', 0), cond('Running', phase === 'Running' ? 'True' : 'False', 'ExperimentRunning', 'Experiment is running', 5)];
  if (phase === 'Succeeded') conditions.push(cond('Succeeded', 'True', 'ExperimentMaxTrialsReached', 'Experiment has succeeded because max trial count has reached', 900));
  if (phase === 'Failed') conditions.push(cond('Failed', 'True', 'ExperimentMaxFailedTrialsReached', 'Experiment has failed because max failed count has reached', 400));
  return {
    apiVersion: 'kubeflow.org/v1beta1', kind: 'Experiment',
    metadata: { name: 'mnist-hpo', namespace: 'team-a', uid: 'uid-exp', creationTimestamp: at(0) },
    spec: {
      objective: { type: 'maximize', goal: 0.99, objectiveMetricName: 'accuracy', additionalMetricNames: ['loss'], metricStrategies: [{ name: 'accuracy', value: 'max' }, { name: 'loss', value: 'min' }] },
      algorithm: { algorithmName: 'random' },
      parallelTrialCount: 3, maxTrialCount: 12, maxFailedTrialCount: 3,
      parameters: [{ name: 'lr', parameterType: 'double', feasibleSpace: { min: '0.001', max: '0.1' } }],
      trialTemplate: { primaryContainerName: 'pytorch', trialSpec: { apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob' } },
    },
    status: {
      conditions, startTime: at(0), ...(phase !== 'Running' ? { completionTime: at(900) } : {}),
      currentOptimalTrial: {
        bestTrialName: 'mnist-hpo-x7k2p9qd',
        parameterAssignments: [{ name: 'lr', value: '0.0241' }, { name: 'momentum', value: '0.92' }],
        observation: { metrics: [{ name: 'accuracy', latest: '0.9791', max: '0.9812', min: '0.9410' }, { name: 'loss', latest: '0.0712', max: '0.4120', min: '0.0688' }] },
      },
      trials: 7, trialsSucceeded: 4, trialsRunning: 2, trialsFailed: 1,
      succeededTrialList: ['mnist-hpo-x7k2p9qd'], runningTrialList: ['mnist-hpo-a', 'mnist-hpo-b'], failedTrialList: ['mnist-hpo-f'],
      ...extra,
    },
  };
}

function trial(name: string, phase: 'Running' | 'Succeeded' | 'Failed' | 'Created', accuracy?: string[], runSpec: Record<string, unknown> = {}): JobObject {
  const conditions = [cond('Created', 'True', 'TrialCreated', 'Trial is created', 1)];
  if (phase !== 'Created') conditions.push(cond('Running', phase === 'Running' ? 'True' : 'False', 'TrialRunning', 'Trial is running', 2));
  if (phase === 'Succeeded') conditions.push(cond('Succeeded', 'True', 'TrialSucceeded', 'Trial has succeeded', 300));
  if (phase === 'Failed') conditions.push(cond('Failed', 'True', 'TrialFailed', 'Trial has failed', 200));
  return {
    apiVersion: 'kubeflow.org/v1beta1', kind: 'Trial',
    metadata: { name, namespace: 'team-a', labels: { 'katib.kubeflow.org/experiment': 'mnist-hpo' }, ownerReferences: [{ kind: 'Experiment', name: 'mnist-hpo', uid: 'uid-exp', controller: true }] },
    spec: {
      parameterAssignments: [{ name: 'lr', value: '0.0241' }, { name: 'momentum', value: '0.92' }],
      objective: { type: 'maximize', objectiveMetricName: 'accuracy' },
      primaryContainerName: 'pytorch',
      runSpec: { apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name, namespace: 'team-a' }, ...runSpec },
    },
    status: { conditions, startTime: at(1), ...(accuracy ? { observation: { metrics: [{ name: 'accuracy', min: accuracy[0], max: accuracy[1], latest: accuracy[2] }] } } : {}) },
  };
}

describe('Katib experiment and trial state', () => {
  it('summarizes objective, algorithm, counts and the current optimal trial', () => {
    const s = summarizeExperiment(experiment('Running'));
    assert.equal(s.phase, 'Running');
    assert.equal(s.terminal, false);
    assert.deepEqual(s.objective, { type: 'maximize', metric: 'accuracy', goal: 0.99, additional: ['loss'] });
    assert.equal(s.algorithm, 'random');
    assert.deepEqual(s.counts, { trials: 7, pending: 0, running: 2, succeeded: 4, failed: 1, killed: 0, earlyStopped: 0, metricsUnavailable: 0 });
    assert.equal(s.maxTrials, 12);
    assert.equal(s.optimal?.trial, 'mnist-hpo-x7k2p9qd');
    assert.equal(s.best, 0.9812, 'max strategy for a maximized objective');
    assert.equal(s.trialKind, 'PyTorchJob');
  });

  it('takes Succeeded/Failed from the last true condition, with the reason', () => {
    const ok = summarizeExperiment(experiment('Succeeded'));
    assert.equal(ok.phase, 'Succeeded');
    assert.equal(ok.reason, 'ExperimentMaxTrialsReached');
    assert.equal(ok.finishedAt, Date.parse(at(900)));
    const bad = summarizeExperiment(experiment('Failed'));
    assert.equal(bad.phase, 'Failed');
    assert.equal(bad.terminal, true);
    assert.match(bad.message!, /max failed count/);
  });

  it('has no best value before any trial reports the objective', () => {
    const s = summarizeExperiment(experiment('Running', { currentOptimalTrial: { bestTrialName: '', parameterAssignments: null, observation: { metrics: null } } }));
    assert.equal(s.optimal, undefined);
    assert.equal(s.best, undefined);
  });

  it('summarizes trials and sorts them best first in the objective\'s direction', () => {
    const exp = experiment('Running');
    const trials = [
      summarizeTrial(trial('t-low', 'Succeeded', ['0.90', '0.91', '0.91']), exp),
      summarizeTrial(trial('t-run', 'Running'), exp),
      summarizeTrial(trial('t-high', 'Succeeded', ['0.94', '0.9812', '0.9791']), exp),
      summarizeTrial(trial('t-fail', 'Failed'), exp),
      summarizeTrial(trial('t-new', 'Created'), exp),
    ];
    assert.deepEqual(trials.map((t) => t.phase), ['Succeeded', 'Running', 'Succeeded', 'Failed', 'Created']);
    assert.equal(trials[2]!.objective, 0.9812);
    assert.equal(trials[2]!.experiment, 'mnist-hpo');
    assert.equal(trials[2]!.jobKind, 'PyTorchJob');
    assert.deepEqual(sortTrials(trials, 'maximize').map((t) => t.name), ['t-high', 't-low', 't-run', 't-new', 't-fail']);
    assert.deepEqual(sortTrials(trials, 'minimize').map((t) => t.name).slice(0, 2), ['t-low', 't-high']);
  });

  it('reads metric values by strategy and treats "unavailable" as none', () => {
    const m = { name: 'loss', min: '0.05', max: '0.9', latest: '0.07' };
    assert.equal(metricValue(m, 'minimize'), 0.05);
    assert.equal(metricValue(m, 'maximize'), 0.9);
    assert.equal(metricValue(m, 'maximize', 'latest'), 0.07);
    assert.equal(metricValue({ name: 'accuracy', min: 'unavailable', max: 'unavailable', latest: 'unavailable' }, 'maximize'), undefined);
  });
});

describe('the best trial\'s model artifact', () => {
  const container = (extra: Record<string, unknown>) => ({ spec: { pytorchReplicaSpecs: { Master: { template: { spec: { containers: [{ name: 'pytorch', image: 'x', ...extra }] } } } } } });

  it('is found in an annotation of the trial\'s job, an env var, or an argument', () => {
    assert.deepEqual(modelArtifactOf(trial('t', 'Succeeded', undefined, { metadata: { name: 't', annotations: { 'kubeflow.org/model-uri': 's3://models/mnist-hpo/t' } } })), { uri: 's3://models/mnist-hpo/t', source: 'annotation kubeflow.org/model-uri' });
    assert.deepEqual(modelArtifactOf(trial('t', 'Succeeded', undefined, container({ env: [{ name: 'MODEL_DIR', value: 'pvc://models-pvc/t' }] }))), { uri: 'pvc://models-pvc/t', source: 'env MODEL_DIR' });
    assert.deepEqual(modelArtifactOf(trial('t', 'Succeeded', undefined, container({ command: ['python3', 'train.py', '--lr=0.02', '--model-dir=gs://b/t'] }))), { uri: 'gs://b/t', source: 'argument --model-dir' });
    assert.deepEqual(modelArtifactOf(trial('t', 'Succeeded', undefined, container({ args: ['--save_model_path', 's3://b/t/model.pt'] }))), { uri: 's3://b/t/model.pt', source: 'argument --save_model_path' });
  });

  it('is not invented: local paths and unrelated values do not count', () => {
    assert.equal(modelArtifactOf(trial('t', 'Succeeded', undefined, container({ command: ['python3', 'train.py', '--model-dir=/tmp/model'], env: [{ name: 'DATA_URI', value: 's3://data' }] }))), undefined);
    assert.equal(modelArtifactOf(trial('t', 'Succeeded')), undefined);
  });

  it('becomes a Model Registry plan: experiment → model, trial → version, parameters and metrics as properties', () => {
    const exp = summarizeExperiment(experiment('Succeeded'));
    const t = summarizeTrial(trial('mnist-hpo-x7k2p9qd', 'Succeeded', ['0.94', '0.9812', '0.9791']), experiment('Succeeded'));
    const plan = registrationPlan(exp, t, { uri: 's3://models/mnist-hpo/mnist-hpo-x7k2p9qd', source: 'annotation kubeflow.org/model-uri' });
    assert.equal(plan.registeredModel.name, 'mnist-hpo');
    assert.equal(plan.modelVersion.name, 'mnist-hpo-x7k2p9qd');
    assert.equal(plan.modelArtifact.uri, 's3://models/mnist-hpo/mnist-hpo-x7k2p9qd');
    assert.equal(plan.modelArtifact.artifactType, 'model-artifact');
    assert.deepEqual(plan.modelVersion.customProperties['param.lr'], { metadataType: 'MetadataDoubleValue', double_value: 0.0241 });
    assert.deepEqual(plan.modelVersion.customProperties['metric.accuracy'], { metadataType: 'MetadataDoubleValue', double_value: 0.9812 });
    assert.deepEqual(plan.modelVersion.customProperties['katib.experiment'], { metadataType: 'MetadataStringValue', string_value: 'mnist-hpo' });
  });
});
