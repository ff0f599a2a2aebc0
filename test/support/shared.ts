// The shared read-only data at ../shared (override with $KFVS_SHARED). Tests that need it skip loudly when it is
// absent, saying why; in CI (CI=true) its absence fails them instead.
import fs from 'node:fs';
import path from 'node:path';

/** The repository root: the nearest folder above this file (or its bundle in out/) with our package.json. */
function repoRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'kubeflow-vscode') return dir;
  }
  return path.resolve(__dirname, '..', '..');
}

export const SHARED_DIR = path.resolve(process.env.KFVS_SHARED ?? path.join(repoRoot(), '..', 'shared'));

export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DIR, ...parts);
}

export function sharedAvailable(...parts: string[]): boolean {
  return fs.existsSync(sharedPath(...parts));
}

/**
 * Call from a `before`/`it` with mocha's `this`: returns the path when present; otherwise fails in CI and skips
 * elsewhere, with a warning on stderr that names the missing path.
 */
export function requireShared(ctx: Mocha.Context, ...parts: string[]): string {
  const p = sharedPath(...parts);
  if (fs.existsSync(p)) return p;
  const why = `shared data missing: ${p} (set KFVS_SHARED to the shared/ checkout)`;
  if (process.env.CI === 'true') throw new Error(`${why}; CI needs it`);
  process.stderr.write(`\n  !!! SKIPPING: ${why}\n`);
  ctx.skip();
}
