// A directory artifact saved as a folder: the listed keys become paths under the chosen folder, and a key that would
// land outside it is refused.
import assert from 'node:assert/strict';
import { folderFiles, ObjectStoreError } from '../../../core/objectStore/s3';

const dir = { bucket: 'mlpipeline', key: 'v2/artifacts/p/run-1/export/model' };
const listing = (...keys: string[]) => ({ objects: keys.map((key) => ({ key, size: 1 })), truncated: false });

describe('folderFiles (a directory artifact as local files)', () => {
  it('gives each key\'s path under the prefix, skipping folder markers', () => {
    const files = folderFiles(dir, listing(`${dir.key}/saved_model.pb`, `${dir.key}/variables/`, `${dir.key}/variables/v.index`));
    assert.deepEqual(files.map((f) => f.segments), [['saved_model.pb'], ['variables', 'v.index']]);
  });

  it('refuses a key that climbs out of the folder or is not under the prefix', () => {
    for (const key of [`${dir.key}/../../etc/passwd`, `${dir.key}//x`, `${dir.key}/a\\..\\b`, 'v2/artifacts/other/x']) {
      assert.throws(() => folderFiles(dir, listing(key)), (e: unknown) => e instanceof ObjectStoreError && /is not a file path under/.test(e.message), key);
    }
  });
});
