// List options of the KFP API (backend/src/apiserver/list/list.go, filter/filter.go): page_size (default 20, at most
// 200), page_token (opaque base64 JSON naming the sort field, its value at the next row and the filter), sort_by
// ("<field>" or "<field> desc"; without it rows come in primary-key (uuid) order, as the real server's SQL does), and
// filter (a JSON v2beta1Filter, AND of predicates). Rows are sorted by the field, then by id, so pages are stable.
import { invalidInput } from './errors';

export type FieldValue = string | number | boolean | undefined;

/** How a listable type exposes its API fields to sort_by and filter. */
export interface Listable<T> {
  /** Go type name used in messages, e.g. "*model.Run". */
  typeName: string;
  id(row: T): string;
  /** API field name → value; timestamps as seconds since the epoch. */
  fields: Record<string, (row: T) => FieldValue>;
  /** Fields holding timestamps (filters on them take timestamp_value or long/int seconds). */
  timestampFields?: string[];
}

interface Predicate {
  operation?: string;
  key?: string;
  int_value?: number;
  long_value?: string;
  string_value?: string;
  timestamp_value?: string;
  int_values?: { values?: number[] };
  long_values?: { values?: string[] };
  string_values?: { values?: string[] };
}

interface PageToken {
  SortByFieldName: string;
  SortByFieldValue: FieldValue;
  KeyFieldValue: string;
  IsDesc: boolean;
  Filter: string;
}

export interface ListRequest {
  page_token?: string;
  page_size?: number;
  sort_by?: string;
  filter?: string;
}

export interface ListResult<T> {
  rows: T[];
  totalSize: number;
  nextPageToken: string;
}

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 200;

export function listRows<T>(all: T[], listable: Listable<T>, req: ListRequest): ListResult<T> {
  let sortField = '';
  let desc = false;
  let filterText = req.filter ?? '';
  let after: PageToken | undefined;
  if (req.page_token) {
    try {
      after = JSON.parse(Buffer.from(req.page_token, 'base64').toString('utf8')) as PageToken;
      if (typeof after?.KeyFieldValue !== 'string') throw new Error('no key');
    } catch (e) {
      throw invalidInput(`Invalid package token.`).wrap(`Failed to parse the page token: ${(e as Error).message}`);
    }
    sortField = after.SortByFieldName;
    desc = after.IsDesc;
    filterText = after.Filter;
  } else if (req.sort_by) {
    const parts = req.sort_by.trim().split(/\s+/);
    if (parts.length > 2 || (parts[1] !== undefined && !['asc', 'desc'].includes(parts[1]))) {
      throw invalidInput(`Received invalid sort by format "${req.sort_by}". Supported format: "field_name", "field_name desc", or "field_name asc"`);
    }
    sortField = parts[0]!;
    desc = parts[1] === 'desc';
    if (!listable.fields[sortField]) throw invalidInput(`Invalid sorting field: "${sortField}" on listable type ${listable.typeName}`);
  }
  const pageSize = req.page_size ?? 0;
  if (pageSize < 0) throw invalidInput(`The page size should be greater than 0. Got ${JSON.stringify(String(pageSize))}`);
  const size = pageSize === 0 ? DEFAULT_PAGE_SIZE : Math.min(pageSize, MAX_PAGE_SIZE);

  const predicates = parseFilter(filterText, listable);
  let rows = all.filter((r) => predicates.every((p) => p(r)));
  const key = (r: T) => (sortField ? listable.fields[sortField]!(r) : listable.id(r));
  rows.sort((a, b) => {
    const c = compare(key(a), key(b)) || compare(listable.id(a), listable.id(b));
    return desc ? -c : c;
  });
  const totalSize = rows.length;
  if (after) {
    const tokenValue = after.SortByFieldValue;
    rows = rows.filter((r) => {
      const c = compare(key(r), sortField ? tokenValue : after!.KeyFieldValue) || compare(listable.id(r), after!.KeyFieldValue);
      return desc ? c <= 0 : c >= 0;
    });
  }
  const page = rows.slice(0, size);
  let nextPageToken = '';
  const next = rows[size];
  if (next !== undefined) {
    const token: PageToken = { SortByFieldName: sortField, SortByFieldValue: key(next), KeyFieldValue: listable.id(next), IsDesc: desc, Filter: filterText };
    nextPageToken = Buffer.from(JSON.stringify(token)).toString('base64');
  }
  return { rows: page, totalSize, nextPageToken };
}

function compare(a: FieldValue, b: FieldValue): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

type RowPredicate<T> = (row: T) => boolean;

function parseFilter<T>(text: string, listable: Listable<T>): Array<RowPredicate<T>> {
  if (!text) return [];
  let filter: { predicates?: Predicate[] };
  let decoded = text;
  try { decoded = decodeURIComponent(text); } catch { /* already decoded */ }
  try {
    filter = JSON.parse(decoded) as { predicates?: Predicate[] };
    if (!filter || typeof filter !== 'object' || Array.isArray(filter)) throw new Error('not an object');
  } catch (e) {
    throw invalidInput(`failed to parse valid filter from ${JSON.stringify(text)}: ${(e as Error).message}`);
  }
  const known = new Set(['predicates']);
  for (const k of Object.keys(filter)) if (!known.has(k)) throw invalidInput(`failed to parse valid filter from ${JSON.stringify(text)}: unknown field "${k}"`);
  return (filter.predicates ?? []).map((p) => predicate(p, listable));
}

function predicate<T>(p: Predicate, listable: Listable<T>): RowPredicate<T> {
  const key = p.key ?? '';
  const get = listable.fields[key];
  if (!get) throw invalidInput(`no support for filtering on unrecognized field ${JSON.stringify(key)}`);
  const isTime = listable.timestampFields?.includes(key) ?? false;
  const scalar = (): FieldValue => {
    if (p.timestamp_value !== undefined) return Math.floor(Date.parse(p.timestamp_value) / 1000);
    if (p.long_value !== undefined) return Number(p.long_value);
    if (p.int_value !== undefined) return p.int_value;
    if (p.string_value !== undefined) return normalizeEnum(key, p.string_value);
    throw invalidInput(`Filter predicate ${JSON.stringify(p)} has no value`);
  };
  const list = (): FieldValue[] => {
    const vals = p.string_values?.values ?? p.int_values?.values ?? p.long_values?.values?.map(Number);
    if (!vals) throw invalidInput(`Filter predicate ${JSON.stringify(p)}: IN needs one of string_values, int_values, long_values`);
    return vals.map((v) => (typeof v === 'string' ? normalizeEnum(key, v) : v));
  };
  const op = p.operation ?? 'OPERATION_UNSPECIFIED';
  const val = (row: T): FieldValue => {
    const v = get(row);
    return isTime && v === undefined ? 0 : v;
  };
  switch (op) {
    case 'EQUALS': { const x = scalar(); return (r) => compare(val(r), x) === 0; }
    case 'NOT_EQUALS': { const x = scalar(); return (r) => compare(val(r), x) !== 0; }
    case 'GREATER_THAN': { const x = scalar(); return (r) => compare(val(r), x) > 0; }
    case 'GREATER_THAN_EQUALS': { const x = scalar(); return (r) => compare(val(r), x) >= 0; }
    case 'LESS_THAN': { const x = scalar(); return (r) => compare(val(r), x) < 0; }
    case 'LESS_THAN_EQUALS': { const x = scalar(); return (r) => compare(val(r), x) <= 0; }
    case 'IN': { const xs = list(); return (r) => xs.some((x) => compare(val(r), x) === 0); }
    case 'IS_SUBSTRING': {
      if (p.string_value === undefined) throw invalidInput(`Filter predicate ${JSON.stringify(p)}: IS_SUBSTRING needs string_value`);
      const x = p.string_value;
      return (r) => String(val(r) ?? '').includes(x);
    }
    default:
      throw invalidInput(`invalid predicate operation: ${op}`);
  }
}

/** The DB keeps v1 spellings for some enums; the v2 API accepts the v2 names (and the stand-in the v1 ones too). */
function normalizeEnum(key: string, v: string): string {
  if (key === 'storage_state') return v.replace(/^STORAGESTATE_/, '');
  return v;
}
