// What the kernel reports about a loaded program (struct bpf_prog_info), read through libbpf.
import { loadLibbpf } from './libbpf.ts';

/** run_time_ns and run_cnt of a program (struct bpf_prog_info at offsets 192 and 200); zero unless kernel.bpf_stats_enabled. */
export function programStats(fd: number): { runNs: bigint; runs: bigint } | undefined {
  const info = new Uint8Array(232);
  const len = new Uint32Array([info.length]);
  if (loadLibbpf().objGetInfoByFd(fd, info, len) < 0 || (len[0] ?? 0) < 208) return undefined;
  const v = new DataView(info.buffer);
  return { runNs: v.getBigUint64(192, true), runs: v.getBigUint64(200, true) };
}
