/**
 * The training job kinds the editor knows, where their APIs live, and which of them a cluster serves (from API
 * discovery, so a missing CRD is a message, not an error per list call). Pure; no I/O.
 *
 * - training-operator v1 (`kubeflow.org/v1`): PyTorchJob, TFJob, MPIJob, XGBoostJob, JAXJob, PaddleJob
 * - mpi-operator (`kubeflow.org/v2beta1`): MPIJob — preferred over the v1 MPIJob when both are served
 * - Kubeflow Trainer v2 (`trainer.kubeflow.org/v1alpha1`): TrainJob, whose pods belong to a JobSet of the same name
 */

export type TrainingKind = 'PyTorchJob' | 'TFJob' | 'MPIJob' | 'XGBoostJob' | 'JAXJob' | 'PaddleJob' | 'TrainJob';

export interface KindInfo {
  kind: TrainingKind;
  group: string;
  version: string;
  plural: string;
  /** The spec field that maps replica type → replica spec (v1 and v2beta1); absent for TrainJob. */
  replicaSpecs?: string;
}

export const TO_GROUP = 'kubeflow.org';
export const TRAINER_GROUP = 'trainer.kubeflow.org';

const V1: Array<[TrainingKind, string, string]> = [
  ['PyTorchJob', 'pytorchjobs', 'pytorchReplicaSpecs'],
  ['TFJob', 'tfjobs', 'tfReplicaSpecs'],
  ['MPIJob', 'mpijobs', 'mpiReplicaSpecs'],
  ['XGBoostJob', 'xgboostjobs', 'xgbReplicaSpecs'],
  ['JAXJob', 'jaxjobs', 'jaxReplicaSpecs'],
  ['PaddleJob', 'paddlejobs', 'paddleReplicaSpecs'],
];

/** Every kind at every API version the editor can read, in the order discovery prefers them. */
export const CANDIDATES: KindInfo[] = [
  { kind: 'MPIJob', group: TO_GROUP, version: 'v2beta1', plural: 'mpijobs', replicaSpecs: 'mpiReplicaSpecs' },
  ...V1.map(([kind, plural, replicaSpecs]) => ({ kind, group: TO_GROUP, version: 'v1', plural, replicaSpecs })),
  { kind: 'TrainJob', group: TRAINER_GROUP, version: 'v1alpha1', plural: 'trainjobs' },
];

/** Kinds whose absence the view mentions (PaddleJob is shown when served, but its absence is not news). */
export const EXPECTED: TrainingKind[] = ['PyTorchJob', 'TFJob', 'MPIJob', 'XGBoostJob', 'JAXJob', 'TrainJob'];

/** The group/versions to ask discovery about. */
export const DISCOVERY_GROUP_VERSIONS = [...new Set(CANDIDATES.map((c) => `${c.group}/${c.version}`))];

/**
 * Which kinds the cluster serves, from discovery answers: `groupVersion → resource plurals`, or `null` when that
 * group/version is not served (404). Each kind appears once, at its preferred version.
 */
export function resolveKinds(discovery: Record<string, string[] | null | undefined>): { installed: KindInfo[]; missing: TrainingKind[] } {
  const installed: KindInfo[] = [];
  for (const c of CANDIDATES) {
    if (installed.some((i) => i.kind === c.kind)) continue;
    if (discovery[`${c.group}/${c.version}`]?.includes(c.plural)) installed.push(c);
  }
  const missing = EXPECTED.filter((k) => !installed.some((i) => i.kind === k));
  return { installed, missing };
}

/** The plural names in an APIResourceList (`GET /apis/<group>/<version>`), without subresources. */
export function pluralsOf(resourceList: unknown): string[] {
  const resources = (resourceList as { resources?: Array<{ name?: string }> } | null)?.resources ?? [];
  return resources.map((r) => r.name ?? '').filter((n) => n && !n.includes('/'));
}

export function kindInfo(kind: string, apiVersion?: string): KindInfo | undefined {
  const [group, version] = (apiVersion ?? '').includes('/') ? apiVersion!.split('/') : [undefined, undefined];
  return CANDIDATES.find((c) => c.kind === kind && (!group || (c.group === group && c.version === version))) ?? CANDIDATES.find((c) => c.kind === kind);
}
