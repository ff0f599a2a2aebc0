// Two local runs side by side as Markdown: state, Python, parameters, and each task's state and output values,
// with the rows that differ marked. Pure.
import type { LocalRunRecord } from './record';

function cell(v: unknown): string {
  const s = v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v);
  return s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/[<>`*_[\]]/g, (c) => `\\${c}`);
}

export function compareLocalRuns(a: LocalRunRecord, b: LocalRunRecord): string {
  const rows: string[] = [];
  const row = (what: string, x: unknown, y: unknown) => {
    const differ = JSON.stringify(x) !== JSON.stringify(y);
    rows.push(`| ${differ ? '**≠** ' : ''}${cell(what)} | ${cell(x)} | ${cell(y)} |`);
  };
  row('state', a.state, b.state);
  row('started', new Date(a.started).toISOString(), new Date(b.started).toISOString());
  row('duration (s)', a.finished ? (a.finished - a.started) / 1000 : undefined, b.finished ? (b.finished - b.started) / 1000 : undefined);
  row('python', a.python, b.python);
  row('kfp', a.kfp, b.kfp);
  for (const k of [...new Set([...Object.keys(a.arguments), ...Object.keys(b.arguments)])].sort()) row(`parameter ${k}`, a.arguments[k], b.arguments[k]);
  for (const k of [...new Set([...Object.keys(a.tasks), ...Object.keys(b.tasks)])].sort()) {
    const ta = a.tasks[k];
    const tb = b.tasks[k];
    row(`task ${k}`, ta?.state, tb?.state);
    const outs = new Set([...Object.keys(ta?.outputs?.parameters ?? {}), ...Object.keys(tb?.outputs?.parameters ?? {})]);
    for (const o of outs) row(`${k} → ${o}`, ta?.outputs?.parameters[o], tb?.outputs?.parameters[o]);
  }
  return [`# Local runs ${cell(a.name ?? a.function)}: ${a.id} vs ${b.id}`, '', `| | ${a.id} | ${b.id} |`, '|---|---|---|', ...rows, ''].join('\n');
}
