/**
 * Where a notebook downloaded from the server's folder listing lands locally: next to the open notebook, under the
 * name the server gave. The name comes from the server, so it must be one plain file name, never a path. Pure: no
 * `vscode`, no I/O; works on the URI path (POSIX), so remote workspaces are covered too.
 */
import * as path from 'node:path';

/** Why a server-provided file name cannot be used as a local file name, or undefined when it can. */
export function unsafeFileName(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'it is empty or a folder reference';
  if (/[/\\]/.test(name)) return 'it contains a path separator';
  if (name.includes('..')) return 'it contains ".."';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(name)) return 'it contains control characters';
  return undefined;
}

/**
 * The URI path of `name` in the folder of `localPath`. Throws, naming the file, when the server's name is not a plain
 * file name or the result would leave that folder.
 */
export function siblingPath(localPath: string, name: string): string {
  const why = unsafeFileName(name);
  if (why) throw new Error(`Refusing to download ${JSON.stringify(name)}: ${why}, so it could be written outside the notebook's folder.`);
  const dir = path.posix.dirname(localPath);
  const target = path.posix.join(dir, name);
  if (path.posix.dirname(target) !== dir) throw new Error(`Refusing to download ${JSON.stringify(name)}: it would be written outside ${dir}.`);
  return target;
}
