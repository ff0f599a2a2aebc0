/**
 * Gives memory back once a burst of traffic is over. A forward or a log capture at full speed leaves its garbage
 * (promoted buffers and strings) in V8's old generation, and V8 collects it only under allocation pressure, which an
 * idle daemon never has again: it would keep 100 MB or more for as long as it lives. The daemon is started with
 * `--expose-gc` on purpose (client.ts) for this one call: when the process has gone quiet and its heap plus external
 * memory grew well past what the last collection left, one full collection runs, compacting (a plain one frees the
 * objects but keeps the half-empty pages they were on: 70 MB of heap stays resident until V8's own memory reducer,
 * maybe a minute later). Without the flag this does nothing.
 */
import v8 from 'node:v8';

/** How often the daemon looks (an unref'd timer: it keeps nothing alive). */
const CHECK_MS = 5000;
/** "Quiet": under this share of one core over the last check. */
const QUIET_CPU = 0.03;
/** Growth since the last collection that is worth one. */
const GROWTH_BYTES = 16 * 1024 * 1024;

export function collectAfterBursts(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return () => undefined;
  const held = (): number => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  let floor = held();
  let cpu = process.cpuUsage();
  const timer = setInterval(() => {
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    if ((used.user + used.system) / 1000 / CHECK_MS > QUIET_CPU || held() - floor < GROWTH_BYTES) return;
    v8.setFlagsFromString('--compact-on-every-full-gc');
    gc();
    v8.setFlagsFromString('--no-compact-on-every-full-gc');
    floor = held();
  }, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
