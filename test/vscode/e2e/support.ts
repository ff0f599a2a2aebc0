// Shared helpers for the UI e2e files (test/vscode/e2e/*.e2e.ts, mocha + tsx on the system Node).
// A new e2e file: start a code-server with the packaged extension, open the workbench, drive it, take screenshots:
//
//   describe('my feature (UI)', function () {
//     this.timeout(180_000);
//     let cs: CodeServer | undefined; let wb: Workbench | undefined;
//     before(async () => { cs = await startCodeServer({ vsix: [await packagedVsix()] }); wb = await openWorkbench(cs, { suite: 'my-feature' }); });
//     afterEach(async function () { await screenshotOnFailure(this, wb); });
//     after(async () => { await wb?.close(); await cs?.stop(); });
//     it('...', async () => { await wb!.openViewContainer('Kubeflow'); ... await wb!.screenshot('state'); });
//   });
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO, type Workbench } from '../../rigs/vscode/codeserver';

export * from '../../rigs/vscode/codeserver';

let vsix: string | undefined;

/**
 * The extension packaged as CI ships it (`npm run package`: production esbuild + vsce), built once per mocha run.
 * KFVS_VSIX=<file> uses a ready .vsix instead. Note: packaging rewrites dist/ with the production build;
 * test/rigs/vscode/run-all.mjs rebuilds the development bundles afterwards.
 */
export function packagedVsix(): string {
  if (vsix) return vsix;
  if (process.env.KFVS_VSIX) return (vsix = path.resolve(process.env.KFVS_VSIX));
  const out = path.join(REPO, 'dist/kubeflow-vscode.vsix');
  fs.rmSync(out, { force: true });
  const r = spawnSync('npm', ['run', 'package', '--silent'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  if (r.status !== 0 || !fs.existsSync(out)) {
    throw new Error(`npm run package failed (exit ${r.status ?? r.signal}):\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  }
  return (vsix = out);
}

/** The file names in a zip (a .vsix), read from its central directory. */
export function zipEntries(file: string): string[] {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${n}`);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    names.push(buf.toString('utf8', p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

/** In an afterEach: saves failed-<test title>.png when the test failed. */
export async function screenshotOnFailure(ctx: Mocha.Context, wb: Workbench | undefined): Promise<void> {
  const t = ctx.currentTest;
  if (wb && t && t.state === 'failed') {
    const file = await wb.screenshot(`failed-${t.title}`).catch(() => undefined);
    if (file) console.log(`      screenshot of the failure: ${path.relative(REPO, file)}`);
  }
}
