// Exit 0 when node_modules holds what package-lock.json asks for, by npm's own record of what it installed
// (node_modules/.package-lock.json, written after every install): every locked package that is not optional is there
// at the locked version, and nothing else is. Used by setup.sh when its stamp is missing (node_modules installed by
// another command, a copied tree), so `npm ci` runs only when something is really missing or different.
//   node scripts/lib/npm-current.mjs [dir]
import fs from 'node:fs';
import path from 'node:path';

const dir = path.resolve(process.argv[2] ?? '.');
const read = (f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).packages ?? {};
let want;
let have;
try {
  want = read('package-lock.json');
  have = read('node_modules/.package-lock.json');
} catch {
  process.exit(1);
}
const wrong = [
  ...Object.entries(want).filter(([k, v]) => k && (have[k] ? have[k].version !== v.version : !v.optional && !v.peer)).map(([k]) => k),
  ...Object.keys(have).filter((k) => !(k in want)),
];
if (wrong.length) console.log(`node_modules differs from package-lock.json: ${wrong.slice(0, 5).join(', ')}${wrong.length > 5 ? ', …' : ''}`);
process.exit(wrong.length ? 1 : 0);
