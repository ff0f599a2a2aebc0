// Answers of the KFP v2beta1 API as the server writes them (proto names, unset fields left out, int64 as strings,
// unset times as 1970-01-01T00:00:00Z, empty lists as `{}`). Every one is checked against the swagger in
// client.test.ts, so they cannot drift from what the spec allows.

export const PIPELINE = {
  pipeline_id: '3f1d6c2e-6a3b-4d0e-9a51-0b8b6c1f2a10',
  display_name: 'hello-world',
  name: 'hello-world',
  description: 'Says hello with typed parameters.',
  created_at: '2026-08-27T09:12:03Z',
  namespace: 'kubeflow-user-example-com',
};

export const VERSION = {
  pipeline_id: PIPELINE.pipeline_id,
  pipeline_version_id: '9b0a4b6e-1f27-4bb8-8f0e-5e1c0a7d2c33',
  display_name: 'hello-world-v2',
  name: 'hello-world-v2',
  created_at: '2026-08-27T09:15:44Z',
  package_url: { pipeline_url: '' },
  pipeline_spec: {
    pipelineInfo: { name: 'hello-world', description: 'Says hello with typed parameters.' },
    root: {
      inputDefinitions: { parameters: { name: { parameterType: 'STRING', defaultValue: 'Kubeflow', isOptional: true }, times: { parameterType: 'NUMBER_INTEGER', defaultValue: 2, isOptional: true } } },
      dag: { tasks: { 'say-hello': { taskInfo: { name: 'say-hello' }, componentRef: { name: 'comp-say-hello' } } } },
    },
    components: { 'comp-say-hello': { executorLabel: 'exec-say-hello' } },
    deploymentSpec: { executors: { 'exec-say-hello': { container: { image: 'python:3.11-slim' } } } },
    schemaVersion: '2.1.0',
    sdkVersion: 'kfp-2.17.3',
  },
};

export const EXPERIMENT = {
  experiment_id: 'e5b2f6d1-37f4-4b7c-8d0f-2a7e3c9b8f01',
  display_name: 'nightly',
  description: 'Nightly training',
  created_at: '2026-08-20T07:00:00Z',
  namespace: 'kubeflow-user-example-com',
  storage_state: 'AVAILABLE',
  last_run_created_at: '2026-08-27T09:20:00Z',
};

const RUN_ID = '0c4b7f0e-0d0a-4c1e-8a55-6f3b1e2d9a77';
const WF = 'hello-world-9xk2p';

/** A running run as the persistence agent reported its Argo workflow: one task per Argo node. */
export const RUN = {
  experiment_id: EXPERIMENT.experiment_id,
  run_id: RUN_ID,
  display_name: 'hello-world 2026-08-27 09:20',
  storage_state: 'AVAILABLE',
  pipeline_version_reference: { pipeline_id: PIPELINE.pipeline_id, pipeline_version_id: VERSION.pipeline_version_id },
  runtime_config: { parameters: { name: 'Kubeflow', times: 3 } },
  service_account: 'default-editor',
  created_at: '2026-08-27T09:20:00Z',
  scheduled_at: '2026-08-27T09:20:00Z',
  finished_at: '1970-01-01T00:00:00Z',
  state: 'RUNNING',
  state_history: [
    { update_time: '2026-08-27T09:20:00Z', state: 'PENDING' },
    { update_time: '2026-08-27T09:20:05Z', state: 'RUNNING' },
  ],
  run_details: {
    task_details: [
      { run_id: RUN_ID, display_name: WF, create_time: '2026-08-27T09:20:00Z', start_time: '2026-08-27T09:20:01Z', end_time: '1970-01-01T00:00:00Z', state: 'RUNNING', execution_id: '0', pod_name: WF, child_tasks: [{ pod_name: `${WF}-1001` }] },
      { run_id: RUN_ID, display_name: 'root-driver', create_time: '2026-08-27T09:20:00Z', start_time: '2026-08-27T09:20:01Z', end_time: '2026-08-27T09:20:04Z', state: 'SUCCEEDED', execution_id: '0', pod_name: `${WF}-1001`, child_tasks: [{ pod_name: `${WF}-1002` }] },
      { run_id: RUN_ID, display_name: 'root', create_time: '2026-08-27T09:20:00Z', start_time: '2026-08-27T09:20:04Z', end_time: '1970-01-01T00:00:00Z', state: 'RUNNING', execution_id: '0', pod_name: `${WF}-1002`, child_tasks: [{ pod_name: `${WF}-1003` }] },
      { run_id: RUN_ID, display_name: 'say-hello-driver', create_time: '2026-08-27T09:20:00Z', start_time: '2026-08-27T09:20:04Z', end_time: '2026-08-27T09:20:07Z', state: 'SUCCEEDED', execution_id: '0', pod_name: `${WF}-1003`, child_tasks: [{ pod_name: `${WF}-1004` }] },
      { run_id: RUN_ID, display_name: 'say-hello', create_time: '2026-08-27T09:20:00Z', start_time: '2026-08-27T09:20:07Z', end_time: '1970-01-01T00:00:00Z', state: 'RUNNING', execution_id: '0', pod_name: `${WF}-1004`, child_tasks: [{ pod_name: `${WF}-1005` }] },
      { run_id: RUN_ID, display_name: 'executor', create_time: '2026-08-27T09:20:00Z', start_time: '2026-08-27T09:20:08Z', end_time: '1970-01-01T00:00:00Z', state: 'RUNNING', execution_id: '0', pod_name: `${WF}-1005` },
    ],
  },
};

export const FAILED_RUN = {
  ...RUN,
  run_id: '5d2e8a1c-8f44-4d5b-9c2a-0e7f1b3d6c88',
  state: 'FAILED',
  finished_at: '2026-08-27T09:25:10Z',
  error: { code: 2, message: 'task say-hello failed: exit code 1', details: [{ '@type': 'type.googleapis.com/google.rpc.Status', code: 2, message: 'exit code 1' }] },
  run_details: {},
};

export const RECURRING_RUN = {
  recurring_run_id: '7a1f0c3e-2b4d-4e6f-8a9b-1c2d3e4f5a6b',
  display_name: 'nightly hello',
  pipeline_version_reference: { pipeline_id: PIPELINE.pipeline_id, pipeline_version_id: VERSION.pipeline_version_id },
  runtime_config: { parameters: { times: 1 } },
  service_account: 'default-editor',
  max_concurrency: '1',
  trigger: { cron_schedule: { cron: '0 0 2 * * *', start_time: '2026-08-27T00:00:00Z' } },
  mode: 'ENABLE',
  created_at: '2026-08-26T10:00:00Z',
  updated_at: '2026-08-26T10:00:00Z',
  status: 'ENABLED',
  no_catchup: true,
  namespace: 'kubeflow-user-example-com',
  experiment_id: EXPERIMENT.experiment_id,
};

/** The gateway's error body: `error` (deprecated copy) + google.rpc.Status. */
export const NOT_FOUND = {
  error: 'Failed to get pipeline by name: ResourceNotFoundError: Pipeline hello-world not found',
  code: 5,
  message: 'Failed to get pipeline by name: ResourceNotFoundError: Pipeline hello-world not found',
  details: [{ '@type': 'type.googleapis.com/google.rpc.Status', code: 5, message: 'Pipeline hello-world not found' }],
};

export const HEALTHZ = { commit_sha: '4a3592cb2dd0a91a4652ab93893ec8beda1f3158', tag_name: '2.17.0', multi_user: true, pipeline_store: 'database' };
