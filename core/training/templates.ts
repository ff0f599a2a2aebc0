/**
 * Starting points for "Kubeflow: New Training Job…": one YAML per kind, valid against the upstream CRD schemas (an
 * integration test dry-runs every one on the rig). The namespace is left out: submitting uses the profile namespace.
 */

export interface TemplateOptions {
  name: string;
  /** `kubeflow.org/v2beta1` (mpi-operator) or `kubeflow.org/v1` (training-operator) for MPIJob. */
  mpiApiVersion?: string;
}

export interface JobTemplate {
  id: string;
  label: string;
  detail: string;
  kind: string;
  render(o: TemplateOptions): string;
}

const HEADER = (what: string) => `# ${what}
# Replace the image and command with your training code. Submit with "Kubeflow: Submit Training Job" (right-click the
# file or the editor): a server-side dry run checks it first and marks problems at their line.
`;

const IMAGE = 'docker.io/pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime';

function replica(container: string, image: string, replicas: number, command: string[], gpus: number, restartPolicy = 'OnFailure'): string {
  const cmd = command.map((c) => `                - ${JSON.stringify(c)}`).join('\n');
  const res = gpus ? `
              resources:
                limits:
                  nvidia.com/gpu: ${gpus}` : '';
  return `      replicas: ${replicas}
      restartPolicy: ${restartPolicy}
      template:
        spec:
          containers:
            - name: ${container}
              image: ${image}
              command:
${cmd}${res}`;
}

export const TEMPLATES: JobTemplate[] = [
  {
    id: 'pytorchjob',
    label: 'PyTorchJob — distributed data parallel (torchrun)',
    detail: 'training-operator v1: 1 master + 3 workers, 1 GPU each',
    kind: 'PyTorchJob',
    render: ({ name }) => `${HEADER('PyTorchJob: distributed data-parallel training, launched by torchrun in every replica.')}apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata:
  name: ${name}
spec:
  runPolicy:
    cleanPodPolicy: None
  pytorchReplicaSpecs:
    Master:
${replica('pytorch', IMAGE, 1, ['torchrun', '/workspace/train.py', '--epochs=10'], 1)}
    Worker:
${replica('pytorch', IMAGE, 3, ['torchrun', '/workspace/train.py', '--epochs=10'], 1)}
`,
  },
  {
    id: 'tfjob',
    label: 'TFJob — MultiWorkerMirroredStrategy',
    detail: 'training-operator v1: 2 workers, 1 GPU each',
    kind: 'TFJob',
    render: ({ name }) => `${HEADER('TFJob: TensorFlow multi-worker training; TF_CONFIG is set in every replica.')}apiVersion: kubeflow.org/v1
kind: TFJob
metadata:
  name: ${name}
spec:
  runPolicy:
    cleanPodPolicy: None
  tfReplicaSpecs:
    Worker:
${replica('tensorflow', 'docker.io/tensorflow/tensorflow:2.17.0-gpu', 2, ['python', '/workspace/train.py'], 1)}
`,
  },
  {
    id: 'mpijob',
    label: 'MPIJob — Horovod / MPI',
    detail: 'mpi-operator v2beta1 (or training-operator v1, as the cluster serves): 1 launcher + 2 workers',
    kind: 'MPIJob',
    render: ({ name, mpiApiVersion }) => {
      const v1 = mpiApiVersion === 'kubeflow.org/v1';
      return `${HEADER('MPIJob: the launcher runs mpirun across the workers.')}apiVersion: ${v1 ? 'kubeflow.org/v1' : 'kubeflow.org/v2beta1'}
kind: MPIJob
metadata:
  name: ${name}
spec:
  slotsPerWorker: 1
  runPolicy:
    cleanPodPolicy: Running
  mpiReplicaSpecs:
    Launcher:
${replica(v1 ? 'mpi' : 'launcher', 'docker.io/horovod/horovod:0.28.1', 1, ['mpirun', '-np', '2', 'python', '/workspace/train.py'], 0)}
    Worker:
${replica(v1 ? 'mpi' : 'worker', 'docker.io/horovod/horovod:0.28.1', 2, ['/usr/sbin/sshd', '-De'], 1, 'Never')}
`;
    },
  },
  {
    id: 'xgboostjob',
    label: 'XGBoostJob — distributed XGBoost',
    detail: 'training-operator v1: 1 master + 2 workers',
    kind: 'XGBoostJob',
    render: ({ name }) => `${HEADER('XGBoostJob: distributed XGBoost with a tracker on the master.')}apiVersion: kubeflow.org/v1
kind: XGBoostJob
metadata:
  name: ${name}
spec:
  runPolicy:
    cleanPodPolicy: None
  xgbReplicaSpecs:
    Master:
${replica('xgboost', 'docker.io/kubeflow/xgboost-dist-iris:latest', 1, ['python', '/opt/mlkube/main.py', '--job_type=Train'], 0, 'Never')}
    Worker:
${replica('xgboost', 'docker.io/kubeflow/xgboost-dist-iris:latest', 2, ['python', '/opt/mlkube/main.py', '--job_type=Train'], 0, 'ExitCode')}
`,
  },
  {
    id: 'jaxjob',
    label: 'JAXJob — multi-process JAX',
    detail: 'training-operator v1: 2 workers',
    kind: 'JAXJob',
    render: ({ name }) => `${HEADER('JAXJob: multi-process JAX; the coordinator address is set in every worker.')}apiVersion: kubeflow.org/v1
kind: JAXJob
metadata:
  name: ${name}
spec:
  runPolicy:
    cleanPodPolicy: None
  jaxReplicaSpecs:
    Worker:
${replica('jax', 'docker.io/kubeflow/jaxjob-simple:latest', 2, ['python3', 'train.py'], 0)}
`,
  },
  {
    id: 'trainjob',
    label: 'TrainJob — Kubeflow Trainer v2 (torch-distributed runtime)',
    detail: 'trainer.kubeflow.org/v1alpha1: 2 nodes, 1 GPU each',
    kind: 'TrainJob',
    render: ({ name }) => `${HEADER('TrainJob: Kubeflow Trainer v2; the runtime (a ClusterTrainingRuntime) supplies the rest.')}apiVersion: trainer.kubeflow.org/v1alpha1
kind: TrainJob
metadata:
  name: ${name}
spec:
  runtimeRef:
    name: torch-distributed
  trainer:
    image: ${IMAGE}
    command:
      - torchrun
      - /workspace/train.py
      - --epochs=10
    numNodes: 2
    resourcesPerNode:
      limits:
        nvidia.com/gpu: 1
`,
  },
  {
    id: 'experiment',
    label: 'Katib Experiment — hyperparameter search over a PyTorchJob',
    detail: 'kubeflow.org/v1beta1: random search of lr and momentum, 12 trials, 3 at a time',
    kind: 'Experiment',
    render: ({ name }) => `${HEADER('Katib Experiment: each trial is a PyTorchJob; the StdOut collector reads "accuracy=0.97" lines.')}apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: ${name}
spec:
  objective:
    type: maximize
    goal: 0.99
    objectiveMetricName: accuracy
    additionalMetricNames:
      - loss
  algorithm:
    algorithmName: random
  parallelTrialCount: 3
  maxTrialCount: 12
  maxFailedTrialCount: 3
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace:
        min: "0.001"
        max: "0.1"
    - name: momentum
      parameterType: double
      feasibleSpace:
        min: "0.5"
        max: "0.99"
  trialTemplate:
    primaryContainerName: pytorch
    trialParameters:
      - name: learningRate
        reference: lr
      - name: momentum
        reference: momentum
    trialSpec:
      apiVersion: kubeflow.org/v1
      kind: PyTorchJob
      metadata:
        annotations:
          # Where the trial writes its model; "Register Best Trial's Model" reads it.
          kubeflow.org/model-uri: s3://models/${name}/\${trialSpec.Name}
      spec:
        pytorchReplicaSpecs:
          Master:
            replicas: 1
            restartPolicy: OnFailure
            template:
              spec:
                containers:
                  - name: pytorch
                    image: ${IMAGE}
                    command:
                      - python3
                      - /workspace/train.py
                      - --lr=\${trialParameters.learningRate}
                      - --momentum=\${trialParameters.momentum}
                      - --model-dir=s3://models/${name}/\${trialSpec.Name}
`,
  },
];

/** A name that is a valid Kubernetes name: `pytorchjob-0827-1412`. */
export function defaultName(id: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${id.replace(/job$/, '')}-${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}`;
}
