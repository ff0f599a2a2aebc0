// `kubeflow-companion mcp` as an MCP client sees it: the SDK's client starts the built CLI over stdio against the
// sandbox (kube rig with a Notebook, a failing PyTorchJob, the KFP and Model Registry stand-ins, the KServe
// controller), lists the tools and calls each one. Mutating tools change nothing without confirmation; bad input
// and RBAC refusals come back as text; no result carries a token or a Secret.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import YAML from 'yaml';
import { startSandbox, type Sandbox } from '../rigs/sandbox';
import { unschedulableJob } from '../rigs/training';
import { distFile } from '../support/build';
import { until } from '../support/wait';

const SECRET_VALUE = 'sk-live-agent-secret-7Qz9';
const LOG_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZ2VudC10ZXN0In0.c2lnbmF0dXJlLXZhbHVl';

interface Called { text: string; isError: boolean }

describe('MCP server: kubeflow-companion mcp over stdio (sandbox)', function () {
  this.timeout(480_000); // the sandbox runs its seeded pipelines for real before it is ready
  let sandbox: Sandbox;
  let home = '';
  const clients: Client[] = [];
  let client: Client;
  /** Every text any tool returned, for the secrets check. */
  const seen: string[] = [];

  async function connect(kubeconfig: string, o: { elicit?: (message: string) => boolean } = {}): Promise<Client> {
    const c = new Client({ name: 'kfvs-integration', version: '1.0.0' }, { capabilities: o.elicit ? { elicitation: { form: {} } } : {} });
    if (o.elicit) {
      const elicit = o.elicit;
      c.setRequestHandler(ElicitRequestSchema, (req) => ({ action: 'accept', content: { apply: elicit(req.params.message) } }));
    }
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [distFile('companion-cli.js'), 'mcp', '--kubeconfig', kubeconfig, '-n', sandbox.namespace],
      env: { ...(process.env as Record<string, string>), KUBEFLOW_COMPANION_HOME: home },
      stderr: 'pipe',
    });
    await c.connect(transport);
    clients.push(c);
    return c;
  }

  async function call(name: string, args: Record<string, unknown>, c = client): Promise<Called> {
    const r = await c.callTool({ name, arguments: args });
    const text = (r.content as Array<{ type: string; text?: string }>).map((p) => p.text ?? '').join('\n');
    seen.push(text);
    assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+\)?/, `a stack trace in the result of ${name}: ${text}`);
    return { text, isError: r.isError === true };
  }

  const notebookAnnotations = async (name: string): Promise<Record<string, string>> =>
    (JSON.parse(await sandbox.rig.kubectl(['-n', sandbox.namespace, 'get', 'notebook', name, '-o', 'json'])) as { metadata: { annotations?: Record<string, string> } }).metadata.annotations ?? {};

  before(async () => {
    sandbox = await startSandbox();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-mcp-'));
    const ns = sandbox.namespace;
    await sandbox.rig.apply([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hf-token', namespace: ns }, stringData: { token: SECRET_VALUE } }]);
    await sandbox.rig.podLogs(ns, 'token-printer', ['starting', `Authorization: Bearer ${LOG_TOKEN}`, `HF_TOKEN=${SECRET_VALUE}`, 'done']);
    await sandbox.rig.apply([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'token-printer', namespace: ns }, spec: { nodeName: sandbox.rig.nodes.cpu, containers: [{ name: 'main', image: 'busybox' }] } }]);
    await sandbox.rig.waitForPod(ns, 'token-printer');
    client = await connect(sandbox.rig.kubeconfigPath);
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    for (const kc of new Set([sandbox?.rig.kubeconfigPath, ...extraKubeconfigs])) {
      if (kc) spawnSync(process.execPath, [distFile('companion-cli.js'), 'stop', '--kubeconfig', kc], { env: { ...process.env, KUBEFLOW_COMPANION_HOME: home } });
    }
    await sandbox?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });
  const extraKubeconfigs: string[] = [];

  it('lists the nine tools; the ones that change the cluster take a confirm argument', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['kubeflow_compare_runs', 'kubeflow_deploy_model', 'kubeflow_describe_pipeline', 'kubeflow_diagnose', 'kubeflow_endpoint_traffic', 'kubeflow_list', 'kubeflow_logs', 'kubeflow_notebook_power', 'kubeflow_submit_run']);
    const mutating = tools.filter((t) => (t.inputSchema.properties as Record<string, unknown>).confirm).map((t) => t.name).sort();
    assert.deepEqual(mutating, ['kubeflow_deploy_model', 'kubeflow_endpoint_traffic', 'kubeflow_notebook_power', 'kubeflow_submit_run']);
    assert.ok(tools.every((t) => t.annotations?.readOnlyHint === !mutating.includes(t.name)));
  });

  it('lists notebooks, training jobs, runs and models with their state', async () => {
    const nbs = await call('kubeflow_list', { kind: 'notebooks' });
    assert.equal(nbs.isError, false, nbs.text);
    assert.match(nbs.text, /sandbox-nb\s+running/);
    assert.match(nbs.text, /stopped-nb\s+stopped/);
    let last = '';
    const jobs = await until('the PyTorchJob to show its failed worker', 60_000, async () => {
      last = (await call('kubeflow_list', { kind: 'trainingJobs' })).text;
      return /PyTorchJob\s+mnist-ddp\s+.*failed: worker-2 \(Error, exit 1\)/.test(last) ? last : undefined;
    }, 1000).catch((err: Error) => assert.fail(`${err.message}; last answer:\n${last}`));
    assert.match(jobs, /4 GPUs/);
    const runs = await call('kubeflow_list', { kind: 'runs' });
    assert.match(runs.text, new RegExp(`${sandbox.seededKfp!.runId}\\s+hello-world \\(sample run\\)\\s+SUCCEEDED`));
    const models = await call('kubeflow_list', { kind: 'models' });
    assert.match(models.text, /fraud-detector \(LIVE\)/);
    assert.match(models.text, /versions: .*v1/);
    assert.match(models.text, /legacy-churn \(ARCHIVED\)/);
  });

  it('says why the training job failed: the failed replica and its traceback', async () => {
    const r = await until('the traceback in the diagnosis', 60_000, async () => {
      const d = await call('kubeflow_diagnose', { kind: 'trainingJob', name: 'mnist-ddp' });
      return d.text.includes('torch.OutOfMemoryError') ? d : undefined;
    }, 1000);
    assert.match(r.text, /Failed replica worker-2/);
    assert.match(r.text, /Traceback \(most recent call last\)/);
    assert.match(r.text, /line 88, in <module>/);
  });

  it('says why a training job is pending: no node with the GPUs it asks for', async () => {
    await unschedulableJob(sandbox.rig, sandbox.namespace, 'big-llm', 16);
    let last = '';
    await until('the scheduling reason', 60_000, async () => {
      last = (await call('kubeflow_diagnose', { kind: 'trainingJob', name: 'big-llm' })).text;
      return /Waiting: .*nvidia\.com\/gpu/.test(last);
    }, 1000).catch((err: Error) => assert.fail(`${err.message}; last answer:\n${last}`));
    assert.match(last, /PyTorchJob .*big-llm: Pending/);
    assert.match(last, /pods: big-llm-master-0/);
  });

  it('reads the merged job log with tail and grep, tagged by replica', async () => {
    const r = await call('kubeflow_logs', { kind: 'trainingJob', name: 'mnist-ddp', grep: 'epoch 3', tail: 10 });
    assert.equal(r.isError, false, r.text);
    const lines = r.text.split('\n').slice(1);
    assert.deepEqual(lines.map((l) => l.replace(/\].*/, ']')).sort(), ['[master-0]', '[worker-0]', '[worker-1]', '[worker-2]']);
    assert.ok(lines.every((l) => /epoch 3 step 300 loss/.test(l)), r.text);
    const tail = await call('kubeflow_logs', { kind: 'trainingJob', name: 'mnist-ddp', replica: 'worker-2', tail: 2 });
    assert.match(tail.text, /last 2 lines/);
    assert.match(tail.text, /\[worker-2\] torch\.OutOfMemoryError/);
  });

  it('describes a pipeline from a run and from a file: parameters, tasks, the graph as Mermaid', async () => {
    const fromRun = await call('kubeflow_describe_pipeline', { run: 'hello-world (sample run)' });
    assert.equal(fromRun.isError, false, fromRun.text);
    assert.match(fromRun.text, /SUCCEEDED/);
    assert.match(fromRun.text, /Parameters:\n(.*\n)*\s+name: STRING = /);
    assert.match(fromRun.text, /Graph \(Mermaid\):\n(flowchart|graph) /);
    assert.match(fromRun.text, / — succeeded/);
    const fromFile = await call('kubeflow_describe_pipeline', { file: sandbox.seededKfp!.irFile });
    assert.equal(fromFile.isError, false, fromFile.text);
    assert.match(fromFile.text, /times: NUMBER_INTEGER = /);
  });

  it('a mutating tool without confirmation changes nothing and says what it would apply; confirmed, it applies', async () => {
    const dry = await call('kubeflow_notebook_power', { name: 'sandbox-nb', action: 'stop' });
    assert.match(dry.text, /^Not applied/);
    assert.match(dry.text, /"kubeflow-resource-stopped": "/);
    assert.equal((await notebookAnnotations('sandbox-nb'))['kubeflow-resource-stopped'], undefined, 'the notebook was not stopped');
    const done = await call('kubeflow_notebook_power', { name: 'stopped-nb', action: 'start', confirm: true });
    assert.match(done.text, /^Started notebook server/);
    await until('stopped-nb to lose its stop annotation', 20_000, async () => (await notebookAnnotations('stopped-nb'))['kubeflow-resource-stopped'] === undefined);
    // A client with elicitation gets asked instead; declining changes nothing.
    let asked = '';
    const asking = await connect(sandbox.rig.kubeconfigPath, { elicit: (m) => ((asked = m), false) });
    const declined = await call('kubeflow_notebook_power', { name: 'sandbox-nb', action: 'stop' }, asking);
    assert.match(asked, /Stop notebook server .*sandbox-nb/);
    assert.match(declined.text, /^Not applied/);
    assert.equal((await notebookAnnotations('sandbox-nb'))['kubeflow-resource-stopped'], undefined);
  });

  it('submits a run with checked parameters, then compares it with the seeded run', async () => {
    const bad = await call('kubeflow_submit_run', { pipeline: 'hello-world', parameters: { times: 'many' }, confirm: true });
    assert.equal(bad.isError, true);
    assert.match(bad.text, /parameters rejected: times:/);
    const plan = await call('kubeflow_submit_run', { pipeline: 'hello-world', parameters: { name: 'Agent', times: 2 }, runName: 'agent run' });
    assert.match(plan.text, /^Not applied/);
    assert.match(plan.text, /"times": 2/);
    const sub = await call('kubeflow_submit_run', { pipeline: 'hello-world', parameters: { name: 'Agent', times: 2 }, runName: 'agent run', confirm: true });
    assert.equal(sub.isError, false, sub.text);
    const id = /\(([0-9a-f-]{16,})\)/.exec(sub.text)?.[1];
    assert.ok(id, sub.text);
    await until('the submitted run to finish', 300_000, async () => /SUCCEEDED|FAILED/.test((await call('kubeflow_diagnose', { kind: 'run', name: id })).text), 1000);
    const cmp = await call('kubeflow_compare_runs', { runs: [sandbox.seededKfp!.runId, 'agent run'] });
    assert.equal(cmp.isError, false, cmp.text);
    assert.match(cmp.text, /\* name\s+Sandbox\s+Agent/);
    assert.match(cmp.text, /\* times\s+1\s+2/);
  });

  it('deploys a model version, rolls a second one out as a KServe 0.20 Standard-mode canary, and promotes it', async () => {
    const create = await call('kubeflow_deploy_model', { model: 'fraud-detector', version: 'v1', endpoint: 'fraud', confirm: true });
    assert.equal(create.isError, false, create.text);
    assert.match(create.text, /Created InferenceService .*fraud/);
    let diagnosis = '';
    await until('fraud to be ready', 120_000, async () => /fraud: Ready/.test(diagnosis = (await call('kubeflow_diagnose', { kind: 'endpoint', name: 'fraud' })).text), 1000)
      .catch((e: Error) => { throw new Error(`${e.message}; last diagnosis: ${diagnosis}`); });
    // The real KServe 0.20 controller runs the sandbox's services in Standard (RawDeployment) mode, whose CRD has
    // spec.canary: the canary runs in its own Deployment beside the stable predictor.
    const plan = await call('kubeflow_deploy_model', { model: 'fraud-detector', version: 'v2', endpoint: 'fraud', canaryPercent: 20 });
    assert.match(plan.text, /as a Standard-mode canary \(its own Deployment\) with 20% of the traffic/);
    const canary = await call('kubeflow_deploy_model', { model: 'fraud-detector', version: 'v2', endpoint: 'fraud', canaryPercent: 20, confirm: true });
    assert.equal(canary.isError, false, canary.text);
    assert.match(canary.text, /Updated InferenceService .*fraud/);
    const promote = await call('kubeflow_endpoint_traffic', { endpoint: 'fraud', action: 'promote', confirm: true });
    assert.match(promote.text, /Promoted .*fraud/);
    await until('fraud serving v2', 90_000, async () => /fraud: Ready/.test((await call('kubeflow_diagnose', { kind: 'endpoint', name: 'fraud' })).text) && /v2/.test((await call('kubeflow_list', { kind: 'endpoints' })).text), 1000);
    const again = await call('kubeflow_endpoint_traffic', { endpoint: 'fraud', action: 'promote', confirm: true });
    assert.match(again.text, /has no canary: its stable predictor takes all the traffic\. Nothing to promote/);
  });

  it('bad input comes back as a clear error text: unknown tool, wrong types, unknown names', async () => {
    const unknownTool = await call('kubeflow_nope', {});
    assert.equal(unknownTool.isError, true);
    assert.match(unknownTool.text, /no tool "kubeflow_nope"; the tools are kubeflow_list/);
    const wrongType = await call('kubeflow_list', { kind: 'notebooks', limit: 'ten' });
    assert.match(wrongType.text, /bad input for kubeflow_list: `limit` must be integer/);
    const badEnum = await call('kubeflow_list', { kind: 'pods' });
    assert.match(badEnum.text, /`kind` must be one of "notebooks", "trainingJobs"/);
    const extra = await call('kubeflow_diagnose', { kind: 'notebook', name: 'x', nmae: 'y' });
    assert.match(extra.text, /has no field "nmae"/);
    const noJob = await call('kubeflow_diagnose', { kind: 'trainingJob', name: 'no-such-job' });
    assert.equal(noJob.isError, true);
    assert.match(noJob.text, /no training job named "no-such-job" in namespace kubeflow-user; there are: .*mnist-ddp/);
    const badGrep = await call('kubeflow_logs', { kind: 'pod', name: 'token-printer', grep: '(' });
    assert.match(badGrep.text, /grep is not a valid regular expression/);
  });

  it('a namespace the user may not read: the RBAC refusal in words', async () => {
    const kc = await sandbox.rig.userKubeconfig('agent-reader');
    extraKubeconfigs.push(kc);
    const limited = await connect(kc);
    const r = await call('kubeflow_list', { kind: 'notebooks', namespace: 'kube-system' }, limited);
    assert.equal(r.isError, true);
    assert.match(r.text, /^Error: Kubernetes RBAC does not allow this for your kubeconfig's user: .*forbidden/);
  });

  it('never returns a token or a Secret: not from pod logs, not from the kubeconfig', async () => {
    const r = await call('kubeflow_logs', { kind: 'pod', name: 'token-printer' });
    assert.match(r.text, /Authorization: Bearer \[redacted\]/);
    assert.match(r.text, /HF_TOKEN=\[redacted\]/);
    // A kubeconfig whose user authenticates with a bearer token (a ServiceAccount's, from the TokenRequest API).
    const ns = sandbox.namespace;
    await sandbox.rig.kubectl(['-n', ns, 'create', 'serviceaccount', 'agent-sa']);
    const token = (await sandbox.rig.kubectl(['-n', ns, 'create', 'token', 'agent-sa'])).trim();
    const admin = YAML.parse(fs.readFileSync(sandbox.rig.kubeconfigPath, 'utf8')) as { clusters: unknown[]; users: Array<{ user: { 'client-key'?: string } }> };
    const tokenKc = path.join(home, 'token-kubeconfig.yaml');
    fs.writeFileSync(tokenKc, YAML.stringify({ apiVersion: 'v1', kind: 'Config', clusters: admin.clusters, users: [{ name: 'sa', user: { token } }], contexts: [{ name: 'sa', context: { cluster: (admin.clusters[0] as { name: string }).name, user: 'sa', namespace: ns } }], 'current-context': 'sa' }), { mode: 0o600 });
    extraKubeconfigs.push(tokenKc);
    const withToken = await connect(tokenKc);
    for (const kind of ['notebooks', 'trainingJobs', 'endpoints']) await call('kubeflow_list', { kind }, withToken);
    await call('kubeflow_diagnose', { kind: 'notebook', name: 'sandbox-nb' }, withToken);
    // The admin's client key (a file the kubeconfig names).
    const keyFile = admin.users[0]!.user['client-key'];
    const keyLines = keyFile ? fs.readFileSync(keyFile, 'utf8').split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')) : [];
    assert.ok(token.length > 100 && keyLines.length > 0, 'the kubeconfigs carry credentials');
    for (const text of seen) {
      assert.ok(!text.includes(SECRET_VALUE), `the Secret's value in: ${text}`);
      assert.ok(!text.includes(LOG_TOKEN), `the log's token in: ${text}`);
      assert.ok(!text.includes(token.slice(0, 40)) && !text.includes(token.slice(-40)), `the kubeconfig's token in: ${text}`);
      for (const l of keyLines) assert.ok(!text.includes(l), 'the client key in a result');
    }
  });
});
