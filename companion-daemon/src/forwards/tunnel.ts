/**
 * One client connection through the Kubernetes API: a WebSocket port-forward (client-node's PortForward, protocol
 * v4.channel.k8s.io) to one pod port, spliced to the local socket with backpressure both ways.
 */
import { KubeConfig, PortForward } from '@kubernetes/client-node';
import type net from 'node:net';
import { Writable } from 'node:stream';
import type WebSocket from 'ws';

export interface TunnelCounters {
  bytesIn: number;
  bytesOut: number;
}

/** Upload data queued in the WebSocket above this pauses the local socket. */
const HIGH_WATER = 4 * 1024 * 1024;

/**
 * Opens the tunnel for `socket`. Resolves once the WebSocket is open (the socket then flows), rejects if the
 * upgrade fails (pod gone, forbidden): the caller decides whether to retry or drop the socket.
 */
export async function openTunnel(
  kc: KubeConfig,
  namespace: string,
  pod: string,
  port: number,
  socket: net.Socket,
  counters: TunnelCounters,
  onError: (message: string) => void,
): Promise<void> {
  // Set once the upgrade succeeds; the writers below run only after that.
  const link: { ws?: WebSocket } = {};
  const toClient = new Writable({
    write(chunk: Buffer, _enc, cb) {
      counters.bytesOut += chunk.length;
      if (!socket.write(chunk) && link.ws) {
        link.ws.pause();
        socket.once('drain', () => link.ws?.resume());
      }
      cb();
    },
  });
  let errText = '';
  const errors = new Writable({
    write(chunk: Buffer, _enc, cb) {
      errText += chunk.toString('utf8');
      cb();
    },
  });
  const forward = new PortForward(kc, true);
  socket.pause();
  const ws = (await forward.portForward(namespace, pod, [port], toClient, errors, socket)) as unknown as WebSocket;
  link.ws = ws;
  socket.on('data', (d: Buffer) => {
    counters.bytesIn += d.length;
    if (ws.bufferedAmount > HIGH_WATER && !socket.isPaused()) {
      socket.pause();
      const poll = setInterval(() => {
        if (ws.readyState !== ws.OPEN || ws.bufferedAmount < HIGH_WATER / 4) {
          clearInterval(poll);
          socket.resume();
        }
      }, 5);
    }
  });
  ws.on('close', () => {
    if (errText.trim()) onError(errText.trim());
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
  });
  ws.on('error', (e) => onError(e.message));
  socket.on('error', () => ws.terminate());
  socket.on('close', () => {
    if (ws.readyState === ws.OPEN) ws.close();
  });
  socket.resume();
}
