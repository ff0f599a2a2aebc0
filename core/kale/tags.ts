// Kale's cell tags as the notebook stores them (`metadata.tags`: `step:<name>`, `prev:<name>`, `imports`, `functions`,
// `pipeline-parameters`, `pipeline-metrics`, `skip`, and others Kale knows such as `limit:`, `image:`): what a cell is
// for the status bar, and the tag list after an edit. Reading and writing tags only: Kale itself compiles and checks
// them (compile.node.ts). Pure.

export type CellRole = 'step' | 'imports' | 'functions' | 'pipeline-parameters' | 'pipeline-metrics' | 'skip' | 'none';

export interface CellTags {
  role: CellRole;
  /** `step:<name>`; a cell tagged `step:` continues the step above (Kale merges untagged cells into it too). */
  step?: string;
  prev: string[];
  /** Tags this model does not interpret (kept as they are on edits). */
  other: string[];
}

const ROLE_TAGS: CellRole[] = ['imports', 'functions', 'pipeline-parameters', 'pipeline-metrics', 'skip'];

export function readCellTags(tags: readonly unknown[] | undefined): CellTags {
  const out: CellTags = { role: 'none', prev: [], other: [] };
  for (const t of tags ?? []) {
    if (typeof t !== 'string') continue;
    if (t.startsWith('step:')) {
      out.role = 'step';
      out.step = t.slice(5);
    } else if (t.startsWith('block:')) {
      // Kale 0.x's name of step:
      out.role = 'step';
      out.step = t.slice(6);
    } else if (t.startsWith('prev:')) out.prev.push(t.slice(5));
    else if ((ROLE_TAGS as string[]).includes(t)) out.role = t as CellRole;
    else out.other.push(t);
  }
  return out;
}

export function writeCellTags(t: CellTags): string[] {
  const tags: string[] = [];
  if (t.role === 'step') {
    tags.push(`step:${t.step ?? ''}`);
    for (const p of t.prev) tags.push(`prev:${p}`);
  } else if (t.role !== 'none') tags.push(t.role);
  return [...tags, ...t.other];
}

/** What the status bar shows for a cell. */
export function describeCellTags(t: CellTags): string {
  switch (t.role) {
    case 'step':
      return t.step ? `step ${t.step}${t.prev.length ? ` ← ${t.prev.join(', ')}` : ''}` : 'continues the step above';
    case 'none':
      return 'no Kale tag (part of the step above)';
    default:
      return t.role;
  }
}

/** A step name Kale accepts (`step:` tag language). */
export function validStepName(name: string): string | undefined {
  return /^[_a-z]([_a-z0-9]*)?$/.test(name) ? undefined : 'Lower-case letters, digits and _, starting with a letter or _ (Kale\'s step names).';
}

/** The cell a Kale error is about: the one with the tag it quotes, or the step it names. */
export function cellOfError(message: string, cells: readonly CellTags[]): number | undefined {
  const quoted = /Unrecognized tag: (\S+)/.exec(message)?.[1];
  if (quoted) {
    const i = cells.findIndex((c) => writeCellTags(c).includes(quoted) || c.other.includes(quoted));
    if (i >= 0) return i;
  }
  const names = [...message.matchAll(/['`"]([_a-z][_a-z0-9]*)['`"]/g)].map((m) => m[1]);
  for (const n of names) {
    const i = cells.findIndex((c) => c.step === n);
    if (i >= 0) return i;
  }
  return undefined;
}
