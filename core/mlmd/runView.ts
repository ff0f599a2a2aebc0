/**
 * The run outputs panel's data for one run (webviews/run-outputs/protocol.ts RunView): per task its parameters as
 * text, its artifacts with metadata as JSON and their visualizations. Pure; its cost for a large run (200 tasks,
 * 400 artifacts) is in `npm run bench -- mlmd`.
 */
import type { RunView, TaskView } from '../../webviews/run-outputs/protocol';
import { showValue } from './compare';
import type { RunOutputs } from './outputs';
import { visualize } from './visualize';

const entries = (o: Record<string, unknown>): Array<[string, string]> => Object.entries(o).map(([k, v]) => [k, showValue(v)]);

export function toRunView(out: RunOutputs, name: string, parameters?: Record<string, unknown>): RunView {
  const tasks: TaskView[] = out.tasks.filter((t) => t.executionType !== 'system.DAGExecution' || t.artifacts.length > 0).map((t) => ({
    task: t.iterationIndex !== undefined ? `${t.task} [${t.iterationIndex}]` : t.task,
    executionId: t.executionId,
    state: t.state,
    cached: t.cached,
    executionType: t.executionType,
    inputs: entries(t.inputs),
    outputs: entries(t.outputs),
    artifacts: t.artifacts.map((a) => ({
      id: a.id, name: a.name, event: a.event, type: a.type, uri: a.uri,
      metadata: JSON.stringify(a.metadata, null, 2),
      visualizations: a.event === 'OUTPUT' ? visualize(a) : [],
      registrable: a.event === 'OUTPUT' && a.type === 'system.Model' && Boolean(a.uri),
    })),
  }));
  return {
    runId: out.runId, name,
    ...(out.pipelineRoot ? { pipelineRoot: out.pipelineRoot } : {}),
    parameters: entries(parameters ?? out.parameters),
    tasks,
    warnings: out.warnings,
  };
}
