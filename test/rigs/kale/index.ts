// Kale rig: PyPI kubeflow-kale 2.3.0 (with kfp 2.17.3) in its own venv, installed by install.sh beside this file
// (scripts/setup.sh test runs it).
import fs from 'node:fs';
import path from 'node:path';
import { kfvsCache } from '../jupyter/index';

export function kalePython(): string {
  const p = path.join(kfvsCache(), 'kale', 'venv', 'bin', 'python');
  if (!fs.existsSync(p)) throw new Error(`${p} not found: run test/rigs/kale/install.sh (scripts/setup.sh test does)`);
  return p;
}
