/** The namespace the training and Katib views show: `kubeflow.namespace`, else the kubeconfig context's, else `default`. */
import { resolveKubeconfigSet } from '../../companion-daemon/src/paths';
import { readContexts } from '../cluster/feature';
import { config } from '../config';

export function currentNamespace(): string {
  const configured = config.namespace();
  if (configured) return configured;
  try {
    const { contexts, current } = readContexts(resolveKubeconfigSet(config.kubeconfig() || undefined));
    const name = config.context() || current;
    return contexts.find((c) => c.name === name)?.namespace || 'default';
  } catch {
    return 'default';
  }
}
