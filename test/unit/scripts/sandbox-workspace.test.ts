// `npm start` opens a workspace outside the git tree with copies of the sample files, and keeps what the user edited.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sandboxWorkspace } from '../../rigs/sandbox-workspace';

describe('sandbox workspace (npm start)', () => {
  const REPO = path.resolve(__dirname, '../../..');
  let tmp = '';
  const saved = process.env.KFVS_CACHE;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-sandbox-ws-'));
    process.env.KFVS_CACHE = tmp;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.KFVS_CACHE;
    else process.env.KFVS_CACHE = saved;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('is a folder under $KFVS_CACHE, not in the repository, with the sample pipelines, a notebook and a PyTorchJob', () => {
    const dir = sandboxWorkspace();
    assert.equal(dir, path.join(tmp, 'sandbox-workspace'));
    assert.ok(path.relative(REPO, dir).startsWith('..'), `${dir} is outside ${REPO}`);
    assert.ok(fs.readFileSync(path.join(dir, 'pipelines/hello_world.py'), 'utf8').includes('@dsl.pipeline'));
    assert.ok(!fs.existsSync(path.join(dir, 'pipelines/invalid')));
    const nb = JSON.parse(fs.readFileSync(path.join(dir, 'explore.ipynb'), 'utf8')) as { cells: unknown[]; nbformat: number };
    assert.equal(nb.nbformat, 4);
    assert.match(fs.readFileSync(path.join(dir, 'training/pytorchjob.yaml'), 'utf8'), /kind: PyTorchJob/);
  });

  it('keeps the user\'s edits and brings back a deleted sample', () => {
    const dir = sandboxWorkspace();
    fs.writeFileSync(path.join(dir, 'pipelines/hello_world.py'), '# mine\n');
    fs.rmSync(path.join(dir, 'explore.ipynb'));
    sandboxWorkspace();
    assert.equal(fs.readFileSync(path.join(dir, 'pipelines/hello_world.py'), 'utf8'), '# mine\n');
    assert.ok(fs.existsSync(path.join(dir, 'explore.ipynb')));
  });
});
