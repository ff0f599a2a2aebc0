// The install scripts run under `npm test`/`npm start`, whose npm exports its configuration to every child. A nested
// npm reads npm_config_* back as its own configuration (code-server's postinstall refused Node 24 because the outer
// npm's user agent said node/v20), so scripts/lib/clean-env.sh drops them before any install step.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

function envAfterClean(env: Record<string, string>): Record<string, string> {
  const r = spawnSync('bash', ['-c', `. ${JSON.stringify(path.join(ROOT, 'scripts/lib/clean-env.sh'))}; env -0`], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Object.fromEntries(r.stdout.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

describe('install scripts: clean environment for nested installs', () => {
  const outer = {
    HOME: '/home/u',
    PATH: `/repo/node_modules/.bin:/node_modules/.bin:/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin:/usr/local/bin:/usr/bin:/bin`,
    npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
    npm_config_nodedir: '/usr',
    npm_lifecycle_event: 'test',
    npm_lifecycle_script: 'node scripts/test.mjs',
    npm_node_execpath: '/usr/bin/node',
    npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
    npm_package_name: 'kubeflow-vscode',
    NODE: '/usr/bin/node',
    INIT_CWD: '/repo',
    KFVS_CACHE: '/cache',
    PIP_INDEX_URL: 'https://pypi.example/simple',
  };

  it('drops what the outer npm exported and keeps what the user set', () => {
    const env = envAfterClean(outer);
    assert.deepEqual(Object.keys(env).filter((k) => /^npm_/i.test(k) || k === 'NODE' || k === 'INIT_CWD'), []);
    assert.equal(env.KFVS_CACHE, '/cache');
    assert.equal(env.PIP_INDEX_URL, 'https://pypi.example/simple');
    assert.equal(env.HOME, '/home/u');
  });

  it("removes npm's node_modules/.bin and node-gyp-bin entries from PATH, keeping the order of the rest", () => {
    assert.equal(envAfterClean(outer).PATH, '/usr/local/bin:/usr/bin:/bin');
  });

  it('a nested npm run under it reports the Node it runs on, not the outer one', function () {
    this.timeout(30_000);
    // What code-server's postinstall reads: the user agent npm hands its lifecycle scripts.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-ua-'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'ua', version: '1.0.0', scripts: { ua: 'echo "UA=$npm_config_user_agent"' } }));
    const lie = { ...outer, npm_config_user_agent: 'npm/11.19.1 node/v19.0.0 linux x64 workspaces/false' };
    const nested = (clean: boolean) => spawnSync('bash', ['-c', `${clean ? `. ${JSON.stringify(path.join(ROOT, 'scripts/lib/clean-env.sh'))}; ` : ''}npm run -s ua`],
      { cwd: dir, env: { ...lie, PATH: process.env.PATH! }, encoding: 'utf8' });
    try {
      assert.match(nested(false).stdout, /node\/v19\.0\.0/, 'without the clean-up the outer agent leaks (the bug)');
      const r = nested(true);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`UA=npm/\\S+ node/${process.version.replace(/\./g, '\\.')} `));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
