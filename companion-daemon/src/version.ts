import fs from 'node:fs';
import path from 'node:path';

/** The package version, stamped in by esbuild (`KFVS_VERSION`); read from package.json when run from source. */
declare const KFVS_VERSION: string | undefined;

function fromPackageJson(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0-dev';
  }
}

export const PACKAGE_VERSION: string = typeof KFVS_VERSION === 'string' ? KFVS_VERSION : fromPackageJson();
