// A real Kubernetes API for tests: etcd + kube-apiserver + kwok (fake nodes and pods), built by build.sh from Go
// modules. No kube-controller-manager and no kube-scheduler: tests set spec.nodeName and act as controllers
// themselves (e.g. delete a pod and create it again, like a StatefulSet would). See README.md.
//
//   const rig = await startKubeRig();
//   ... use rig.kubeconfigPath with @kubernetes/client-node, the companion daemon, kubectl ...
//   await rig.stop();
//
// Everything listens on 127.0.0.1 on random free ports; certificates, kubeconfigs, logs and etcd data live in a
// per-run temp dir. Processes run in their own process groups and are killed by stop(), on process exit, and by a
// small watchdog process if this process dies without running its exit handlers (SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { kubeletProxy, watchPodDeletions } from './kubelet-proxy';
import YAML from 'yaml';
import {
  CPU_NODE,
  DEFAULT_NODES,
  GPU_NODE,
  KWOK_CRD_KINDS,
  criLogLines,
  logsObject,
  nodeObject,
  portForwardObject,
  rigStagesYaml,
  type ForwardEntry,
  type LogEntry,
} from './kwok-config';

export { COMPLETE_LABEL, CPU_NODE, FAIL_ANNOTATIONS, FAIL_LABEL, GPU_NODE, criLogLines } from './kwok-config';

/** Bump when the content or layout of the etcd templates changes. */
const TEMPLATE_REV = 1;

/** Namespace created for tests. */
export const TEST_NAMESPACE = 'kubeflow-user';

export const KUBEFLOW_CRD_COMPONENTS = ['notebook', 'notebooks-v2', 'profile', 'training-operator-v1', 'trainer-v2', 'katib', 'kserve'] as const;
export type KubeflowCrdComponent = (typeof KUBEFLOW_CRD_COMPONENTS)[number];

export interface StartKubeRigOptions {
  /**
   * Kubeflow CRDs to install: true (default) = all; false = none (only kwok's; fastest start); or a list of
   * component names: 'notebook', 'notebooks-v2' (Workspace, WorkspaceKind), 'profile', 'training-operator-v1', 'trainer-v2', 'katib', 'kserve'.
   */
  crds?: boolean | KubeflowCrdComponent[];
  /**
   * Which Kubeflow CRDs: 'latest' (default) = the newest upstream copies in ../shared/kubeflow-specs/crds,
   * 'compat' = the Kubeflow 1.11 platform versions where shared/ has a compat-* copy, 'minimal' = our own
   * schema-less CRDs in test/rigs/kube/crds (never chosen silently: without ../shared the other sets fail).
   * Default: env KFVS_CRD_SET (CI's compat run sets it for the cluster-facing suites), else 'latest'.
   */
  crdSet?: 'latest' | 'compat' | 'minimal';
  /** Keep the run dir (logs, certs) after stop(); also enabled by env KFVS_KEEP_RIG=1. */
  keepRunDir?: boolean;
  /** Extra kube-apiserver flags, e.g. ['--feature-gates=...']. */
  apiserverArgs?: string[];
  /**
   * End a deleted pod's port-forward, log and exec streams, as a kubelet does (kubelet-proxy.ts). Default true;
   * false keeps kwok's behaviour (streams outlive their pod).
   */
  breakDeletedPodStreams?: boolean;
  /** Milliseconds to wait for each component to become ready (default 90000). */
  startTimeoutMs?: number;
  /**
   * Run Kubernetes' own kube-controller-manager and kube-scheduler (default false): StatefulSets, Deployments,
   * ReplicaSets, Jobs, garbage collection, endpoints and default service accounts are then real, and the scheduler
   * binds pods to the kwok nodes (a pod asking for more GPUs than a node has gets the scheduler's own
   * `Insufficient nvidia.com/gpu`). Tests that set spec.nodeName themselves are unaffected.
   */
  controllers?: boolean;
}

export type KubeComponent = 'etcd' | 'kube-apiserver' | 'kwok' | 'kube-controller-manager' | 'kube-scheduler';

export interface PodLogsOptions {
  /** Container names these lines belong to; omitted = every container of the pod. */
  containers?: string[];
  stream?: 'stdout' | 'stderr';
  /** Lines served for `previous=true` (the last terminated container). */
  previous?: string[];
}

export interface PodLogHandle {
  file: string;
  previousFile?: string;
  /** Append lines (CRI format is added) to the live log file: a following reader sees them. */
  append(lines: string[], stream?: 'stdout' | 'stderr'): Promise<void>;
}

export interface KubeRig {
  kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  server: string;
  binDir: string;
  runDir: string;
  /** PEM paths of the per-run CA and the admin client certificate (system:masters). */
  pki: { caCert: string; adminCert: string; adminKey: string };
  /** Names of the fake nodes: gpu has nvidia.com/gpu: 8. */
  nodes: { gpu: string; cpu: string };
  namespace: string;
  /** Runs the built kubectl (no shell) with the admin kubeconfig; resolves stdout, rejects with stderr. */
  kubectl(args: string[], opts?: { input?: string; kubeconfig?: string; timeoutMs?: number }): Promise<string>;
  /** Server-side apply of a YAML (multi-document) string or objects, as admin. */
  apply(yamlOrObjects: string | object[], opts?: { kubeconfig?: string }): Promise<void>;
  /** A kubeconfig for a client-certificate user (CN=user, O=groups) with no permissions unless RBAC grants some. */
  userKubeconfig(user: string, groups?: string[]): Promise<string>;
  /**
   * Write a CRI-format log file for the pod (or some of its containers) and register a kwok Logs CR for it.
   * Works before or after the pod exists, and across delete + recreate under the same name.
   */
  podLogs(namespace: string, pod: string, lines: string[], opts?: PodLogsOptions): Promise<PodLogHandle>;
  /** Register a kwok PortForward CR so that a port-forward to pod:podPort lands on 127.0.0.1:localTargetPort. */
  forwardPodPort(namespace: string, pod: string, podPort: number, localTargetPort: number): Promise<void>;
  /** Resolves when the pod has the given phase (default Running); rejects after timeoutMs with its status. */
  waitForPod(namespace: string, pod: string, opts?: { phase?: string; timeoutMs?: number }): Promise<Record<string, unknown>>;
  /** Last lines of a component's log (etcd, kube-apiserver, kwok). */
  logTail(component: KubeComponent, lines?: number): string;
  stop(): Promise<void>;
}

// ------------------------------------------------------------------------------------------------
// paths

function findRepoRoot(): string {
  const starts = [typeof __dirname === 'string' ? __dirname : '', process.cwd()].filter(Boolean);
  for (const start of starts) {
    let dir = path.resolve(start);
    for (;;) {
      if (fs.existsSync(path.join(dir, 'test', 'rigs', 'kube', 'build.sh'))) return dir;
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  throw new Error('kube rig: cannot find the repository root (test/rigs/kube/build.sh) from ' + starts.join(', '));
}

export const repoRoot = findRepoRoot();
const rigDir = path.join(repoRoot, 'test', 'rigs', 'kube');

/** The shared data dir: $KFVS_SHARED, else <repo>/../shared. */
export function sharedDir(): string {
  return process.env.KFVS_SHARED ? path.resolve(process.env.KFVS_SHARED) : path.resolve(repoRoot, '../shared');
}

/** Resolve the bin dir of a completed build (never builds: run build.sh first; it is fast when stamped). */
export async function kubeRigBinDir(): Promise<string> {
  if (process.env.KFVS_KUBE_BIN_DIR) return process.env.KFVS_KUBE_BIN_DIR;
  const r = await run('bash', [path.join(rigDir, 'build.sh'), '--print-bin-dir'], { timeoutMs: 30_000 });
  if (r.code !== 0) {
    throw new Error(`kube rig binaries are missing: ${r.stderr.trim() || r.stdout.trim()}\n` +
      `run: bash test/rigs/kube/build.sh   (or scripts/setup.sh test)`);
  }
  return r.stdout.trim().split('\n').pop()!.trim();
}

// ------------------------------------------------------------------------------------------------
// small process helpers (no shell)

interface RunResult { code: number | null; stdout: string; stderr: string }

function run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', (e) => { if (timer) clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : null), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const r = await run('openssl', args.map((a) => a.replace(/^@/, cwd + path.sep)), { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`openssl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function tail(file: string, lines = 40): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * true when p settles within ms, else false. The timer is ref'd on purpose: the rig's child processes are unref'd,
 * so waiting for their exit must keep the event loop alive; it is cleared as soon as p settles.
 */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => { timer = setTimeout(() => r(false), ms); });
  try {
    return await Promise.race([p.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// The watchdog: a detached node process that holds the process group ids and kills them when our end of its stdin
// closes without a preceding "clear" (i.e. this process died, even by SIGKILL). Also removes the run dir.
const WATCHDOG_SRC = `
const fs = require('fs');
let pgids = [], dir = '', keep = false, buf = '';
process.stdin.on('data', (d) => {
  buf += d; let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, i); buf = buf.slice(i + 1);
    const [cmd, arg] = [line.slice(0, line.indexOf(' ') >>> 0), line.slice(line.indexOf(' ') + 1)];
    if (line === 'clear') { pgids = []; dir = ''; }
    else if (cmd === 'pgid') pgids.push(Number(arg));
    else if (cmd === 'dir') dir = arg;
    else if (line === 'keep') keep = true;
  }
});
process.stdin.on('end', () => {
  for (const p of pgids) { try { process.kill(-p, 'SIGTERM'); } catch {} }
  setTimeout(() => {
    for (const p of pgids) { try { process.kill(-p, 'SIGKILL'); } catch {} }
    if (dir && !keep) { try { fs.rmSync(dir, { recursive: true, force: true }); } catch {} }
    process.exit(0);
  }, pgids.length ? 1500 : 0);
});
`;

interface Proc {
  name: KubeComponent;
  child: ChildProcess;
  logFile: string;
  exited: boolean;
  exitInfo: string;
  done: Promise<void>;
}

// ------------------------------------------------------------------------------------------------
// CRDs

const CRD_RE = /^kind:\s*CustomResourceDefinition\s*$/m;

async function listYaml(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of (await fsp.readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/\.ya?ml$/.test(e.name)) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

/** CRD files and other object files (e.g. default ClusterTrainingRuntimes) to install, in that order. */
export async function kubeflowCrdFiles(set: 'latest' | 'compat' | 'minimal', components: readonly KubeflowCrdComponent[] = KUBEFLOW_CRD_COMPONENTS):
    Promise<{ crds: string[]; objects: string[]; source: string }> {
  for (const c of components) {
    if (!KUBEFLOW_CRD_COMPONENTS.includes(c)) throw new Error(`kube rig: unknown CRD component ${c}; known: ${KUBEFLOW_CRD_COMPONENTS.join(', ')}`);
  }
  const specs = path.join(sharedDir(), 'kubeflow-specs', 'crds');
  if (set !== 'minimal' && !fs.existsSync(specs)) {
    throw new Error(`kube rig: the Kubeflow CRDs of the '${set}' set are read from ${specs}, which is absent `
      + '(put the shared/ checkout beside the repository or set KFVS_SHARED; crdSet \'minimal\' uses the schema-less test CRDs)');
  }
  if (set === 'minimal') {
    const dir = path.join(rigDir, 'crds');
    const crds = (await listYaml(dir)).filter((f) => components.includes(path.basename(f, '.yaml') as KubeflowCrdComponent));
    return { crds, objects: [], source: dir };
  }
  const byName = new Map<string, string>();
  const compat = new Map<string, string>();
  const objects: string[] = [];
  for (const f of await listYaml(specs)) {
    const rel = path.relative(specs, f).split(path.sep);
    // samples/ holds examples (a WorkspaceKind, a Workspace) that tests apply themselves, never the rig
    if (!components.includes(rel[0] as KubeflowCrdComponent) || rel.includes('samples')) continue;
    const text = await fsp.readFile(f, 'utf8');
    if (!CRD_RE.test(text)) { objects.push(f); continue; }
    const name = /^metadata:\s*\n(?:\s+.*\n)*?\s+name:\s*(\S+)/m.exec(text)?.[1] ?? f;
    (f.split(path.sep).some((p) => p.startsWith('compat-')) ? compat : byName).set(name, f);
  }
  if (set === 'compat') {
    for (const [n, f] of compat) byName.set(n, f);
    // Kubeflow 1.11 has no Notebooks 2.0: a compat cluster serves v1 Notebooks only, as users of that release see
    for (const [n, f] of byName) if (path.relative(specs, f).split(path.sep)[0] === 'notebooks-v2') byName.delete(n);
  }
  return { crds: [...byName.values()], objects, source: specs };
}

/** The CRD set a rig gets when the test does not choose: env KFVS_CRD_SET ('latest', 'compat', 'minimal'), else 'latest'. */
export function defaultCrdSet(): 'latest' | 'compat' | 'minimal' {
  const v = process.env.KFVS_CRD_SET;
  if (v === undefined || v === '') return 'latest';
  if (v === 'latest' || v === 'compat' || v === 'minimal') return v;
  throw new Error(`kube rig: KFVS_CRD_SET=${v} is not one of latest, compat, minimal`);
}

// ------------------------------------------------------------------------------------------------

export async function startKubeRig(opts: StartKubeRigOptions = {}): Promise<KubeRig> {
  const t0 = Date.now();
  const timeoutMs = opts.startTimeoutMs ?? 90_000;
  const keep = opts.keepRunDir ?? process.env.KFVS_KEEP_RIG === '1';
  const binDir = await kubeRigBinDir();
  const shareDir = path.join(binDir, '..', 'share', 'kwok');
  const runDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kfvs-kube-'));
  const pkiDir = path.join(runDir, 'pki');
  const logDir = path.join(runDir, 'logs');
  const podLogDir = path.join(runDir, 'pod-logs');
  for (const d of [pkiDir, logDir, podLogDir, path.join(runDir, 'etcd'), path.join(runDir, 'kwok-home'), path.join(runDir, 'users')]) {
    await fsp.mkdir(d, { recursive: true, mode: 0o700 });
  }

  const procs: Proc[] = [];
  let stopped = false;
  const debug = process.env.KFVS_RIG_DEBUG === '1';
  const mark = (what: string) => { if (debug) process.stderr.write(`[kube rig +${((Date.now() - t0) / 1000).toFixed(2)}s] ${what}\n`); };

  const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SRC], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.unref();
  (watchdog.stdin as unknown as net.Socket).unref?.();
  watchdog.stdin!.on('error', () => undefined);
  watchdog.stdin!.write(`dir ${runDir}\n${keep ? 'keep\n' : ''}`);

  const killAllSync = () => {
    for (const p of procs) {
      if (!p.exited && p.child.pid) { try { process.kill(-p.child.pid, 'SIGKILL'); } catch { /* gone */ } }
    }
  };
  process.on('exit', killAllSync);

  const startProc = (name: Proc['name'], args: string[], env?: NodeJS.ProcessEnv): Proc => {
    const logFile = path.join(logDir, `${name}.log`);
    const fd = fs.openSync(logFile, 'a');
    const child = spawn(path.join(binDir, name), args, { detached: true, stdio: ['ignore', fd, fd], env: env ?? process.env, cwd: runDir });
    fs.closeSync(fd);
    child.unref(); // never keeps the test process alive: stop(), the exit hook or the watchdog end it
    const p: Proc = { name, child, logFile, exited: false, exitInfo: '', done: Promise.resolve() };
    p.done = new Promise((resolve) => {
      child.on('exit', (code, signal) => { p.exited = true; p.exitInfo = `exit code ${code} signal ${signal}`; resolve(); });
      child.on('error', (e) => { p.exited = true; p.exitInfo = String(e); resolve(); });
    });
    if (child.pid) watchdog.stdin!.write(`pgid ${child.pid}\n`);
    procs.push(p);
    return p;
  };

  const fail = (what: string, p?: Proc): Error => {
    const parts = [`kube rig: ${what} (after ${((Date.now() - t0) / 1000).toFixed(1)}s; run dir ${runDir}${keep ? '' : ', removed on stop: KFVS_KEEP_RIG=1 keeps it'})`];
    for (const q of p ? [p] : procs) parts.push(`--- ${q.name}${q.exited ? ` (${q.exitInfo})` : ''}: ${q.logFile}\n${tail(q.logFile)}`);
    return new Error(parts.join('\n'));
  };

  const closeOnStop: Array<() => void> = [];
  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    for (const c of closeOnStop) c();
    // SIGKILL: the state is thrown away, and a graceful kube-apiserver shutdown takes ~5 s
    killAllSync();
    await settlesWithin(Promise.all(procs.map((p) => p.done)), 3000);
    process.removeListener('exit', killAllSync);
    watchdog.stdin!.end('clear\n');
    if (!keep) await fsp.rm(runDir, { recursive: true, force: true }).catch(() => undefined);
  };

  /** Poll until check() is true; throws with the process's log tail if it exits or time runs out. */
  const waitFor = async (what: string, p: Proc | undefined, check: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let lastErr = '';
    for (;;) {
      if (p?.exited) throw fail(`${p.name} exited while waiting for ${what}`, p);
      try { if (await check()) return; } catch (e) { lastErr = String((e as Error).message ?? e); }
      if (Date.now() > deadline) throw fail(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? ` (last error: ${lastErr})` : ''}`, p);
      await sleep(150);
    }
  };

  try {
    // ---- PKI: CA, apiserver serving cert, admin client cert, service-account key pair
    const P = (f: string) => path.join(pkiDir, f);
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30'];
    await openssl(['req', '-x509', ...ec, '-subj', '/CN=kfvs-rig-ca', '-keyout', P('ca.key'), '-out', P('ca.crt')], pkiDir);
    const issue = (name: string, subj: string, ext: string[]) =>
      openssl(['req', '-x509', '-CA', P('ca.crt'), '-CAkey', P('ca.key'), ...ec, '-subj', subj,
        '-addext', 'basicConstraints=critical,CA:FALSE', ...ext.flatMap((e) => ['-addext', e]),
        '-keyout', P(`${name}.key`), '-out', P(`${name}.crt`)], pkiDir);
    await Promise.all([
      issue('apiserver', '/CN=kube-apiserver', [
        'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:10.96.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
        'extendedKeyUsage=serverAuth']),
      issue('admin', '/O=system:masters/CN=kfvs-rig-admin', ['extendedKeyUsage=clientAuth']),
      issue('kubelet', '/CN=kwok-kubelet', ['subjectAltName=IP:127.0.0.1,DNS:localhost', 'extendedKeyUsage=serverAuth']),
    ]);
    const sa = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await fsp.writeFile(P('sa.key'), sa.privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });
    await fsp.writeFile(P('sa.pub'), sa.publicKey.export({ type: 'spki', format: 'pem' }));
    mark('pki written');
    const ca = await fsp.readFile(P('ca.crt'));
    const adminCert = await fsp.readFile(P('admin.crt'));
    const adminKey = await fsp.readFile(P('admin.key'));

    // ---- etcd + kube-apiserver. Installing the Kubeflow CRDs into a fresh apiserver costs 10-25 s on 2 cores
    // (each CRD re-triggers the OpenAPI aggregation), so the first start with a given CRD set saves the etcd data
    // dir as a template under the build cache; later starts copy it and the apiserver comes up with the CRDs
    // in about 4 s. Nothing in it depends on the per-run PKI. KFVS_KUBE_NO_TEMPLATE=1 disables templates.
    const [etcdPort, etcdPeer, apiPort, kwokPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const server = `https://127.0.0.1:${apiPort}`;
    const etcdDir = path.join(runDir, 'etcd');
    const kubeconfigPath = path.join(runDir, 'admin.kubeconfig');
    await fsp.writeFile(kubeconfigPath, kubeconfig(server, P('ca.crt'), 'kfvs-rig-admin', P('admin.crt'), P('admin.key')), { mode: 0o600 });

    let apiserver: Proc | undefined;
    let etcd: Proc | undefined;
    const startControlPlane = async () => {
      etcd = startProc('etcd', [
        '--name=kfvs-rig', `--data-dir=${etcdDir}`,
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`, `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=kfvs-rig=http://127.0.0.1:${etcdPeer}`,
        '--unsafe-no-fsync', '--quota-backend-bytes=2147483648', '--log-level=warn',
      ]);
      const e = etcd;
      await waitFor('etcd /health', e, () => httpGetOk(`http://127.0.0.1:${etcdPort}/health`));
      mark('etcd ready');
      apiserver = startProc('kube-apiserver', [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
        `--tls-cert-file=${P('apiserver.crt')}`, `--tls-private-key-file=${P('apiserver.key')}`,
        `--client-ca-file=${P('ca.crt')}`, '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${P('sa.pub')}`, `--service-account-signing-key-file=${P('sa.key')}`,
        '--service-cluster-ip-range=10.96.0.0/16', '--allow-privileged=true', '--endpoint-reconciler-type=none',
        '--kubelet-preferred-address-types=InternalIP,Hostname',
        `--cert-dir=${path.join(runDir, 'apiserver-certs')}`,
        // no kube-controller-manager: no default ServiceAccount per namespace, and the not-ready taint would never go
        '--disable-admission-plugins=ServiceAccount,TaintNodesByCondition',
        '--profiling=false',
        ...(opts.apiserverArgs ?? []),
      ]);
      const a = apiserver;
      await waitFor('kube-apiserver /readyz', a, () => httpsGetOk(`${server}/readyz`, { ca, cert: adminCert, key: adminKey }));
      mark('kube-apiserver ready');
    };
    const stopControlPlane = async () => {
      // the apiserver has nothing to flush (every write is acknowledged by etcd); etcd closes its db on SIGTERM
      for (const [p, sig] of [[apiserver, 'SIGKILL'], [etcd, 'SIGTERM']] as const) {
        if (p && !p.exited && p.child.pid) { try { process.kill(-p.child.pid, sig); } catch { /* gone */ } }
        if (p && !(await settlesWithin(p.done, 10_000))) {
          throw fail(`${p.name} did not stop for the etcd template`, p);
        }
      }
    };

    const kubectl = async (args: string[], o: { input?: string; kubeconfig?: string; timeoutMs?: number } = {}): Promise<string> => {
      const r = await run(path.join(binDir, 'kubectl'), ['--kubeconfig', o.kubeconfig ?? kubeconfigPath, ...args],
        { input: o.input, timeoutMs: o.timeoutMs ?? 120_000 });
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
      return r.stdout;
    };
    const apply = async (y: string | object[], o: { kubeconfig?: string } = {}): Promise<void> => {
      const text = typeof y === 'string' ? y : y.map((obj) => JSON.stringify(obj)).join('\n---\n');
      // server-side: client-side apply stores the whole object in an annotation, which big CRDs exceed (256 KiB)
      await kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=kfvs-rig', '-f', '-'], { input: text, kubeconfig: o.kubeconfig });
    };
    const applyFiles = (files: string[]) =>
      kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=kfvs-rig', ...files.flatMap((f) => ['-f', f])]);
    const getJson = <T>(p: string) => httpsGetJson<T>(`${server}${p}`, { ca, cert: adminCert, key: adminKey });

    // CRDs (kwok's + Kubeflow's) and their objects, and the test namespace: the template's content
    const kwokCrds = (await fsp.readdir(path.join(shareDir, 'crd'))).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(shareDir, 'crd', f));
    const kf = opts.crds === false ? { crds: [], objects: [], source: '' }
      : await kubeflowCrdFiles(opts.crdSet ?? defaultCrdSet(), opts.crds === true || opts.crds === undefined ? KUBEFLOW_CRD_COMPONENTS : opts.crds);
    const hash = crypto.createHash('sha256').update(JSON.stringify({ rev: TEMPLATE_REV, binDir, apiserverArgs: opts.apiserverArgs ?? [] }));
    for (const f of [...kwokCrds, ...kf.crds, ...kf.objects]) hash.update(f).update(await fsp.readFile(f));
    const templateDir = path.join(binDir, '..', 'etcd-templates', hash.digest('hex').slice(0, 16));
    const useTemplate = process.env.KFVS_KUBE_NO_TEMPLATE !== '1';

    if (useTemplate && fs.existsSync(path.join(templateDir, 'ready'))) {
      await copyEtcdDir(path.join(templateDir, 'etcd'), etcdDir);
      mark(`etcd data copied from ${templateDir}`);
      await startControlPlane();
    } else {
      await startControlPlane();
      await applyFiles([...kwokCrds, ...kf.crds]);
      await waitFor('CRDs Established', apiserver, async () => {
        // (kubectl wait fails instead of waiting on a CRD whose status is still empty)
        const list = await getJson<{ items: Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }> }>(
          '/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
        return list.items.every((c) => c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True'));
      });
      mark(`${kwokCrds.length + kf.crds.length} CRD files established (${kf.source || 'no Kubeflow CRDs'})`);
      await waitServed();
      if (kf.objects.length) await applyFiles(kf.objects);
      await apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: TEST_NAMESPACE } }]);
      if (useTemplate) {
        await stopControlPlane();
        try {
          await saveEtcdTemplate(etcdDir, templateDir);
          mark(`etcd template saved to ${templateDir}`);
        } catch (e) {
          process.stderr.write(`kube rig: could not save the etcd template ${templateDir}: ${String(e)}\n`);
        }
        await startControlPlane();
      }
    }
    await waitServed();
    mark('CRDs served');

    /**
     * Until discovery lists every CRD and each one can be listed: after a start from a template, /readyz passes
     * while discovery still lags and lists fail with 429 "storage is (re)initializing" for a moment.
     */
    async function waitServed(): Promise<void> {
      const list = await getJson<{ items: Array<{ spec: { group: string; names: { plural: string }; versions: Array<{ name: string; served: boolean }> } }> }>(
        '/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
      const want = new Map<string, Set<string>>();
      const lists = list.items.map((c) => `/apis/${c.spec.group}/${c.spec.versions.find((v) => v.served)?.name}/${c.spec.names.plural}?limit=1`);
      for (const c of list.items) {
        for (const v of c.spec.versions.filter((x) => x.served)) {
          const gv = `${c.spec.group}/${v.name}`;
          if (!want.has(gv)) want.set(gv, new Set());
          want.get(gv)!.add(c.spec.names.plural);
        }
      }
      await waitFor('CRDs served by discovery', apiserver, async () => {
        for (const [gv, plurals] of want) {
          const res = await getJson<{ resources?: Array<{ name: string }> }>(`/apis/${gv}`);
          const have = new Set((res.resources ?? []).map((r) => r.name));
          for (const p of plurals) if (!have.has(p)) return false;
        }
        await Promise.all(lists.map((l) => getJson(l)));
        return true;
      });
    }

    // ---- kwok: stages from the build cache + ours, Logs/PortForward/Exec as CRDs
    const stageDir = path.join(shareDir, 'stage');
    const stageFiles = (await fsp.readdir(stageDir)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
    const stages = [...await Promise.all(stageFiles.map((f) => fsp.readFile(path.join(stageDir, f), 'utf8'))), rigStagesYaml()];
    const kwokConfig = path.join(runDir, 'kwok.yaml');
    await fsp.writeFile(kwokConfig, stages.map((s) => s.trim()).join('\n---\n') + '\n');
    // Nodes advertise the rig's kubelet proxy, which ends a deleted pod's streams the way a kubelet does.
    const kubelet = await kubeletProxy({ kwokPort, cert: await fsp.readFile(P('kubelet.crt')), key: await fsp.readFile(P('kubelet.key')) });
    const podWatch = watchPodDeletions({ server, ca, cert: adminCert, key: adminKey }, (ns, pod) => {
      if (opts.breakDeletedPodStreams !== false) kubelet.podGone(ns, pod);
    });
    closeOnStop.push(() => podWatch.stop(), () => kubelet.close());
    const kwok = startProc('kwok', [
      `--kubeconfig=${kubeconfigPath}`, `--config=${kwokConfig}`,
      `--enable-crds=${KWOK_CRD_KINDS.join(',')}`,
      '--manage-all-nodes=true', '--node-ip=127.0.0.1', '--node-name=localhost',
      `--node-port=${kubelet.port}`, `--server-address=127.0.0.1:${kwokPort}`,
      '--node-lease-duration-seconds=40',
    ], { ...process.env, HOME: path.join(runDir, 'kwok-home') }); // HOME: keep ~/.kwok/kwok.yaml out
    await waitFor('kwok /healthz', kwok, () => httpGetOk(`http://127.0.0.1:${kwokPort}/healthz`));
    mark('kwok healthy');

    // ---- nodes and the test namespace
    await apply(DEFAULT_NODES.map(nodeObject));
    await waitFor('nodes Ready', kwok, async () => {
      const out = await kubectl(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
      const ready = out.trim().split('\n').filter((l) => l.endsWith('=True')).length;
      return ready >= DEFAULT_NODES.length;
    });
    mark('nodes ready');

    // ---- Kubernetes' own controllers and scheduler, when asked for
    if (opts.controllers) {
      const [kcmPort, schedPort] = await Promise.all([freePort(), freePort()]);
      const kcm = startProc('kube-controller-manager', [
        `--kubeconfig=${kubeconfigPath}`, `--authentication-kubeconfig=${kubeconfigPath}`, `--authorization-kubeconfig=${kubeconfigPath}`,
        '--leader-elect=false', '--bind-address=127.0.0.1', `--secure-port=${kcmPort}`,
        `--service-account-private-key-file=${P('sa.key')}`, `--root-ca-file=${P('ca.crt')}`,
        '--use-service-account-credentials=false', '--cluster-name=kfvs-rig',
        // kwok keeps the nodes' leases and conditions; node IPAM has no pod CIDRs to hand out
        '--controllers=*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller,-persistentvolume-binder,-attachdetach',
        '--concurrent-statefulset-syncs=5', '--profiling=false',
      ]);
      const sched = startProc('kube-scheduler', [
        `--kubeconfig=${kubeconfigPath}`, `--authentication-kubeconfig=${kubeconfigPath}`, `--authorization-kubeconfig=${kubeconfigPath}`,
        '--leader-elect=false', '--bind-address=127.0.0.1', `--secure-port=${schedPort}`, '--profiling=false',
      ]);
      const healthy = (port: number) => () => httpsGetOk(`https://127.0.0.1:${port}/healthz`, { ca, cert: adminCert, key: adminKey, insecure: true });
      await Promise.all([
        waitFor('kube-controller-manager /healthz', kcm, healthy(kcmPort)),
        waitFor('kube-scheduler /healthz', sched, healthy(schedPort)),
      ]);
      // The service-account controller gives every namespace its `default` ServiceAccount: the sign that the
      // controllers act on the API, not only answer their health check.
      await waitFor('the default ServiceAccount of the test namespace', kcm, async () => {
        try { await kubectl(['get', 'serviceaccount', 'default', '-n', TEST_NAMESPACE]); return true; } catch { return false; }
      });
      mark('kube-controller-manager and kube-scheduler running');
    }

    // ---- barrier for kwok's Logs/PortForward informers. Seen: a Logs CR applied right after kwok started was not
    // honoured for ~0.75 s (the informer's first LIST). From the code: kwok caches the converted rule list keyed on
    // the reflector's last-synced resourceVersion, which client-go does not advance on ADDED events of a watch
    // started without one, so a view can stay stale until the next non-ADDED event. So every apply of a rule also
    // (re-)applies a sentinel rule of the same kind with a fresh nonce, applied last, and we poll kwok's own
    // endpoints until the sentinel's nonce comes back (retrying with a new nonce, a MODIFIED event, every 1.5 s).
    // Watch events arrive in order, so the rules applied before the sentinel are visible too.
    const SYNC = { ns: 'default', pod: 'kfvs-rig-sync', port: 1 };
    let syncQueue: Promise<unknown> = Promise.resolve();
    const withSync = (objs: object[]): Promise<void> => {
      // one at a time: concurrent callers would overwrite each other's sentinel nonce
      const next = syncQueue.then(() => syncOnce(objs));
      syncQueue = next.catch(() => undefined);
      return next;
    };
    const syncOnce = async (objs: object[]): Promise<void> => {
      const deadline = Date.now() + 20_000;
      let lastErr = '';
      let first = true;
      while (Date.now() < deadline) {
        const nonce = crypto.randomBytes(6).toString('hex');
        const syncLog = path.join(podLogDir, `_sync-${nonce}.log`);
        await fsp.writeFile(syncLog, criLogLines([nonce]));
        await apply([...(first ? objs : []),
          logsObject(SYNC.ns, SYNC.pod, [{ logsFile: syncLog }]),
          { ...portForwardObject(SYNC.ns, SYNC.pod, []), spec: { forwards: [{ ports: [SYNC.port], command: ['echo', nonce] }] } },
        ]);
        first = false;
        const until = Date.now() + 1500;
        let logOk = false;
        let pfOk = false;
        while (Date.now() < until && !(logOk && pfOk)) {
          try {
            logOk ||= (await httpGetBody(`http://127.0.0.1:${kwokPort}/containerLogs/${SYNC.ns}/${SYNC.pod}/sync`)).includes(nonce);
            pfOk ||= (await kwokPortForwardRead(kwokPort, SYNC.ns, SYNC.pod, SYNC.port, nonce)).includes(nonce);
          } catch (e) { lastErr = String((e as Error).message ?? e); }
          if (!(logOk && pfOk)) await sleep(50);
        }
        await fsp.rm(syncLog, { force: true });
        if (logOk && pfOk) return;
      }
      throw fail(`kwok did not pick up Logs/PortForward rules within 20 s (last error: ${lastErr})`, kwok);
    };
    await withSync([]);
    mark('kwok rules synced');

    // ---- per-pod kwok rules, merged per pod
    const logRules = new Map<string, LogEntry[]>();
    const fwdRules = new Map<string, ForwardEntry[]>();

    const rig: KubeRig = {
      kubeconfigPath,
      server,
      binDir,
      runDir,
      pki: { caCert: P('ca.crt'), adminCert: P('admin.crt'), adminKey: P('admin.key') },
      nodes: { gpu: GPU_NODE, cpu: CPU_NODE },
      namespace: TEST_NAMESPACE,
      kubectl,
      apply,
      async userKubeconfig(user: string, groups: string[] = []): Promise<string> {
        const ok = /^[A-Za-z0-9:._@-]+$/;
        if (![user, ...groups].every((s) => ok.test(s))) throw new Error(`kube rig: unsupported characters in user/group ${JSON.stringify([user, ...groups])}`);
        const base = `user-${user.replace(/[^A-Za-z0-9._-]/g, '_')}-${crypto.randomBytes(3).toString('hex')}`;
        const subj = groups.map((g) => `/O=${g}`).join('') + `/CN=${user}`;
        await openssl(['req', '-x509', '-CA', P('ca.crt'), '-CAkey', P('ca.key'), ...ec, '-subj', subj,
          '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'extendedKeyUsage=clientAuth',
          '-keyout', path.join(runDir, 'users', `${base}.key`), '-out', path.join(runDir, 'users', `${base}.crt`)], pkiDir);
        const file = path.join(runDir, 'users', `${base}.kubeconfig`);
        await fsp.writeFile(file, kubeconfig(server, P('ca.crt'), user,
          path.join(runDir, 'users', `${base}.crt`), path.join(runDir, 'users', `${base}.key`)), { mode: 0o600 });
        return file;
      },
      async podLogs(namespace: string, pod: string, lines: string[], o: PodLogsOptions = {}): Promise<PodLogHandle> {
        const tag = `${namespace}_${pod}_${(o.containers ?? ['all']).join('+')}`.replace(/[^A-Za-z0-9._+-]/g, '_');
        const file = path.join(podLogDir, `${tag}.log`);
        await fsp.writeFile(file, criLogLines(lines, o.stream));
        let previousFile: string | undefined;
        if (o.previous) {
          previousFile = path.join(podLogDir, `${tag}.previous.log`);
          await fsp.writeFile(previousFile, criLogLines(o.previous, o.stream));
        }
        const key = `${namespace}/${pod}`;
        const sameContainers = (e: LogEntry) => (e.containers ?? []).join(',') === (o.containers ?? []).join(',');
        const entries = (logRules.get(key) ?? []).filter((e) => !sameContainers(e));
        entries.push({ containers: o.containers, logsFile: file, previousLogsFile: previousFile });
        // specific containers first: kwok takes the first entry without containers as the default
        entries.sort((a, b) => (b.containers?.length ?? 0) - (a.containers?.length ?? 0));
        logRules.set(key, entries);
        await withSync([logsObject(namespace, pod, entries)]);
        return {
          file,
          previousFile,
          append: (more: string[], stream?: 'stdout' | 'stderr') => fsp.appendFile(file, criLogLines(more, stream ?? o.stream)),
        };
      },
      async forwardPodPort(namespace: string, pod: string, podPort: number, localTargetPort: number): Promise<void> {
        const key = `${namespace}/${pod}`;
        const entries = (fwdRules.get(key) ?? []).filter((f) => f.podPort !== podPort);
        entries.push({ podPort, address: '127.0.0.1', port: localTargetPort });
        fwdRules.set(key, entries);
        await withSync([portForwardObject(namespace, pod, entries)]);
      },
      async waitForPod(namespace: string, pod: string, o: { phase?: string; timeoutMs?: number } = {}) {
        const want = o.phase ?? 'Running';
        const deadline = Date.now() + (o.timeoutMs ?? 30_000);
        let last: Record<string, unknown> = {};
        for (;;) {
          try {
            last = JSON.parse(await kubectl(['get', 'pod', '-n', namespace, pod, '-o', 'json'])) as Record<string, unknown>;
            if ((last.status as { phase?: string } | undefined)?.phase === want) return last;
          } catch (e) { last = { error: String(e) }; }
          if (Date.now() > deadline) throw new Error(`pod ${namespace}/${pod} not ${want}: ${JSON.stringify(last.status ?? last)}\n${tail(kwok.logFile, 20)}`);
          await sleep(100);
        }
      },
      logTail(component, n = 40) {
        return tail(path.join(logDir, `${component}.log`), n);
      },
      stop: stopAll,
    };
    return rig;
  } catch (e) {
    await stopAll().catch(() => undefined);
    throw e;
  }
}

let shared: Promise<KubeRig> | undefined;

/**
 * One rig for the whole test process (all Kubeflow CRDs), started on first use and killed when the process exits.
 * Suites sharing it must use their own namespaces or object names. Calling stop() on it is a no-op.
 */
export function sharedKubeRig(): Promise<KubeRig> {
  // its processes are unref'd: the test process exits normally, and the exit hook and the watchdog kill them
  shared ??= startKubeRig().then((rig) => ({ ...rig, stop: async () => undefined }));
  shared.catch(() => { shared = undefined; });
  return shared;
}

function kubeconfig(server: string, caFile: string, user: string, certFile: string, keyFile: string): string {
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kfvs-rig', cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: user, user: { 'client-certificate': certFile, 'client-key': keyFile } }],
    contexts: [{ name: 'kfvs-rig', context: { cluster: 'kfvs-rig', user, namespace: TEST_NAMESPACE } }],
    'current-context': 'kfvs-rig',
    preferences: {},
  });
}

function httpGetOk(url: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 2000 }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** `insecure`: the server's certificate is self-signed (kube-controller-manager's and kube-scheduler's own). */
function httpsGetOk(url: string, tls: { ca: Buffer; cert: Buffer; key: Buffer; insecure?: boolean }): Promise<boolean> {
  const { insecure, ...creds } = tls;
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ...creds, rejectUnauthorized: !insecure, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve(res.statusCode === 200 && body.trim() === 'ok'));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function httpGetBody(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/**
 * Port-forward straight to kwok's kubelet endpoint (WebSocket, v4.channel.k8s.io) and collect what the forward
 * target sends on the data channel until `expect` shows up, an error arrives, or 2 s pass. Used only for the sync
 * barrier (the sentinel's target is `echo <nonce>`).
 */
function kwokPortForwardRead(kwokPort: number, ns: string, pod: string, port: number, expect: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${kwokPort}/portForward/${ns}/${pod}?port=${port}`, ['v4.channel.k8s.io']);
    const data: Buffer[] = [];
    let err = '';
    const seen = [false, false];
    const timer = setTimeout(() => ws.terminate(), 2000);
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      if (!isBinary || raw.length < 1) return;
      const ch = raw[0]!;
      let payload = raw.subarray(1);
      if (ch <= 1 && !seen[ch]) { seen[ch] = true; payload = payload.subarray(2); } // each channel starts with the port
      if (ch === 0) data.push(payload);
      else if (ch === 1) err += payload.toString();
      // kwok keeps the stream open after the target command exits: stop as soon as the answer is there
      if (err || Buffer.concat(data).toString().includes(expect)) ws.close();
    });
    ws.on('error', (e) => { clearTimeout(timer); reject(e); });
    ws.on('close', () => {
      clearTimeout(timer);
      if (err) reject(new Error(err));
      else resolve(Buffer.concat(data).toString());
    });
  });
}

function httpsGetJson<T>(url: string, tls: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ...tls, timeout: 10_000, headers: { accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) { reject(new Error(`GET ${url}: ${res.statusCode} ${body.slice(0, 300)}`)); return; }
        try { resolve(JSON.parse(body) as T); } catch (e) { reject(e); }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Copy an etcd data dir, leaving out the preallocated spare WAL segment (*.tmp, 64 MB). */
async function copyEtcdDir(from: string, to: string): Promise<void> {
  await fsp.cp(from, to, { recursive: true, filter: (src) => !src.endsWith('.tmp') });
}

/** Publish a stopped etcd data dir as a template; concurrent publishers of the same template race harmlessly. */
async function saveEtcdTemplate(etcdDir: string, templateDir: string): Promise<void> {
  const tmp = `${templateDir}.tmp-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  await fsp.mkdir(tmp, { recursive: true });
  await copyEtcdDir(etcdDir, path.join(tmp, 'etcd'));
  await fsp.writeFile(path.join(tmp, 'ready'), new Date().toISOString() + '\n');
  try {
    await fsp.rename(tmp, templateDir);
  } catch {
    await fsp.rm(tmp, { recursive: true, force: true }); // someone else published it first
  }
  // keep the newest few (each is ~80 MB): one per CRD selection in use
  const root = path.dirname(templateDir);
  const all = await Promise.all((await fsp.readdir(root)).filter((n) => !n.includes('.tmp-'))
    .map(async (n) => ({ dir: path.join(root, n), mtime: (await fsp.stat(path.join(root, n))).mtimeMs })));
  for (const old of all.sort((x, y) => y.mtime - x.mtime).slice(6)) await fsp.rm(old.dir, { recursive: true, force: true });
}
