// The scalar metrics of the listed runs, for the Runs view's metric columns and sort: read from MLMD on demand (only
// runs that ended: their metrics do not change), at most a few at once, kept per run id for the window's life. A
// failure to reach MLMD is kept as one message (the view shows it as a row) and stops further reads until retry().
import pLimit from 'p-limit';
import * as vscode from 'vscode';
import { runMetrics, type RunMetric } from '../../core/mlmd/runMetrics';
import { isTerminal, type Run } from '../../core/kfp/types';
import type { Log } from '../log';
import type { MetadataApi } from './metadata';

const CONCURRENCY = 4;
/** More than the view lists (200 runs): old entries are dropped first. */
const MAX_CACHED = 2000;
const FIRE_AFTER_MS = 150;

export class RunMetricsCache implements vscode.Disposable {
  private readonly cache = new Map<string, RunMetric[]>();
  private readonly reading = new Map<string, Promise<void>>();
  private readonly limit = pLimit(CONCURRENCY);
  private readonly changed = new vscode.EventEmitter<void>();
  /** Metrics arrived or reading failed (batched). */
  readonly onDidChange = this.changed.event;
  private fireTimer: NodeJS.Timeout | undefined;
  /** Why MLMD could not be read; set once, cleared by retry(). */
  error: string | undefined;

  constructor(
    private readonly metadata: Pick<MetadataApi, 'runOutputs'>,
    private readonly explain: (err: unknown) => string,
    private readonly log: Log,
  ) {}

  /** The run's metrics when read; undefined while not read (or the run has not ended). */
  get(runId: string | undefined): RunMetric[] | undefined {
    return runId ? this.cache.get(runId) : undefined;
  }

  /** Reads the metrics of the ended runs not read yet, in the background. */
  want(runs: readonly Run[]): void {
    void this.read(runs);
  }

  /** Reads the metrics of the ended runs not read yet; resolves when all are read (or reading failed). */
  async read(runs: readonly Run[]): Promise<void> {
    await Promise.all(runs.filter((r) => r.run_id && isTerminal(r.state)).map((r) => this.readOne(r.run_id!)));
  }

  /** After a failure: reads again from the next want()/read(). */
  retry(): void {
    if (!this.error) return;
    this.error = undefined;
    this.fire();
  }

  private readOne(id: string): Promise<void> {
    if (this.cache.has(id) || this.error) return Promise.resolve();
    let p = this.reading.get(id);
    if (!p) {
      p = this.limit(async () => {
        if (this.error) return;
        try {
          const metrics = runMetrics(await this.metadata.runOutputs(id));
          if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
          this.cache.set(id, metrics);
        } catch (err) {
          if (this.error) return;
          this.error = this.explain(err);
          this.log.warn(`run metrics: cannot read run ${id} from ML Metadata: ${this.error}`);
        }
        this.fire();
      }).finally(() => this.reading.delete(id));
      this.reading.set(id, p);
    }
    return p;
  }

  private fire(): void {
    this.fireTimer ??= setTimeout(() => {
      this.fireTimer = undefined;
      this.changed.fire();
    }, FIRE_AFTER_MS);
  }

  dispose(): void {
    if (this.fireTimer) clearTimeout(this.fireTimer);
    this.changed.dispose();
  }
}
