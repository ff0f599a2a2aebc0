// The real Argo Workflows v4.0.5 controller on the kube rig (with Kubernetes' own controllers and scheduler), its
// pods played by the pod player: Argo's own `argoexec` init / emissary / wait run the steps as local processes and
// report outputs as WorkflowTaskResults, as in a cluster. Hand-written workflows: a container template, a DAG with an
// output parameter passed on, an artifact through the rig's S3 store, a failing step, and logs through `kubectl logs`.
import assert from 'node:assert/strict';
import { startKubeRig, type KubeRig } from '../rigs/kube/index';
import { startArgo, type ArgoRig } from '../rigs/argo/index';
import { startObjectStore, type ObjectStoreRig } from '../rigs/object-store/index';
import { until } from '../support/wait';

describe('Argo workflow controller + pod player on the kube rig', function () {
  this.timeout(300_000);
  let rig: KubeRig;
  let argo: ArgoRig;
  let s3: ObjectStoreRig;
  const wf = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name, namespace: rig.namespace }, spec,
  });

  before(async () => {
    [rig, s3] = await Promise.all([startKubeRig({ crds: false, controllers: true }), startObjectStore({ bucket: 'mlpipeline' })]);
    argo = await startArgo(rig, { s3: { endpoint: `${s3.host}:${s3.port}`, bucket: s3.bucket, accessKey: s3.accessKey, secretKey: s3.secretKey } });
  });
  after(async () => {
    await argo?.stop();
    await s3?.stop();
    await rig?.stop();
  });

  it('a container template runs its command and the workflow Succeeds; its output reaches kubectl logs', async () => {
    await rig.apply([wf('hello', {
      entrypoint: 'main',
      templates: [{ name: 'main', container: { image: 'alpine:3.20', command: ['sh', '-c'], args: ['echo "hello from $(hostname) in $ARGO_NODE_ID"; echo to-stderr >&2'] } }],
    })]);
    const st = await argo.waitForWorkflow(rig.namespace, 'hello');
    assert.equal(st.phase, 'Succeeded', JSON.stringify(st));
    const node = Object.values(st.nodes ?? {}).find((n) => n.type === 'Pod')!;
    assert.equal(node.phase, 'Succeeded');
    assert.equal(node.outputs?.exitCode, '0');
    const pod = node.id; // single-pod workflow: the pod is named after the workflow
    const logs = await until('main container logs', 30_000, async () => {
      const out = await rig.kubectl(['-n', rig.namespace, 'logs', 'hello', '-c', 'main']).catch(() => '');
      return out.includes('hello from hello in') ? out : undefined;
    }, 300);
    assert.match(logs, new RegExp(`hello from hello in ${pod}`));
    assert.match(logs, /to-stderr/);
  });

  it('a DAG passes an output parameter from one task to the next', async () => {
    await rig.apply([wf('dag', {
      entrypoint: 'dag',
      templates: [
        {
          name: 'dag', dag: {
            tasks: [
              { name: 'produce', template: 'produce' },
              { name: 'consume', template: 'consume', dependencies: ['produce'], arguments: { parameters: [{ name: 'x', value: '{{tasks.produce.outputs.parameters.answer}}' }] } },
            ],
          },
        },
        {
          name: 'produce',
          container: { image: 'alpine:3.20', command: ['sh', '-c', 'mkdir -p /tmp/out && echo -n 42 > /tmp/out/answer'] },
          outputs: { parameters: [{ name: 'answer', valueFrom: { path: '/tmp/out/answer' } }] },
        },
        {
          name: 'consume', inputs: { parameters: [{ name: 'x' }] },
          container: { image: 'alpine:3.20', command: ['sh', '-c', 'echo -n "got {{inputs.parameters.x}}" > /tmp/got'] },
          outputs: { parameters: [{ name: 'got', valueFrom: { path: '/tmp/got' } }] },
        },
      ],
    })]);
    const st = await argo.waitForWorkflow(rig.namespace, 'dag');
    assert.equal(st.phase, 'Succeeded', JSON.stringify(st));
    const byName = new Map(Object.values(st.nodes ?? {}).map((n) => [n.displayName, n]));
    assert.deepEqual(byName.get('produce')?.outputs?.parameters, [{ name: 'answer', value: '42', valueFrom: { path: '/tmp/out/answer' } }]);
    assert.equal(byName.get('consume')?.outputs?.parameters?.[0]?.value, 'got 42');
  });

  it('an output artifact goes to the S3 artifact repository and comes back as the next step\'s input', async () => {
    await rig.apply([wf('art', {
      entrypoint: 'dag',
      templates: [
        {
          name: 'dag', dag: {
            tasks: [
              { name: 'write', template: 'write' },
              { name: 'read', template: 'read', dependencies: ['write'], arguments: { artifacts: [{ name: 'data', from: '{{tasks.write.outputs.artifacts.data}}' }] } },
            ],
          },
        },
        {
          name: 'write',
          container: { image: 'alpine:3.20', command: ['sh', '-c', 'echo "rows: 3" > /tmp/data.txt'] },
          outputs: { artifacts: [{ name: 'data', path: '/tmp/data.txt', archive: { none: {} } }] },
        },
        {
          name: 'read', inputs: { artifacts: [{ name: 'data', path: '/in/data.txt' }] },
          container: { image: 'alpine:3.20', command: ['sh', '-c', 'cat /in/data.txt | tr -d "\\n" > /tmp/seen'] },
          outputs: { parameters: [{ name: 'seen', valueFrom: { path: '/tmp/seen' } }] },
        },
      ],
    })]);
    const st = await argo.waitForWorkflow(rig.namespace, 'art');
    assert.equal(st.phase, 'Succeeded', JSON.stringify(st));
    const byName = new Map(Object.values(st.nodes ?? {}).map((n) => [n.displayName, n]));
    const key = byName.get('write')?.outputs?.artifacts?.find((a) => a.name === 'data')?.s3?.key;
    assert.match(key ?? '', /^artifacts\/art\/\d{4}\/\d{2}\/\d{2}\/art-write-\d+\/data.txt$/, JSON.stringify(byName.get('write')?.outputs));
    const obj = await fetch(`${s3.endpoint}/${s3.bucket}/${key}`);
    assert.equal(obj.status, 200);
    assert.equal(await obj.text(), 'rows: 3\n');
    assert.equal(byName.get('read')?.outputs?.parameters?.[0]?.value, 'rows: 3');
  });

  it('a failing step fails the workflow with its exit code; the step after it does not run', async () => {
    await rig.apply([wf('fails', {
      entrypoint: 'steps',
      templates: [
        { name: 'steps', steps: [[{ name: 'boom', template: 'boom' }], [{ name: 'never', template: 'never' }]] },
        { name: 'boom', container: { image: 'alpine:3.20', command: ['sh', '-c', 'echo about to fail; exit 3'] } },
        { name: 'never', container: { image: 'alpine:3.20', command: ['true'] } },
      ],
    })]);
    const st = await argo.waitForWorkflow(rig.namespace, 'fails');
    assert.equal(st.phase, 'Failed', JSON.stringify(st));
    const nodes = Object.values(st.nodes ?? {});
    const boom = nodes.find((n) => n.displayName === 'boom')!;
    assert.equal(boom.phase, 'Failed');
    assert.equal(boom.outputs?.exitCode, '3');
    assert.match(boom.message ?? '', /exit code 3/);
    assert.equal(nodes.find((n) => n.displayName === 'never'), undefined);
  });
});
