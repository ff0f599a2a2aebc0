/**
 * The registry's own record of what serves a version: a ServingEnvironment per namespace (named after it, as
 * Kubeflow's model-registry controller names them) holding one InferenceService record per KServe InferenceService
 * (same name; the version it serves, its runtime, desiredState DEPLOYED). Written after a deploy, read by the details
 * panel. VS Code-free.
 */
import type { ModelRegistryClient } from './client';
import type { InferenceService } from './types';

export interface Served {
  namespace: string;
  name: string;
  registeredModelId: string;
  modelVersionId: string;
  runtime?: string;
}

/** Creates or updates the record of `s` (idempotent: a second deploy of the same service updates its record). */
export async function recordServing(client: ModelRegistryClient, s: Served): Promise<InferenceService> {
  const env = (await client.findServingEnvironment(s.namespace))
    ?? (await client.createServingEnvironment({ name: s.namespace, description: `KServe in namespace ${s.namespace}` }));
  const existing = await client.findInferenceService(s.name, env.id);
  const fields = { modelVersionId: s.modelVersionId, desiredState: 'DEPLOYED' as const, ...(s.runtime ? { runtime: s.runtime } : {}) };
  if (existing) return client.updateInferenceService(existing.id, fields);
  return client.createInferenceService({ name: s.name, registeredModelId: s.registeredModelId, servingEnvironmentId: env.id, ...fields });
}

/** The records of a version (or of any version of a model), with the namespace of their environment. */
export async function servingRecords(client: ModelRegistryClient, of: { registeredModelId: string; modelVersionId?: string }): Promise<Array<InferenceService & { namespace: string }>> {
  const [envs, records] = await Promise.all([
    client.all((o) => client.listServingEnvironments(o), { pageSize: 100 }, 500),
    client.all((o) => client.listInferenceServices(o), { pageSize: 100 }, 2000),
  ]);
  const ns = new Map(envs.map((e) => [e.id, e.name]));
  return records
    .filter((r) => r.registeredModelId === of.registeredModelId && (!of.modelVersionId || r.modelVersionId === of.modelVersionId))
    .map((r) => ({ ...r, namespace: ns.get(r.servingEnvironmentId) ?? '' }));
}
