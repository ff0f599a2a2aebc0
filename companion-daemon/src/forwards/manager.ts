/**
 * All forwards of the daemon: start (or find) by target, stop, restart, list; persisted in the store and restored
 * on daemon start with their local ports.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { DaemonError } from '../kube/errors';
import { ErrorCode, type ForwardInfo, type StartForwardParams } from '../protocol';
import type { Store } from '../store';
import { Forward } from './forward';
import { sameTarget, validateTarget } from './resolve';

export class ForwardManager {
  private forwards = new Map<string, Forward>();

  constructor(
    private readonly store: Store,
    private readonly kubeConfig: (context?: string) => KubeConfig,
    private readonly log: (m: string) => void,
    private readonly onChange: (info: ForwardInfo) => void,
  ) {}

  async start(params: StartForwardParams): Promise<ForwardInfo> {
    const problem = validateTarget(params?.target);
    if (problem) throw new DaemonError(ErrorCode.BadRequest, `Bad forward target: ${problem}.`, 'BadTarget');
    const localPort = params.localPort ?? 0;
    if (!Number.isInteger(localPort) || localPort < 0 || localPort > 65535) {
      throw new DaemonError(ErrorCode.BadRequest, `Local port ${localPort} is out of range.`, 'BadPort');
    }
    const existing = [...this.forwards.values()].find((f) => sameTarget(f.target, params.target));
    if (existing && (localPort === 0 || localPort === existing.localPort)) return existing.info();
    const f = this.create(randomUUID().slice(0, 8), params, new Date().toISOString(), params.secret ? randomBytes(24).toString('base64url') : undefined);
    await f.start();
    this.forwards.set(f.id, f);
    this.persist();
    return f.info();
  }

  stop(id: string): void {
    const f = this.get(id);
    this.forwards.delete(id);
    f.stop();
    this.persist();
  }

  restart(id: string): ForwardInfo {
    const f = this.get(id);
    f.restart();
    return f.info();
  }

  list(): ForwardInfo[] {
    return [...this.forwards.values()].map((f) => f.info());
  }

  /** Brings back the stored forwards on their old ports. One that cannot listen stays stopped, with a log line. */
  async restore(): Promise<void> {
    for (const s of this.store.get().forwards) {
      const f = this.create(s.id, { target: s.target, localPort: s.localPort }, s.createdAt, s.secret);
      try {
        await f.start();
        this.forwards.set(f.id, f);
      } catch (err) {
        this.log(`forward ${s.id} not restored: ${(err as Error).message}`);
      }
    }
  }

  /** Stops listening without forgetting the forwards (daemon shutdown). */
  dispose(): void {
    for (const f of this.forwards.values()) f.stop();
  }

  private create(id: string, params: StartForwardParams, createdAt: string, secret: string | undefined): Forward {
    return new Forward(id, params.target, params.localPort ?? 0, createdAt, {
      kubeConfig: this.kubeConfig,
      log: this.log,
      onChange: this.onChange,
      ...(secret ? { secret } : {}),
    });
  }

  private get(id: string): Forward {
    const f = this.forwards.get(id);
    if (!f) throw new DaemonError(ErrorCode.NotFound, `No forward with id ${id}.`, 'NoSuchForward');
    return f;
  }

  private persist(): void {
    this.store.update((d) => {
      d.forwards = [...this.forwards.values()].map((f) => {
        const { secret } = f.info();
        return { id: f.id, target: f.target, localPort: f.localPort, createdAt: f.createdAt, ...(secret ? { secret } : {}) };
      });
    });
  }
}
