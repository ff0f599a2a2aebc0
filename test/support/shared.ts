// The shared read-only data at ../shared (override with $KFVS_SHARED). Tests that need it fail when it is absent,
// naming the missing path: a skipped test would not be a pass.
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
 * Returns the path of shared data the caller needs; throws (fails the test) when it is absent, naming the path.
 * A mocha context may come first (older call sites); it is not used: nothing is skipped.
 */
export function requireShared(first: Mocha.Context | string, ...rest: string[]): string {
  const parts = typeof first === 'string' ? [first, ...rest] : rest;
  const p = sharedPath(...parts);
  if (fs.existsSync(p)) return p;
  throw new Error(`shared data missing: ${p} (this test needs the shared/ checkout beside the repository, or KFVS_SHARED pointing at it)`);
}
