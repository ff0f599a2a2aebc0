// Messages between the health panel (an endpoint's SLIs and canary gate, or a training job's GPU use) and the
// extension. Browser-safe; the host (extension/health/panel.ts) imports it with `import type`. Every string is
// cluster or Prometheus data, or built from it: the page shows it as text only.

export type Tone = 'ok' | 'warn' | 'bad' | 'none';

export interface ChartLine {
  /** `default`, `canary`, a pod name. */
  label: string;
  tone: 'primary' | 'secondary' | 'tertiary';
  /** [seconds, value] */
  points: Array<[number, number]>;
}

export interface SliRow {
  id: string;
  title: string;
  /** Per column (the default revision, the canary; or one for the endpoint): formatted text. */
  cells: Array<{ label: string; text: string; tone: Tone }>;
  chart?: { lines: ChartLine[]; unit: string };
  /** Why there is no value, and what to set. */
  problem?: string;
}

export interface HealthData {
  kind: 'endpoint' | 'job';
  title: string;
  /** `Serverless · team-a · Prometheus at service prometheus-k8s…` */
  subtitle: string;
  updated: string;
  /** The chart column's heading: `Last 60 min`. */
  rangeLabel: string;
  /** The columns of the SLI table. */
  columns: string[];
  slis: SliRow[];
  slo?: { text: string; budget?: string; burn?: string; tone: Tone; problem?: string };
  gate?: { verdict: 'pass' | 'breach' | 'worse' | 'unknown'; text: string; findings: string[]; canPromote: boolean; canRollBack: boolean };
  drift?: { rows: Array<{ feature: string; text: string; tone: Tone }>; threshold: string; problem?: string };
  gpu?: { summary: string; hint?: string; replicas: Array<{ pod: string; text: string; tone: Tone }>; chart?: { lines: ChartLine[]; unit: string }; problem?: string };
  /** A note the user must read (e.g. RawDeployment has no canary revisions). */
  notice?: string;
}

export type ToHealth = { type: 'data'; data: HealthData } | { type: 'error'; message: string; title: string } | { type: 'busy' };

export type HealthAction = 'refresh' | 'promote' | 'rollback' | 'settings';

export type FromHealth = { type: 'action'; action: HealthAction };
