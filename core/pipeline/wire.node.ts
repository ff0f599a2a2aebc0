// The extension host's side of the graph model's wire (wire.ts): the lean JSON bytes, gzipped in libuv's thread
// pool (so the extension host's thread only makes the JSON) when they are big enough for it to pay.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { PipelineModel } from './model';
import { encodeModel, type PackedModel } from './wire';

const gzipAsync = promisify(gzip);

/** Smaller models go as plain bytes: tens of milliseconds to carry, and the page has nothing to unpack. */
export const GZIP_ABOVE_BYTES = 1024 * 1024;

/** The model as the graph webview takes it (unpackModel in wire.ts reads it). */
export async function packModel(model: PipelineModel): Promise<PackedModel> {
  const bytes = encodeModel(model);
  if (bytes.byteLength <= GZIP_ABOVE_BYTES) return { model: bytes, gzip: false };
  const gz = await gzipAsync(bytes, { level: 1 });
  return { model: new Uint8Array(gz.buffer, gz.byteOffset, gz.byteLength), gzip: true };
}
