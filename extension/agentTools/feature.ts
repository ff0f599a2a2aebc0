/**
 * Kubeflow for AI agents in VS Code: the agent tools (core/agentTools) registered as language-model tools
 * (`contributes.languageModelTools`), and the same tools offered as an MCP server (`kubeflow-companion mcp`) through
 * the MCP server definition API, so agent mode and MCP clients see them without setup. A tool that changes the
 * cluster asks first: `prepareInvocation` plans it and shows exactly what will be applied; `invoke` applies that
 * same plan.
 */
import * as vscode from 'vscode';
import { TOOLS } from '../../core/agentTools/catalog';
import { applyPlan, planTool, runReadTool, type Plan } from '../../core/agentTools/run';
import { resolveKubeconfigSet } from '../../companion-daemon/src/paths';
import { config } from '../config';
import type { Feature } from '../ctx';
import { extensionBackend } from './backend';

/** A confirmed plan is applied if invoke comes within this time; later, it is planned again. */
const PLAN_TTL_MS = 10 * 60_000;

const text = (s: string) => new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(s)]);

export const agentToolsFeature: Feature = (ctx) => {
  const backend = extensionBackend(ctx);
  const plans = new Map<string, { plan: Plan; at: number }>();
  const disposables: vscode.Disposable[] = [backend];
  for (const info of TOOLS) {
    const key = (input: unknown) => `${info.name}:${JSON.stringify(input)}`;
    disposables.push(vscode.lm.registerTool<Record<string, unknown>>(info.name, {
      prepareInvocation: info.mutating
        ? async (options) => {
            const { plan, outcome } = await planTool(backend, info.name, options.input);
            if (!plan) return { invocationMessage: outcome!.text };
            plans.set(key(options.input), { plan, at: Date.now() });
            if (!plan.apply) return { invocationMessage: plan.summary };
            return { invocationMessage: info.title, confirmationMessages: { title: info.title, message: confirmation(plan.summary) } };
          }
        : (options) => ({ invocationMessage: `${info.title} (${Object.values(options.input ?? {}).filter((v) => typeof v === 'string').join(', ')})` }),
      invoke: async (options) => {
        if (!info.mutating) return text((await runReadTool(backend, info.name, options.input)).text);
        // Apply what the confirmation showed; planned again only when prepareInvocation did not run (or long ago).
        const cached = plans.get(key(options.input));
        plans.delete(key(options.input));
        let plan = cached && Date.now() - cached.at < PLAN_TTL_MS ? cached.plan : undefined;
        if (!plan) {
          const planned = await planTool(backend, info.name, options.input);
          if (!planned.plan) return text(planned.outcome!.text);
          plan = planned.plan;
        }
        ctx.log.info(`agent tool ${info.name}: applying what the user confirmed`);
        return text((await applyPlan(plan)).text);
      },
    }));
  }
  const changed = new vscode.EventEmitter<void>();
  disposables.push(
    changed,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (config.connectionKeys.some((k) => e.affectsConfiguration(k))) changed.fire();
    }),
    vscode.lm.registerMcpServerDefinitionProvider('kubeflow.mcpServer', {
      onDidChangeMcpServerDefinitions: changed.event,
      provideMcpServerDefinitions: () => [mcpDefinition(ctx.extension)],
    }),
  );
  return disposables;
};

/**
 * The plan as the confirmation shows it: plain text in a code block whose fence is longer than any backtick run in
 * it, so nothing the cluster returned can close the block and render as Markdown.
 */
export function confirmation(summary: string): vscode.MarkdownString {
  const longest = Math.max(0, ...(summary.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  const md = new vscode.MarkdownString();
  md.appendText('This will apply:');
  md.value += `\n\n${fence}text\n${summary}\n${fence}\n`;
  return md;
}

/** `kubeflow-companion mcp` with this window's kubeconfig, context and namespace, on the extension host's Node. */
export function mcpDefinition(extension: vscode.ExtensionContext): vscode.McpStdioServerDefinition {
  const args = [extension.asAbsolutePath('dist/companion-cli.js'), 'mcp', '--kubeconfig', resolveKubeconfigSet(config.kubeconfig() || undefined)];
  if (config.context()) args.push('--context', config.context());
  if (config.namespace()) args.push('--namespace', config.namespace());
  const env: Record<string, string> = { ELECTRON_RUN_AS_NODE: '1' };
  if (process.env.KUBEFLOW_COMPANION_HOME) env.KUBEFLOW_COMPANION_HOME = process.env.KUBEFLOW_COMPANION_HOME;
  return new vscode.McpStdioServerDefinition('Kubeflow', process.execPath, args, env, String(extension.extension.packageJSON.version ?? ''));
}
