/**
 * The agent tools' backend for `kubeflow-companion mcp`: everything goes through the companion daemon, like the
 * extension's: Kubernetes calls with the kubeconfig's credentials (`kube/request`), the KFP and Model Registry APIs
 * through daemon port-forwards to their Services (or a URL given on the command line), the daemon's log captures.
 */
import type { RequestType } from 'vscode-jsonrpc';
import type { AgentBackend } from '../../../core/agentTools/backend';
import { capturedLines } from '../../../core/agentTools/daemonLogs';
import { readPipelineFile } from '../../../core/agentTools/files.node';
import { fetchTransport, UnreachableError, type HttpTransport } from '../../../core/http/transport';
import { KfpClient } from '../../../core/kfp/client';
import { ModelRegistryClient } from '../../../core/modelRegistry/client';
import type { DaemonConnection } from '../client';
import * as P from '../protocol';

export interface ServiceOption {
  /** A gateway URL; empty = forward to the Service. */
  url?: string;
  namespace: string;
  name: string;
  port: number;
}

export interface McpBackendOptions {
  context?: string;
  namespace: string;
  kfp: ServiceOption & { token?: string; userId?: string };
  registry: ServiceOption & { token?: string };
  python: string;
}

export function daemonBackend(d: DaemonConnection, o: McpBackendOptions): AgentBackend {
  const send = <Params, Result>(type: RequestType<Params, Result, void>, params: Params): Promise<Result> => d.connection.sendRequest(type, params) as Promise<Result>;
  const context = o.context ? { context: o.context } : {};
  const transports = new Map<string, Promise<HttpTransport>>();
  const transport = (title: string, s: ServiceOption, headers: Record<string, string>): Promise<HttpTransport> => {
    const key = JSON.stringify(s);
    let t = transports.get(key);
    if (!t) {
      t = (async () => {
        if (s.url) return fetchTransport(s.url, () => headers);
        try {
          const info = await send(P.startForward, { target: { kind: 'service', namespace: s.namespace, name: s.name, port: s.port, ...context } });
          return fetchTransport(info.url, () => headers);
        } catch (err) {
          throw new UnreachableError(`${title}: cannot forward to service ${s.name}:${s.port} in namespace ${s.namespace}: ${(err as Error).message}`, err);
        }
      })();
      t.catch(() => transports.delete(key));
      transports.set(key, t);
    }
    return t;
  };
  const bearer = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
  return {
    namespace: o.namespace,
    kube: {
      request: <T>(method: P.KubeRequestParams['method'], path: string, r: { body?: unknown; query?: Record<string, string>; contentType?: string } = {}) =>
        send(P.kubeRequest, { method, path, ...r, ...context }) as Promise<T>,
    },
    kfp: async () => new KfpClient(await transport('Kubeflow Pipelines API', o.kfp, { ...bearer(o.kfp.token), ...(o.kfp.userId ? { 'kubeflow-userid': o.kfp.userId } : {}) })),
    registry: async () => new ModelRegistryClient(await transport('Model Registry', o.registry, bearer(o.registry.token))),
    logs: (source, tail) => capturedLines(send, { ...source, ...context }, tail),
    readPipeline: (file) => readPipelineFile(file, { python: () => o.python }),
  };
}
