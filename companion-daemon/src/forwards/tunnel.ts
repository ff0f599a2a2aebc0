/**
 * One tunnel through the Kubernetes API to one pod port: a WebSocket port-forward (client-node's PortForward,
 * protocol v4.channel.k8s.io), spliced to a local socket with backpressure both ways.
 *
 * A tunnel is opened before a client needs it (`prepareTunnel`) and attached to the client's socket when one
 * connects, so a new connection does not wait for a TLS handshake and an upgrade: kubectl gets the same effect by
 * keeping one multiplexed connection open. Bytes the pod sends before the attach are queued.
 */
import { KubeConfig, PortForward } from '@kubernetes/client-node';
import type net from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import type WebSocket from 'ws';

export interface TunnelCounters {
  bytesIn: number;
  bytesOut: number;
}

export interface Tunnel {
  readonly pod: string;
  readonly openedAt: number;
  /** False once the pod side closed it (pod gone, target closed the connection). */
  isOpen(): boolean;
  /** Splices the tunnel to a client socket. Once only. */
  attach(socket: net.Socket, counters: TunnelCounters): void;
  close(): void;
}

/** Upload data queued in the WebSocket above this pauses the local socket. */
const HIGH_WATER = 4 * 1024 * 1024;
/** Download data queued for a slow client above this pauses the tunnel. */
const DOWNLOAD_BUFFER = 1024 * 1024;

/** Opens a tunnel to `pod:port`. Rejects if the upgrade fails (pod gone, forbidden, unreachable). */
export async function prepareTunnel(kc: KubeConfig, namespace: string, pod: string, port: number, onError: (message: string) => void): Promise<Tunnel> {
  const link: { ws?: WebSocket; socket?: net.Socket; counters?: TunnelCounters } = {};
  const early: Buffer[] = [];
  let paused = false;
  const toClient = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const { socket, counters, ws } = link;
      if (!socket || !counters) {
        early.push(chunk);
        return cb();
      }
      counters.bytesOut += chunk.length;
      socket.write(chunk);
      // Pause the tunnel only when the client is really behind: pausing at every full socket buffer (16 KB) would
      // stop the stream after each 32 KB message.
      if (ws && socket.writableLength > DOWNLOAD_BUFFER && !paused) {
        paused = true;
        ws.pause();
        socket.once('drain', () => {
          paused = false;
          ws.resume();
        });
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
  const input = new PassThrough();
  const ws = (await new PortForward(kc, true).portForward(namespace, pod, [port], toClient, errors, input)) as unknown as WebSocket;
  link.ws = ws;
  let open = true;
  ws.on('close', () => {
    open = false;
    if (errText.trim()) onError(errText.trim());
    const s = link.socket;
    if (s) {
      s.end();
      setTimeout(() => s.destroy(), 1000).unref();
    }
  });
  ws.on('error', (e) => onError(e.message));

  return {
    pod,
    openedAt: Date.now(),
    isOpen: () => open && ws.readyState === ws.OPEN,
    close: () => ws.close(),
    attach(socket, counters) {
      link.socket = socket;
      link.counters = counters;
      for (const chunk of early.splice(0)) {
        counters.bytesOut += chunk.length;
        socket.write(chunk);
      }
      socket.on('data', (d: Buffer) => {
        counters.bytesIn += d.length;
        input.write(d);
        if (ws.bufferedAmount > HIGH_WATER && !socket.isPaused()) {
          // ws has no 'drain' event; check the send queue until it has room again.
          socket.pause();
          const poll = setInterval(() => {
            if (ws.readyState !== ws.OPEN || ws.bufferedAmount < HIGH_WATER / 4) {
              clearInterval(poll);
              socket.resume();
            }
          }, 5);
        }
      });
      socket.on('end', () => input.end());
      socket.on('error', () => ws.terminate());
      socket.on('close', () => {
        if (ws.readyState === ws.OPEN) ws.close();
      });
      if (!open) socket.end();
      socket.resume();
    },
  };
}
