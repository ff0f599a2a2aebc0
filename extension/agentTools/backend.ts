/**
 * The agent tools' backend inside VS Code, from the extension's own clients: Kubernetes through the daemon (`Kube`),
 * the KFP API (`PipelinesApi`: forward or gateway, stored credentials), the Model Registry the user picked
 * (`Registries`), the daemon's log captures, and pipeline files compiled with the user's Python.
 */
import * as vscode from 'vscode';
import type { AgentBackend } from '../../core/agentTools/backend';
import { capturedLines, type DaemonRequest } from '../../core/agentTools/daemonLogs';
import { readPipelineFile } from '../../core/agentTools/files.node';
import { config } from '../config';
import type { Ctx } from '../ctx';
import { Registries } from '../models/registries';
import { resolvePython } from '../pipelines/python-env';
import { PipelinesApi } from '../runs/api';
import { currentNamespace } from '../training/namespace';

export function extensionBackend(ctx: Ctx): AgentBackend & vscode.Disposable {
  let pipelines: PipelinesApi | undefined;
  let registries: Registries | undefined;
  const send: DaemonRequest = (type, params) => ctx.daemon.request(type, params);
  const base = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return {
    get namespace() {
      return currentNamespace();
    },
    kube: ctx.kube,
    kfp: () => (pipelines ??= new PipelinesApi(ctx)).client(),
    registry: async () => (registries ??= new Registries(ctx)).client(),
    logs: (source, tail) => {
      const context = config.context();
      return capturedLines(send, { ...source, ...(context ? { context } : {}) }, tail);
    },
    readPipeline: (file) => {
      const b = base();
      return readPipelineFile(file, { ...(b ? { base: b } : {}), python: async () => (await resolvePython(vscode.Uri.file(b ?? file), ctx.log)).path });
    },
    dispose() {
      pipelines?.dispose();
      registries?.dispose();
    },
  };
}
