// Entry of the terminal UI (`kubectl netobs ui`): the ONE module the rest of netobs imports, and
// lazily (it pulls in React, Ink and yoga). runUi renders until the user quits and restores the
// terminal on every exit path.
import { render } from 'ink';
import { FlowStore, type FlowStoreOptions } from './model/flow-store.ts';
import type { TuiDataSource } from './model/types.ts';
import { makeTheme } from './render/text.ts';
import { Root } from './ui/root.tsx';

export type { TuiDataSource, EndpointInfo, MapInfo, MapEntriesPage, ServerStatusInfo, FlowListener, PolicyEntry } from './model/types.ts';

export interface RunUiOptions {
  /** Kubernetes context shown in the header. */
  context: string;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  /** Redraws per second caused by the flow stream (default 12). */
  fps?: number;
  store?: FlowStoreOptions;
  /** Called after each frame with its render time in ms (benchmarks). */
  onRender?: (ms: number) => void;
  env?: NodeJS.ProcessEnv;
}

const ALT_SCREEN_ON = '\x1b[?1049h';
const ALT_SCREEN_OFF = '\x1b[?1049l';

export async function runUi(source: TuiDataSource, opts: RunUiOptions): Promise<void> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const env = opts.env ?? process.env;
  const store = new FlowStore(opts.store);
  // The alternate screen gives the UI the whole terminal and gives the shell its screen back on exit.
  const alt = stdout.isTTY === true;
  if (alt) stdout.write(ALT_SCREEN_ON);
  const app = render(
    <Root source={source} store={store} context={opts.context} theme={makeTheme(env)} fps={opts.fps ?? 12} />,
    {
      stdout, stdin, exitOnCtrlC: false, patchConsole: false, maxFps: 30,
      ...(opts.onRender ? { onRender: (m: { renderTime: number }) => opts.onRender!(m.renderTime) } : {}),
    },
  );
  try {
    await app.waitUntilExit();
  } finally {
    app.cleanup();
    if (alt) stdout.write(ALT_SCREEN_OFF);
  }
}
