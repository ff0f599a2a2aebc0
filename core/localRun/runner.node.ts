// Runs the local-run driver (`driver.py`, kfp.local) with a chosen Python and keeps the run on disk: one folder per run
// under the runs folder (`.kubeflow/local-runs/` of the workspace by default) with `run.json` (parameters, states,
// outputs, errors), one log file per task instance as its lines arrive, `outputs/` (kfp.local's pipeline root) and the
// driver's own stderr. No shell; the driver runs in its own process group, so a cancel ends its tasks too. Node-only;
// the extension, the tests and the bench share it.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { DriverEvent, DriverMode, DriverRequest } from './protocol';
import { instanceKey, type LocalRunRecord, type LocalRunState } from './record';

export type { LocalRunRecord, LocalRunState, LocalTaskRecord } from './record';
export { instanceKey } from './record';

export interface LocalRunOptions {
  python: string;
  file: string;
  function?: string;
  mode?: DriverMode;
  arguments?: Record<string, unknown>;
  /** The run's name (the form's). */
  label?: string;
  useVenv?: boolean;
  /** The folder that holds the runs. */
  runsDir: string;
  /** `driver.py` (shipped with the extension). */
  driver: string;
  /** Python arguments before the driver (e.g. `-m debugpy --listen …`). */
  pythonArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

const RUN_FILE = 'run.json';

export class LocalRun extends EventEmitter<{ event: [DriverEvent]; change: [LocalRunRecord]; log: [string, string] }> {
  readonly record: LocalRunRecord;
  readonly dir: string;
  /** Settles when the driver has exited and run.json is final. */
  readonly done: Promise<LocalRunRecord>;
  private child: ChildProcess | undefined;
  private readonly logs = new Map<string, fs.WriteStream>();
  private saveTimer: NodeJS.Timeout | undefined;
  private canceled = false;

  constructor(readonly options: LocalRunOptions) {
    super();
    const id = newRunId();
    this.dir = path.join(options.runsDir, id);
    fs.mkdirSync(path.join(this.dir, 'logs'), { recursive: true });
    // Runs are kept in the workspace but are not sources: git leaves the folder alone.
    const ignore = path.join(options.runsDir, '.gitignore');
    if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '# Kubeflow for VS Code: local runs (logs, outputs)\n*\n');
    this.record = {
      id,
      mode: options.mode ?? 'run',
      file: path.resolve(options.file),
      function: options.function ?? '',
      python: options.python,
      arguments: options.arguments ?? {},
      ...(options.label ? { label: options.label } : {}),
      useVenv: Boolean(options.useVenv),
      state: 'running',
      started: Date.now(),
      tasks: {},
    };
    this.done = this.start();
  }

  /** The pid of the driver (its process group), while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private start(): Promise<LocalRunRecord> {
    const o = this.options;
    const request: DriverRequest = { arguments: this.record.arguments, pipelineRoot: path.join(this.dir, 'outputs'), useVenv: this.record.useVenv };
    const requestFile = path.join(this.dir, 'request.json');
    fs.writeFileSync(requestFile, JSON.stringify(request, null, 2));
    this.saveNow();
    const stderr = fs.createWriteStream(path.join(this.dir, 'driver.log'));
    return new Promise((resolve) => {
      let child: ChildProcess;
      try {
        child = spawn(o.python, [...(o.pythonArgs ?? []), o.driver, this.record.mode, this.record.file, this.record.function, requestFile], {
          cwd: path.dirname(this.record.file),
          env: { ...(o.env ?? process.env), PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
          shell: false,
          detached: process.platform !== 'win32',
          windowsHide: true,
        });
      } catch (err) {
        this.finish('failed', `Cannot run Python \`${o.python}\`: ${(err as Error).message}`);
        resolve(this.record);
        return;
      }
      this.child = child;
      let buf = '';
      let gotDone = false;
      let stderrTail = '';
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line.trim()) continue;
          let e: DriverEvent;
          try {
            e = JSON.parse(line) as DriverEvent;
          } catch {
            continue;
          }
          if (e.type === 'done') gotDone = true;
          this.onEvent(e);
        }
      });
      child.stderr!.on('data', (b: Buffer) => {
        stderr.write(b);
        stderrTail = (stderrTail + b.toString()).slice(-4000);
      });
      child.on('error', (err) => {
        if (!this.record.finished) this.finish('failed', `Cannot run Python \`${o.python}\`: ${err.message}`, 'no-python');
      });
      // 'close' waits for every holder of the pipes: debugpy's adapter process may keep them open after the driver
      // exited, so the run ends at 'exit' (after a moment for the last events), and what is left of the group is ended.
      let ended = false;
      const end = (code: number | null, signal: NodeJS.Signals | null) => {
        if (ended) return;
        ended = true;
        this.child = undefined;
        stderr.end();
        if (this.canceled) this.finish('canceled', 'Stopped.');
        else if (!gotDone && !this.record.finished) {
          const last = stderrTail.trim().split('\n').slice(-3).join('\n');
          this.finish('failed', `The local run's Python exited with ${code ?? signal} before the run ended.${last ? `\n${last}` : ''}`);
        }
        this.closeLogs();
        this.saveNow();
        if (child.pid && process.platform !== 'win32') {
          try {
            process.kill(-child.pid, 'SIGTERM');
          } catch {
            /* the group is gone */
          }
        }
        resolve(this.record);
      };
      child.on('exit', (code, signal) => setTimeout(() => end(code, signal), 1000).unref());
      child.on('close', (code, signal) => end(code, signal));
    });
  }

  private onEvent(e: DriverEvent): void {
    const r = this.record;
    switch (e.type) {
      case 'hello':
        r.kfp = e.kfp;
        r.python = e.python || r.python;
        break;
      case 'pipeline':
        r.name = e.name;
        break;
      case 'taskStarted': {
        const key = instanceKey(e);
        r.tasks[key] = { path: e.path, task: e.task, ...(e.iteration !== undefined ? { iteration: e.iteration } : {}), state: 'running', component: e.component, ...(e.inputs ? { inputs: e.inputs } : {}), started: e.at, log: `logs/${fileName(key)}.log` };
        break;
      }
      case 'log': {
        const key = instanceKey(e);
        const t = r.tasks[key];
        if (!t) break;
        let s = this.logs.get(key);
        if (!s) {
          s = fs.createWriteStream(path.join(this.dir, t.log), { flags: 'a' });
          this.logs.set(key, s);
        }
        s.write(`${e.line}\n`);
        this.emit('log', key, e.line);
        break;
      }
      case 'taskFinished': {
        const t = r.tasks[instanceKey(e)];
        if (!t) break;
        t.state = e.state;
        t.finished = e.at;
        if (e.state === 'failed') {
          t.error = e.error.message;
          if (e.error.traceback) t.traceback = e.error.traceback;
          if (e.error.source) t.source = e.error.source;
          if (e.error.missingModule) t.missingModule = e.error.missingModule;
        } else t.outputs = e.outputs;
        break;
      }
      case 'done':
        if (e.state === 'succeeded') {
          r.outputs = e.outputs;
          this.finish('succeeded');
        } else {
          if (e.error.source) r.errorSource = e.error.source;
          if (e.error.missingModule) r.missingModule = e.error.missingModule;
          this.finish('failed', e.error.message, e.error.kind);
        }
        break;
    }
    this.emit('event', e);
    if (e.type !== 'log') this.changed();
  }

  private finish(state: LocalRunState, error?: string, kind?: string): void {
    const r = this.record;
    if (r.finished) return;
    r.state = state;
    r.finished = Date.now();
    if (error) r.error = error;
    if (kind) r.errorKind = kind;
    for (const t of Object.values(r.tasks)) {
      if (t.state === 'running') {
        t.state = 'failed';
        t.finished = r.finished;
        t.error ??= state === 'canceled' ? 'Stopped with the run.' : 'The run ended before this task did.';
      }
    }
    this.changed();
  }

  private changed(): void {
    this.emit('change', this.record);
    if (this.record.finished) {
      this.saveNow();
      return;
    }
    this.saveTimer ??= setTimeout(() => this.saveNow(), 200);
  }

  private saveNow(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    writeRecord(this.dir, this.record);
  }

  private closeLogs(): void {
    for (const s of this.logs.values()) s.end();
    this.logs.clear();
  }

  /** Stops the run: the driver's process group (its tasks' processes too) gets SIGTERM, then SIGKILL after 3 s. */
  cancel(): void {
    const child = this.child;
    if (!child?.pid) return;
    this.canceled = true;
    const kill = (sig: NodeJS.Signals) => {
      try {
        if (process.platform === 'win32') child.kill(sig);
        else process.kill(-child.pid!, sig);
      } catch {
        /* gone already */
      }
    };
    kill('SIGTERM');
    const t = setTimeout(() => kill('SIGKILL'), 3000);
    t.unref();
    void this.done.then(() => clearTimeout(t));
  }
}

export function startLocalRun(options: LocalRunOptions): LocalRun {
  return new LocalRun(options);
}

function writeRecord(dir: string, record: LocalRunRecord): void {
  const tmp = path.join(dir, `.${RUN_FILE}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(record, null, 2));
  fs.renameSync(tmp, path.join(dir, RUN_FILE));
}

/** The runs kept in a folder, newest first. A run whose driver is gone while run.json says running (the window closed)
 * reads as failed. Unreadable folders are skipped. */
export function listLocalRuns(runsDir: string, live: ReadonlySet<string> = new Set()): LocalRunRecord[] {
  let names: string[];
  try {
    names = fs.readdirSync(runsDir);
  } catch {
    return [];
  }
  const out: LocalRunRecord[] = [];
  for (const n of names) {
    const r = readLocalRun(path.join(runsDir, n));
    if (!r) continue;
    if (r.state === 'running' && !live.has(r.id)) {
      r.state = 'failed';
      r.error ??= 'The run did not finish (its window was closed while it ran).';
    }
    out.push(r);
  }
  return out.sort((a, b) => b.started - a.started);
}

export function readLocalRun(dir: string): LocalRunRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, RUN_FILE), 'utf8')) as LocalRunRecord;
  } catch {
    return undefined;
  }
}

let counter = 0;
function newRunId(): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}-${p(d.getMilliseconds(), 3)}${p(counter++ % 100)}`;
}

function fileName(key: string): string {
  return key.replace(/[^A-Za-z0-9._#-]+/g, '_').replace(/#/g, '.');
}
