// An append-only file that rotates by size, as Hubble's exporter files do (lumberjack's naming):
// when a write would take `events.log` past its maximum, it is renamed to
// `events-2026-12-05T13-49-50.123.log` (UTC) and a new one is started; beyond `maxBackups` the
// oldest backups are removed. Writes are synchronous and whole: the exporter batches lines, so a
// batch is one write(2), and a line never straddles two files.
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync, existsSync } from 'node:fs';
import path from 'node:path';

export class RotatingFile {
  #fd: number | undefined;
  #size = 0;
  rotations = 0;
  readonly #dir: string;
  readonly #stem: string;
  readonly #ext: string;

  constructor(
    readonly file: string,
    private readonly maxBytes: number,
    private readonly maxBackups: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#dir = path.dirname(file);
    this.#ext = path.extname(file);
    this.#stem = path.basename(file, this.#ext);
  }

  #open(): number {
    if (this.#fd === undefined) {
      mkdirSync(this.#dir, { recursive: true });
      this.#fd = openSync(this.file, 'a', 0o600);
      this.#size = fstatSync(this.#fd).size;
    }
    return this.#fd;
  }

  /** Appends whole lines; rotates first when they would not fit (a batch larger than the maximum goes alone into a new file). */
  write(data: Buffer): void {
    this.#open();
    if (this.#size > 0 && this.#size + data.length > this.maxBytes) this.#rotate();
    const fd = this.#open();
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off);
    this.#size += data.length;
  }

  /** The backups, oldest first. */
  backups(): string[] {
    const prefix = `${this.#stem}-`;
    return readdirSync(this.#dir).filter((n) => n.startsWith(prefix) && n.endsWith(this.#ext) && n !== path.basename(this.file)).sort().map((n) => path.join(this.#dir, n));
  }

  #rotate(): void {
    this.close();
    const stamp = this.now().toISOString().replace(/:/g, '-').replace(/Z$/, '');
    let backup = path.join(this.#dir, `${this.#stem}-${stamp}${this.#ext}`);
    for (let i = 1; existsSync(backup); i++) backup = path.join(this.#dir, `${this.#stem}-${stamp}.${i}${this.#ext}`);
    renameSync(this.file, backup);
    this.rotations++;
    const all = this.backups();
    for (const old of all.slice(0, Math.max(0, all.length - this.maxBackups))) rmSync(old, { force: true });
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    this.#size = 0;
  }
}
