#!/usr/bin/env node
// `npm run bench`: runs each benchmark section, scripts/bench/<name>.bench.ts, in its own process (tsx). Sections
// merge their results into test-output/bench/report.json under their own key (scripts/bench/report.ts), so teams
// add sections without touching each other's. `npm run bench -- pipeline-graph` runs only the named sections.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);
const dir = path.join(root, 'scripts', 'bench');
const all = fs.readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).map((f) => f.slice(0, -'.bench.ts'.length)).sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const w of wanted) if (!all.includes(w)) { console.error(`unknown bench section ${w}; sections: ${all.join(' ')}`); process.exit(2); }
const sections = wanted.length ? wanted : all;
const failed = [];
for (const s of sections) {
  console.log(`\n=== bench ${s}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, `${s}.bench.ts`)], { stdio: 'inherit' });
  if (r.status !== 0) failed.push(s);
}
console.log(`\nreport: ${path.relative(root, path.join(root, 'test-output', 'bench', 'report.json'))}${failed.length ? `; failed: ${failed.join(', ')}` : ''}`);
process.exit(failed.length ? 1 : 0);
