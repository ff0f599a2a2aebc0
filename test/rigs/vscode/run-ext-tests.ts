// Runs the extension-host mocha suite (out/test/vscode/index.js, built by `node esbuild.mjs --tests`) inside a fresh
// code-server, with the extension loaded from the repository (extensionDevelopmentPath). Exit code: 0 = all passed.
//   node --import tsx test/rigs/vscode/run-ext-tests.ts            (env KFVS_TEST_GREP=<regex> runs a subset)
// If the rig fails before the suite reports (server, browser, timeout), one failed test is recorded in $KFVS_TEST_STATS
// under the suite name, so a broken rig is never silently skipped.
import fs from 'node:fs';
import path from 'node:path';
import { REPO, WORKSPACE, runExtensionTests } from './codeserver';

const suite = process.env.KFVS_TEST_SUITE || 'vscode-exthost';
const stats = process.env.KFVS_TEST_STATS;
const entry = path.join(REPO, 'out/test/vscode/index.js');

function reportedLines(): number {
  if (!stats || !fs.existsSync(stats)) return 0;
  return fs.readFileSync(stats, 'utf8').split('\n').filter((l) => l.includes(`"suite":${JSON.stringify(suite)}`)).length;
}

async function main(): Promise<number> {
  const before = reportedLines();
  const t0 = Date.now();
  let code: number;
  // What the summary says when the suite reports nothing: the rig's error, else the suite's last output lines.
  let cause = '';
  const tail: string[] = [];
  const onLog = (line: string) => {
    process.stdout.write(`${line}\n`);
    if (line.trim()) tail.push(line.trim());
    if (tail.length > 3) tail.shift();
  };
  try {
    if (!fs.existsSync(entry)) throw new Error(`${entry} missing: run \`node esbuild.mjs --tests\``);
    if (!fs.existsSync(path.join(REPO, 'dist/extension.js'))) throw new Error('dist/extension.js missing: run `node esbuild.mjs --tests`');
    const env: Record<string, string> = { KFVS_TEST_SUITE: suite };
    if (stats) env.KFVS_TEST_STATS = stats;
    if (process.env.KFVS_TEST_GREP) env.KFVS_TEST_GREP = process.env.KFVS_TEST_GREP;
    code = await runExtensionTests({ extensionDevelopmentPath: REPO, extensionTestsPath: entry, folder: WORKSPACE, env, onLog,
      // Each suite bounds its own tests (the agent tools' sandbox alone may take 8 minutes under load); this bounds
      // the whole run, so a hang still ends with its cause in the summary.
      timeoutMs: 30 * 60_000 });
  } catch (err) {
    console.error(`[run-ext-tests] the rig failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    cause = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
    code = 1;
  }
  console.log(`[run-ext-tests] extension-host suite exit code ${code} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (stats && reportedLines() === before) {
    fs.appendFileSync(stats, `${JSON.stringify({ suite, passed: 0, failed: 1, skipped: 0, failures: [{ title: 'the extension-host suite', message: `reported no result (exit code ${code}): ${(cause || `last output: ${tail.join(' | ')}`).slice(0, 400)}` }] })}\n`);
    console.error(`[run-ext-tests] the suite reported no result: counted as 1 failed test of ${suite}`);
    if (code === 0) code = 1;
  }
  return code;
}

main().then((code) => process.exit(code), (err) => { console.error(err); process.exit(1); });
