/**
 * The daemon's persistent state: one JSON file in its state directory, written atomically (temp file + rename),
 * so a daemon that crashed or was killed comes back with the same forwards and log captures.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ForwardTarget, LogSource } from './protocol';

export interface StoredForward {
  id: string;
  target: ForwardTarget;
  localPort: number;
  createdAt: string;
  /** The forward's secret (the state dir is 0700), so a restarted daemon admits the same editor. */
  secret?: string;
}

export interface StoredCapture {
  id: string;
  source: LogSource;
  /** Whether the daemon should resume following after a restart. */
  following: boolean;
}

export interface StoreData {
  version: 1;
  forwards: StoredForward[];
  captures: StoredCapture[];
}

const EMPTY: StoreData = { version: 1, forwards: [], captures: [] };

export class Store {
  private data: StoreData;
  private readonly file: string;

  constructor(dir: string, private readonly log: (m: string) => void) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, 'state.json');
    this.data = this.read();
  }

  get(): Readonly<StoreData> {
    return this.data;
  }

  update(fn: (d: StoreData) => void): void {
    fn(this.data);
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.data, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }

  private read(): StoreData {
    try {
      const d = JSON.parse(fs.readFileSync(this.file, 'utf8')) as StoreData;
      if (d.version === 1 && Array.isArray(d.forwards) && Array.isArray(d.captures)) return d;
      this.log(`state file ${this.file} has an unknown shape; starting empty`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log(`cannot read ${this.file}: ${(err as Error).message}; starting empty`);
    }
    return structuredClone(EMPTY);
  }
}
