// Reads the contributed snippet files and expands a snippet body the way VS Code inserts it when the user accepts
// every default: `${1:default}` → default (nested placeholders expanded), `${1|a,b|}` → a, `$1`/`${1}`/`$0` → ''
// (or the default given at another occurrence of the same tab stop), `\$` `\}` `\\` → the character.
import fs from 'node:fs';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '../..');

export interface Snippet {
  name: string;
  prefix: string;
  description: string;
  body: string;
  language: string;
}

export function contributedSnippets(): Snippet[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  return (pkg.contributes.snippets as { language: string; path: string }[]).flatMap((s) => {
    const file = JSON.parse(fs.readFileSync(path.join(REPO, s.path), 'utf8')) as Record<string, { prefix: string; description: string; body: string | string[] }>;
    return Object.entries(file).map(([name, v]) => ({
      name, prefix: v.prefix, description: v.description, language: s.language,
      body: Array.isArray(v.body) ? v.body.join('\n') : v.body,
    }));
  });
}

export function expandSnippet(body: string): string {
  const defaults = new Map<string, string>();
  // First pass collects the defaults of each tab stop, second pass uses them for bare `$1` mirrors.
  parse(body, 0, defaults, false);
  return parse(body, 0, defaults, true).text;
}

function parse(s: string, i: number, defaults: Map<string, string>, final: boolean, stopAt?: string): { text: string; end: number } {
  let out = '';
  while (i < s.length) {
    const ch = s[i];
    if (stopAt && ch === stopAt) return { text: out, end: i };
    if (ch === '\\' && i + 1 < s.length && '$}\\,|'.includes(s[i + 1])) {
      out += s[i + 1];
      i += 2;
      continue;
    }
    if (ch === '$') {
      const bare = /^\$(\d+)/.exec(s.slice(i));
      if (bare) {
        out += final ? (defaults.get(bare[1]) ?? '') : '';
        i += bare[0].length;
        continue;
      }
      const open = /^\$\{(\d+)(:|\||\})/.exec(s.slice(i));
      if (open) {
        const n = open[1];
        i += open[0].length;
        if (open[2] === '}') {
          out += final ? (defaults.get(n) ?? '') : '';
          continue;
        }
        if (open[2] === '|') {
          const close = s.indexOf('|}', i);
          const choice = s.slice(i, close).split(',')[0];
          if (!defaults.has(n)) defaults.set(n, choice);
          out += choice;
          i = close + 2;
          continue;
        }
        const inner = parse(s, i, defaults, final, '}');
        if (!defaults.has(n)) defaults.set(n, inner.text);
        out += inner.text;
        i = inner.end + 1;
        continue;
      }
    }
    out += ch;
    i++;
  }
  if (stopAt) throw new Error(`unterminated placeholder in snippet: ${s}`);
  return { text: out, end: i };
}
