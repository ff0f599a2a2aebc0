// MLMD's execution states (NEW, RUNNING, COMPLETE, FAILED, CACHED, CANCELED) as the run outputs panel and Compare
// Runs show them. No imports: the webview bundles it.

/** `Complete`, `Cached`, `Failed`…; a cache hit MLMD records as COMPLETE says that it came from the cache. */
export function executionStateLabel(state: string, cached: boolean): string {
  const label = state.charAt(0) + state.slice(1).toLowerCase();
  return cached && state !== 'CACHED' ? `${label} (from cache)` : label;
}
