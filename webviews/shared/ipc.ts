// The webview end of the typed extension ↔ webview channel, shared by every panel. The host end is
// extension/webviews/host.ts: it queues its messages until this side says `ready`.
import type { RestoreMessage, SavedState } from './protocol';

/** Every message is an object with a `type`. `ready` (webview → extension) is reserved for the handshake. */
export interface Message {
  type: string;
}

export interface ReadyMessage {
  type: 'ready';
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Channel<Out extends Message, State> {
  post(message: Out): void;
  /** The state VS Code keeps while the panel is hidden or the window reloads. */
  state(): State | undefined;
  setState(state: State): void;
}

/**
 * Connects once per page: registers `onMessage` for messages from the extension, then announces `ready`.
 * `acquireVsCodeApi` may be called only once, so a page calls this once.
 */
export function connect<In extends Message, Out extends Message, State = unknown>(onMessage: (message: In) => void): Channel<Out, State> {
  const api = acquireVsCodeApi();
  const saved = (): SavedState<State> => (api.getState() as SavedState<State> | undefined) ?? {};
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const data = event.data;
    if (!data || typeof data !== 'object' || typeof (data as Message).type !== 'string') return;
    if ((data as Message).type === 'kubeflow.restore') api.setState({ ...saved(), host: (data as RestoreMessage).data } satisfies SavedState<State>);
    else onMessage(data as In);
  });
  const channel: Channel<Out, State> = {
    post: (message) => api.postMessage(message),
    state: () => saved().page,
    setState: (state) => api.setState({ ...saved(), page: state } satisfies SavedState<State>),
  };
  api.postMessage({ type: 'ready' } satisfies ReadyMessage);
  return channel;
}

/** The CSP nonce the host put in `<meta property="csp-nonce">`, for `<style>` elements a panel adds. */
export function cspNonce(): string {
  return document.querySelector('meta[property="csp-nonce"]')?.getAttribute('content') ?? '';
}

/** Adds a stylesheet (bundled as text) under the page's nonce. */
export function addStyles(css: string): void {
  const style = document.createElement('style');
  style.nonce = cspNonce();
  style.textContent = css;
  document.head.appendChild(style);
}
