// Effects the UI needs: the terminal size, a frame ticker that batches store updates, and polling.
import { useEffect, useMemo, useRef, useState } from 'react';

export interface Size { columns: number; rows: number }

interface SizedStream { columns?: number; rows?: number; on(ev: 'resize', f: () => void): unknown; off(ev: 'resize', f: () => void): unknown }

export function useTerminalSize(stdout: SizedStream, fixed?: Size): Size {
  const read = (): Size => fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 };
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => { stdout.off('resize', onResize); };
  }, [stdout, fixed?.columns, fixed?.rows]);
  return fixed ?? size;
}

/**
 * Redraw at most `fps` times a second, and only when `version()` changed: the flow stream may
 * deliver thousands of flows between frames, they cost one render.
 */
/** Where the ticker notes when it asked for a frame (benchmarks read it when the frame is out). */
export interface FrameProbe { tickAt?: number | undefined }

export function useFrameTicker(version: () => number | string, fps: number, probe?: FrameProbe): number {
  const [frame, setFrame] = useState(0);
  const last = useRef<number | string>(-1);
  useEffect(() => {
    const t = setInterval(() => {
      const v = version();
      if (v === last.current) return;
      last.current = v;
      if (probe) probe.tickAt = performance.now();
      setFrame((f) => f + 1);
    }, Math.max(1, Math.round(1000 / fps)));
    return () => clearInterval(t);
  }, [fps]);
  return frame;
}

export interface Polled<T> { data: T | undefined; error: Error | undefined; loading: boolean }

/**
 * Call `load` now and every `intervalMs`; keeps the last good data when a call fails. Answers
 * belong to the arguments (deps) they were asked with: after a change (another page, another map)
 * the previous answer is never shown as the new one.
 */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, deps: readonly unknown[], onError?: (err: Error) => void): Polled<T> {
  const token = useMemo(() => ({}), deps);
  const [state, setState] = useState<Polled<T> & { token: object | undefined }>({ data: undefined, error: undefined, loading: true, token: undefined });
  useEffect(() => {
    let alive = true;
    let timer: NodeJS.Timeout | undefined;
    const run = async () => {
      try {
        const data = await load();
        if (alive) setState({ data, error: undefined, loading: false, token });
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        if (alive) {
          setState((s) => (s.token === token ? { ...s, error: err, loading: false } : { data: undefined, error: err, loading: false, token }));
          onError?.(err);
        }
      }
      if (alive && intervalMs > 0) timer = setTimeout(run, intervalMs);
    };
    void run();
    return () => { alive = false; clearTimeout(timer); };
  }, [token]);
  return state.token === token ? state : { data: undefined, error: undefined, loading: true };
}
