// The extension host's side of the graph model's wire (wire.ts): the lean JSON bytes, gzipped in libuv's thread
// pool so the extension host's thread only makes the JSON.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { PipelineModel } from './model';
import { encodeModel } from './wire';

const gzipAsync = promisify(gzip);

/** The model as the graph webview takes it: gzipped UTF-8 JSON (unpackModel in wire.ts reads it). */
export async function packModel(model: PipelineModel): Promise<Uint8Array> {
  const gz = await gzipAsync(encodeModel(model), { level: 1 });
  return new Uint8Array(gz.buffer, gz.byteOffset, gz.byteLength);
}
