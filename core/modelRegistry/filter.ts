/**
 * `filterQuery` strings for the registry's list calls (its SQL-like language: `=`, `!=`, `LIKE`, `ILIKE`, `IN`,
 * `AND`, `OR`, quoted strings, custom properties by name). What the user types in the search box is text, not a query:
 * it is quoted here, so a name with a quote or a percent sign stays a name. Also which models the palette's
 * Archive/Restore offers.
 */
import type { RegisteredModelState } from './types';

export interface ModelFilter {
  /** Text the model's name contains (case-insensitive). */
  text?: string;
  /** Show archived models too (default: only LIVE). */
  archived?: boolean;
  /** A raw filter query the user wrote, ANDed with the rest. */
  query?: string;
}

/** A string literal of the filter language. Both quote kinds delimit strings; a backslash escapes the delimiter. */
export function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `%` and `_` are LIKE wildcards: escaped so that they match themselves. */
export function likeContains(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The `filterQuery` of a model list, or undefined for "everything". */
export function modelFilterQuery(f: ModelFilter): string | undefined {
  const parts: string[] = [];
  const text = f.text?.trim();
  if (text) parts.push(`name ILIKE ${quote(likeContains(text))}`);
  if (!f.archived) parts.push(`state = 'LIVE'`);
  const q = f.query?.trim();
  if (q) parts.push(`(${q})`);
  return parts.length ? parts.join(' AND ') : undefined;
}

/** One line for the view's description: what the list is narrowed to. */
export function describeFilter(f: ModelFilter): string | undefined {
  const parts: string[] = [];
  if (f.text?.trim()) parts.push(`name contains "${f.text.trim()}"`);
  if (f.query?.trim()) parts.push(f.query.trim());
  if (f.archived) parts.push('archived shown');
  return parts.length ? parts.join(' · ') : undefined;
}

/** The models a state change applies to: Archive offers the live ones, Restore the archived ones (no state is LIVE). */
export function modelsToSet<T extends { state?: RegisteredModelState }>(models: T[], to: RegisteredModelState): T[] {
  return models.filter((m) => (m.state ?? 'LIVE') !== to);
}
