// `npm run bench:tui`: the terminal UI under a synthetic flow stream of 10k flows/s, rendered by
// the real app into a fake terminal of 80x24 and 200x50 (~10 s each), cycling
// the Flows, Endpoints, Connections and Service map views. Records the time of each
// stream-driven frame (React render + Ink output) and key latency: from the moment a key is due
// (a timer fires late when the event loop is busy, as a real key would wait) to the stdout write
// of the frame that shows its effect. Baseline: the same app with no flows, measured in this run.
// Last line: one JSON object.
import { monitorEventLoopDelay } from 'node:perf_hooks';

// The shipped executable runs React's production build; measure that.
process.env['NODE_ENV'] ??= 'production';
const { runUi } = await import('../tui/app.tsx');
const { syntheticSource } = await import('../tui/model/synthetic-source.ts');
const { FakeStdin, FakeStdout } = await import('../tui/testing/fake-terminal.ts');

const SECONDS = Number(process.env['SECONDS_PER_SIZE'] ?? 10);
const RATE = Number(process.env['FLOWS_PER_SECOND'] ?? 10_000);

interface Result {
  size: string; flowsPerSecond: number; flows: number; frames: number; fps: number;
  frameP50: number; frameP99: number; inkP50: number; inkP99: number; keyP50: number; keyP99: number; keys: number;
  maxFrameLines: number; loopDelayP99: number;
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const r2 = (x: number) => Math.round(x * 100) / 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

async function run(columns: number, rows: number, flowsPerSecond: number, seconds: number): Promise<Result> {
  const stdout = new FakeStdout(columns, rows, { isTTY: true });
  const stdin = new FakeStdin();
  const source = syntheticSource({ flowsPerSecond, nodes: 2 });
  const frameMs: number[] = [];
  const inkMs: number[] = [];
  let waiter: { test: RegExp; resolve: (t: number) => void } | undefined;
  let maxFrameLines = 0;
  stdout.onWrite((chunk) => {
    const text = strip(chunk);
    if (text.includes('netobs │')) maxFrameLines = Math.max(maxFrameLines, text.trimEnd().split('\n').length);
    if (waiter && waiter.test.test(text)) { const w = waiter; waiter = undefined; w.resolve(performance.now()); }
  });
  const nextFrame = (test: RegExp) => new Promise<number>((resolve) => { waiter = { test, resolve }; });

  const done = runUi(source, {
    context: 'bench', stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream,
    env: {}, onRender: (ms) => inkMs.push(ms), onFrame: (ms) => frameMs.push(ms),
  });
  await nextFrame(/DESTINATION/);
  frameMs.length = 0;
  inkMs.length = 0;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const start = performance.now();
  const emittedAtStart = source.emitted;
  const keyMs: number[] = [];
  // Keys at random phases of the frame ticker, cycling Flows, Endpoints, Connections and the
  // Service map: each frame that shows a view's own header counts as the key's effect.
  const cycle: [string, RegExp][] = [['2', /ENDPOINT IDENTITY|loading endpoints/], ['5', /PORT +FLOWS\/S|no connections yet/], ['6', /namespace \S+: \d+ talking workloads|no traffic yet/], ['1', /DESTINATION +TYPE/]];
  let i = 0;
  while (performance.now() - start < seconds * 1000) {
    const delay = 80 + Math.random() * 80;
    const due = performance.now() + delay;
    await sleep(delay);
    const [key, shows] = cycle[i++ % cycle.length]!;
    const shown = nextFrame(shows);
    stdin.write(key);
    keyMs.push((await shown) - due);
  }
  const elapsed = (performance.now() - start) / 1000;
  loop.disable();
  stdin.write('q');
  await done;
  return {
    size: `${columns}x${rows}`, flowsPerSecond, flows: source.emitted - emittedAtStart, frames: frameMs.length, fps: r2(frameMs.length / elapsed),
    frameP50: r2(pct(frameMs, 50)), frameP99: r2(pct(frameMs, 99)), inkP50: r2(pct(inkMs, 50)), inkP99: r2(pct(inkMs, 99)),
    keyP50: r2(pct(keyMs, 50)), keyP99: r2(pct(keyMs, 99)), keys: keyMs.length, maxFrameLines, loopDelayP99: r2(loop.percentile(99) / 1e6),
  };
}

const results: Result[] = [];
for (const [c, r] of [[80, 24], [200, 50]] as const) {
  const idle = await run(c, r, 0, Math.min(5, SECONDS));
  const busy = await run(c, r, RATE, SECONDS);
  for (const x of [idle, busy]) {
    process.stdout.write(`${x.size} ${String(x.flowsPerSecond).padStart(5)} flows/s: ${x.flows} flows, ${x.frames} frames (${x.fps}/s, max ${x.maxFrameLines} lines), ` +
      `frame p50 ${x.frameP50} p99 ${x.frameP99} ms (ink ${x.inkP50}/${x.inkP99}), key p50 ${x.keyP50} p99 ${x.keyP99} ms over ${x.keys} keys, loop delay p99 ${x.loopDelayP99} ms\n`);
    results.push(x);
  }
}
const busy = (size: string) => results.find((x) => x.size === size && x.flowsPerSecond === RATE)!;
const idle = (size: string) => results.find((x) => x.size === size && x.flowsPerSecond === 0)!;
const summary: Record<string, number | string> = { node_env: process.env['NODE_ENV'] ?? '', flows_per_second: RATE };
for (const size of ['80x24', '200x50']) {
  const b = busy(size), i = idle(size);
  const k = size.replace('x', '_');
  Object.assign(summary, {
    [`frame_p50_ms_${k}`]: b.frameP50, [`frame_p99_ms_${k}`]: b.frameP99, [`key_p50_ms_${k}`]: b.keyP50, [`key_p99_ms_${k}`]: b.keyP99,
    [`fps_${k}`]: b.fps, [`max_frame_lines_${k}`]: b.maxFrameLines, [`key_p99_ratio_vs_idle_${k}`]: r2(b.keyP99 / i.keyP99),
  });
}
process.stdout.write(JSON.stringify(summary) + '\n');
