// Messages every panel shares, handled by webviews/shared/ipc.ts and extension/webviews/host.ts (not by the panels).
// DOM-free: the extension imports these types.

/**
 * Extension → webview, handled by ipc.ts: what the extension needs to bring the panel back after a window reload (the
 * file, the run, the model it shows). Kept in the page's VS Code state next to the page's own state, and handed to
 * the extension's `WebviewPanelSerializer` as `host`.
 */
export interface RestoreMessage {
  type: 'kubeflow.restore';
  data: unknown;
}

/** The state VS Code keeps for a panel: the page's own part and the extension's restore data. */
export interface SavedState<State> {
  page?: State;
  host?: unknown;
}
