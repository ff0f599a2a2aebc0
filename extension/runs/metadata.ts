// The window's connection to ML Metadata: a daemon port-forward to `metadata-grpc-service:8080` in the Pipelines
// namespace (KFP's install), the gRPC client of core/mlmd/client.ts on its local end, with the MetadataStoreService
// descriptor the build put in dist/mlmd.desc. Reads what a run produced (core/mlmd/outputs.ts); on a KFP server that
// has its own artifact API (core/kfp/artifacts.ts, detected once per connection) it reads that instead.
import fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { ArtifactApiDetector, readRunArtifacts, runOutputsFromArtifacts } from '../../core/kfp/artifacts';
import { MlmdClient } from '../../core/mlmd/client';
import { runOutputs, type RunOutputs } from '../../core/mlmd/outputs';
import { ServiceApi } from '../cluster/serviceApi';
import type { Ctx } from '../ctx';
import type { PipelinesApi } from './api';
import { pipelineSettings } from './settings';

export const MLMD_SERVICE = { name: 'metadata-grpc-service', port: 8080 };

export class MetadataApi implements vscode.Disposable {
  private readonly service: ServiceApi;
  private descriptor: Promise<Buffer> | undefined;
  private cached: { address: string; client: MlmdClient } | undefined;
  private readonly subs: vscode.Disposable[];
  private readonly detector = new ArtifactApiDetector();
  private detectedAt: string | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly pipelines?: PipelinesApi,
  ) {
    this.service = new ServiceApi(ctx, {
      title: 'ML Metadata (MLMD)',
      url: () => undefined,
      service: () => ({ namespace: pipelineSettings.service().namespace, ...MLMD_SERVICE }),
      // gRPC opens with the HTTP/2 preface: no HTTP/1 head to carry the forward's secret
      secret: false,
      notFoundHint: 'Kubeflow Pipelines installs it beside ml-pipeline (kubeflow.pipelines.serviceNamespace).',
    });
    this.subs = [
      this.service,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (pipelineSettings.keys.some((k) => e.affectsConfiguration(k))) this.reset();
      }),
    ];
  }

  reset(): void {
    this.service.reset();
    this.detector.forget();
    this.detectedAt = undefined;
    this.cached?.client.close();
    this.cached = undefined;
  }

  async client(): Promise<MlmdClient> {
    const { host, port } = await this.service.endpoint();
    const address = `${host}:${port}`;
    if (this.cached?.address !== address) {
      this.cached?.client.close();
      this.cached = { address, client: new MlmdClient(address, await this.loadDescriptor()) };
    }
    return this.cached.client;
  }

  /** What the run produced, per task; a run MLMD has no records of gives warnings, not an error. */
  async runOutputs(runId: string): Promise<RunOutputs> {
    if (this.pipelines) {
      const where = this.pipelines.where();
      const present = await this.detector.detect(where, this.pipelines.transport).then(
        (has) => {
          if (this.detectedAt !== where) this.ctx.log.info(`KFP artifact API at ${where}: ${has ? 'present, run outputs read from it' : 'absent, run outputs read from MLMD'}`);
          this.detectedAt = where;
          return has;
        },
        (err: unknown) => {
          this.ctx.log.warn(`KFP artifact API at ${where}: cannot tell (${err instanceof Error ? err.message : String(err)}); run outputs read from MLMD`);
          return false;
        },
      );
      if (present) {
        const { links, artifacts } = await readRunArtifacts(this.pipelines.transport, runId);
        return runOutputsFromArtifacts(runId, links, artifacts);
      }
    }
    const client = await this.client();
    return runOutputs(runId, await client.run(runId));
  }

  private loadDescriptor(): Promise<Buffer> {
    const file = vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'dist', 'mlmd.desc').fsPath;
    this.descriptor ??= fs.readFile(file).catch((err: unknown) => {
      this.descriptor = undefined;
      throw new Error(`this build of the extension has no MLMD schema (${file}: ${(err as Error).message}); rebuild it with the MLMD rig installed (test/rigs/mlmd/install.sh)`);
    });
    return this.descriptor;
  }

  dispose(): void {
    this.cached?.client.close();
    this.subs.forEach((s) => s.dispose());
  }
}
