// Builds every bundle of the extension:
//   dist/extension.js          VS Code extension host (Node, CommonJS, `vscode` external)
//   dist/companion-daemon.js   the long-lived companion daemon (Node)
//   dist/companion-cli.js      its command-line client, `kubeflow-companion`
//   dist/webviews/<panel>.js   one browser bundle per folder in webviews/ that has a main.ts
//   dist/schemas/*.json        JSON schemas of the Kubeflow kinds (scripts/gen-schemas.mjs)
//   dist/mlmd.desc             MLMD's MetadataStoreService schema (FileDescriptorSet) from the MLMD rig's wheel
//   out/test/vscode/*.js       (with --tests) the mocha suite that runs inside the extension host
// Flags: --production (minify, no source maps), --watch, --tests, --metafile (writes dist/meta-*.json for `npm run bench`).
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSchemas } from './scripts/gen-schemas.mjs';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const tests = args.has('--tests');
const metafile = args.has('--metafile');
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
  metafile,
  define: {
    'process.env.KFVS_BUILD_MODE': JSON.stringify(production ? 'production' : 'development'),
    // The daemon and its clients compare versions in the handshake; both come from the same package.json.
    KFVS_VERSION: JSON.stringify(pkg.version),
  },
};

const node = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // ws tries these optional native add-ons inside try/catch; they are not installed and not needed.
  external: ['vscode', 'bufferutil', 'utf-8-validate'],
  // Several dependencies are ESM-only; esbuild turns them into CommonJS. `import.meta.url` has no CommonJS
  // equivalent, so give it one.
  banner: { js: 'const __kfvs_import_meta_url = require("url").pathToFileURL(__filename).href;' },
  define: { ...common.define, 'import.meta.url': '__kfvs_import_meta_url' },
};

const webviewDir = 'webviews';
const panels = fs.readdirSync(webviewDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(webviewDir, d.name, 'main.ts')))
  .map((d) => d.name);

/** @type {Array<[string, import('esbuild').BuildOptions]>} */
const builds = [
  ['extension', { ...node, entryPoints: { extension: 'extension/main.ts' }, outdir: 'dist' }],
  ['daemon', {
    ...node,
    entryPoints: { 'companion-daemon': 'companion-daemon/src/main.ts', 'companion-cli': 'companion-daemon/src/cli.ts' },
    outdir: 'dist',
  }],
];
if (panels.length > 0) {
  builds.push(['webviews', {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: Object.fromEntries(panels.map((p) => [p, path.join(webviewDir, p, 'main.ts')])),
    outdir: 'dist/webviews',
    loader: { '.css': 'text' },
  }]);
}
if (tests) {
  builds.push(['tests', {
    ...node,
    minify: false,
    sourcemap: 'inline',
    // index.js (the run() entry) and one bundle per suite file, which index.js discovers: out/test/vscode/**/*.test.js
    entryPoints: ['test/vscode/suite/index.ts', 'test/vscode/suite/**/*.test.ts'],
    outbase: 'test/vscode/suite',
    outdir: 'out/test/vscode',
    // mocha is resolved at run time from the repository's node_modules, like test-electron suites do.
    external: [...node.external, 'mocha'],
  }]);
}

// JSON schemas of the Kubeflow kinds (yamlValidation + validation on save), from ../shared's CRDs or our fallbacks.
const schemas = generateSchemas(path.resolve('dist/schemas'));
console.log(`[schemas] ${schemas.index.length} kinds from ${path.relative('.', schemas.source)}`);

// The local-run driver (kfp.local) runs in the user's Python: shipped as the file itself.
fs.mkdirSync('dist/localRun', { recursive: true });
fs.copyFileSync('core/localRun/driver.py', 'dist/localRun/driver.py');
// MLMD's gRPC schema, made from the ml-metadata wheel by test/rigs/mlmd/install.sh (the wheel has no .proto files).
{
  const cache = process.env.KFVS_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'kubeflow-vscode');
  const desc = path.join(cache, 'mlmd', '1.17.1', 'mlmd.desc');
  fs.mkdirSync('dist', { recursive: true });
  if (fs.existsSync(desc)) fs.copyFileSync(desc, 'dist/mlmd.desc');
  else if (production) throw new Error(`no MLMD schema at ${desc}: run test/rigs/mlmd/install.sh (scripts/setup.sh does)`);
  else console.warn(`[mlmd] no ${desc}: run outputs need it (test/rigs/mlmd/install.sh)`);
}

if (watch) {
  for (const [, options] of builds) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  }
  console.log(`[esbuild] watching ${builds.map(([n]) => n).join(', ')}`);
} else {
  const started = Date.now();
  const results = await Promise.all(builds.map(([, options]) => esbuild.build(options)));
  if (metafile) {
    results.forEach((r, i) => fs.writeFileSync(`dist/meta-${builds[i][0]}.json`, JSON.stringify(r.metafile)));
  }
  console.log(`[esbuild] built ${builds.map(([n]) => n).join(', ')} in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}
