// Bench section "foundation": the size of every production bundle (target: extension ≤ 1 MB minified) and the time
// `activate()` takes in the real extension host (code-server's Node host; target ≤ 30 ms), median of fresh windows.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runExtensionTests } from '../../test/rigs/vscode/codeserver';
import { median, recordBench, round } from './report';

const ROOT = path.resolve(__dirname, '..', '..');
const RUNS = 3;

async function main(): Promise<void> {
  const build = (args: string[]) => {
    const r = spawnSync(process.execPath, ['esbuild.mjs', ...args], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
  };
  fs.rmSync(path.join(ROOT, 'dist'), { recursive: true, force: true });
  build(['--production', '--tests']);
  const sizes: Record<string, number> = {};
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.js')) sizes[path.relative(path.join(ROOT, 'dist'), p)] = fs.statSync(p).size;
    }
  };
  walk(path.join(ROOT, 'dist'));

  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-act-')), 'ms');
    const code = await runExtensionTests({
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(ROOT, 'out/test/vscode/index.js'),
      env: { KFVS_TEST_GREP: 'activates and its API reports activationMs', KFVS_BENCH_ACTIVATION_FILE: file },
      onLog: () => undefined,
    });
    if (code !== 0 || !fs.existsSync(file)) throw new Error(`activation run ${i + 1} failed (exit ${code})`);
    samples.push(Number(fs.readFileSync(file, 'utf8')));
  }
  build([]); // back to development bundles for the rest of the tools
  const ext = sizes['extension.js'];
  const act = median(samples);
  const result = {
    bundleBytes: sizes,
    extensionBundle: { bytes: ext, target: '≤ 1 MB minified', met: ext <= 1024 * 1024 },
    activationMs: { median: round(act, 2), samples: samples.map((s) => round(s, 2)), target: '≤ 30', met: act <= 30, where: 'code-server 4.139.1 Node extension host, production bundle, fresh window each' },
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`report: ${recordBench('foundation', result)}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
