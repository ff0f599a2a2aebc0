/**
 * `kubeflow-companion mcp`: the agent tools (core/agentTools) as a Model Context Protocol server over stdio, with the
 * official SDK's low-level `Server` (the tools' JSON schemas are served as they are). A tool that changes the cluster
 * applies only with `confirm: true` in its arguments, or when the client supports elicitation and the user accepts
 * the exact change; otherwise it answers with what it would apply and changes nothing.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { AgentBackend } from '../../../core/agentTools/backend';
import { TOOLS, toolInfo } from '../../../core/agentTools/catalog';
import { applyPlan, planTool, runReadTool, type ToolOutcome } from '../../../core/agentTools/run';
import { PACKAGE_VERSION } from '../version';

const CONFIRM = {
  type: 'boolean',
  description: 'Set to true only after the user has seen and approved exactly what this call applies (call once without it to get that text). Without it nothing is changed.',
};

/** The MCP view of the catalog: mutating tools take `confirm`. */
export function mcpTools() {
  return TOOLS.map((t) => {
    const schema = t.inputSchema as { properties: Record<string, unknown> };
    return {
      name: t.name,
      title: t.title,
      description: t.description,
      inputSchema: (t.mutating ? { ...t.inputSchema, properties: { ...schema.properties, confirm: CONFIRM } } : t.inputSchema) as { type: 'object'; [k: string]: unknown },
      annotations: { title: t.title, readOnlyHint: !t.mutating, destructiveHint: t.mutating, openWorldHint: false },
    };
  });
}

const result = (o: ToolOutcome): CallToolResult => ({ content: [{ type: 'text', text: o.text }], ...(o.isError ? { isError: true } : {}) });

export function createMcpServer(backend: AgentBackend): Server {
  const server = new Server({ name: 'kubeflow', title: 'Kubeflow', version: PACKAGE_VERSION }, {
    capabilities: { tools: {} },
    instructions: 'Kubeflow tools with the user\'s own Kubernetes credentials: list notebooks, training jobs, pipeline runs, models and endpoints; find why something fails; read merged logs; describe and compare pipelines and runs. Tools that change the cluster need the user\'s confirmation.',
  });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: mcpTools() }));
  server.setRequestHandler(CallToolRequestSchema, async (req) => {
    const { confirm, ...args } = (req.params.arguments ?? {}) as Record<string, unknown>;
    const info = toolInfo(req.params.name);
    if (!info?.mutating) return result(await runReadTool(backend, req.params.name, req.params.arguments ?? {}));
    const { plan, outcome } = await planTool(backend, info.name, args);
    if (!plan) return result(outcome!);
    if (!plan.apply) return result({ text: plan.summary, isError: false });
    let approved = confirm === true;
    if (!approved && server.getClientCapabilities()?.elicitation) {
      const answer = await server.elicitInput({
        mode: 'form',
        message: `${info.title}: apply this?\n\n${plan.summary}`,
        requestedSchema: { type: 'object', properties: { apply: { type: 'boolean', title: 'Apply', description: 'Apply exactly this change' } }, required: ['apply'] },
      }).catch(() => undefined);
      approved = answer?.action === 'accept' && answer.content?.apply === true;
    }
    if (!approved) return result({ text: `Not applied: ${info.name} changes the cluster and was not confirmed. It would apply:\n${plan.summary}\nShow this to the user; call again with "confirm": true only if they approve.`, isError: false });
    return result(await applyPlan(plan));
  });
  return server;
}

/** Serves until the transport closes (stdin ends). */
export async function serveMcp(backend: AgentBackend, transport: Transport): Promise<void> {
  const server = createMcpServer(backend);
  const closed = new Promise<void>((resolve) => (server.onclose = resolve));
  await server.connect(transport);
  await closed;
}
