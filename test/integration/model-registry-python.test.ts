// Clients no one here wrote: PyPI's official `model-registry` Python clients (venvs of test/rigs/model-registry/install.sh)
// against the real server. 0.3.8 reaches the registry the way the editor does, through a companion-daemon port-forward
// to Service kubeflow/model-registry-service; 0.3.18 calls only `/api/model_registry/v1`, so it talks to the rig's v1
// front. Each registers a model with a version and its artifact, reads them back, lists and updates
// (test/rigs/model-registry/official-client.py); our client then reads what the official one wrote.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { connectDaemon, type DaemonConnection } from '../../companion-daemon/src/client';
import * as P from '../../companion-daemon/src/protocol';
import { fetchTransport } from '../../core/http/transport';
import { API_BASES, isModelArtifact, ModelRegistryClient } from '../../core/modelRegistry/client';
import { propertyText } from '../../core/modelRegistry/properties';
import { startKubeRig, type KubeRig } from '../rigs/kube/index';
import { MODEL_REGISTRY_SERVICE, pythonClient, startModelRegistry, type ModelRegistryRig } from '../rigs/model-registry/index';
import { distFile } from '../support/build';

const run = promisify(execFile);
const SCRIPT = path.join(__dirname, '..', 'rigs', 'model-registry', 'official-client.py');

interface Seen {
  client: string;
  model: { id: string; name: string; description: string; owner: string };
  version: { id: string; name: string; author: string; description: string; metadata: Record<string, unknown> };
  artifact: { id: string; uri: string; format: string; formatVersion: string };
  models: string[];
  versions: string[];
}

async function officialClient(version: '0.3.8' | '0.3.18', url: string, model: string): Promise<Seen> {
  const { stdout } = await run(pythonClient(version), [SCRIPT, url, model], { timeout: 120_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Seen;
}

/** What our client reads back of what the official client wrote. */
async function readBack(client: ModelRegistryClient, name: string) {
  const model = await client.findRegisteredModel(name);
  assert.ok(model, `${name} is registered`);
  const versions = await client.listVersions(model.id);
  const arts = await client.listVersionArtifacts(versions.items[0]!.id);
  const art = arts.items.find(isModelArtifact);
  return {
    description: model.description, owner: model.owner,
    versions: versions.items.map((v) => [v.name, v.author, v.description, v.customProperties?.accuracy ? propertyText(v.customProperties.accuracy) : undefined]),
    artifact: [art?.uri, art?.modelFormatName, art?.modelFormatVersion],
  };
}

function assertRoundTrip(seen: Seen, clientVersion: string, name: string): void {
  assert.equal(seen.client, clientVersion);
  assert.deepEqual(seen.model, { id: seen.model.id, name, description: 'updated by the official Python client', owner: 'official-client' });
  assert.deepEqual([seen.version.name, seen.version.author, seen.version.description, seen.version.metadata], ['v1', 'official-client', 'first version, updated', { accuracy: 0.93, framework: 'onnx' }]);
  assert.deepEqual([seen.artifact.uri, seen.artifact.format, seen.artifact.formatVersion], [`s3://ml-models/${name}/v1/model.onnx`, 'onnx', '2']);
  assert.ok(seen.models.includes(name), JSON.stringify(seen.models));
  assert.deepEqual(seen.versions, ['v1']);
}

const expectedReadBack = (name: string) => ({
  description: 'updated by the official Python client', owner: 'official-client',
  versions: [['v1', 'official-client', 'first version, updated', '0.93']],
  artifact: [`s3://ml-models/${name}/v1/model.onnx`, 'onnx', '2'],
});

describe('Official Model Registry Python clients against the real server', function () {
  this.timeout(300_000);

  describe('model-registry 0.3.8 through a daemon port-forward (v1alpha3)', () => {
    let kube: KubeRig;
    let mr: ModelRegistryRig;
    let home: string;
    let d: DaemonConnection;
    let url: string;
    before(async () => {
      kube = await startKubeRig({ crds: false });
      mr = await startModelRegistry({ kube });
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-mr-py-'));
      d = await connectDaemon({ kubeconfig: kube.kubeconfigPath, client: 'mr-python-test', daemonScript: distFile('companion-daemon.js'), env: { ...process.env, KUBEFLOW_COMPANION_HOME: home } });
      const s = MODEL_REGISTRY_SERVICE;
      url = (await d.connection.sendRequest(P.startForward, { target: { kind: 'service', namespace: s.namespace, name: s.name, port: s.port } })).url;
    });
    after(async () => {
      await d?.connection.sendRequest(P.shutdown).catch(() => undefined);
      d?.dispose();
      await mr?.stop();
      await kube?.stop();
      if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    it('registers, reads back, lists and updates; our client reads the same records', async () => {
      const seen = await officialClient('0.3.8', url.replace(/\/+$/, ''), 'py-fraud');
      assertRoundTrip(seen, '0.3.8', 'py-fraud');
      const ours = new ModelRegistryClient(fetchTransport(url));
      assert.equal(await ours.apiBase(), API_BASES.v1alpha3);
      assert.deepEqual(await readBack(ours, 'py-fraud'), expectedReadBack('py-fraud'));
    });
  });

  describe('model-registry 0.3.18 against the v1 front', () => {
    let mr: ModelRegistryRig;
    before(async () => { mr = await startModelRegistry({ api: 'v1' }); });
    after(async () => { await mr?.stop(); });

    it('registers, reads back, lists and updates under /api/model_registry/v1; our client finds v1 and reads them', async () => {
      const seen = await officialClient('0.3.18', mr.url, 'py-hub');
      assertRoundTrip(seen, '0.3.18', 'py-hub');
      const ours = new ModelRegistryClient(fetchTransport(mr.url));
      assert.equal(await ours.apiBase(), API_BASES.v1);
      assert.deepEqual(await readBack(ours, 'py-hub'), expectedReadBack('py-hub'));
    });
  });
});
