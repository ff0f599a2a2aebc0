/**
 * GPU use of a training job from DCGM series (one per pod and GPU, over the job's life): utilization and memory per
 * replica, GPU-hours so far, and the cost hint when the GPUs idle under a threshold (clusters aim at 60–80%; lower
 * pays for GPUs that wait). Pure.
 */
import type { Series } from './prometheus';

export interface ReplicaGpu {
  pod: string;
  gpus: number;
  /** Mean utilization over the samples, 0..100. */
  meanUtil: number;
  /** The latest sample's utilization. */
  lastUtil: number;
  /** Peak framebuffer memory used, MiB (undefined without memory series). */
  peakMemoryMiB?: number;
  /** The utilization over time, averaged over the replica's GPUs. */
  points: Array<{ time: number; value: number }>;
}

export interface JobGpu {
  replicas: ReplicaGpu[];
  /** Mean over every GPU sample of the job. */
  meanUtil: number;
  gpuHours: number;
  /** Set when the mean is under the threshold: what the user reads. */
  idleHint?: string;
}

/** The default threshold under which a job's GPUs count as idling (percent). */
export const IDLE_THRESHOLD = 30;

/** GPU-hours as the panel and the hint write them. */
export function formatGpuHours(h: number): string {
  return h.toFixed(h < 10 ? 2 : 0);
}

export function summarizeGpu(util: Series[], memory: Series[], step: number, threshold = IDLE_THRESHOLD): JobGpu | undefined {
  const byPod = new Map<string, Series[]>();
  for (const s of util) {
    const pod = s.metric.pod ?? s.metric.exported_pod ?? '';
    if (!s.points.length) continue;
    byPod.set(pod, [...(byPod.get(pod) ?? []), s]);
  }
  if (!byPod.size) return undefined;
  const peak = new Map<string, number>();
  for (const s of memory) {
    const pod = s.metric.pod ?? s.metric.exported_pod ?? '';
    const m = Math.max(...s.points.map((p) => p.value).filter(Number.isFinite));
    if (Number.isFinite(m)) peak.set(pod, Math.max(peak.get(pod) ?? 0, m));
  }
  let sum = 0;
  let n = 0;
  let gpuSeconds = 0;
  const replicas: ReplicaGpu[] = [];
  for (const [pod, series] of [...byPod].sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))) {
    const at = new Map<number, number[]>();
    let podSum = 0;
    let podN = 0;
    for (const s of series) {
      for (const p of s.points) {
        if (!Number.isFinite(p.value)) continue;
        at.set(p.time, [...(at.get(p.time) ?? []), p.value]);
        podSum += p.value;
        podN++;
      }
      // Each sample stands for one step of one GPU's time.
      gpuSeconds += s.points.length * step;
    }
    sum += podSum;
    n += podN;
    const points = [...at].sort(([a], [b]) => a - b).map(([time, vs]) => ({ time, value: vs.reduce((a, b) => a + b, 0) / vs.length }));
    replicas.push({ pod, gpus: series.length, meanUtil: podN ? podSum / podN : 0, lastUtil: points.at(-1)?.value ?? 0, ...(peak.has(pod) ? { peakMemoryMiB: peak.get(pod)! } : {}), points });
  }
  const meanUtil = n ? sum / n : 0;
  const gpuHours = gpuSeconds / 3600;
  const idleHint =
    meanUtil < threshold
      ? `GPUs idle: ${meanUtil.toFixed(0)}% mean utilization over ${formatGpuHours(gpuHours)} GPU-hours (under ${threshold}%; 60–80% is the usual target). Fewer GPUs, a larger batch or a faster input pipeline would cost less.`
      : undefined;
  return { replicas, meanUtil, gpuHours, ...(idleHint ? { idleHint } : {}) };
}
