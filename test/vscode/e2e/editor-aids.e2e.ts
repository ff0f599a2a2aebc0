// Editor aids in real VS Code (the packaged .vsix in a fresh code-server, chromium): the "Get Started with Kubeflow"
// walkthrough, KFP snippets from the completion list in a .py file (the result compiles with the rig's kfp), a YAML
// snippet through "Snippets: Insert Snippet", and the validation of Kubeflow YAML with problems at their line.
// Screenshots: test-output/screenshots/editor-aids/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compilePipeline } from '../../rigs/kfp/index';
import { openFile as openWorkspaceFile, packagedVsix, screenshotOnFailure, startWorkbenchSession, zipEntries, type Workbench, type WorkbenchSession } from './support';

const BAD_PROFILE = `apiVersion: kubeflow.org/v1
kind: Profile
metadata:
  name: team-a
spec:
  owner:
    kind: User
  resourceQuotaSpec:
    hardd:
      cpu: "16"
`;

describe('editor aids (UI, packaged .vsix in code-server)', function () {
  this.timeout(240_000);
  let session: WorkbenchSession | undefined;
  let wb: Workbench | undefined;
  let ws = '';
  const page = () => wb!.page;

  async function openFile(name: string): Promise<void> {
    await openWorkspaceFile(page(), name);
    await page().locator('.editor-instance .view-lines').first().click();
  }

  /** Saves the active editor and waits until the file on disk has what the editor shows. */
  async function saveAndRead(name: string, want: RegExp): Promise<string> {
    await page().keyboard.press('Control+S');
    const deadline = Date.now() + 15_000;
    let text = '';
    while (Date.now() < deadline) {
      text = fs.readFileSync(path.join(ws, name), 'utf8');
      if (want.test(text)) return text;
      await page().waitForTimeout(200);
    }
    assert.fail(`${name} on disk does not match ${want} after saving:\n${text}`);
  }

  /** Types a snippet prefix in the editor, waits for it in the completion list and accepts it. */
  async function acceptSnippet(prefix: string, shot?: string): Promise<void> {
    await page().keyboard.type(prefix, { delay: 20 });
    const suggest = page().locator('.editor-widget.suggest-widget');
    if (!(await suggest.isVisible().catch(() => false))) await page().keyboard.press('Control+Space');
    await suggest.locator('.monaco-list-row', { hasText: prefix }).first().waitFor({ timeout: 30_000 });
    // The focused row is the snippet (the exact prefix is the best match).
    await suggest.locator('.monaco-list-row.focused', { hasText: prefix }).waitFor({ timeout: 10_000 });
    if (shot) await wb!.screenshot(shot);
    await page().keyboard.press('Enter');
    await page().keyboard.press('Escape'); // leave snippet mode
  }

  before(async () => {
    session = await startWorkbenchSession({
      suite: 'editor-aids',
      files: { 'pipeline.py': '', 'team.yaml': '', 'bad-profile.yaml': BAD_PROFILE },
      settings: { 'editor.suggest.showWords': false, 'editor.quickSuggestions': { other: 'on' } },
      viewport: { width: 1400, height: 900 },
    });
    ({ wb, ws } = session);
  });
  afterEach(async function () {
    await screenshotOnFailure(this, wb);
  });
  after(async () => {
    await session?.stop();
  });

  it('the .vsix ships the generated schemas, the snippets and the walkthrough media', () => {
    const files = zipEntries(packagedVsix());
    for (const f of ['extension/dist/schemas/index.json', 'extension/dist/schemas/kubeflow.schema.json', 'extension/dist/schemas/trainjob.schema.json',
      'extension/snippets/kfp-python.code-snippets', 'extension/snippets/kubeflow-yaml.code-snippets', 'extension/media/walkthrough/connect.md',
      'extension/media/walkthrough/graph.svg', 'extension/changelog.md' /* vsce lower-cases it */]) {
      assert.ok(files.includes(f), `${f} in the .vsix`);
    }
  });

  it('opens the "Get Started with Kubeflow" walkthrough with its five steps', async () => {
    await wb!.runCommand('Welcome: Open Walkthrough...');
    const input = page().locator('.quick-input-widget input');
    await input.fill('Get Started with Kubeflow');
    await page().locator('.quick-input-list .monaco-list-row', { hasText: 'Get Started with Kubeflow' }).first().waitFor({ timeout: 30_000 });
    await page().keyboard.press('Enter');
    const container = page().locator('.gettingStartedContainer');
    for (const step of ['Connect a cluster', 'Attach a notebook', 'Open a pipeline graph', 'Submit a training job', 'Follow a training job']) {
      await container.locator('.getting-started-step', { hasText: step }).first().waitFor({ timeout: 30_000 });
    }
    await container.locator('.getting-started-step', { hasText: 'Open a pipeline graph' }).first().click();
    // The step's markdown (with its graph picture) renders in a webview beside the steps.
    const md = page().frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await md.locator('h1', { hasText: 'Open a pipeline graph' }).waitFor({ timeout: 30_000 });
    await md.locator('img').first().waitFor({ timeout: 10_000 });
    await page().mouse.move(5, 5);
    await wb!.screenshot('walkthrough');
    await wb!.runCommand('View: Close All Editors');
  });

  it('inserts KFP snippets from the completion list in a .py file, and the file compiles with kfp', async () => {
    await openFile('pipeline.py');
    await acceptSnippet('kfp-imports');
    await acceptSnippet('kfp-pipeline', 'kfp-snippet-completion');
    await page().locator('.editor-instance .view-line', { hasText: '@dsl.pipeline' }).first().waitFor({ timeout: 10_000 });
    const text = await saveAndRead('pipeline.py', /@dsl\.pipeline/);
    await wb!.screenshot('kfp-snippet-inserted');
    assert.match(text, /^from kfp import compiler, dsl$/m);
    assert.match(text, /@dsl\.pipeline\(name='my-pipeline'/);
    const ir = await compilePipeline(path.join(ws, 'pipeline.py'), path.join(ws, 'pipeline.yaml'));
    assert.match(fs.readFileSync(ir, 'utf8'), /pipelineInfo:\s*\n\s*description: What this pipeline does\s*\n\s*name: my-pipeline/);
  });

  it('inserts a Profile through "Snippets: Insert Snippet"; it saves with no Kubeflow problem', async () => {
    await wb!.runCommand('View: Close All Editors');
    await openFile('team.yaml');
    await wb!.runCommand('Snippets: Insert Snippet');
    const input = page().locator('.quick-input-widget input');
    await input.fill('kf-profile');
    await page().locator('.quick-input-list .monaco-list-row', { hasText: 'Profile' }).first().waitFor({ timeout: 30_000 });
    await page().keyboard.press('Enter');
    await page().keyboard.press('Escape');
    await page().locator('.editor-instance .view-line', { hasText: 'kind: Profile' }).first().waitFor({ timeout: 10_000 });
    await saveAndRead('team.yaml', /^kind: Profile$/m);
    await page().keyboard.press('Control+Shift+M');
    await page().locator('.markers-panel-container', { hasText: 'No problems have been detected' }).waitFor({ timeout: 30_000 });
    await wb!.screenshot('yaml-snippet-valid');
  });

  it('shows schema problems of a Kubeflow YAML file at their lines', async () => {
    await openFile('bad-profile.yaml');
    // Checked when opened; the command checks again and shows the Problems view.
    await wb!.runCommand('Kubeflow: Validate Kubeflow YAML');
    const markers = page().locator('.markers-panel');
    await markers.locator('.monaco-list-row', { hasText: 'unknown field "hardd"' }).first().waitFor({ timeout: 60_000 });
    const rows = await markers.locator('.monaco-list-row').allInnerTexts();
    const all = rows.join('\n');
    // Schemas generated from the Profile CRD: owner is an rbac/v1 Subject (kind and name required); quotas are `hard`.
    assert.match(all, /missing required field "name" in \/spec\/owner[\s\S]*\[Ln 6, Col 3\]/);
    assert.match(all, /unknown field "hardd" in \/spec\/resourceQuotaSpec[\s\S]*\[Ln 9, Col 5\]/);
    await page().locator('.editor-instance .squiggly-error').first().waitFor({ timeout: 10_000 });
    await wb!.screenshot('yaml-problems');
  });
});
