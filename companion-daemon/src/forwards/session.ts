/**
 * A multiplexed port-forward session to one pod: one WebSocket that speaks SPDY/3.1 tunnelled in binary messages
 * (subprotocol `SPDY/3.1+portforward.k8s.io`, what kubectl 1.31+ uses), carrying any number of local connections
 * as stream pairs, as kubectl does:
 *
 * - per connection, an error stream then a data stream, both with headers `streamtype`, `port` and a shared
 *   `requestid`; the error stream is half-closed at once and carries the pod side's error text, if any;
 * - the data stream carries the bytes both ways; a FIN ends one direction, RST_STREAM drops the connection.
 *
 * Frames are sent without waiting for SYN_REPLY (the server handles a stream's frames in order), and one stream
 * pair is opened ahead of the next connection (`prepare`), so the pod side has already dialled the port when a
 * client connects. The server (spdystream) has no flow control, so none is done here either: a client that reads
 * too slowly pauses the whole session, as it stalls kubectl's.
 */
import type net from 'node:net';
import type WebSocket from 'ws';
import { dataFrameHeader, FrameReader, FrameType, HeaderBlockWriter, MAX_FRAME_PAYLOAD, pingFrame, RstStatus, rstStreamFrame, synStreamFrame } from './spdy';

export const SPDY_TUNNELING_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

export interface TunnelCounters {
  bytesIn: number;
  bytesOut: number;
}

/** Upload data queued in the WebSocket above this pauses the local socket that sent it. */
const HIGH_WATER = 4 * 1024 * 1024;
/** Download data queued for a slow client above this pauses the session. */
const DOWNLOAD_BUFFER = 1024 * 1024;
/** Uploads up to this size go out as one WebSocket message with their frame header (requests, keystrokes). */
const SMALL_WRITE = 16 * 1024;
/** Keepalive: a PING this often (as kubectl), and the session is dropped if the answer takes longer than this. */
const PING_EVERY_MS = 10_000;
const PING_TIMEOUT_MS = 30_000;
/** The last stream id a session uses before it stops taking connections. */
const MAX_STREAM_ID = 0x7fffffff - 4;
/** A prepared stream pair older than this, or with this much unread data from the pod, is not used. */
const SPARE_MAX_AGE_MS = 5 * 60_000;
const SPARE_MAX_EARLY = 1024 * 1024;

interface StreamPair {
  port: number;
  errorId: number;
  dataId: number;
  openedAt: number;
  /** The client, once attached; until then what the pod sends waits in `early`. */
  socket?: net.Socket;
  counters?: TunnelCounters;
  early: Buffer[];
  earlyBytes: number;
  errorText: string;
  /** FIN sent (local side ended) / received (pod side ended). */
  sentFin: boolean;
  gotFin: boolean;
  done: boolean;
}

export class SpdySession {
  private readonly headers = new HeaderBlockWriter();
  private readonly reader: FrameReader;
  private readonly byStream = new Map<number, StreamPair>();
  private spare: StreamPair | undefined;
  private nextStreamId = 1;
  private nextRequestId = 0;
  private goingAway = false;
  private closed = false;
  /** Streams whose client is behind; the session reads nothing while any is. */
  private readonly behind = new Set<StreamPair>();
  /** Sockets whose writes are held until the current batch of frames is handled. */
  private readonly corked = new Set<net.Socket>();
  private pingId = 1;
  private pingSentAt = 0;
  private readonly keepalive: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    private readonly onError: (message: string) => void,
  ) {
    this.reader = new FrameReader({
      data: (id, chunk, fin) => this.onData(id, chunk, fin),
      control: (type, _flags, payload) => this.onControl(type, payload),
    });
    ws.on('message', (data: Buffer) => {
      try {
        this.reader.push(data);
      } catch (e) {
        this.onError(`bad SPDY frame: ${(e as Error).message}`);
        ws.terminate();
      }
    });
    ws.on('close', () => this.teardown());
    ws.on('error', (e) => this.onError(e.message));
    this.keepalive = setInterval(() => this.ping(), PING_EVERY_MS);
    this.keepalive.unref();
  }

  /** True while new connections can be carried. */
  isOpen(): boolean {
    return !this.closed && !this.goingAway && this.ws.readyState === this.ws.OPEN && this.nextStreamId < MAX_STREAM_ID;
  }

  /** Ends the session and every connection it carries now (the closing handshake can wait for a server that is gone). */
  close(): void {
    this.goingAway = true;
    this.ws.close();
    this.teardown();
  }

  /** Takes no more connections and closes once the ones it carries are done. */
  closeWhenIdle(): void {
    this.goingAway = true;
    this.dropSpare();
    if (this.byStream.size === 0) this.ws.close();
  }

  /** Opens a stream pair to `port` ahead of the next connection, unless one is ready. */
  prepare(port: number): void {
    if (!this.isOpen() || (this.spare && this.usable(this.spare, port))) return;
    this.dropSpare();
    this.spare = this.open(port);
  }

  /** Splices `socket` to a stream pair to `port`: the prepared one if it is still good, else a new one. */
  attach(socket: net.Socket, port: number, counters: TunnelCounters): void {
    if (!this.isOpen()) throw new Error('the port-forward session is closed');
    let pair = this.spare;
    this.spare = undefined;
    if (!pair || !this.usable(pair, port)) {
      if (pair) this.finish(pair, true);
      pair = this.open(port);
    }
    pair.socket = socket;
    pair.counters = counters;
    for (const chunk of pair.early.splice(0)) this.toClient(pair, chunk);
    if (pair.gotFin) socket.end();

    socket.on('data', (d: Buffer) => {
      counters.bytesIn += d.length;
      const full = this.ws.bufferedAmount + d.length > HIGH_WATER;
      if (full) socket.pause();
      for (let off = 0; off < d.length; off += MAX_FRAME_PAYLOAD) {
        const piece = d.subarray(off, off + MAX_FRAME_PAYLOAD);
        const last = off + MAX_FRAME_PAYLOAD >= d.length;
        // When the WebSocket has too much queued, the socket resumes once this chunk has gone out.
        const sent = last && full ? () => socket.resume() : undefined;
        const header = dataFrameHeader(pair.dataId, piece.length);
        if (piece.length <= SMALL_WRITE) {
          this.send(Buffer.concat([header, piece]), sent);
        } else {
          // Header and payload as two messages (the server reads the messages as one byte stream, and kubectl
          // sends them so too): the payload goes out as it came, without a copy (dial.ts: zero mask over TLS).
          this.send(header);
          this.send(piece, sent);
        }
      }
    });
    socket.on('end', () => {
      if (pair.done || pair.sentFin) return;
      pair.sentFin = true;
      this.send(dataFrameHeader(pair.dataId, 0, true));
      if (pair.gotFin) this.finish(pair, false);
    });
    socket.on('close', () => this.finish(pair, !(pair.sentFin && pair.gotFin)));
    socket.on('error', () => socket.destroy());
    socket.resume();
  }

  private open(port: number): StreamPair {
    const pair: StreamPair = { port, errorId: this.nextStreamId, dataId: this.nextStreamId + 2, openedAt: Date.now(), early: [], earlyBytes: 0, errorText: '', sentFin: false, gotFin: false, done: false };
    this.nextStreamId += 4;
    this.byStream.set(pair.errorId, pair).set(pair.dataId, pair);
    const common = [['port', String(port)], ['requestid', String(this.nextRequestId++)]] as const;
    this.send(synStreamFrame(pair.errorId, this.headers.block([['streamtype', 'error'], ...common])));
    this.send(dataFrameHeader(pair.errorId, 0, true)); // nothing is ever written to the error stream
    this.send(synStreamFrame(pair.dataId, this.headers.block([['streamtype', 'data'], ...common])));
    return pair;
  }

  /** A prepared pair is usable while the pod side has neither ended nor failed it. */
  private usable(pair: StreamPair, port: number): boolean {
    return pair.port === port && !pair.done && !pair.gotFin && !pair.errorText && pair.earlyBytes <= SPARE_MAX_EARLY && Date.now() - pair.openedAt < SPARE_MAX_AGE_MS;
  }

  private dropSpare(): void {
    if (this.spare) this.finish(this.spare, true);
    this.spare = undefined;
  }

  private onData(streamId: number, chunk: Buffer, fin: boolean): void {
    const pair = this.byStream.get(streamId);
    if (!pair) return;
    if (streamId === pair.errorId) {
      pair.errorText += chunk.toString('utf8');
      if (fin) {
        this.byStream.delete(streamId);
        const text = pair.errorText.trim();
        if (text) {
          this.onError(text);
          pair.socket?.destroy();
        }
      }
      return;
    }
    if (chunk.length) this.toClient(pair, chunk);
    if (fin) {
      pair.gotFin = true;
      if (!pair.socket) return;
      pair.socket.end();
      if (pair.sentFin) this.finish(pair, false);
    }
  }

  private toClient(pair: StreamPair, chunk: Buffer): void {
    const { socket, counters } = pair;
    if (!socket || !counters) {
      pair.early.push(chunk);
      pair.earlyBytes += chunk.length;
      if (pair.earlyBytes > SPARE_MAX_EARLY && pair === this.spare) this.dropSpare();
      return;
    }
    counters.bytesOut += chunk.length;
    this.corkUntilIdle(socket);
    socket.write(chunk);
    // Pause only when the client is really behind: pausing at every full socket buffer would stop the session
    // after every frame.
    if (socket.writableLength > DOWNLOAD_BUFFER && !this.behind.has(pair)) {
      this.behind.add(pair);
      if (this.behind.size === 1) this.ws.pause();
      const caughtUp = () => {
        socket.off('drain', caughtUp).off('close', caughtUp);
        this.behind.delete(pair);
        if (this.behind.size === 0 && !this.closed) this.ws.resume();
      };
      socket.on('drain', caughtUp).on('close', caughtUp);
    }
  }

  /**
   * Holds writes to `socket` until the frames that arrived together are handled, so they go out in one write:
   * the API server sends a DATA frame as several WebSocket messages (one per TLS record it read).
   */
  private corkUntilIdle(socket: net.Socket): void {
    if (this.corked.has(socket)) return;
    socket.cork();
    this.corked.add(socket);
    if (this.corked.size === 1) {
      setImmediate(() => {
        for (const s of this.corked) s.uncork();
        this.corked.clear();
      });
    }
  }

  private onControl(type: number, payload: Buffer): void {
    switch (type) {
      case FrameType.RstStream: {
        const id = payload.readUInt32BE(0) & 0x7fffffff;
        const pair = this.byStream.get(id);
        // A reset error stream only means the pod side is done with it; a reset data stream drops the connection.
        if (pair && id === pair.dataId) {
          this.finish(pair, false);
          pair.socket?.destroy();
        }
        break;
      }
      case FrameType.Ping: {
        const id = payload.readUInt32BE(0);
        // Odd ids are ours (the answer); even ids are the server's, to be echoed.
        if (id % 2 === 0) this.send(pingFrame(id));
        else this.pingSentAt = 0;
        break;
      }
      case FrameType.GoAway:
        this.goingAway = true;
        break;
      // SYN_REPLY, SETTINGS, WINDOW_UPDATE, HEADERS: nothing to do.
    }
  }

  /** Forgets a stream pair; `reset` tells the server to drop what it still has for it. */
  private finish(pair: StreamPair, reset: boolean): void {
    if (pair.done) return;
    pair.done = true;
    if (this.spare === pair) this.spare = undefined;
    this.byStream.delete(pair.dataId);
    this.byStream.delete(pair.errorId);
    if (reset && !this.closed) {
      this.send(rstStreamFrame(pair.dataId, RstStatus.Cancel));
      this.send(rstStreamFrame(pair.errorId, RstStatus.Cancel));
    }
    if (this.goingAway && this.byStream.size === 0) this.ws.close();
  }

  private ping(): void {
    if (this.closed) return;
    if (this.pingSentAt && Date.now() - this.pingSentAt > PING_TIMEOUT_MS) {
      this.onError('the port-forward session stopped answering pings');
      this.ws.terminate();
      return;
    }
    if (this.pingSentAt) return;
    this.pingSentAt = Date.now();
    this.send(pingFrame(this.pingId));
    this.pingId = this.pingId < 0x7ffffff0 ? this.pingId + 2 : 1; // ours stay odd
  }

  private send(frame: Buffer, sent?: () => void): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(frame, sent);
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepalive);
    for (const pair of new Set(this.byStream.values())) {
      pair.done = true;
      const s = pair.socket;
      if (!s) continue;
      s.end();
      setTimeout(() => s.destroy(), 1000).unref();
    }
    this.byStream.clear();
    this.spare = undefined;
  }
}
