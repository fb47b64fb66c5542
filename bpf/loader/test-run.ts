// BPF_PROG_TEST_RUN: runs a program on a crafted packet in the kernel, without a device.
import { loadLibbpf, nativeAlloc } from './libbpf.ts';
import { errnoName } from './errors.ts';

export interface TestRunOptions {
  /** skb->ifindex; must name an existing device (default: loopback, 1). */
  ifindex?: number;
  /** Run this many times (for timing); the result is the last run's. */
  repeat?: number;
}

export interface TestRunResult {
  /** The program's return code (TC_ACT_OK 0, TC_ACT_SHOT 2). */
  retval: number;
  /** Average run time in ns as measured by the kernel. */
  durationNs: number;
  /** skb->mark after the program (with an ifindex given, when a context is passed). */
  mark?: number;
  /** The packet after the program (programs may rewrite it). */
  data: Uint8Array;
}

const SKB_CTX_SIZE = 192; // struct __sk_buff
const SKB_IFINDEX = 40;
const SKB_MARK = 8;
const OPTS_SIZE = 80; // struct bpf_test_run_opts (libbpf 1.1)

export function testRun(progFd: number, packet: Uint8Array, o: TestRunOptions = {}): TestRunResult {
  const outSize = packet.length + 256;
  const mem = nativeAlloc(OPTS_SIZE + packet.length + outSize + 2 * SKB_CTX_SIZE);
  try {
    const base = mem.ptr;
    const inOff = OPTS_SIZE;
    const outOff = inOff + packet.length;
    const ctxOff = outOff + outSize;
    mem.bytes.set(packet, inOff);
    const v = new DataView(mem.bytes.buffer, mem.bytes.byteOffset, mem.bytes.byteLength);
    v.setBigUint64(0, BigInt(OPTS_SIZE), true); // sz
    v.setBigUint64(8, base + BigInt(inOff), true); // data_in
    v.setBigUint64(16, base + BigInt(outOff), true); // data_out
    v.setUint32(24, packet.length, true); // data_size_in
    v.setUint32(28, outSize, true); // data_size_out
    if (o.ifindex !== undefined) {
      v.setUint32(ctxOff + SKB_IFINDEX, o.ifindex, true);
      v.setBigUint64(32, base + BigInt(ctxOff), true); // ctx_in
      v.setUint32(48, SKB_CTX_SIZE, true); // ctx_size_in
      v.setBigUint64(40, base + BigInt(ctxOff + SKB_CTX_SIZE), true); // ctx_out
      v.setUint32(52, SKB_CTX_SIZE, true); // ctx_size_out
    }
    v.setInt32(60, o.repeat ?? 1, true); // repeat
    const rc = loadLibbpf().testRun(progFd, base);
    if (rc < 0) throw new Error(`BPF_PROG_TEST_RUN: ${errnoName(-rc)}`);
    const outLen = v.getUint32(28, true);
    return {
      retval: v.getUint32(56, true),
      durationNs: v.getUint32(64, true),
      data: mem.bytes.slice(outOff, outOff + Math.min(outLen, outSize)),
      ...(o.ifindex !== undefined && { mark: v.getUint32(ctxOff + SKB_CTX_SIZE + SKB_MARK, true) }),
    };
  } finally {
    mem.free();
  }
}
