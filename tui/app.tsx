// Entry of the terminal UI (`kubectl netobs ui`): the ONE module the rest of netobs imports, and
// lazily (it pulls in React, Ink and yoga). runUi renders until the user quits and restores the
// terminal on every exit path.
import { FlowStore, type FlowStoreOptions } from './model/flow-store.ts';
import type { TuiDataSource } from './model/types.ts';
import { makeTheme } from './render/text.ts';

export type { TuiDataSource, EndpointInfo, MapInfo, MapEntriesPage, ServerStatusInfo, FlowListener, PolicyEntry, Subscription } from './model/types.ts';

export interface RunUiOptions {
  /** Kubernetes context shown in the header. */
  context: string;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  /** Redraws per second caused by the flow stream (default 12). */
  fps?: number;
  store?: FlowStoreOptions;
  /** Called after each Ink render with its layout and output time in ms (benchmarks). */
  onRender?: (ms: number) => void;
  /** Called after each stream-driven frame with the time from its tick to its output: React render and Ink layout (benchmarks). */
  onFrame?: (ms: number) => void;
  env?: NodeJS.ProcessEnv;
}

const ALT_SCREEN_ON = '\x1b[?1049h';
const ALT_SCREEN_OFF = '\x1b[?1049l';
const CI_VARS = ['CI', 'CONTINUOUS_INTEGRATION'];

/**
 * Ink decides when its module loads whether it runs "in CI" (any CI variable set), and then draws
 * nothing until exit. This UI is interactive whenever it runs at all (a user's terminal, or tmux
 * in an end-to-end test on a CI runner), so the decision is made without those variables.
 */
async function loadInk() {
  const saved = CI_VARS.map((k) => [k, process.env[k]] as const);
  for (const k of CI_VARS) delete process.env[k];
  try {
    const [ink, root] = await Promise.all([import('ink'), import('./ui/root.tsx')]);
    return { render: ink.render, Root: root.Root };
  } finally {
    for (const [k, v] of saved) if (v !== undefined) process.env[k] = v;
  }
}

export async function runUi(source: TuiDataSource, opts: RunUiOptions): Promise<void> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const env = opts.env ?? process.env;
  const store = new FlowStore(opts.store);
  const { render, Root } = await loadInk();
  const probe: { tickAt?: number | undefined } = {};
  const onRender = (m: { renderTime: number }) => {
    opts.onRender?.(m.renderTime);
    if (probe.tickAt !== undefined) { opts.onFrame?.(performance.now() - probe.tickAt); probe.tickAt = undefined; }
  };
  // The alternate screen gives the UI the whole terminal and gives the shell its screen back on exit.
  const alt = stdout.isTTY === true;
  if (alt) stdout.write(ALT_SCREEN_ON);
  try {
    const app = render(
      <Root source={source} store={store} context={opts.context} theme={makeTheme(env, stdout)} fps={opts.fps ?? 12}
        {...(opts.onFrame ? { probe } : {})} />,
      {
        // Stream frames are capped by the Root's ticker; Ink's own cap only delays key frames, keep it high.
        stdout, stdin, exitOnCtrlC: false, patchConsole: false, maxFps: 120,
        ...(opts.onRender || opts.onFrame ? { onRender } : {}),
      },
    );
    try {
      await app.waitUntilExit();
    } finally {
      app.cleanup();
    }
  } finally {
    if (alt) stdout.write(ALT_SCREEN_OFF);
  }
}
