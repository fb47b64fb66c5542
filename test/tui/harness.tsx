// Renders the whole UI with ink-testing-library at a fixed size and waits for frames.
import type { ExecutionContext } from 'ava';
import { render } from 'ink-testing-library';
import { FlowStore } from '../../tui/model/flow-store.ts';
import { plainTheme } from '../../tui/render/text.ts';
import { Root } from '../../tui/ui/root.tsx';
import { ManualSource } from './manual-source.ts';

export const KEY = { enter: '\r', esc: '\x1b', up: '\x1b[A', down: '\x1b[B', pgdn: '\x1b[6~', tab: '\t', ctrlC: '\x03', backspace: '\x7f' };

export function renderUi(t: ExecutionContext, opts: { columns?: number; rows?: number; source?: ManualSource; now?: () => number } = {}) {
  const source = opts.source ?? new ManualSource();
  const store = new FlowStore({ capacity: 1000, ...(opts.now ? { now: opts.now } : {}) });
  const size = { columns: opts.columns ?? 80, rows: opts.rows ?? 24 };
  const ui = render(<Root source={source} store={store} context="kind-lab" theme={plainTheme} time={{ utc: true }} size={size}
    fps={100} statusIntervalMs={50} flashMs={60_000} />);
  t.teardown(() => ui.unmount());
  // Text only: bold, inverse (the cursor) and colour escapes are tested in render and app tests.
  const frame = () => (ui.lastFrame() ?? '').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  /** Wait until the frame satisfies `ok`; fails with the last frame after `ms`. */
  const waitFor = async (ok: (f: string) => boolean, what = 'frame', ms = 10_000): Promise<string> => {
    const end = Date.now() + ms;
    for (;;) {
      const f = frame();
      if (ok(f)) return f;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last frame:\n${f}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const waitText = (text: string | RegExp) => waitFor((f) => (typeof text === 'string' ? f.includes(text) : text.test(f)), String(text));
  /** Keys one at a time, letting Ink process each (as a user types). */
  const press = async (...keys: string[]) => {
    for (const k of keys) { ui.stdin.write(k); await new Promise((r) => setTimeout(r, 15)); }
  };
  return { ui, source, store, frame, waitFor, waitText, press };
}
