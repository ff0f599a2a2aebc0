// List filters and sorting of the KFP API: predicates (AND-ed) sent as the JSON `filter` query parameter, and
// `sort_by` = "<field>" or "<field> desc". Browser-safe.
import type { Filter, Predicate, PredicateOperation } from './types';

/** Fields the server accepts for filtering and sorting, per collection (model `APIToModelFieldMap`). */
export const FILTER_KEYS = {
  runs: ['run_id', 'display_name', 'created_at', 'finished_at', 'scheduled_at', 'description', 'storage_state', 'namespace', 'experiment_id', 'state', 'recurring_run_id'],
  experiments: ['experiment_id', 'display_name', 'created_at', 'last_run_created_at', 'description', 'namespace', 'storage_state'],
  pipelines: ['pipeline_id', 'display_name', 'name', 'created_at', 'description', 'namespace'],
  pipelineVersions: ['pipeline_version_id', 'display_name', 'name', 'created_at', 'description'],
  recurringRuns: ['recurring_run_id', 'display_name', 'created_at', 'updated_at', 'description'],
} as const;

export type Sort = string | { field: string; desc?: boolean };

export function sortBy(sort: Sort | undefined): string | undefined {
  if (sort === undefined) return undefined;
  if (typeof sort === 'string') return sort;
  return sort.desc ? `${sort.field} desc` : sort.field;
}

/** A predicate on a string field. */
export function eq(key: string, value: string): Predicate {
  return { key, operation: 'EQUALS', string_value: value };
}

export function notEq(key: string, value: string): Predicate {
  return { key, operation: 'NOT_EQUALS', string_value: value };
}

export function substring(key: string, value: string): Predicate {
  return { key, operation: 'IS_SUBSTRING', string_value: value };
}

export function oneOf(key: string, values: string[]): Predicate {
  return { key, operation: 'IN', string_values: { values } };
}

/** A time comparison (`created_at` after a date, …). */
export function time(key: string, operation: Extract<PredicateOperation, 'GREATER_THAN' | 'GREATER_THAN_EQUALS' | 'LESS_THAN' | 'LESS_THAN_EQUALS'>, at: Date | number): Predicate {
  return { key, operation, timestamp_value: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

/** The `filter` query value; undefined when there is nothing to filter on. */
export function filterParam(filter: Filter | Predicate[] | undefined): string | undefined {
  const predicates = Array.isArray(filter) ? filter : filter?.predicates;
  if (!predicates || predicates.length === 0) return undefined;
  return JSON.stringify({ predicates } satisfies Filter);
}
