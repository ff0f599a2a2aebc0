// scripts/lib/npm-current.mjs: setup.sh skips `npm ci` when node_modules already holds the locked packages (a tree
// installed without setup's stamp), and reinstalls when a package is missing, at another version, or extra.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SCRIPT = path.resolve(__dirname, '../../../scripts/lib/npm-current.mjs');

function check(lock: Record<string, unknown>, installed: Record<string, unknown> | undefined): number | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-npm-current-'));
  try {
    fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: lock }));
    if (installed) {
      fs.mkdirSync(path.join(dir, 'node_modules'));
      fs.writeFileSync(path.join(dir, 'node_modules/.package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: installed }));
    }
    return spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8' }).status;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('setup: is node_modules current (scripts/lib/npm-current.mjs)', () => {
  const lock = {
    '': { name: 'x', version: '1.0.0' },
    'node_modules/yaml': { version: '2.8.0' },
    'node_modules/@esbuild/win32-x64': { version: '0.25.0', optional: true },
  };
  it('current when every non-optional locked package is installed at its version (platform packages may be absent)', () => {
    assert.equal(check(lock, { 'node_modules/yaml': { version: '2.8.0' } }), 0);
  });
  it('not current: a package missing, at another version, or not locked; or no record at all', () => {
    assert.equal(check(lock, {}), 1);
    assert.equal(check(lock, { 'node_modules/yaml': { version: '2.7.0' } }), 1);
    assert.equal(check(lock, { 'node_modules/yaml': { version: '2.8.0' }, 'node_modules/left-pad': { version: '1.0.0' } }), 1);
    assert.equal(check(lock, undefined), 1);
  });
  it('this repository\'s node_modules is current', () => {
    assert.equal(spawnSync(process.execPath, [SCRIPT, path.resolve(__dirname, '../../..')]).status, 0);
  });
});
