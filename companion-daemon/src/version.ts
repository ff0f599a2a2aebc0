/** The package version, stamped in by esbuild (`KFVS_VERSION`); `0.0.0-dev` when run from source. */
declare const KFVS_VERSION: string | undefined;
export const PACKAGE_VERSION: string = typeof KFVS_VERSION === 'string' ? KFVS_VERSION : '0.0.0-dev';
