// BPF ring buffer reader over mmapped pages: no syscall and no FFI call per record.
//
// Kernel layout (kernel/bpf/ringbuf.c): page 0 is the consumer position (read-write),
// page 1 the producer position, then the data pages mapped twice in a row, so a record
// that wraps around the end is still contiguous. Each record has an 8-byte header:
// u32 length with BUSY (bit 31, not yet committed) and DISCARD (bit 30), u32 page offset.
//
// Positions are read and written through a BigUint64Array (one aligned 8-byte access).
// The kernel clears a record's BUSY bit with a release store after writing it; x86 does
// not reorder loads with loads, so reading the header, then the record, is ordered there.
// JS has no acquire load on plain memory: on weakly ordered CPUs (arm64) this is best
// effort.
import { lastErrno, loadLibc, nativeView } from './libbpf.ts';

const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_SHARED = 1;
const SC_PAGESIZE = 30;
const BUSY = 0x80000000;
const DISCARD = 0x40000000;
const HDR = 8;

export class RingBuffer {
  readonly size: number;
  private readonly mask: number;
  private readonly page: number;
  private consumerPtr: bigint | null;
  private producerPtr: bigint | null;
  private consumer: BigUint64Array;
  private producer: BigUint64Array;
  /** The data area (twice `size` bytes), as a DataView the caller decodes from. */
  readonly view: DataView;

  constructor(mapFd: number, size: number) {
    const libc = loadLibc();
    this.page = libc.sysconf(SC_PAGESIZE);
    this.size = size;
    this.mask = size - 1;
    this.consumerPtr = libc.mmap(null, this.page, PROT_READ | PROT_WRITE, MAP_SHARED, mapFd, 0);
    if (this.consumerPtr === null || this.consumerPtr === 0xffffffffffffffffn) {
      throw new Error(`mmap ring buffer consumer page: errno ${lastErrno()}`);
    }
    const prodLen = this.page + 2 * size;
    this.producerPtr = libc.mmap(null, prodLen, PROT_READ, MAP_SHARED, mapFd, this.page);
    if (this.producerPtr === null || this.producerPtr === 0xffffffffffffffffn) {
      libc.munmap(this.consumerPtr, this.page);
      throw new Error(`mmap ring buffer data pages: errno ${lastErrno()}`);
    }
    this.consumer = new BigUint64Array(nativeView(this.consumerPtr, this.page), 0, 1);
    const prod = nativeView(this.producerPtr, prodLen);
    this.producer = new BigUint64Array(prod, 0, 1);
    this.view = new DataView(prod, this.page, 2 * size);
  }

  /** Bytes committed or reserved but not yet consumed. */
  pending(): number {
    return Number(this.producer[0]! - this.consumer[0]!);
  }

  /**
   * Hands each committed record to `visit(view, offset, length)` (offset into `view`),
   * up to `max` records, then releases their space to the kernel in one store.
   * The record's bytes are only valid during the visit. Returns the number visited.
   */
  consume(visit: (view: DataView, offset: number, length: number) => void, max = Infinity): number {
    if (!this.producerPtr) throw new Error('ring buffer: closed');
    let cons = Number(this.consumer[0]!);
    const prod = Number(this.producer[0]!);
    let n = 0;
    try {
      while (cons < prod && n < max) {
        const off = cons & this.mask;
        const hdr = this.view.getUint32(off, true);
        if (hdr & BUSY) break;
        const len = hdr & ~(BUSY | DISCARD) & 0x3fffffff;
        // Past this record before the visit: a visitor that throws on it (an undecodable
        // record) must not leave the consumer on it, or every later call re-reads it.
        const at = cons;
        cons += (len + HDR + 7) & ~7;
        if (!(hdr & DISCARD)) {
          n++;
          visit(this.view, (at & this.mask) + HDR, len);
        }
      }
    } finally {
      this.consumer[0] = BigInt(cons);
    }
    return n;
  }

  close(): void {
    const libc = loadLibc();
    if (this.producerPtr) libc.munmap(this.producerPtr, this.page + 2 * this.size);
    if (this.consumerPtr) libc.munmap(this.consumerPtr, this.page);
    this.producerPtr = null;
    this.consumerPtr = null;
  }
}
