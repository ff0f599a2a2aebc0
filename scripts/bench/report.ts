// Shared by the bench sections: merges one section's results into test-output/bench/report.json (read, replace
// the section's key, write), keeping the other sections' entries.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const BENCH_DIR = path.resolve(__dirname, '..', '..', 'test-output', 'bench');

export function recordBench(section: string, data: unknown): string {
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  const file = path.join(BENCH_DIR, 'report.json');
  let report: Record<string, unknown> = {};
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // first section, or an unreadable report: start again
  }
  report[section] = {
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100), node: process.version },
    ...(data as object),
  };
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  return file;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}

export const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
