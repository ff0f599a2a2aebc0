#!/usr/bin/env node
// `npm test`'s vscode stage (scripts/test.mjs runs it with the system Node):
//   1. build      node esbuild.mjs --tests (the extension + out/test/vscode/*.js)
//   2. exthost    the mocha suite test/vscode/suite/**/*.test.ts inside code-server's Node extension host, extension
//                 loaded from the repository (test/rigs/vscode/run-ext-tests.ts)         -> stats suite "vscode-exthost"
//   3. e2e        mocha test/vscode/e2e/**/*.e2e.ts (config test/.mocharc.e2e.json): the packaged .vsix in a fresh
//                 code-server driven by chromium; screenshots in test-output/screenshots/ -> stats suite "vscode-e2e"
//   4. rebuild    packaging left the production bundles in dist/: build the development ones again
// A part that cannot run (rig start failure, crash, timeout) counts as a failed test; the exit code is non-zero when
// anything failed. `node test/rigs/vscode/run-all.mjs exthost` (or e2e) runs one part.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
process.chdir(root);
const stats = process.env.KFVS_TEST_STATS;
const only = process.argv.slice(2);
const want = (part) => only.length === 0 || only.includes(part);
let failed = false;

function linesOf(suite) {
  if (!stats || !fs.existsSync(stats)) return 0;
  return fs.readFileSync(stats, 'utf8').split('\n').filter((l) => l.includes(`"suite":${JSON.stringify(suite)}`)).length;
}

function run(label, cmd, args, suite) {
  const before = suite ? linesOf(suite) : 0;
  const t0 = Date.now();
  console.log(`\n--- vscode ${label}: ${[cmd, ...args].map((a) => (a.startsWith(root + '/') ? path.relative(root, a) : a)).join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...(suite ? { KFVS_TEST_SUITE: suite } : {}) } });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  const ok = r.status === 0;
  console.log(`--- vscode ${label}: ${ok ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${secs}s`);
  if (!ok) failed = true;
  if (suite && stats && linesOf(suite) === before) {
    // The runner died before its reporter wrote a result: that is a failure, never a skip.
    fs.appendFileSync(stats, `${JSON.stringify({ suite, passed: 0, failed: 1, skipped: 0, failures: [{ title: `the ${label} run`, message: `reported no result (exit ${r.status ?? r.signal})` }] })}\n`);
    console.log(`--- vscode ${label}: no result reported, counted as 1 failed test of ${suite}`);
    failed = true;
  }
  return ok;
}

const node = process.execPath;
const mocha = path.join(root, 'node_modules/.bin/mocha');
const built = run('build', node, ['esbuild.mjs', '--tests']);
if (!built && stats) {
  for (const s of ['vscode-exthost', 'vscode-e2e']) if (want(s.slice(7))) fs.appendFileSync(stats, `${JSON.stringify({ suite: s, passed: 0, failed: 1, skipped: 0, failures: [{ title: 'the test build', message: 'esbuild --tests failed: no test ran' }] })}\n`);
} else {
  if (want('exthost')) run('exthost', node, ['--import', 'tsx', 'test/rigs/vscode/run-ext-tests.ts'], 'vscode-exthost');
  if (want('e2e')) {
    run('e2e', mocha, ['--config', 'test/.mocharc.e2e.json'], 'vscode-e2e');
    run('rebuild', node, ['esbuild.mjs', '--tests']);
  }
}
process.exit(failed ? 1 : 0);
