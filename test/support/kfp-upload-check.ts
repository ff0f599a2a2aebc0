// One check both KFP client suites run (against the stand-in and against the real server): a compiled pipeline
// uploaded, found by name, refused a second time with 409, given a second version whose stored spec is the uploaded
// file and gives the run form the pipeline's parameters. Returns what the caller asserts on top (the 409's message).
import assert from 'node:assert/strict';
import { ApiError } from '../../core/http/transport';
import type { KfpClient } from '../../core/kfp/client';
import { formSpec } from '../../core/kfp/params';
import { diffSpecs, specFromText } from '../../core/kfp/spec';
import type { Pipeline, PipelineVersion } from '../../core/kfp/types';

export async function uploadHelloWithVersion(client: KfpClient, text: string): Promise<{ pipeline: Pipeline; version: PipelineVersion; duplicate: ApiError }> {
  await assert.rejects(client.getPipelineByName('hello-world'), (e: unknown) => e instanceof ApiError && e.status === 404);
  const pipeline = await client.uploadPipeline({ fileName: 'hello_world.yaml', content: text, name: 'hello-world', displayName: 'hello-world', description: 'from the client test' });
  assert.ok(pipeline.pipeline_id);
  assert.equal((await client.getPipelineByName('hello-world')).pipeline_id, pipeline.pipeline_id);
  const duplicate = await client.uploadPipeline({ fileName: 'hello_world.yaml', content: text, name: 'hello-world' }).then(() => undefined, (e: unknown) => e);
  assert.ok(duplicate instanceof ApiError && duplicate.status === 409, String(duplicate));

  const v = await client.uploadPipelineVersion(pipeline.pipeline_id!, { fileName: 'hello_world.yaml', content: text, name: 'hello-world-v2' });
  const versions = await client.listPipelineVersions(pipeline.pipeline_id!, { sort: { field: 'created_at', desc: true } });
  assert.equal(versions.totalSize, 2);
  assert.ok(versions.items.some((x) => x.pipeline_version_id === v.pipeline_version_id), 'the new version is listed');
  const version = await client.getPipelineVersion(pipeline.pipeline_id!, v.pipeline_version_id!);
  assert.ok(version.pipeline_spec);
  assert.equal(diffSpecs(specFromText(text), version.pipeline_spec).same, true, 'the stored spec is the uploaded file');
  assert.deepEqual(formSpec(version.pipeline_spec).fields.map((f) => f.name).sort(), ['config', 'loud', 'name', 'ratio', 'tags', 'times']);
  return { pipeline, version, duplicate };
}
