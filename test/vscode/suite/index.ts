// Extension-host test entry, the contract of @vscode/test-electron's runTests({ extensionTestsPath }): VS Code
// require()s this bundle inside the extension host and awaits run(). esbuild (node esbuild.mjs --tests) bundles it to
// out/test/vscode/index.js and every test/vscode/suite/**/*.test.ts next to it as *.test.js; run() loads those.
// Runners: test/rigs/vscode/run-ext-tests.ts (code-server, what `npm test` uses) and test/vscode/run-test-electron.mjs.
// Environment (pass it through extensionEnvironment): KFVS_TEST_STATS, KFVS_TEST_SUITE (stats-reporter.cjs),
// KFVS_TEST_GREP (only tests whose full title matches).
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => path.join(dir, f));
}

export function run(): Promise<void> {
  // Stack traces of the test bundles (loaded below) point at the .ts sources through their inline source maps.
  process.setSourceMapsEnabled(true);
  // out/test/vscode/index.js -> repository root (mocha and the reporter are resolved from there at run time).
  const root = path.resolve(__dirname, '../../..');
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    timeout: 30_000,
    reporter: path.join(root, 'test/support/stats-reporter.cjs'),
    reporterOptions: { suite: process.env.KFVS_TEST_SUITE || 'vscode-exthost' },
    ...(process.env.KFVS_TEST_GREP ? { grep: process.env.KFVS_TEST_GREP } : {}),
  });
  const files = testFiles(__dirname);
  if (files.length === 0) {
    return Promise.reject(new Error(`no *.test.js next to ${__filename}: build with \`node esbuild.mjs --tests\``));
  }
  for (const f of files) mocha.addFile(f);
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
    } catch (err) {
      reject(err);
    }
  });
}
