// The kube rig's CRD sets: 'latest' has the newest upstream CRDs (Notebooks 2.0 included, its samples left for the
// tests), 'compat' swaps in the Kubeflow 1.11 copies (KServe v0.15, Trainer v2.1) and has no Notebooks 2.0, and
// KFVS_CRD_SET picks the default (CI's compat run).
import assert from 'node:assert/strict';
import path from 'node:path';
import { defaultCrdSet, kubeflowCrdFiles, sharedDir } from '../../rigs/kube/index';

const rel = (files: string[]) => files.map((f) => path.relative(path.join(sharedDir(), 'kubeflow-specs', 'crds'), f)).sort();

describe('kube rig CRD sets', () => {
  it('latest: the newest copies, Workspace and WorkspaceKind included, samples never installed', async () => {
    const { crds, objects } = await kubeflowCrdFiles('latest');
    const r = rel(crds);
    assert.ok(r.includes('notebooks-v2/kubeflow.org_workspaces.yaml') && r.includes('notebooks-v2/kubeflow.org_workspacekinds.yaml'));
    assert.ok(r.includes('kserve/serving.kserve.io_inferenceservices.yaml'));
    assert.ok(!r.some((f) => f.includes('compat-')));
    assert.ok(!rel(objects).some((f) => f.includes('samples')), 'a sample was to be installed');
  });

  it('compat: the Kubeflow 1.11 copies where there are any, and no Notebooks 2.0', async () => {
    const r = rel((await kubeflowCrdFiles('compat')).crds);
    assert.ok(r.includes('kserve/compat-v0.15.2/serving.kserve.io_inferenceservices.yaml'));
    assert.ok(r.includes('trainer-v2/compat-v2.1.0/trainer.kubeflow.org_trainjobs.yaml'));
    assert.ok(!r.includes('kserve/serving.kserve.io_inferenceservices.yaml'));
    assert.ok(!r.some((f) => f.startsWith('notebooks-v2/')));
    assert.ok(r.includes('notebook/kubeflow.org_notebooks.yaml'));
  });

  it('KFVS_CRD_SET chooses the default set; a wrong value is refused', () => {
    const before = process.env.KFVS_CRD_SET;
    try {
      delete process.env.KFVS_CRD_SET;
      assert.equal(defaultCrdSet(), 'latest');
      process.env.KFVS_CRD_SET = 'compat';
      assert.equal(defaultCrdSet(), 'compat');
      process.env.KFVS_CRD_SET = 'kubeflow-1.9';
      assert.throws(() => defaultCrdSet(), /KFVS_CRD_SET=kubeflow-1\.9 is not one of latest, compat, minimal/);
    } finally {
      if (before === undefined) delete process.env.KFVS_CRD_SET;
      else process.env.KFVS_CRD_SET = before;
    }
  });
});
