/**
 * One tunnel through the Kubernetes API to one pod port over the `v4.channel.k8s.io` WebSocket protocol: the
 * fallback for API servers without SPDY tunnelling (before Kubernetes 1.30, or with PortForwardWebsockets off),
 * one WebSocket per local connection. Every message starts with its channel byte (0 data, 1 error), and each
 * channel's first two bytes are the port number.
 *
 * A tunnel can be opened before a client needs it and attached when one connects, so a new connection does not
 * wait for a TLS handshake and an upgrade. Bytes the pod sends before the attach are queued.
 */
import type net from 'node:net';
import type WebSocket from 'ws';
import type { TunnelCounters } from './session';

export const V4_PROTOCOL = 'v4.channel.k8s.io';

export interface Tunnel {
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

/** Wraps an open WebSocket that negotiated v4.channel.k8s.io for one port. */
export function v4Tunnel(ws: WebSocket, onError: (message: string) => void): Tunnel {
  const link: { socket?: net.Socket; counters?: TunnelCounters } = {};
  const early: Buffer[] = [];
  /** Channel bytes still to skip: the port number each channel starts with. */
  const portBytes = [2, 2];
  let errText = '';
  let paused = false;
  let open = true;

  const toClient = (chunk: Buffer) => {
    const { socket, counters } = link;
    if (!socket || !counters) {
      early.push(chunk);
      return;
    }
    counters.bytesOut += chunk.length;
    socket.write(chunk);
    // Pause the tunnel only when the client is really behind: pausing at every full socket buffer (16 KB) would
    // stop the stream after each message.
    if (socket.writableLength > DOWNLOAD_BUFFER && !paused) {
      paused = true;
      ws.pause();
      socket.once('drain', () => {
        paused = false;
        ws.resume();
      });
    }
  };
  ws.on('message', (data: Buffer) => {
    const channel = data[0];
    let payload = data.subarray(1);
    if (channel > 1) return;
    if (portBytes[channel] > 0) {
      const skip = Math.min(portBytes[channel], payload.length);
      portBytes[channel] -= skip;
      payload = payload.subarray(skip);
    }
    if (!payload.length) return;
    if (channel === 0) toClient(payload);
    else errText += payload.toString('utf8');
  });
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
    openedAt: Date.now(),
    isOpen: () => open && ws.readyState === ws.OPEN,
    close: () => ws.close(),
    attach(socket, counters) {
      link.socket = socket;
      link.counters = counters;
      for (const chunk of early.splice(0)) toClient(chunk);
      socket.on('data', (d: Buffer) => {
        counters.bytesIn += d.length;
        const msg = Buffer.allocUnsafe(d.length + 1);
        msg[0] = 0;
        d.copy(msg, 1);
        const full = ws.bufferedAmount + msg.length > HIGH_WATER;
        if (full) socket.pause();
        // When the WebSocket has too much queued, the socket resumes once this chunk has gone out.
        ws.send(msg, full ? () => socket.resume() : undefined);
      });
      // v4 has no half-close: the client's end closes the tunnel.
      socket.on('end', () => ws.close());
      socket.on('error', () => ws.terminate());
      socket.on('close', () => {
        if (ws.readyState === ws.OPEN) ws.close();
      });
      if (!open) socket.end();
      socket.resume();
    },
  };
}
