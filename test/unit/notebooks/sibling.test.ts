import assert from 'node:assert/strict';
import { siblingPath, unsafeFileName } from '../../../extension/notebooks/sibling';

describe('notebook download target (a name from the server listing)', () => {
  const local = '/home/me/project/nb/train.ipynb';

  it('puts a plain name next to the local notebook', () => {
    assert.equal(siblingPath(local, 'eval.ipynb'), '/home/me/project/nb/eval.ipynb');
    assert.equal(siblingPath(local, 'v1.2 results.ipynb'), '/home/me/project/nb/v1.2 results.ipynb');
  });

  for (const name of ['../.vscode/settings.json', '..', '.', '', 'a/b.ipynb', '..\\x.ipynb', 'sub\\x.ipynb', '/etc/passwd', 'x..ipynb', 'a\nb.ipynb']) {
    it(`refuses ${JSON.stringify(name)} with a message that names it`, () => {
      assert.ok(unsafeFileName(name));
      assert.throws(() => siblingPath(local, name), (e: Error) => e.message.startsWith(`Refusing to download ${JSON.stringify(name)}`));
    });
  }
});
