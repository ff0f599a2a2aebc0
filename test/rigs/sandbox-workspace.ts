/**
 * The folder `npm start` opens in code-server: outside the git tree (under $KFVS_CACHE, or the folder given), so
 * nothing a user tries in the sandbox lands in the repository. It holds copies of the sample files: the Python
 * pipelines of test/fixtures/pipelines, a notebook to run on the sandbox's server, and a PyTorchJob to submit. Files
 * already there are kept (the user's edits survive a restart); missing ones are copied again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { kfvsCache } from './jupyter/index';

const REPO = path.resolve(__dirname, '../..');

const NOTEBOOK = {
  cells: [
    { cell_type: 'markdown', metadata: {}, source: ['# Explore on a cluster kernel\n', '\n', 'Pick the `sandbox-nb` server with *Kubeflow: Select Notebook Server…*, then run the cells.'] },
    { cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: ['import pandas as pd\n', 'df = pd.DataFrame({"epoch": [1, 2, 3], "loss": [0.9, 0.5, 0.3]})\n', 'df'] },
    { cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: ['import matplotlib.pyplot as plt\n', 'df.plot(x="epoch", y="loss")\n', 'plt.show()'] },
  ],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5,
};

/** A replica spec of the sample PyTorchJob (Master and Worker run the same container). */
const replicaSpec = (role: string, replicas: number) => `    ${role}:
      replicas: ${replicas}
      template:
        spec:
          containers:
            - name: pytorch
              image: pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime
              command: ["python", "-c", "print('training')"]
`;

const PYTORCHJOB = `apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata:
  name: mnist-sample
spec:
  pytorchReplicaSpecs:
${replicaSpec('Master', 1)}${replicaSpec('Worker', 2)}`;

/** Creates (or completes) the sandbox workspace and returns its path. */
export function sandboxWorkspace(dir = path.join(kfvsCache(), 'sandbox-workspace')): string {
  const files: Array<[string, () => string]> = [
    ...fs.readdirSync(path.join(REPO, 'test/fixtures/pipelines')).filter((f) => f.endsWith('.py'))
      .map((f): [string, () => string] => [path.join('pipelines', f), () => fs.readFileSync(path.join(REPO, 'test/fixtures/pipelines', f), 'utf8')]),
    ['explore.ipynb', () => `${JSON.stringify(NOTEBOOK, null, 1)}\n`],
    ['training/pytorchjob.yaml', () => PYTORCHJOB],
  ];
  for (const [rel, content] of files) {
    const to = path.join(dir, rel);
    if (fs.existsSync(to)) continue;
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, content());
  }
  return dir;
}
