/**
 * Kubeconfig access for the daemon: one KubeConfig per context, reloaded when the files change, with errors that
 * name the file and the context.
 */
import { KubeConfig } from '@kubernetes/client-node';
import fs from 'node:fs';
import path from 'node:path';
import { DaemonError } from './errors';
import { ErrorCode } from '../protocol';

export class KubeConfigs {
  private cache = new Map<string, KubeConfig>();
  private stamp = '';

  /** `files` is a path list as in $KUBECONFIG. */
  constructor(readonly files: string) {}

  /** The KubeConfig for `context` (empty: the current context), with that context selected. */
  get(context?: string): KubeConfig {
    this.reloadIfChanged();
    const key = context || '';
    let kc = this.cache.get(key);
    if (kc) return kc;
    kc = this.load();
    if (context) {
      if (!kc.getContextObject(context)) {
        throw new DaemonError(ErrorCode.Kubeconfig, `Context "${context}" is not in ${this.files}.`, 'NoSuchContext');
      }
      kc.setCurrentContext(context);
    }
    if (!kc.getCurrentCluster()) {
      throw new DaemonError(ErrorCode.Kubeconfig, `The kubeconfig ${this.files} has no current context with a cluster.`, 'NoCluster');
    }
    this.cache.set(key, kc);
    return kc;
  }

  currentContext(): string {
    try {
      return this.load().getCurrentContext();
    } catch {
      return '';
    }
  }

  private load(): KubeConfig {
    const kc = new KubeConfig();
    const files = this.files.split(path.delimiter).filter((f) => fs.existsSync(f));
    if (files.length === 0) {
      throw new DaemonError(ErrorCode.Kubeconfig, `No kubeconfig file found at ${this.files}.`, 'NoKubeconfig');
    }
    try {
      if (files.length === 1) {
        kc.loadFromFile(files[0]);
      } else {
        // loadFromDefault merges the $KUBECONFIG list the way kubectl does.
        const saved = process.env.KUBECONFIG;
        process.env.KUBECONFIG = files.join(path.delimiter);
        try {
          kc.loadFromDefault();
        } finally {
          if (saved === undefined) delete process.env.KUBECONFIG;
          else process.env.KUBECONFIG = saved;
        }
      }
    } catch (err) {
      throw new DaemonError(ErrorCode.Kubeconfig, `Cannot read kubeconfig ${files.join(', ')}: ${(err as Error).message}`, 'BadKubeconfig');
    }
    return kc;
  }

  private reloadIfChanged(): void {
    const stamp = this.files
      .split(path.delimiter)
      .map((f) => {
        try {
          const st = fs.statSync(f);
          return `${f}:${st.mtimeMs}:${st.size}`;
        } catch {
          return `${f}:-`;
        }
      })
      .join('|');
    if (stamp !== this.stamp) {
      this.stamp = stamp;
      this.cache.clear();
    }
  }
}

/**
 * Runs the kubeconfig's auth step (token file, exec/OIDC plugin) once, so a failing credential plugin is reported
 * as such instead of as a confusing network error from whichever call needed the token first.
 */
export async function checkAuth(kc: KubeConfig): Promise<void> {
  try {
    await kc.applyToHTTPSOptions({});
  } catch (err) {
    const user = kc.getCurrentUser();
    const plugin = user?.exec?.command ? ` (${user.exec.command})` : '';
    const text = String((err as Error)?.message ?? err).trim() || String(err);
    throw new DaemonError(ErrorCode.Kubeconfig, `The credential plugin of user "${user?.name ?? '?'}"${plugin} failed: ${text}`, 'ExecPluginFailed', text);
  }
}
