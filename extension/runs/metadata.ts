// The window's connection to ML Metadata: a daemon port-forward to `metadata-grpc-service:8080` in the Pipelines
// namespace (KFP's install), the gRPC client of core/mlmd/client.ts on its local end, with the MetadataStoreService
// descriptor the build put in dist/mlmd.desc. Reads what a run produced (core/mlmd/outputs.ts).
import fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { MlmdClient } from '../../core/mlmd/client';
import { runOutputs, type RunOutputs } from '../../core/mlmd/outputs';
import { ServiceApi } from '../cluster/serviceApi';
import type { Ctx } from '../ctx';
import { pipelineSettings } from './settings';

export const MLMD_SERVICE = { name: 'metadata-grpc-service', port: 8080 };

export class MetadataApi implements vscode.Disposable {
  private readonly service: ServiceApi;
  private descriptor: Promise<Buffer> | undefined;
  private cached: { address: string; client: MlmdClient } | undefined;
  private readonly subs: vscode.Disposable[];

  constructor(private readonly ctx: Ctx) {
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
