/**
 * What to call one pod of a training job, from the labels its operator sets: `master-0`, `worker-2`, `node-1`,
 * `launcher`. The one rule for the daemon's merged-log tags and the Training view's replica rows.
 *
 * - training-operator v1 (PyTorchJob, TFJob, XGBoostJob, JAXJob, PaddleJob): training.kubeflow.org/replica-type,
 *   training.kubeflow.org/replica-index
 * - mpi-operator (MPIJob): training.kubeflow.org/job-role, training.kubeflow.org/replica-index
 * - Trainer v2 (TrainJob, through JobSet): jobset.sigs.k8s.io/replicatedjob-name, jobset.sigs.k8s.io/job-index,
 *   batch.kubernetes.io/job-completion-index
 */
const TO = 'training.kubeflow.org';
const JS = 'jobset.sigs.k8s.io';

export interface ReplicaTag {
  /** Shown before every merged log line of the pod. Falls back to the pod name. */
  tag: string;
  /** The role (lower case), `pod` when the labels name none. */
  role: string;
  index: number;
}

export function replicaTagOf(labels: Readonly<Record<string, string>> | undefined, podName: string): ReplicaTag {
  const l = labels ?? {};
  const role = l[`${TO}/replica-type`] ?? l[`${TO}/job-role`];
  if (role) {
    const index = l[`${TO}/replica-index`];
    return { tag: index !== undefined ? `${role.toLowerCase()}-${index}` : role.toLowerCase(), role: role.toLowerCase(), index: Number(index ?? 0) };
  }
  const rjob = l[`${JS}/replicatedjob-name`];
  if (rjob) {
    const jobIndex = l[`${JS}/job-index`] ?? '0';
    const podIndex = l['batch.kubernetes.io/job-completion-index'];
    const parts = [rjob];
    if (jobIndex !== '0') parts.push(jobIndex);
    if (podIndex !== undefined) parts.push(podIndex);
    return { tag: parts.join('-'), role: rjob, index: Number(podIndex ?? jobIndex) };
  }
  return { tag: podName, role: 'pod', index: 0 };
}
