// A fake terminal for tests and benchmarks: stdout records what Ink writes (size settable, with
// resize events), stdin accepts key writes the way a TTY in raw mode delivers them. Not used by
// the real command.
import { EventEmitter } from 'node:events';

export class FakeStdout extends EventEmitter {
  readonly isTTY: boolean;
  writes = 0;
  bytes = 0;
  #last = '';
  #listeners: ((chunk: string) => void)[] = [];

  constructor(public columns = 80, public rows = 24, opts: { isTTY?: boolean } = {}) {
    super();
    this.isTTY = opts.isTTY ?? false;
  }

  write = (chunk: string | Uint8Array): boolean => {
    const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    this.writes++;
    this.bytes += s.length;
    this.#last = s;
    for (const l of this.#listeners) l(s);
    return true;
  };

  /** The last chunk written (a whole frame in Ink's debug mode, an update otherwise). */
  lastWrite(): string { return this.#last; }

  onWrite(l: (chunk: string) => void): () => void {
    this.#listeners.push(l);
    return () => { this.#listeners = this.#listeners.filter((x) => x !== l); };
  }

  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }

  // Ink and its helpers may call these on a real WriteStream.
  cursorTo(): boolean { return true; }
  moveCursor(): boolean { return true; }
  clearLine(): boolean { return true; }
  getColorDepth(): number { return 1; }
  hasColors(): boolean { return this.isTTY; }
  end(): void {}
}

export class FakeStdin extends EventEmitter {
  readonly isTTY = true;
  #queue: string[] = [];

  /** Deliver one chunk, as a key press in raw mode does. */
  write(data: string): void {
    this.#queue.push(data);
    this.emit('readable');
  }

  read(): string | null { return this.#queue.shift() ?? null; }
  setEncoding(): this { return this; }
  setRawMode(): this { return this; }
  resume(): this { return this; }
  pause(): this { return this; }
  ref(): this { return this; }
  unref(): this { return this; }
}
