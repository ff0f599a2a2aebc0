/**
 * SPDY/3.1 framing, as far as Kubernetes port-forward needs it (the frames moby/spdystream sends and reads on
 * the kubelet, kwok and the apiserver side). Pure: frames in, frames out, no I/O.
 *
 * Framing (SPDY/3 draft, section 2.2): every frame has an 8-byte header. Control frames: 1 bit C=1, 15 bits
 * version (3), 16 bits type, 8 bits flags, 24 bits length. Data frames: C=0, 31 bits stream id, 8 bits flags,
 * 24 bits length. Name/value header blocks are zlib streams (one per connection and direction) primed with the
 * SPDY/3 dictionary.
 *
 * Header blocks are written as stored (uncompressed) deflate blocks, each ended like a zlib sync flush: a valid
 * continuation of the zlib stream that any inflater primed with the dictionary reads, without a deflate context
 * per connection; the blocks are a few dozen bytes. Header blocks the peer sends (SYN_REPLY, HEADERS) carry nothing a port-forward client needs, so
 * they are not inflated.
 */

export const SPDY_VERSION = 3;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** FLAG_FIN on DATA, SYN_STREAM and SYN_REPLY frames: the sender's last frame on the stream. */
export const FLAG_FIN = 0x01;

/** RST_STREAM status codes used here. */
export const RstStatus = {
  ProtocolError: 1,
  Cancel: 5,
} as const;
export type RstStatus = (typeof RstStatus)[keyof typeof RstStatus];

/** The largest payload of one frame (24-bit length). */
export const MAX_FRAME_PAYLOAD = 0xffffff;

/** Adler-32 of the SPDY/3 header dictionary: the DICTID of every header zlib stream. */
const SPDY3_DICTIONARY_ID = 0xe3c6a7c2;

export type HeaderPairs = ReadonlyArray<readonly [name: string, value: string]>;

/** Writes one direction's header blocks: the zlib stream header once, then one stored block per header block. */
export class HeaderBlockWriter {
  private started = false;

  block(headers: HeaderPairs): Buffer {
    const parts: Buffer[] = [];
    const u32 = (n: number) => {
      const b = Buffer.allocUnsafe(4);
      b.writeUInt32BE(n);
      parts.push(b);
    };
    u32(headers.length);
    for (const [name, value] of headers) {
      const n = Buffer.from(name.toLowerCase(), 'utf8');
      const v = Buffer.from(value, 'utf8');
      u32(n.length);
      parts.push(n);
      u32(v.length);
      parts.push(v);
    }
    const raw = Buffer.concat(parts);
    const out: Buffer[] = [];
    if (!this.started) {
      // CMF 0x78 (deflate, 32 KB window), FLG 0xbb (FDICT, check bits), DICTID.
      const head = Buffer.from([0x78, 0xbb, 0, 0, 0, 0]);
      head.writeUInt32BE(SPDY3_DICTIONARY_ID, 2);
      out.push(head);
      this.started = true;
    }
    for (let off = 0; off === 0 || off < raw.length; off += 0xffff) {
      const piece = raw.subarray(off, off + 0xffff);
      // BFINAL=0, BTYPE=00 (stored), padded to the byte; LEN and NLEN little-endian.
      const h = Buffer.from([0, 0, 0, 0, 0]);
      h.writeUInt16LE(piece.length, 1);
      h.writeUInt16LE(~piece.length & 0xffff, 3);
      out.push(h, piece);
    }
    // An empty stored block, as a zlib sync flush ends: inflaters (Go's compress/flate) hand out a stored block's
    // bytes only when they see the next block header, and the next header block comes in another frame.
    out.push(Buffer.from([0, 0, 0, 0xff, 0xff]));
    return Buffer.concat(out);
  }
}

function controlHeader(type: FrameType, flags: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(8 + length);
  b.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  b.writeUInt16BE(type, 2);
  b.writeUInt32BE(((flags & 0xff) << 24) | length, 4);
  return b;
}

export function synStreamFrame(streamId: number, headerBlock: Buffer, flags = 0): Buffer {
  const b = controlHeader(FrameType.SynStream, flags, 10 + headerBlock.length);
  b.writeUInt32BE(streamId & 0x7fffffff, 8);
  b.writeUInt32BE(0, 12); // associated-to stream
  b.writeUInt16BE(0, 16); // priority 0 (highest), slot 0
  headerBlock.copy(b, 18);
  return b;
}

/** The 8-byte header of a DATA frame carrying `length` bytes. */
export function dataFrameHeader(streamId: number, length: number, fin = false): Buffer {
  if (length > MAX_FRAME_PAYLOAD) throw new RangeError(`DATA frame of ${length} bytes`);
  const b = Buffer.allocUnsafe(8);
  b.writeUInt32BE(streamId & 0x7fffffff, 0);
  b.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24) | length, 4);
  return b;
}

export function rstStreamFrame(streamId: number, status: RstStatus): Buffer {
  const b = controlHeader(FrameType.RstStream, 0, 8);
  b.writeUInt32BE(streamId & 0x7fffffff, 8);
  b.writeUInt32BE(status, 12);
  return b;
}

export function pingFrame(id: number): Buffer {
  const b = controlHeader(FrameType.Ping, 0, 4);
  b.writeUInt32BE(id >>> 0, 8);
  return b;
}

export function goAwayFrame(lastGoodStreamId: number, status = 0): Buffer {
  const b = controlHeader(FrameType.GoAway, 0, 8);
  b.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 8);
  b.writeUInt32BE(status, 12);
  return b;
}

export interface FrameHandlers {
  /**
   * A piece of a DATA frame's payload, passed on as it arrives (a view into the received buffer, not a copy);
   * `fin` on the last piece of a frame that has FLAG_FIN. A frame with no payload gives one empty piece.
   */
  data(streamId: number, chunk: Buffer, fin: boolean): void;
  /** A whole control frame. `payload` is everything after the 8-byte header. */
  control(type: number, flags: number, payload: Buffer): void;
}

/** Cuts a byte stream (delivered in any pieces) into frames. */
export class FrameReader {
  private readonly head = Buffer.alloc(8);
  private headLen = 0;
  /** The frame being read, once its header is complete. */
  private frame: { control: boolean; id: number; flags: number; remaining: number; parts: Buffer[] } | undefined;

  constructor(private readonly handlers: FrameHandlers) {}

  push(buf: Buffer): void {
    let off = 0;
    while (off < buf.length) {
      const f = this.frame;
      if (!f) {
        const n = Math.min(8 - this.headLen, buf.length - off);
        buf.copy(this.head, this.headLen, off, off + n);
        this.headLen += n;
        off += n;
        if (this.headLen < 8) return;
        this.headLen = 0;
        const first = this.head.readUInt32BE(0);
        const word = this.head.readUInt32BE(4);
        const control = (first & 0x80000000) !== 0;
        const next = { control, id: control ? first & 0xffff : first & 0x7fffffff, flags: word >>> 24, remaining: word & 0xffffff, parts: [] as Buffer[] };
        if (control && ((first >>> 16) & 0x7fff) !== SPDY_VERSION) throw new Error(`SPDY version ${(first >>> 16) & 0x7fff} frame; only version 3 is spoken`);
        if (next.remaining === 0) {
          if (control) this.handlers.control(next.id, next.flags, Buffer.alloc(0));
          else this.handlers.data(next.id, Buffer.alloc(0), (next.flags & FLAG_FIN) !== 0);
          continue;
        }
        this.frame = next;
        continue;
      }
      const n = Math.min(f.remaining, buf.length - off);
      // Most messages are nothing but payload: pass them on as they are.
      const piece = off === 0 && n === buf.length ? buf : buf.subarray(off, off + n);
      off += n;
      f.remaining -= n;
      if (!f.control) {
        if (f.remaining === 0) this.frame = undefined;
        this.handlers.data(f.id, piece, f.remaining === 0 && (f.flags & FLAG_FIN) !== 0);
        continue;
      }
      f.parts.push(piece);
      if (f.remaining === 0) {
        this.frame = undefined;
        this.handlers.control(f.id, f.flags, f.parts.length === 1 ? f.parts[0] : Buffer.concat(f.parts));
      }
    }
  }
}
