// When a run read shows the run's final task states. KFP's API server records a run's final state before that same
// report's task details (backend/src/apiserver/server/report_server.go: ReportWorkflowResource updates the run, then
// reportTasksFromExecution writes its tasks), so a read in between has the final state with the tasks of an earlier
// report: a cached step missing, a branch not yet skipped. A reader that stops at the final state keeps those.
// Browser-safe.
import { isTerminal, type Run } from './types';

/** How many reads after the final state a reader makes at most while waiting for the tasks to settle. */
export const SETTLE_READS = 10;

/** The task details of a read, as far as the graph shows them. */
export function taskDetailsKey(run: Run): string {
  return (run.run_details?.task_details ?? []).map((t) => `${t.task_id ?? ''}:${t.state ?? ''}:${t.end_time ?? ''}`).sort().join('|');
}

/** Whether `run` (read after `previous`) has its final state and the task details that go with it: no task is still
 * live and the details are those of the read before, itself final. */
export function runSettled(run: Run, previous: Run | undefined): boolean {
  if (!isTerminal(run.state) || !previous || !isTerminal(previous.state)) return false;
  const live = (run.run_details?.task_details ?? []).some((t) => t.state === 'RUNNING' || t.state === 'PENDING');
  return !live && taskDetailsKey(run) === taskDetailsKey(previous);
}
