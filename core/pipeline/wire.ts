// The pipeline model on its way to the graph webview: UTF-8 JSON bytes, not an object. VS Code carries a message's
// typed arrays as binary buffers; an object it turns into JSON in the extension host, parses again in the
// workbench and structured-clones twice more (into the webview's outer frame, then its content frame). For the
// 111,782-task model (70 MB of JSON) that object route costs seconds; as bytes the workbench only copies a buffer
// and the page parses once. Browser-safe (TextEncoder / TextDecoder).
import type { PipelineModel } from './model';

export function encodeModel(model: PipelineModel): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(model));
}

export function decodeModel(bytes: Uint8Array): PipelineModel {
  return JSON.parse(new TextDecoder().decode(bytes)) as PipelineModel;
}
