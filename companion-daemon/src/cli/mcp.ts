// `kubeflow-companion mcp`: serves the agent tools over MCP on stdin/stdout until stdin closes. Stdout carries the
// protocol only; diagnostics go to stderr. Tokens for gateways come from the environment, never from arguments.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { DaemonConnection } from '../client';
import { daemonBackend } from '../mcp/backend';
import { serveMcp } from '../mcp/server';
import { namespace } from './format';
import type { Values } from '../cli';

export async function mcpCommand(d: DaemonConnection, values: Values): Promise<number> {
  const env = process.env;
  const backend = daemonBackend(d, {
    ...(values.context ? { context: values.context } : {}),
    namespace: namespace(values),
    kfp: {
      namespace: env.KUBEFLOW_PIPELINES_SERVICE_NAMESPACE || 'kubeflow', name: env.KUBEFLOW_PIPELINES_SERVICE || 'ml-pipeline', port: 8888,
      ...(values['kfp-url'] ? { url: values['kfp-url'] } : {}),
      ...(env.KUBEFLOW_PIPELINES_TOKEN ? { token: env.KUBEFLOW_PIPELINES_TOKEN } : {}),
      ...(env.KUBEFLOW_USERID ? { userId: env.KUBEFLOW_USERID } : {}),
    },
    registry: {
      namespace: env.KUBEFLOW_MODEL_REGISTRY_NAMESPACE || 'kubeflow', name: env.KUBEFLOW_MODEL_REGISTRY_SERVICE || 'model-registry-service', port: 8080,
      ...(values['registry-url'] ? { url: values['registry-url'] } : {}),
      ...(env.KUBEFLOW_MODEL_REGISTRY_TOKEN ? { token: env.KUBEFLOW_MODEL_REGISTRY_TOKEN } : {}),
    },
    python: values.python ?? env.KFVS_PYTHON ?? 'python3',
  });
  await serveMcp(backend, new StdioServerTransport());
  return 0;
}
