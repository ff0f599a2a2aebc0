/**
 * The one entry point of the agent tools for both hosts (VS Code's language-model tools, the MCP server): the input
 * is checked against the tool's schema, the tool runs on the host's `AgentBackend`, and whatever happens the answer is
 * bounded, redacted text. Mutating tools are split in `plan` (what would be applied) and the plan's `apply`.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { AgentBackend } from './backend';
import { TOOLS, toolInfo, type ToolInfo } from './catalog';
import { planDeployModel, planEndpointTraffic, planNotebookPower, planSubmitRun, type Plan } from './mutate';
import { compareRunsTool, describePipelineTool, diagnoseTool, listTool, logsTool } from './read';
import { bounded, errorText, ToolInputError } from './text';

export type { Plan } from './mutate';

type Input = Record<string, unknown>;

const READ: Partial<Record<ToolInfo['name'], (b: AgentBackend, input: Input) => Promise<string>>> = {
  kubeflow_list: listTool,
  kubeflow_diagnose: diagnoseTool,
  kubeflow_logs: logsTool,
  kubeflow_describe_pipeline: describePipelineTool,
  kubeflow_compare_runs: compareRunsTool,
};
const PLAN: Partial<Record<ToolInfo['name'], (b: AgentBackend, input: Input) => Promise<Plan>>> = {
  kubeflow_submit_run: planSubmitRun,
  kubeflow_notebook_power: planNotebookPower,
  kubeflow_deploy_model: planDeployModel,
  kubeflow_endpoint_traffic: planEndpointTraffic,
};

/** Compiled on first use, not at activation. */
let validators: Map<string, ValidateFunction> | undefined;
function validator(name: string): ValidateFunction {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    validators = new Map(TOOLS.map((t) => [t.name, ajv.compile(t.inputSchema)]));
  }
  return validators.get(name)!;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => {
    const at = e.instancePath ? `\`${e.instancePath.slice(1).replace(/\//g, '.')}\`` : 'the input';
    if (e.keyword === 'additionalProperties') return `${at} has no field "${String(e.params.additionalProperty)}"`;
    if (e.keyword === 'enum') return `${at} must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    return `${at} ${e.message ?? 'is invalid'}`;
  }).join('; ');
}

/** The tool and its checked input; throws `ToolInputError` for an unknown tool or input that does not fit. */
function checked(name: string, input: unknown): { info: ToolInfo; input: Input } {
  const info = toolInfo(name);
  if (!info) throw new ToolInputError(`no tool "${name}"; the tools are ${TOOLS.map((t) => t.name).join(', ')}`);
  const value = input ?? {};
  const validate = validator(name);
  if (!validate(value)) throw new ToolInputError(`bad input for ${name}: ${describeErrors(validate.errors)}`);
  return { info, input: value as Input };
}

export interface ToolOutcome {
  text: string;
  isError: boolean;
}

const fail = (err: unknown): ToolOutcome => ({ text: bounded(errorText(err)), isError: true });

/** Runs a read-only tool; a mutating one answers with its plan only (nothing is applied). */
export async function runReadTool(b: AgentBackend, name: string, input: unknown): Promise<ToolOutcome> {
  try {
    const c = checked(name, input);
    if (c.info.mutating) {
      const plan = await PLAN[c.info.name]!(b, c.input);
      return { text: bounded(`Not applied: ${name} changes the cluster and needs confirmation. It would apply:\n${plan.summary}`), isError: false };
    }
    return { text: bounded(await READ[c.info.name]!(b, c.input)), isError: false };
  } catch (err) {
    return fail(err);
  }
}

/** The plan of a mutating tool: what it would apply, and how. */
export async function planTool(b: AgentBackend, name: string, input: unknown): Promise<{ plan?: Plan; outcome?: ToolOutcome }> {
  try {
    const c = checked(name, input);
    if (!c.info.mutating) throw new ToolInputError(`${name} does not change the cluster`);
    const plan = await PLAN[c.info.name]!(b, c.input);
    return { plan: { ...plan, summary: bounded(plan.summary) } };
  } catch (err) {
    return { outcome: fail(err) };
  }
}

/** Applies a plan the user confirmed. */
export async function applyPlan(plan: Plan): Promise<ToolOutcome> {
  if (!plan.apply) return { text: bounded(plan.summary), isError: false };
  try {
    return { text: bounded(`${await plan.apply()}\nApplied:\n${plan.summary}`), isError: false };
  } catch (err) {
    return fail(err);
  }
}
