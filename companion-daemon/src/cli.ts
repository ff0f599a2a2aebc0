// `kubeflow-companion`: the daemon's command-line client.
import { PROTOCOL_VERSION } from './protocol';

console.log(`kubeflow-companion, protocol ${PROTOCOL_VERSION}`);
