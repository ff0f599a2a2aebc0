/**
 * ML Metadata's gRPC MetadataStoreService (`metadata-grpc-service:8080` in KFP installs), with @grpc/grpc-js and the
 * service's own schema: the FileDescriptorSet made from the ml-metadata wheel (test/rigs/mlmd/descriptor.py; the
 * build copies it to dist/mlmd.desc). Reads what KFP's driver and launcher record of a run: its `system.PipelineRun`
 * context, the executions in it, their events and artifacts with types (core/mlmd/outputs.ts shapes them).
 * Messages keep the proto field names (snake_case), as the descriptor has them.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { CancelledError, RequestTimeoutError, UnreachableError } from '../http/transport';
import type { RawArtifact, RawArtifactType, RawContext, RawEvent, RawExecution, RawRun } from './outputs';

/** What a call may take before it fails with a timeout: MLMD answers reads in milliseconds. */
const CALL_TIMEOUT_MS = 30_000;
/** Ids per GetArtifactsByID / GetEventsByExecutionIDs call (MLMD has no limit; keeps messages small). */
const BATCH = 500;

type Unary = (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: unknown) => void) => grpc.ClientUnaryCall;

/** MLMD answered with a status other than OK: `code` is the gRPC status, `details` the server's own message. */
export class MlmdError extends Error {
  constructor(readonly method: string, readonly code: grpc.status, readonly details: string) {
    super(`MLMD ${method}: ${details || grpc.status[code]}`);
  }
}

const packageCache = new WeakMap<Buffer, grpc.GrpcObject>();

function serviceCtor(descriptor: Buffer): grpc.ServiceClientConstructor {
  let pkg = packageCache.get(descriptor);
  if (!pkg) {
    const def = protoLoader.loadFileDescriptorSetFromBuffer(descriptor, { keepCase: true, longs: String, enums: String, defaults: false, oneofs: true });
    pkg = grpc.loadPackageDefinition(def);
    packageCache.set(descriptor, pkg);
  }
  return (pkg.ml_metadata as grpc.GrpcObject).MetadataStoreService as grpc.ServiceClientConstructor;
}

export class MlmdClient {
  private readonly client: grpc.Client;

  /** `address` = host:port of a plaintext MLMD server (a daemon forward's local end). */
  constructor(readonly address: string, descriptor: Buffer, private readonly o: { timeoutMs?: number; signal?: AbortSignal } = {}) {
    const Ctor = serviceCtor(descriptor);
    this.client = new Ctor(address, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      // a forward that was restarted is found again at once
      'grpc.initial_reconnect_backoff_ms': 200,
    });
  }

  close(): void {
    this.client.close();
  }

  call<T>(method: string, request: Record<string, unknown>): Promise<T> {
    const fn = (this.client as unknown as Record<string, Unary>)[method];
    if (typeof fn !== 'function') return Promise.reject(new Error(`MLMD has no method ${method}`));
    const timeout = this.o.timeoutMs ?? CALL_TIMEOUT_MS;
    return new Promise<T>((resolve, reject) => {
      if (this.o.signal?.aborted) return reject(new CancelledError());
      const onAbort = (): void => call.cancel();
      const call = fn.call(this.client, request, new grpc.Metadata(), { deadline: Date.now() + timeout }, (err, res) => {
        this.o.signal?.removeEventListener('abort', onAbort);
        if (!err) return resolve(res as T);
        if (err.code === grpc.status.CANCELLED && this.o.signal?.aborted) return reject(new CancelledError());
        if (err.code === grpc.status.DEADLINE_EXCEEDED) return reject(new RequestTimeoutError(`MLMD ${method} did not answer within ${timeout / 1000} s`));
        if (err.code === grpc.status.UNAVAILABLE) return reject(new UnreachableError(`MLMD at ${this.address} is unreachable (${err.details})`, err));
        reject(new MlmdError(method, err.code, err.details));
      });
      this.o.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The run's records, or undefined when MLMD has no context for it (not started, or recorded elsewhere). */
  async run(runId: string): Promise<RawRun | undefined> {
    let context: RawContext | undefined;
    try {
      context = (await this.call<{ context?: RawContext }>('GetContextByTypeAndName', { type_name: 'system.PipelineRun', context_name: runId })).context ?? undefined;
    } catch (err) {
      // no such type yet: a fresh MLMD where no run ever recorded anything
      if (err instanceof MlmdError && err.code === grpc.status.NOT_FOUND) return undefined;
      throw err;
    }
    if (!context?.id) return undefined;
    const executions: RawExecution[] = [];
    for (let token: string | undefined; ;) {
      const res = await this.call<{ executions?: RawExecution[]; next_page_token?: string }>('GetExecutionsByContext', {
        context_id: context.id, options: { max_result_size: 100, ...(token ? { next_page_token: token } : {}) },
      });
      executions.push(...(res.executions ?? []));
      token = res.next_page_token || undefined;
      if (!token) break;
    }
    const events: RawEvent[] = [];
    for (const ids of chunks(executions.map((e) => e.id))) {
      events.push(...((await this.call<{ events?: RawEvent[] }>('GetEventsByExecutionIDs', { execution_ids: ids })).events ?? []));
    }
    const artifacts: RawArtifact[] = [];
    for (const ids of chunks([...new Set(events.map((e) => e.artifact_id))])) {
      artifacts.push(...((await this.call<{ artifacts?: RawArtifact[] }>('GetArtifactsByID', { artifact_ids: ids })).artifacts ?? []));
    }
    const type_ids = [...new Set([...artifacts.map((a) => a.type_id), ...executions.map((e) => e.type_id)])];
    const [artifact_types, execution_types] = type_ids.length
      ? await Promise.all([
        this.call<{ artifact_types?: RawArtifactType[] }>('GetArtifactTypesByID', { type_ids }),
        this.call<{ execution_types?: RawArtifactType[] }>('GetExecutionTypesByID', { type_ids }),
      ])
      : [{}, {}];
    return { context, executions, events, artifacts, types: [...(artifact_types.artifact_types ?? []), ...(execution_types.execution_types ?? [])] };
  }
}

function chunks<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += BATCH) out.push(xs.slice(i, i + BATCH));
  return out;
}
