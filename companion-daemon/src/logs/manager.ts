/**
 * All log captures of the daemon and who listens to them. A capture is created on the first subscription to a
 * source and keeps following when its subscribers leave (the editor may reopen it; the CLI may read it); it stops
 * on `logs/stop`. Captures that were following are resumed when the daemon restarts.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CancellationToken, MessageConnection } from 'vscode-jsonrpc';
import { DaemonError } from '../kube/errors';
import { ErrorCode, type CaptureInfo, type LogLine, type LogSource, type ReadLogsParams, type SubscribeLogsParams, type SubscribeLogsResult } from '../protocol';
import type { Store } from '../store';
import { Capture } from './capture';
import { captureId, validateSource } from './replicas';

export interface LogSinks {
  append: (client: MessageConnection, params: { subscription: string; lines: LogLine[] }) => void;
  capture: (info: CaptureInfo) => void;
}

interface Subscription {
  client: MessageConnection;
  capture: string;
}

export class LogManager {
  private captures = new Map<string, Capture>();
  private subs = new Map<string, Subscription>();
  private readonly dir: string;

  constructor(
    private readonly store: Store,
    stateDir: string,
    private readonly kubeConfig: (context?: string) => KubeConfig,
    private readonly log: (m: string) => void,
    private readonly sinks: LogSinks,
  ) {
    this.dir = path.join(stateDir, 'logs');
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  async subscribe(client: MessageConnection, p: SubscribeLogsParams, token: CancellationToken): Promise<SubscribeLogsResult> {
    const cap = this.capture(p?.source);
    await cap.follow();
    this.persist();
    const lines = cap.file.tail(p.backlog ?? 0);
    if (token.isCancellationRequested) throw new DaemonError(ErrorCode.BadRequest, 'cancelled', 'Cancelled');
    const subscription = typeof p.subscription === 'string' && p.subscription ? p.subscription : randomUUID();
    this.subs.set(subscription, { client, capture: cap.id });
    return { subscription, capture: cap.info(), lines };
  }

  unsubscribe(subscription: string): void {
    this.subs.delete(subscription);
  }

  dropClient(client: MessageConnection): void {
    for (const [id, s] of this.subs) if (s.client === client) this.subs.delete(id);
  }

  list(): CaptureInfo[] {
    return [...this.captures.values()].map((c) => c.info());
  }

  read(p: ReadLogsParams): { capture: CaptureInfo; lines: LogLine[] } {
    const cap = this.capture(p?.source);
    return { capture: cap.info(), lines: cap.file.tail(p.tail ?? -1) };
  }

  stop(id: string): void {
    const cap = this.captures.get(id);
    if (!cap) throw new DaemonError(ErrorCode.NotFound, `No log capture ${id}.`, 'NoSuchCapture');
    cap.stop();
    this.persist();
  }

  async restore(): Promise<void> {
    for (const s of this.store.get().captures) {
      const cap = this.capture(s.source);
      if (s.following) await cap.follow();
    }
  }

  dispose(): void {
    for (const c of this.captures.values()) c.dispose();
  }

  /** The capture of a source, created (not following) on first use; it reads what an earlier daemon kept. */
  private capture(source: LogSource): Capture {
    const problem = validateSource(source);
    if (problem) throw new DaemonError(ErrorCode.BadRequest, `Bad log source: ${problem}.`, 'BadSource');
    const id = captureId(source);
    let cap = this.captures.get(id);
    if (!cap) {
      cap = new Capture(id, source, this.dir, {
        kubeConfig: this.kubeConfig,
        log: this.log,
        lines: (lines) => {
          for (const [subscription, s] of this.subs) if (s.capture === id) this.sinks.append(s.client, { subscription, lines });
        },
        changed: (info) => this.sinks.capture(info),
      });
      this.captures.set(id, cap);
    }
    return cap;
  }

  private persist(): void {
    this.store.update((d) => {
      d.captures = [...this.captures.values()].map((c) => ({ id: c.id, source: c.source, following: c.following }));
    });
  }
}
