// package.json's contributions are consistent: every command a menu, keybinding, walkthrough or welcome view names
// exists; every command is under the Kubeflow category and has a handler in extension/; views have icons; settings
// say what they do; files the manifest points at exist.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const c = pkg.contributes;
type Cmd = { command: string; title: string; category?: string; icon?: unknown };
const commands: Cmd[] = c.commands;
const ids = new Set(commands.map((x) => x.command));
const viewIds: string[] = Object.values(c.views as Record<string, { id: string }[]>).flat().map((v) => v.id);
/** VS Code adds `<view>.focus` (and friends) for every contributed view. */
const builtIn = (id: string) => viewIds.some((v) => id === `${v}.focus`) || id.startsWith('workbench.');

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(path.join(dir, d.name)) : /\.ts$/.test(d.name) ? [path.join(dir, d.name)] : []);
}
const commandLinks = (text: string) => [...text.matchAll(/\(command:([\w.-]+)/g)].map((m) => m[1]);

describe('package.json manifest', () => {
  it('every menu entry names a contributed command', () => {
    const bad: string[] = [];
    for (const [menu, entries] of Object.entries(c.menus as Record<string, { command?: string; submenu?: string }[]>)) {
      for (const e of entries) if (e.command && !ids.has(e.command)) bad.push(`${menu}: ${e.command}`);
    }
    assert.deepEqual(bad, []);
  });

  it('every keybinding names a contributed command', () => {
    const bad = ((c.keybindings ?? []) as { command: string }[]).filter((k) => !ids.has(k.command.replace(/^-/, '')));
    assert.deepEqual(bad, []);
  });

  it('every walkthrough step and welcome view names contributed commands', () => {
    const bad: string[] = [];
    assert.ok((c.walkthroughs ?? []).length > 0, 'a walkthrough is contributed');
    for (const w of c.walkthroughs as { id: string; steps: { id: string; description: string; completionEvents?: string[]; media: Record<string, unknown> }[] }[]) {
      for (const s of w.steps) {
        const named = [...commandLinks(s.description),
          ...(s.completionEvents ?? []).filter((e) => e.startsWith('onCommand:')).map((e) => e.slice('onCommand:'.length))];
        for (const id of named) if (!ids.has(id) && !builtIn(id)) bad.push(`${w.id}/${s.id}: ${id}`);
        for (const e of s.completionEvents ?? []) {
          if (e.startsWith('onView:') && !viewIds.includes(e.slice('onView:'.length))) bad.push(`${w.id}/${s.id}: ${e}`);
        }
        for (const f of ['markdown', 'image', 'svg']) {
          const file = s.media[f];
          if (typeof file === 'string') assert.ok(fs.existsSync(path.join(REPO, file)), `${w.id}/${s.id}: ${file} exists`);
        }
        assert.ok((s.completionEvents ?? []).length > 0, `${w.id}/${s.id} has completion events`);
      }
    }
    for (const v of c.viewsWelcome as { view: string; contents: string }[]) {
      for (const id of commandLinks(v.contents)) if (!ids.has(id) && !builtIn(id)) bad.push(`welcome ${v.view}: ${id}`);
    }
    assert.deepEqual(bad, []);
  });

  it('the walkthrough notices what the user did anywhere, covers runs, models and endpoints, and gives users no developer command', () => {
    const [w] = c.walkthroughs as { steps: { id: string; title: string; description: string; completionEvents: string[]; media: { markdown?: string } }[] }[];
    // A step checks itself when the user does it outside the walkthrough too: a view opened, a context reached, a
    // setting changed, not only a command run from the step's own link (onCommand fires from anywhere, and a job is
    // submitted only by its command).
    for (const s of w.steps.filter((x) => x.id !== 'submit')) assert.ok(s.completionEvents.some((e) => /^on(View|Context|SettingChanged):/.test(e)), `${s.id}: ${s.completionEvents.join(', ')}`);
    for (const id of ['runs', 'models', 'endpoints']) assert.ok(w.steps.some((s) => s.id === id), `a ${id} step`);
    const texts = w.steps.flatMap((s) => [s.title, s.description, s.media.markdown ? fs.readFileSync(path.join(REPO, s.media.markdown), 'utf8') : '']);
    assert.deepEqual(texts.filter((t) => /npm (start|run)|--sandbox|clone of this repository/.test(t)), []);
  });

  it('every command has category Kubeflow, a title, and a unique id', () => {
    assert.equal(ids.size, commands.length, 'no duplicate command ids');
    const bad = commands.filter((x) => x.category !== 'Kubeflow' || !x.title?.trim() || /^Kubeflow:/.test(x.title));
    assert.deepEqual(bad, []);
  });

  it('command icons are theme icons (codicons), which follow the colour theme', () => {
    const bad = commands.filter((x) => x.icon !== undefined && !(typeof x.icon === 'string' && /^\$\([\w-]+\)$/.test(x.icon)));
    assert.deepEqual(bad, []);
  });

  it('commands in inline and title menus have an icon', () => {
    const bad: string[] = [];
    for (const [menu, entries] of Object.entries(c.menus as Record<string, { command?: string; group?: string }[]>)) {
      for (const e of entries) {
        const iconic = menu === 'view/title' || menu === 'notebook/toolbar' || (e.group ?? '').startsWith('inline') || (e.group ?? '').startsWith('navigation');
        if (iconic && e.command && !commands.find((x) => x.command === e.command)?.icon) bad.push(`${menu}: ${e.command}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('every contributed command has a handler registered in extension/', () => {
    const source = walk(path.join(REPO, 'extension')).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    const missing = [...ids].filter((id) => !source.includes(`'${id}'`) && !source.includes(`"${id}"`) && !source.includes(`\`${id}\``));
    assert.deepEqual(missing, []);
  });

  it('every view has an icon, and icon files exist and use currentColor', () => {
    for (const [container, views] of Object.entries(c.views as Record<string, { id: string; icon?: string }[]>)) {
      for (const v of views) {
        assert.ok(v.icon, `${container}/${v.id} has an icon`);
        if (!v.icon.startsWith('$(')) {
          const svg = fs.readFileSync(path.join(REPO, v.icon), 'utf8');
          assert.match(svg, /currentColor/, `${v.icon} follows the theme (currentColor)`);
        }
      }
    }
    for (const vc of c.viewsContainers.activitybar as { icon: string }[]) assert.ok(fs.existsSync(path.join(REPO, vc.icon)));
  });

  it('every setting has a description and a default', () => {
    const bad = Object.entries(c.configuration.properties as Record<string, { description?: string; markdownDescription?: string; default?: unknown }>)
      .filter(([, s]) => !(s.description ?? s.markdownDescription)?.trim() || !('default' in s))
      .map(([k]) => k);
    assert.deepEqual(bad, []);
  });

  // Settings that run a program (a kubeconfig's exec plugin, the Python that compiles) or decide where a stored
  // credential goes: a repository's .vscode/settings.json must not set them.
  const SENSITIVE = ['kubeflow.kubeconfig', 'kubeflow.pythonPath', 'kubeflow.kale.pythonPath', 'kubeflow.pipelines.endpoint', 'kubeflow.health.prometheusUrl'];

  it('settings that run programs or send credentials are machine-scoped (user settings only)', () => {
    const props = c.configuration.properties as Record<string, { scope?: string }>;
    assert.deepEqual(SENSITIVE.filter((k) => props[k]?.scope !== 'machine'), []);
  });

  it('declares limited support for untrusted workspaces, naming the restricted settings', () => {
    const u = pkg.capabilities?.untrustedWorkspaces as { supported?: unknown; description?: string; restrictedConfigurations?: string[] } | undefined;
    assert.equal(u?.supported, 'limited');
    assert.ok(u?.description?.trim(), 'a description of what Restricted Mode turns off');
    assert.deepEqual([...(u?.restrictedConfigurations ?? [])].sort(), [...SENSITIVE].sort());
    for (const k of u?.restrictedConfigurations ?? []) assert.ok(k in c.configuration.properties, `${k} is a contributed setting`);
  });

  it('snippet, grammar and schema files exist; yamlValidation points at dist/schemas files the build writes', () => {
    for (const s of c.snippets as { path: string }[]) JSON.parse(fs.readFileSync(path.join(REPO, s.path), 'utf8'));
    for (const g of c.grammars as { path: string }[]) assert.ok(fs.existsSync(path.join(REPO, g.path)), g.path);
    // gen-schemas.mjs writes <id>.schema.json for KINDS and kubeflow.schema.json.
    const gen = fs.readFileSync(path.join(REPO, 'scripts/gen-schemas.mjs'), 'utf8');
    for (const y of c.yamlValidation as { url: string }[]) {
      const m = /^\.\/dist\/schemas\/([a-z]+)\.schema\.json$/.exec(y.url);
      assert.ok(m, y.url);
      assert.ok(m[1] === 'kubeflow' || gen.includes(`id: '${m[1]}'`), `${y.url} is generated`);
    }
    const ignore = fs.readFileSync(path.join(REPO, '.vscodeignore'), 'utf8');
    for (const pat of ['!dist/schemas/**', '!snippets/**', '!media/**']) assert.ok(ignore.split('\n').includes(pat), `.vscodeignore ships ${pat}`);
  });

  it('activation events cover the contributed views\' languages and the validation on save', () => {
    assert.ok(pkg.activationEvents.includes('onLanguage:yaml'));
  });
});
