/**
 * What the agent tools need from the outside world, as interfaces: Kubernetes REST calls with the user's own
 * credentials, the KFP and Model Registry REST clients, the daemon's merged log captures and local pipeline files.
 * The extension fills them from its existing clients (`extension/agentTools/backend.ts`), the MCP server from its
 * daemon connection (`companion-daemon/src/mcp/backend.ts`); the tools themselves (`tools.ts`) exist once.
 */
import type { LogLine, LogSource } from '../../companion-daemon/src/protocol';
import type { KfpClient } from '../kfp/client';
import type { ModelRegistryClient } from '../modelRegistry/client';

export type KubeMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface KubeAccess {
  /**
   * One REST call to the API server. Rejects with the API's own message; an error with `code` set to one of the
   * daemon's `ErrorCode`s (Forbidden, NotFound, …) lets the tools say what to change.
   */
  request<T = unknown>(method: KubeMethod, path: string, o?: { body?: unknown; query?: Record<string, string>; contentType?: string }): Promise<T>;
}

export interface AgentBackend {
  /** The namespace a tool uses when its input names none (the editor's or the CLI's). */
  readonly namespace: string;
  readonly kube: KubeAccess;
  /** The KFP v2beta1 client (through a port-forward to `ml-pipeline` or the configured gateway). */
  kfp(): Promise<KfpClient>;
  /** The Model Registry client (through a port-forward to the registry's service or its URL). */
  registry(): Promise<ModelRegistryClient>;
  /** The last `tail` merged lines of a source, from the daemon's capture (started when there is none). */
  logs(source: LogSource, tail: number): Promise<LogLine[]>;
  /** A compiled pipeline (IR YAML/JSON) from a local file; a `.py` file is compiled first where the side can. */
  readPipeline(file: string): Promise<string>;
}
