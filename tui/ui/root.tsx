// The application frame: header, the active view (or help), bottom bar. Owns the flow
// subscription, the frame ticker and the key handler; views only render.
import { Box, useApp, useInput, useStdout } from 'ink';
import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import type { FlowStore } from '../model/flow-store.ts';
import { GLOBAL_BINDINGS, keyName, splitKeys } from '../model/keys.ts';
import type { TuiDataSource } from '../model/types.ts';
import { createReducer, initialState, keyAction, type Action, type ActionContext, type UiState, type ViewId } from '../model/ui-state.ts';
import type { TimeOptions } from '../render/flow-text.ts';
import { helpLines } from '../render/help.ts';
import type { Theme } from '../render/text.ts';
import { LOST_WINDOW_SECONDS, streamWarnings } from '../model/warnings.ts';
import { VIEWS } from '../views/registry.ts';
import { errorText } from '../views/view-props.ts';
import { BottomBar } from './bottom-bar.tsx';
import { Header } from './header.tsx';
import { useFrameTicker, usePoll, useTerminalSize, type FrameProbe, type Size } from './hooks.ts';
import { ScrollPane, scrollRange } from './scroll-pane.tsx';

export interface RootProps {
  source: TuiDataSource;
  store: FlowStore;
  context: string;
  theme: Theme;
  time?: TimeOptions;
  /** Cap on redraws caused by the flow stream (keys redraw at once). */
  fps?: number;
  /** Fixed size instead of the terminal's (tests). */
  size?: Size;
  statusIntervalMs?: number;
  /** How often map fill levels are read for the ring-pressure warning. */
  mapsIntervalMs?: number;
  initialView?: ViewId;
  flashMs?: number;
  /** Notes when each stream-driven frame was asked for (benchmarks). */
  probe?: FrameProbe;
}

type UiEvent = { kind: 'key'; name: string; input: string } | { kind: 'action'; action: Action };

const reduce = createReducer(VIEWS);
const HEADER_LINES = 2;
const BOTTOM_LINES = 1;

export function Root({ source, store, context, theme, time = {}, fps = 12, size: fixed, statusIntervalMs = 2000, mapsIntervalMs = 5000, initialView = 'flows', flashMs = 5000, probe }: RootProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const size = useTerminalSize(stdout, fixed);
  const ctx = useRef<ActionContext>({ count: 0, pageSize: 1 });
  const [state, dispatch] = useReducer((s: UiState, e: UiEvent): UiState => {
    const action = e.kind === 'key' ? keyAction(s, e.name, e.input, VIEWS, GLOBAL_BINDINGS) : e.action;
    return action ? reduce(s, action, ctx.current) : s;
  }, initialView, initialState);
  const flash = useCallback((text: string) => dispatch({ kind: 'action', action: { type: 'flash', text, level: 'error' } }), []);

  useInput((input, key) => {
    if (input.length > 1 && !input.startsWith('\x1b')) for (const k of splitKeys(input)) dispatch({ kind: 'key', ...k });
    else dispatch({ kind: 'key', name: keyName(input, key), input });
  });

  useEffect(() => {
    // A failing stream is reported, never thrown: the UI keeps what it has and the source retries.
    const sub = source.subscribeFlows({
      flows: (b) => store.push(b),
      lost: (e) => store.lost(e),
      nodeStatus: (e) => store.nodeStatus(e),
      error: (err) => flash(`flows: ${errorText(err)}`),
    });
    return () => sub.close();
  }, [source, store]);

  useEffect(() => { if (state.quit) exit(); }, [state.quit]);
  useEffect(() => {
    const f = state.flash;
    if (!f) return;
    const t = setTimeout(() => dispatch({ kind: 'action', action: { type: 'clearFlash', flash: f } }), flashMs);
    return () => clearTimeout(t);
  }, [state.flash]);

  // Redraw for new flows at most `fps` times a second, and once a second for the rates.
  useFrameTicker(() => `${store.version}:${Math.floor(store.now() / 1000)}`, fps, probe);
  const status = usePoll(() => source.serverStatus(), statusIntervalMs, [source], (err) => flash(`status: ${errorText(err)}`));
  // Ring pressure is a map fill level: polled less often than the status, and its errors stay quiet
  // (the Maps view reports them) so an agent without the map API does not flash every few seconds.
  const maps = usePoll(() => source.listMaps(), mapsIntervalMs, [source]);
  const frozen = useMemo(() => (state.paused ? store.flows.newest(store.flows.size) : null), [state.paused]);

  const view = VIEWS.find((v) => v.id === state.view) ?? VIEWS[0]!;
  // Keep the frame one line shorter than the terminal: Ink clears the whole screen otherwise.
  const height = Math.max(4, size.rows - 1);
  const bodyHeight = height - HEADER_LINES - BOTTOM_LINES;
  const report = (c: ActionContext) => { ctx.current = c; };
  let body;
  if (state.mode === 'help') {
    const lines = helpLines(GLOBAL_BINDINGS, VIEWS, view.title, size.columns);
    report({ count: 0, pageSize: bodyHeight - 1, detailLines: scrollRange(lines.length, bodyHeight) });
    body = <ScrollPane title="Help" lines={lines} scroll={state.helpScroll} height={bodyHeight} theme={theme} hint="esc: back" />;
  } else {
    body = <view.Component state={state} store={store} source={source} frozen={frozen} width={size.columns} height={bodyHeight}
      theme={theme} time={time} report={report} flash={flash} />;
  }
  const rates = store.rates(2);
  const warnings = streamWarnings({ recentLost: store.recentLost(LOST_WINDOW_SECONDS), maps: maps.data, flowsPerSecond: rates.flowsPerSecond, dropsPerSecond: rates.dropsPerSecond });
  return (
    <Box flexDirection="column" width={size.columns} height={height}>
      <Header context={context} status={status.data ?? null} streamUnavailable={[...store.unavailableNodes]}
        flowsPerSecond={rates.flowsPerSecond || status.data?.flowsRate || 0} lost={store.lostEvents} warnings={warnings}
        tabs={VIEWS.map((v) => ({ key: v.key, title: v.title, active: v.id === view.id }))} width={size.columns} theme={theme} />
      <Box flexDirection="column" height={bodyHeight}>{body}</Box>
      <BottomBar state={state} status={view.status(state, store)} width={size.columns} theme={theme} />
    </Box>
  );
}
