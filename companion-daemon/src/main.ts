// The companion daemon's process entry. See ARCHITECTURE.md.
import { PROTOCOL_VERSION } from './protocol';

console.log(`kubeflow-companion daemon, protocol ${PROTOCOL_VERSION}`);
