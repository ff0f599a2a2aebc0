#!/usr/bin/env node
// The same extension-host suite with @vscode/test-electron (desktop VS Code, downloaded from the VS Code update
// server on first use into .vscode-test/). For contributors with internet access; CI and `npm test` run the suite in
// code-server instead (test/rigs/vscode/run-ext-tests.ts), because the update server is not reachable there.
//   node esbuild.mjs --tests && node test/vscode/run-test-electron.mjs     (env VSCODE_VERSION, default 'stable')
import path from 'node:path';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
try {
  const code = await runTests({
    version: process.env.VSCODE_VERSION || 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out/test/vscode/index.js'),
    launchArgs: [path.join(root, 'test/vscode/fixtures/workspace'), '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: {
      KFVS_TEST_SUITE: process.env.KFVS_TEST_SUITE || 'vscode-exthost',
      ...(process.env.KFVS_TEST_STATS ? { KFVS_TEST_STATS: process.env.KFVS_TEST_STATS } : {}),
      ...(process.env.KFVS_TEST_GREP ? { KFVS_TEST_GREP: process.env.KFVS_TEST_GREP } : {}),
    },
  });
  process.exit(code);
} catch (err) {
  console.error('extension tests failed to run:', err);
  process.exit(1);
}
