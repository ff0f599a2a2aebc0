// kubeflow_diagnose on a run as the real KFP 2.17 server describes it (test/fixtures/kfp-real/): a run that has not
// finished carries finished_at 1970-01-01T00:00:00Z, which must not read as "finished".
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { AgentBackend } from '../../../core/agentTools/backend';
import { diagnoseTool } from '../../../core/agentTools/read';
import type { HttpResponse, HttpTransport } from '../../../core/http/transport';
import { KfpClient } from '../../../core/kfp/client';

const DIR = path.resolve(__dirname, '../../fixtures/kfp-real');
const read = (name: string): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as Record<string, unknown>;

describe('agent tools: diagnose a run of the real KFP server', () => {
  it('a pending run: created at its time, not "finished", and its steps not started', async () => {
    const run = read('run-created');
    const version = read('pipeline-version');
    const transport: HttpTransport = async (req) => {
      const body = req.path === `/apis/v2beta1/runs/${String(run.run_id)}` ? run
        : req.path === `/apis/v2beta1/pipelines/${String(version.pipeline_id)}/versions/${String(version.pipeline_version_id)}` ? version : undefined;
      const res: HttpResponse = body ? { status: 200, headers: { 'content-type': 'application/json' }, text: JSON.stringify(body) }
        : { status: 404, headers: { 'content-type': 'application/json' }, text: '{"code":5,"message":"not here"}' };
      return res;
    };
    const b = { namespace: 'kubeflow', kfp: async () => new KfpClient(transport) } as unknown as AgentBackend;
    const text = await diagnoseTool(b, { kind: 'run', name: String(run.run_id) });
    const first = text.split('\n')[0]!;
    assert.equal(first, `Run "hello from the client" (${String(run.run_id)}): PENDING, created 2026-12-07 01:36:21Z`);
  });
});
