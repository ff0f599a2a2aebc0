/**
 * Opens the WebSocket of a pod's portforward subresource with client-node's auth plumbing
 * (KubeConfig.applyToHTTPSOptions: CA, client certificates, tokens, exec plugins) on the `ws` package, offering
 * the subprotocols the caller speaks; the server picks one.
 *
 * `SPDY/3.1+portforward.k8s.io` is not an RFC 7230 token (it has a '/'), which `ws` refuses to offer or accept,
 * so the Sec-WebSocket-Protocol header is written and checked here instead.
 *
 * Over TLS the frames we send carry a zero mask, which `ws` takes as "skip masking": no copy and no XOR in
 * JavaScript per uploaded byte (what held uploads to half kubectl's rate). Masking (RFC 6455 §10.3) keeps script in a
 * browser from steering the bytes a cleartext proxy sees; inside TLS no intermediary reads the frames, and the bytes
 * are the user's own. A plain `http://` server keeps random masks.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type http from 'node:http';
import type https from 'node:https';
import WebSocket from 'ws';

export interface PortForwardSocket {
  /** Open and paused: `resume()` it once its 'message' handler is on. */
  ws: WebSocket;
  /** The subprotocol the server picked. */
  protocol: string;
}

const zeroMask = (mask: Buffer): void => void mask.fill(0);

export async function dialPortForward(kc: KubeConfig, namespace: string, pod: string, port: number, protocols: readonly string[]): Promise<PortForwardSocket> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('No cluster is defined.');
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const url = `${cluster.server.replace(/^http/, 'ws').replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/portforward?ports=${port}`;
  const ws = new WebSocket(url, {
    ...(url.startsWith('wss:') ? { generateMask: zeroMask } : {}),
    ...(opts as WebSocket.ClientOptions),
    headers: { ...(opts.headers as Record<string, string> | undefined), 'Sec-WebSocket-Protocol': protocols.join(', ') },
    // Port-forward payloads are whatever the pod serves; the API server does not compress them either.
    perMessageDeflate: false,
    skipUTF8Validation: true,
  });
  let protocol = '';
  ws.once('upgrade', (res: http.IncomingMessage) => {
    const picked = res.headers['sec-websocket-protocol'];
    delete res.headers['sec-websocket-protocol'];
    if (typeof picked === 'string' && protocols.includes(picked)) protocol = picked;
  });
  await new Promise<void>((resolve, reject) => {
    const settle = (err?: Error) => {
      ws.off('open', opened).off('error', settle);
      if (err) reject(err);
      else resolve();
    };
    const opened = () => {
      // Paused until the caller has its message handler on: the first frames (v4 sends each channel's port number
      // at once) may come in the same chunk as the upgrade answer, and 'message' events without a listener are lost.
      ws.pause();
      if (protocol) return settle();
      ws.terminate();
      settle(new Error(`the API server speaks none of the port-forward protocols ${protocols.join(', ')}`));
    };
    ws.on('open', opened).on('error', settle);
  });
  return { ws, protocol };
}

