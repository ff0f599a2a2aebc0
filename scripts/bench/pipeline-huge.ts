// Child process of pipeline-graph.bench.ts: reads one (huge) pipeline file the way the graph panel does (read, parse,
// build the top level, lay it out: for a level past FIRST_LAYOUT_MAX_NODES the page runs this same layout code) and
// prints the times, CPU times and peak RSS as JSON. Its own process, so the peak RSS is this pipeline's alone; run
// from an esbuild bundle, as the extension ships.
import fs from 'node:fs';
import { buildLevel } from '../../core/pipeline/layer';
import { layoutGraph } from '../../core/pipeline/layout';
import { parsePipeline } from '../../core/pipeline/parse';
import { encodeModel } from '../../core/pipeline/wire';

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const started = performance.now();
const text = fs.readFileSync(process.argv[2], 'utf8');
const read = performance.now();
const cpu0 = cpuMs();
const model = parsePipeline(text);
const parsed = performance.now();
const parseCpuMs = cpuMs() - cpu0;
const level = buildLevel(model, model.root, undefined);
const built = performance.now();
const cpu1 = cpuMs();
const layout = layoutGraph(level.nodes, level.edges);
const laidOut = performance.now();
const layoutCpuMs = cpuMs() - cpu1;
// What the panel posts: the model as UTF-8 JSON bytes (core/pipeline/wire.ts).
const bytes = encodeModel(model);
const encoded = performance.now();
process.stdout.write(
  JSON.stringify({
    megabytes: Math.round(text.length / 1024 / 1024),
    tasks: [model.root, ...Object.values(model.dags)].reduce((n, d) => n + d.tasks.length, 0),
    diagnostics: model.diagnostics.length,
    levelNodes: level.nodes.length,
    levelEdges: level.edges.length,
    readMs: read - started,
    parseMs: parsed - read,
    parseCpuMs,
    levelMs: built - parsed,
    layoutMs: laidOut - built,
    layoutCpuMs,
    encodeMs: encoded - laidOut,
    modelMB: Math.round(bytes.byteLength / 1024 / 1024),
    width: layout.width,
    height: layout.height,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  }),
);
