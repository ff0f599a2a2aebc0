// The foundation as a user gets it: the packaged .vsix installed into a fresh code-server, the workbench in chromium.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  openWorkbench, packagedVsix, pane, screenshotOnFailure, startCodeServer, zipEntries, type CodeServer, type Workbench,
} from './support';

const VIEW_TITLES = ['Notebooks', 'Kernel Variables', 'Pipelines', 'Runs', 'Local Runs', 'Training Jobs', 'Experiments', 'Models', 'Endpoints', 'Lineage', 'Port Forwards'];
/** Views that need no cluster: they say something else without a kubeconfig (Lineage: how to fill it). */
const LOCAL_VIEWS = ['Kernel Variables', 'Local Runs', 'Lineage', 'Port Forwards'];

describe('foundation (UI, packaged .vsix in code-server)', function () {
  this.timeout(180_000);
  let vsix = '';

  before(() => {
    vsix = packagedVsix();
  });

  it('the .vsix holds the bundles and no node_modules, sources, tests or source maps of the extension', () => {
    const files = zipEntries(vsix);
    for (const f of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/companion-daemon.js',
      'extension/dist/companion-cli.js', 'extension/media/kubeflow.svg']) {
      assert.ok(files.includes(f), `${f} missing from the .vsix: ${files.join(', ')}`);
    }
    const bad = files.filter((f) =>
      /(^|\/)node_modules\/|^extension\/(test|out|extension|companion-daemon|core|scripts|webviews)\/|\.ts$|\.map$|\.vsix$|(^|\/)\.vscode-test\//.test(f));
    assert.deepEqual(bad, [], 'the .vsix ships only built bundles, no sources, tests, dependencies or source maps');
  });

  describe('installed in a fresh code-server', () => {
    let cs: CodeServer | undefined;
    let wb: Workbench | undefined;

    before(async () => {
      cs = await startCodeServer({ vsix: [vsix] });
      // Tall enough that all eleven views fit in the screenshot.
      wb = await openWorkbench(cs, { suite: 'foundation', viewport: { width: 1400, height: 1500 } });
    });
    afterEach(async function () {
      await screenshotOnFailure(this, wb);
    });
    after(async () => {
      await wb?.close();
      await cs?.stop();
    });

    it('--install-extension put the extension into the extensions dir', () => {
      const dirs = fs.readdirSync(path.join(cs!.runDir, 'extensions'));
      assert.ok(dirs.some((d) => d.startsWith('kubeflow-vscode.kubeflow-vscode-')), dirs.join(', '));
    });

    it('the Kubeflow activity-bar container shows its eleven views', async () => {
      await wb!.openViewContainer('Kubeflow');
      const deadline = Date.now() + 30_000;
      let titles: string[] = [];
      while (Date.now() < deadline) {
        titles = await wb!.viewTitles();
        if (titles.length >= VIEW_TITLES.length) break;
        await wb!.page.waitForTimeout(250);
      }
      assert.deepEqual(titles, VIEW_TITLES);
      const headers = await wb!.page.locator('.part.sidebar .pane-header').all();
      for (const h of headers) {
        const box = await h.boundingBox();
        assert.ok(box && box.y >= 0 && box.y + box.height <= 1500, `a view header is off screen: ${JSON.stringify(box)}`);
      }
      // No kubeconfig on this machine: every cluster view says so (not "no data provider", not an empty list), and
      // nothing is left behind in the Port Forwards view by the views that reach APIs through forwards.
      for (const title of VIEW_TITLES.filter((t) => !LOCAL_VIEWS.includes(t))) {
        await pane(wb!.page, title).getByText('No kubeconfig file found', { exact: false }).first().waitFor({ timeout: 30_000 });
      }
      await pane(wb!.page, 'Port Forwards').locator('.welcome-view-content', { hasText: 'No port-forwards' }).waitFor({ timeout: 10_000 });
      const file = await wb!.screenshot('activity-bar');
      assert.ok(fs.statSync(file).size > 10_000, `${file} looks empty`);
    });

    it('F1 "Kubeflow: Show Log" opens the Kubeflow output channel with the activation line', async () => {
      await wb!.runCommand('Kubeflow: Show Log');
      const output = wb!.page.locator('.part.panel');
      await output.locator('.view-lines', { hasText: 'activated in' }).first().waitFor({ timeout: 30_000 });
      await wb!.screenshot('show-log');
    });

    it('the page raised no uncaught errors from the extension', () => {
      const ours = wb!.pageErrors.filter((e) => /kubeflow/i.test(e));
      assert.deepEqual(ours, []);
    });
  });
});
