// SPDY/3 framing for port-forward sessions: header blocks any inflater reads, frames cut from a byte stream that
// arrives in arbitrary pieces (the API server splits frames across WebSocket messages at TLS record boundaries).
// The end-to-end check against the real apiserver + kwok (spdystream) is test/integration/daemon-forward.test.ts.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { dataFrameHeader, FLAG_FIN, FrameReader, FrameType, goAwayFrame, HeaderBlockWriter, pingFrame, RstStatus, rstStreamFrame, synStreamFrame } from '../../../companion-daemon/src/forwards/spdy';

/** Parses a SPDY/3 name/value block (32-bit counts and lengths). */
function nameValues(raw: Buffer): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let off = 4;
  for (let i = 0, n = raw.readUInt32BE(0); i < n; i++) {
    const nl = raw.readUInt32BE(off);
    const name = raw.subarray(off + 4, off + 4 + nl).toString();
    off += 4 + nl;
    const vl = raw.readUInt32BE(off);
    out.push([name, raw.subarray(off + 4, off + 4 + vl).toString()]);
    off += 4 + vl;
  }
  assert.equal(off, raw.length, 'nothing after the last pair');
  return out;
}

interface Seen {
  data: Map<number, Buffer[]>;
  fins: number[];
  control: Array<{ type: number; flags: number; payload: Buffer }>;
}

function reader(): { r: FrameReader; seen: Seen } {
  const seen: Seen = { data: new Map(), fins: [], control: [] };
  const r = new FrameReader({
    data: (id, chunk, fin) => {
      seen.data.set(id, [...(seen.data.get(id) ?? []), Buffer.from(chunk)]);
      if (fin) seen.fins.push(id);
    },
    control: (type, flags, payload) => seen.control.push({ type, flags, payload: Buffer.from(payload) }),
  });
  return { r, seen };
}

describe('SPDY/3 framing for port-forward', () => {
  it('writes header blocks as one zlib stream primed with the SPDY/3 dictionary, readable block by block', () => {
    const w = new HeaderBlockWriter();
    const first = w.block([['streamType', 'error'], ['port', '8888'], ['requestID', '0']]);
    const second = w.block([['streamtype', 'data'], ['port', '8888'], ['requestid', '0']]);
    // zlib header: deflate with a preset dictionary whose Adler-32 is the SPDY/3 dictionary's.
    assert.deepEqual([...first.subarray(0, 6)], [0x78, 0xbb, 0xe3, 0xc6, 0xa7, 0xc2]);
    assert.equal((0x78 * 256 + 0xbb) % 31, 0, 'zlib header check bits');
    // Each block ends like a sync flush, so an inflater gives out each block's bytes as soon as it has the block.
    const inflate = (b: Buffer) => zlib.inflateRawSync(b, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    assert.deepEqual(nameValues(inflate(first.subarray(6))), [['streamtype', 'error'], ['port', '8888'], ['requestid', '0']]);
    assert.deepEqual(nameValues(inflate(Buffer.concat([first.subarray(6), second])).subarray(inflate(first.subarray(6)).length)), [['streamtype', 'data'], ['port', '8888'], ['requestid', '0']]);
    assert.deepEqual([...second.subarray(-5)], [0, 0, 0, 0xff, 0xff]);
  });

  it('frames SYN_STREAM, DATA, RST_STREAM, PING and GOAWAY as SPDY/3 lays them out', () => {
    const block = new HeaderBlockWriter().block([['streamtype', 'data']]);
    const syn = synStreamFrame(5, block);
    assert.equal(syn.readUInt16BE(0), 0x8003, 'control bit + version 3');
    assert.equal(syn.readUInt16BE(2), FrameType.SynStream);
    assert.equal(syn.readUInt32BE(4), 10 + block.length, 'flags 0, length');
    assert.equal(syn.readUInt32BE(8), 5);
    assert.equal(syn.readUInt32BE(12), 0, 'associated-to stream');
    assert.deepEqual(syn.subarray(18), block);

    assert.deepEqual([...dataFrameHeader(7, 300, true)], [0, 0, 0, 7, FLAG_FIN, 0, 1, 44]);
    assert.deepEqual([...dataFrameHeader(7, 0)], [0, 0, 0, 7, 0, 0, 0, 0]);
    assert.throws(() => dataFrameHeader(7, 1 << 24), RangeError);
    assert.deepEqual([...rstStreamFrame(9, RstStatus.Cancel)], [0x80, 3, 0, 3, 0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0, 5]);
    assert.deepEqual([...pingFrame(3)], [0x80, 3, 0, 6, 0, 0, 0, 4, 0, 0, 0, 3]);
    assert.deepEqual([...goAwayFrame(11)], [0x80, 3, 0, 7, 0, 0, 0, 8, 0, 0, 0, 11, 0, 0, 0, 0]);
  });

  it('cuts frames out of a byte stream delivered in pieces of any size, passing DATA through as it comes', () => {
    const payloadA = Buffer.from('a'.repeat(1000));
    const payloadB = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    const stream = Buffer.concat([
      synStreamFrame(2, new HeaderBlockWriter().block([['x', 'y']])), // as a server-initiated stream would come
      dataFrameHeader(3, payloadA.length),
      payloadA,
      pingFrame(2),
      dataFrameHeader(1, 0, true),
      dataFrameHeader(3, payloadB.length, true),
      payloadB,
      rstStreamFrame(5, RstStatus.Cancel),
    ]);
    for (const size of [1, 2, 3, 7, 8, 9, 100, 4096, stream.length]) {
      const { r, seen } = reader();
      for (let off = 0; off < stream.length; off += size) r.push(stream.subarray(off, off + size));
      assert.deepEqual(Buffer.concat(seen.data.get(3)!), Buffer.concat([payloadA, payloadB]), `pieces of ${size}`);
      assert.deepEqual(Buffer.concat(seen.data.get(1)!), Buffer.alloc(0));
      assert.deepEqual(seen.fins, [1, 3], `FIN only on the last piece of a FIN frame (pieces of ${size})`);
      assert.deepEqual(seen.control.map((c) => c.type), [FrameType.SynStream, FrameType.Ping, FrameType.RstStream]);
      assert.equal(seen.control[1].payload.readUInt32BE(0), 2);
      assert.deepEqual([...seen.control[2].payload], [0, 0, 0, 5, 0, 0, 0, 5]);
    }
  });

  it('refuses control frames of another SPDY version', () => {
    const { r } = reader();
    const v2 = pingFrame(1);
    v2.writeUInt16BE(0x8002, 0);
    assert.throws(() => r.push(v2), /SPDY version 2/);
  });
});
