// Artifact contents from a real S3-compatible store (the object store rig, gofakes3) exposed as KFP installs MinIO
// (Service kubeflow/minio-service:9000), read by core/objectStore/s3.ts through a companion-daemon port-forward with
// the forward's secret, the way the run outputs panel reads them: the bytes, a cap on size, and the store's own
// answer for a missing key.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AwsClient } from 'aws4fetch';
import { connectDaemon, type DaemonConnection } from '../../companion-daemon/src/client';
import * as P from '../../companion-daemon/src/protocol';
import { ObjectStoreError, parseS3Uri, S3Reader, storeTarget } from '../../core/objectStore/s3';
import { exposeLocalService } from '../rigs/expose';
import { startKubeRig, type KubeRig } from '../rigs/kube/index';
import { startObjectStore, type ObjectStoreRig } from '../rigs/object-store/index';
import { distFile } from '../support/build';

const HTML = '<h1>Report</h1><script>alert(1)</script>';

describe('artifact contents from the object store through a daemon forward', function () {
  this.timeout(300_000);
  let kube: KubeRig;
  let s3: ObjectStoreRig;
  let home: string;
  let d: DaemonConnection;
  let reader: S3Reader;
  before(async () => {
    kube = await startKubeRig({ crds: false });
    s3 = await startObjectStore({ bucket: 'mlpipeline' });
    await exposeLocalService(kube, {
      namespace: 'kubeflow', name: 'minio-service', port: 9000, portName: 'http', selector: { app: 'minio' },
      pod: 'minio-7d9f8b6c5-q2w4e', image: 'minio/minio:RELEASE.2019-08-14T20-37-41Z', container: 'minio',
    }, s3.port);
    const aws = new AwsClient({ accessKeyId: s3.accessKey, secretAccessKey: s3.secretKey, service: 's3', region: s3.region });
    const put = async (key: string, body: string | Uint8Array) => {
      const res = await aws.fetch(`${s3.endpoint}/mlpipeline/${key}`, { method: 'PUT', body });
      assert.equal(res.status, 200, await res.text());
    };
    await put('v2/artifacts/classifier/run-1/report/page', HTML);
    await put('v2/artifacts/classifier/run-1/train/model', new Uint8Array(64 * 1024).fill(7));
    for (const f of ['saved_model.pb', 'variables/variables.index', 'variables/a&b.data']) await put(`v2/artifacts/classifier/run-1/export/model/${f}`, `<${f}>`);
    await put('v2/artifacts/classifier/run-1/export/model-2/other', 'not in the folder');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-s3-read-'));
    d = await connectDaemon({ kubeconfig: kube.kubeconfigPath, client: 's3-read-test', daemonScript: distFile('companion-daemon.js'), env: { ...process.env, KUBEFLOW_COMPANION_HOME: home } });
    const t = storeTarget('minio-service.kubeflow:9000', 'kubeflow-user', false);
    assert.deepEqual(t, { service: { namespace: 'kubeflow', name: 'minio-service', port: 9000 } });
    const info = await d.connection.sendRequest(P.startForward, { target: { kind: 'service', ...('service' in t ? t.service : { namespace: '', name: '', port: 0 }) }, secret: true });
    reader = new S3Reader(`http://127.0.0.1:${info.localPort}`, { accessKeyId: s3.accessKey, secretAccessKey: s3.secretKey }, P.forwardHeaders(info));
  });
  after(async () => {
    await d?.connection.sendRequest(P.shutdown).catch(() => undefined);
    d?.dispose();
    await s3?.stop();
    await kube?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('reads an artifact\'s bytes by its s3:// URI', async () => {
    const got = await reader.get(parseS3Uri('s3://mlpipeline/v2/artifacts/classifier/run-1/report/page')!);
    assert.equal(new TextDecoder().decode(got.bytes), HTML);
    const model = await reader.get(parseS3Uri('s3://mlpipeline/v2/artifacts/classifier/run-1/train/model')!);
    assert.equal(model.size, 64 * 1024);
    assert.ok(model.bytes.every((b) => b === 7));
  });

  it('refuses an object over the cap before reading it, and names a missing key', async () => {
    await assert.rejects(reader.get(parseS3Uri('s3://mlpipeline/v2/artifacts/classifier/run-1/train/model')!, { maxBytes: 1024 }),
      (e: unknown) => e instanceof ObjectStoreError && /is 64\.0 KiB, over the 1\.0 KiB the editor reads/.test(e.message));
    await assert.rejects(reader.get(parseS3Uri('s3://mlpipeline/v2/artifacts/nothing/here')!),
      (e: unknown) => e instanceof ObjectStoreError && /s3:\/\/mlpipeline\/v2\/artifacts\/nothing\/here is not in the object store/.test(e.message));
  });

  it('lists a directory artifact\'s objects under its prefix, capped, and says when the prefix is empty', async () => {
    const dir = parseS3Uri('s3://mlpipeline/v2/artifacts/classifier/run-1/export/model')!;
    const all = await reader.list(dir);
    assert.equal(all.truncated, false);
    assert.deepEqual(all.objects.map((o) => o.key).sort(), ['saved_model.pb', 'variables/a&b.data', 'variables/variables.index'].map((f) => `v2/artifacts/classifier/run-1/export/model/${f}`));
    assert.equal(all.objects.find((o) => o.key.endsWith('saved_model.pb'))!.size, '<saved_model.pb>'.length);
    const two = await reader.list(dir, { maxKeys: 2 });
    assert.equal(two.truncated, true);
    assert.equal(two.objects.length, 2);
    await assert.rejects(reader.list(parseS3Uri('s3://mlpipeline/v2/artifacts/classifier/run-9/export/model')!),
      (e: unknown) => e instanceof ObjectStoreError && /s3:\/\/mlpipeline\/v2\/artifacts\/classifier\/run-9\/export\/model\/ holds no objects/.test(e.message));
  });

  it('a folder of more than one listing page (1,000 keys) is listed whole, page after page', async () => {
    const aws = new AwsClient({ accessKeyId: s3.accessKey, secretAccessKey: s3.secretKey, service: 's3', region: s3.region });
    const keys = Array.from({ length: 1005 }, (_, i) => `v2/artifacts/big/run-1/shards/model/part-${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map(async (k) => assert.equal((await aws.fetch(`${s3.endpoint}/mlpipeline/${k}`, { method: 'PUT', body: 'x' })).status, 200)));
    }
    const all = await reader.list(parseS3Uri('s3://mlpipeline/v2/artifacts/big/run-1/shards/model')!, { maxKeys: 2000 });
    assert.equal(all.truncated, false);
    assert.deepEqual(all.objects.map((o) => o.key).sort(), keys);
  });

  it('a bucket the store does not have: its own error code in the message', async () => {
    await assert.rejects(reader.list(parseS3Uri('s3://no-such-bucket/v2/artifacts/x/model')!),
      (e: unknown) => e instanceof ObjectStoreError && e.code === 'NoSuchBucket' && /s3:\/\/no-such-bucket\/v2\/artifacts\/x\/model\/ is not in the object store \(NoSuchBucket\)/.test(e.message));
  });

  it('a forward without the secret is refused by the daemon (the reader sends it)', async () => {
    const info = (await d.connection.sendRequest(P.listForwards)).find((f) => f.target.kind === 'service' && f.target.name === 'minio-service')!;
    const bare = new S3Reader(`http://127.0.0.1:${info.localPort}`, { accessKeyId: s3.accessKey, secretAccessKey: s3.secretKey });
    await assert.rejects(bare.get(parseS3Uri('s3://mlpipeline/v2/artifacts/classifier/run-1/report/page')!), (e: unknown) => e instanceof ObjectStoreError && /403/.test(e.message));
  });
});
