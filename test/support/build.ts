/**
 * The built bundles tests run (the daemon and CLI as users get them). `npm test` builds first; a test file run on
 * its own builds once here.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
let built = false;

export function distFile(name: 'companion-daemon.js' | 'companion-cli.js' | 'extension.js'): string {
  const file = path.join(repoRoot, 'dist', name);
  if (!built && !(process.env.KFVS_SKIP_BUILD === '1' && fs.existsSync(file))) {
    const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
    built = true;
  }
  return file;
}
