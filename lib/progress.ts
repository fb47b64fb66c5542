// Progress for long work (install, uninstall, status --wait, connectivity): on a terminal one live
// line rewritten in place; otherwise (CI, pipes) a line only when the text changes.
export interface Progress {
  /** A finished step: printed once, above the live line. */
  log(line: string): void;
  /** The live line: what is happening now. */
  update(line: string): void;
  /** Clears the live line. */
  done(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  let live = '';
  let lastPlain = '';
  const clear = () => {
    if (tty && live) stream.write('\r\x1b[2K');
  };
  return {
    log(line) {
      clear();
      stream.write(line + '\n');
      if (tty && live) stream.write(live);
    },
    update(line) {
      if (tty) {
        clear();
        live = line.slice(0, Math.max(20, (stream.columns ?? 100) - 1));
        stream.write(live);
      } else if (line !== lastPlain) {
        lastPlain = line;
        stream.write(line + '\n');
      }
    },
    done() {
      clear();
      live = '';
    },
  };
}

/** A Progress that records lines, for tests and for quiet (-o json) runs. */
export function recordingProgress(): Progress & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (l) => lines.push(l), update: (l) => lines.push(`~ ${l}`), done: () => {} };
}
