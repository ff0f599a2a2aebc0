// The agent tools' contract before any cluster is involved: package.json declares exactly the catalog's tools with
// the same schemas (VS Code validates against the manifest, MCP clients against the catalog); input that does not
// fit the schema is refused in words without touching the backend; results are bounded and carry no credentials.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { AgentBackend } from '../../../core/agentTools/backend';
import { TOOLS } from '../../../core/agentTools/catalog';
import { planTool, runReadTool } from '../../../core/agentTools/run';
import { bounded, errorText, redact } from '../../../core/agentTools/text';
import { ErrorCode } from '../../../companion-daemon/src/protocol';

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));

/** A backend that fails the test when a tool reaches it. */
const untouchable: AgentBackend = new Proxy({} as AgentBackend, {
  get: (_t, p) => (p === 'namespace' ? 'team-a' : () => assert.fail(`the backend was used (${String(p)})`)),
});

describe('agent tools: catalog and input checks', () => {
  it('package.json contributes exactly the catalog tools, with the same descriptions and schemas', () => {
    const declared = pkg.contributes.languageModelTools as Array<{ name: string; modelDescription: string; inputSchema: unknown; displayName: string; tags: string[] }>;
    assert.deepEqual(declared.map((t) => t.name), TOOLS.map((t) => t.name));
    for (const t of TOOLS) {
      const d = declared.find((x) => x.name === t.name)!;
      assert.equal(d.modelDescription, t.description);
      assert.equal(d.displayName, t.title);
      assert.deepEqual(d.inputSchema, t.inputSchema, `${t.name}: the manifest's schema differs from core/agentTools/catalog.ts`);
      assert.ok(d.tags.includes(t.mutating ? 'mutating' : 'read-only'));
    }
    assert.deepEqual(pkg.contributes.mcpServerDefinitionProviders, [{ id: 'kubeflow.mcpServer', label: 'Kubeflow' }]);
  });

  it('refuses an unknown tool, a wrong type, an unknown field and a missing one, naming what to send', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['kubeflow_frobnicate', {}, /no tool "kubeflow_frobnicate"; the tools are kubeflow_list, /],
      ['kubeflow_list', { kind: 'notebooks', limit: 'ten' }, /`limit` must be integer/],
      ['kubeflow_list', { kind: 'pods' }, /`kind` must be one of "notebooks", "trainingJobs", "runs", "models", "endpoints"/],
      ['kubeflow_logs', { kind: 'pod', name: 'p', tial: 5 }, /has no field "tial"/],
      ['kubeflow_diagnose', { kind: 'run' }, /must have required property 'name'/],
      ['kubeflow_compare_runs', { runs: ['only-one'] }, /`runs` must NOT have fewer than 2 items/],
    ];
    for (const [name, input, re] of cases) {
      const r = await runReadTool(untouchable, name, input);
      assert.equal(r.isError, true, name);
      assert.match(r.text, re);
      assert.match(r.text, /^Error: /);
    }
    const p = await planTool(untouchable, 'kubeflow_notebook_power', { name: 'nb', action: 'pause' });
    assert.equal(p.plan, undefined);
    assert.match(p.outcome!.text, /`action` must be one of "start", "stop"/);
  });

  it('turns daemon and API errors into sentences, never stack traces', () => {
    const forbidden = Object.assign(new Error('notebooks.kubeflow.org is forbidden: User "bob" cannot list resource "notebooks" in namespace "x"\n    at Foo (/x.js:1:2)'), { code: ErrorCode.Forbidden });
    assert.equal(errorText(forbidden), 'Error: Kubernetes RBAC does not allow this for your kubeconfig\'s user: notebooks.kubeflow.org is forbidden: User "bob" cannot list resource "notebooks" in namespace "x". Use a namespace you have access to.');
  });

  it('redacts credentials and bounds long results at a line with a note', () => {
    const text = 'Authorization: Bearer abcdefghijklmnop\nHF_TOKEN=hf_abcdefghij\npassword: hunter2hunter2\njwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig\nloss 0.25';
    const out = redact(text);
    for (const s of ['abcdefghijklmnop', 'hf_abcdefghij', 'hunter2hunter2', 'eyJhbGciOiJIUzI1NiJ9']) assert.ok(!out.includes(s), out);
    assert.match(out, /loss 0\.25/);
    const long = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n');
    const b = bounded(long, 2000);
    assert.ok(b.length <= 2100, String(b.length));
    assert.match(b, /more lines cut: narrow the request/);
    assert.match(b, /^line 0\n/);
  });
});
