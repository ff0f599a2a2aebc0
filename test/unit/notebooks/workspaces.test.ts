// Notebooks 2.0 Workspaces as the Notebooks view and the kernels see them, against the upstream sample WorkspaceKinds.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { EventResource, PodResource } from '../../../extension/notebooks/model';
import {
  jupyterPort, kindOptions, newWorkspaceManifest, pausePatch, summarizeWorkspace, validateWorkspaceName,
  type WorkspaceKindResource, type WorkspaceResource,
} from '../../../extension/notebooks/workspaces';
import { sharedDir } from '../../rigs/kube/index';

const sample = (f: string) => YAML.parse(fs.readFileSync(path.join(sharedDir(), 'kubeflow-specs/crds/notebooks-v2/samples', `${f}.yaml`), 'utf8')) as WorkspaceKindResource;
const jupyterlab = sample('jupyterlab_v1beta1_workspacekind');
const codeserver = sample('codeserver_v1beta1_workspacekind');

const ws = (o: { paused?: boolean; state?: string; message?: string; kind?: string; deleting?: boolean; image?: string; pod?: string } = {}): WorkspaceResource => ({
  metadata: { name: 'w1', namespace: 'team-a', ...(o.deleting ? { deletionTimestamp: 'x' } : {}) },
  spec: {
    paused: o.paused ?? false, kind: o.kind ?? 'jupyterlab', displayName: 'My Workspace',
    podTemplate: { volumes: { home: 'home-pvc', data: [{ pvcName: 'data-pvc', mountPath: '/data/x' }] }, options: { imageConfig: o.image ?? 'jupyter-scipy:v1.10.0', podConfig: o.pod ?? 'tiny_cpu' } },
  },
  status: { state: (o.state ?? 'Running') as 'Running', stateMessage: o.message ?? '', pendingRestart: false, activity: { lastActivity: Date.UTC(2026, 11, 6, 10) }, pauseTime: o.paused ? Date.UTC(2026, 11, 6, 11) : 0 },
});
const pod = (status: PodResource['status'], deleting = false): PodResource => ({
  metadata: { name: 'ws-w1-abcde-0', uid: 'u1', labels: { 'notebooks.kubeflow.org/workspace-name': 'w1' }, ...(deleting ? { deletionTimestamp: 'x' } : {}) },
  status,
});
const running: PodResource['status'] = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };

describe('Notebooks 2.0 workspaces: state, options, Jupyter port', () => {
  it('reads the image, pod option, volumes and last activity from the workspace and its kind', () => {
    const s = summarizeWorkspace(ws(), jupyterlab, [pod(running)]);
    assert.equal(s.kind, 'Workspace');
    assert.equal(s.phase, 'running');
    assert.equal(s.image, 'ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-scipy:v1.10.0');
    assert.deepEqual([s.imageOption, s.podOption, s.cpu, s.memory], ['jupyter-scipy:v1.10.0', 'Tiny CPU', '100m', '128Mi']);
    assert.deepEqual(s.volumes, ['home-pvc', 'data-pvc']);
    assert.equal(s.workspace, 'home-pvc');
    assert.equal(s.pod, 'ws-w1-abcde-0');
    assert.equal(s.lastActivity, '2026-12-06T10:00:00.000Z');
    assert.deepEqual(s.jupyter, { portId: 'jupyterlab', port: 8888 });
  });

  it('paused, pausing, terminating, and the GPU option that cannot be scheduled (the scheduler\'s reason)', () => {
    assert.equal(summarizeWorkspace(ws({ paused: true, state: 'Paused' }), jupyterlab, []).phase, 'stopped');
    assert.equal(summarizeWorkspace(ws({ paused: true, state: 'Paused' }), jupyterlab, []).stoppedAt, '2026-12-06T11:00:00.000Z');
    assert.equal(summarizeWorkspace(ws({ paused: true, state: 'Running' }), jupyterlab, [pod(running)]).phase, 'stopping');
    assert.equal(summarizeWorkspace(ws({ deleting: true }), jupyterlab, [pod(running)]).phase, 'terminating');
    const pending = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available: 2 Insufficient nvidia.com/gpu' }] });
    const ev: EventResource = { metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'ws-w1-abcde-0' }, type: 'Warning', reason: 'FailedScheduling', message: '0/2 nodes are available: 2 Insufficient nvidia.com/gpu', lastTimestamp: 't' };
    const s = summarizeWorkspace(ws({ state: 'Error', message: 'Workspace Pod is unschedulable: x', pod: 'big_gpu' }), jupyterlab, [pending], [ev]);
    assert.equal(s.phase, 'pending');
    assert.match(s.reason ?? '', /FailedScheduling: 0\/2 nodes are available: 2 Insufficient nvidia\.com\/gpu/);
    assert.deepEqual([s.gpus, s.gpuResource], [1, 'nvidia.com/gpu']);
    // no pod yet: the controller's state message
    assert.equal(summarizeWorkspace(ws({ state: 'Error', message: 'Workspace has invalid imageConfig: nope' }), jupyterlab, []).reason, 'Workspace has invalid imageConfig: nope');
  });

  it('a workspace whose kind is missing says so, and has no Jupyter port to attach to', () => {
    const s = summarizeWorkspace(ws({ kind: 'gone', state: 'Error', message: 'Workspace references unknown WorkspaceKind: gone' }), undefined, []);
    assert.equal(s.phase, 'pending');
    assert.equal(s.reason, 'Workspace references unknown WorkspaceKind: gone');
    assert.match(s.jupyterProblem ?? '', /WorkspaceKind gone does not exist/);
    // the kinds cannot be read (RBAC): unknown, not missing
    const r = summarizeWorkspace(ws(), undefined, [pod(running)], [], 'forbidden');
    assert.equal(r.phase, 'running');
    assert.match(r.jupyterProblem ?? '', /Cannot read WorkspaceKind jupyterlab: forbidden/);
  });

  it('a kind without a Jupyter port (code-server) says which ports it has', () => {
    const p = jupyterPort(codeserver, codeserver.spec?.podTemplate?.options?.imageConfig?.spawner?.default);
    assert.ok('problem' in p);
    assert.match(p.problem, /WorkspaceKind codeserver has no Jupyter port \(its ports: codeserver \(VS Code \(code-server\)\)\)/);
    assert.deepEqual(jupyterPort(jupyterlab, 'jupyter-scipy:v1.9.2'), { portId: 'jupyterlab', port: 8888 });
    assert.match((jupyterPort(jupyterlab, 'no-such-image') as { problem: string }).problem, /no port number for "jupyterlab"/);
  });

  it('offers the kind\'s options by display name, default first, hidden ones left out, redirects said', () => {
    const images = kindOptions(jupyterlab, 'imageConfig');
    assert.equal(images[0].id, 'jupyter-scipy:v1.10.0');
    assert.ok(images[0].isDefault);
    assert.ok(!images.some((o) => o.id === 'jupyter-scipy:v1.8.0'), 'hidden option offered');
    assert.match(images.find((o) => o.id === 'jupyter-scipy:v1.9.2')?.redirect ?? '', /^redirects to jupyter-scipy:v1\.10\.0: This update/);
    assert.deepEqual(kindOptions(jupyterlab, 'podConfig').map((o) => o.label), ['Tiny CPU', 'Small CPU', 'Big GPU']);
  });

  it('writes the Workspace like the sample, and the pause/resume patch', () => {
    const m = newWorkspaceManifest({ name: 'w2', namespace: 'team-a', kind: 'jupyterlab', imageConfig: 'jupyter-scipy:v1.10.0', podConfig: 'tiny_cpu', home: 'h', data: [{ pvcName: 'd', mountPath: '/data/d' }] });
    assert.deepEqual(m, {
      apiVersion: 'kubeflow.org/v1beta1', kind: 'Workspace', metadata: { name: 'w2', namespace: 'team-a' },
      spec: { paused: false, kind: 'jupyterlab', podTemplate: { volumes: { home: 'h', data: [{ pvcName: 'd', mountPath: '/data/d' }] }, options: { imageConfig: 'jupyter-scipy:v1.10.0', podConfig: 'tiny_cpu' } } },
    });
    assert.deepEqual(pausePatch(true), { spec: { paused: true } });
    assert.equal(validateWorkspaceName('Bad_Name')?.startsWith('Lower-case'), true);
    assert.equal(validateWorkspaceName('ok-1'), undefined);
  });
});
