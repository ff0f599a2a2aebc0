import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { plainText } from '../../extension/plainText';

// VS Code's link syntax in notification messages (src/vs/base/common/linkedText.ts, `parseLinkedText`), copied here so
// the test checks against what the workbench renders, not against our own regex.
const VSCODE_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;

describe('notifications show server text as text', () => {
  const hostile = [
    'admission webhook denied: [Click to fix](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%22%7D)',
    'pod failed: [details](https://evil.example/phish "Kubeflow docs")',
    '[open](file:///etc/passwd) and [again]  (https://x.example)',
  ];
  for (const m of hostile) {
    it(`makes no link of ${JSON.stringify(m.slice(0, 40))}…`, () => {
      assert.match(m.replace(/\]\s+\(/, ']('), VSCODE_LINK); // the input is a link to VS Code
      VSCODE_LINK.lastIndex = 0;
      const out = plainText(m);
      assert.equal(VSCODE_LINK.test(out), false, out);
      VSCODE_LINK.lastIndex = 0;
      assert.equal(out.replace(/\s/g, ''), m.replace(/\s/g, '')); // nothing lost but spacing
    });
  }

  it('leaves ordinary messages alone', () => {
    assert.equal(plainText('Run "train (v2)" failed [exit 1]'), 'Run "train (v2)" failed [exit 1]');
  });

  it('every notification in extension/ goes through extension/notify.ts', () => {
    const root = path.join(__dirname, '../../extension');
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith(`${path.sep}notify.ts`) && /\bwindow\s*\.\s*show(Error|Warning|Information)Message\b/.test(readFileSync(p, 'utf8'))) offenders.push(path.relative(root, p));
      }
    };
    walk(root);
    assert.deepEqual(offenders, []);
  });
});
