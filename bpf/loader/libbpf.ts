// FFI bindings to Debian's libbpf.so.1 and the few libc calls the loader needs, through
// koffi. Bound lazily on first use: importing this module loads nothing.
//
// Why koffi over an N-API addon: koffi ships prebuilt binaries in its npm package and the
// single executable already embeds it, so the loader needs no compiler at install time;
// libbpf does the ELF, BTF, relocation and netlink work. Only the per-event path (the
// ring buffer) bypasses FFI entirely: it reads mmapped memory with a DataView.
import koffi from 'koffi';
import type { LibraryHandle } from 'koffi';

/** A native pointer as koffi returns it (BigInt), or null. */
export type Ptr = bigint | null;

export interface Libbpf {
  versionString(): string;
  setPrint(fn: null): Ptr;
  numPossibleCpus(): number;
  objectOpenMem(buf: Uint8Array, size: number, opts: null): Ptr;
  objectLoad(obj: bigint): number;
  objectClose(obj: bigint): void;
  findMapByName(obj: bigint, name: string): Ptr;
  findProgramByName(obj: bigint, name: string): Ptr;
  mapSetPinPath(map: bigint, path: string): number;
  mapSetMaxEntries(map: bigint, n: number): number;
  mapFd(map: bigint): number;
  mapIsPinned(map: bigint): boolean;
  mapType(map: bigint): number;
  mapKeySize(map: bigint): number;
  mapValueSize(map: bigint): number;
  programFd(prog: bigint): number;
  programPin(prog: bigint, path: string): number;
  programSetLogBuf(prog: bigint, buf: Uint8Array, size: number): number;
  mapUpdate(fd: number, key: Uint8Array, value: Uint8Array, flags: bigint): number;
  mapLookup(fd: number, key: Uint8Array, value: Uint8Array): number;
  mapDelete(fd: number, key: Uint8Array): number;
  mapNextKey(fd: number, key: Uint8Array | null, next: Uint8Array): number;
  objGet(path: string): number;
  objGetInfoByFd(fd: number, info: Uint8Array, len: Uint32Array): number;
  testRun(fd: number, opts: bigint): number;
  tcHookCreate(hook: Uint8Array): number;
  tcAttach(hook: Uint8Array, opts: Uint8Array): number;
  tcDetach(hook: Uint8Array, opts: Uint8Array): number;
  tcQuery(hook: Uint8Array, opts: Uint8Array): number;
}

export interface Libc {
  mmap(addr: null, len: number, prot: number, flags: number, fd: number, off: number): Ptr;
  munmap(addr: bigint, len: number): number;
  close(fd: number): number;
  ifNameToIndex(name: string): number;
  ifIndexToName(index: number, buf: Uint8Array): Ptr;
  mount(src: string, target: string, type: string, flags: number, data: null): number;
  sysconf(name: number): number;
}

let libbpf: Libbpf | undefined;
let libc: Libc | undefined;

export function loadLibbpf(): Libbpf {
  if (libbpf) return libbpf;
  let lib: LibraryHandle;
  try {
    lib = koffi.load('libbpf.so.1');
  } catch (err) {
    throw new Error(`load libbpf.so.1: ${(err as Error).message} (apt-get install libbpf1)`, { cause: err });
  }
  const f = (decl: string) => lib.func(decl);
  const l: Libbpf = {
    versionString: f('const char *libbpf_version_string(void)'),
    setPrint: f('void *libbpf_set_print(void *fn)'),
    numPossibleCpus: f('int libbpf_num_possible_cpus(void)'),
    objectOpenMem: f('void *bpf_object__open_mem(const void *buf, size_t size, const void *opts)'),
    objectLoad: f('int bpf_object__load(void *obj)'),
    objectClose: f('void bpf_object__close(void *obj)'),
    findMapByName: f('void *bpf_object__find_map_by_name(void *obj, const char *name)'),
    findProgramByName: f('void *bpf_object__find_program_by_name(void *obj, const char *name)'),
    mapSetPinPath: f('int bpf_map__set_pin_path(void *map, const char *path)'),
    mapSetMaxEntries: f('int bpf_map__set_max_entries(void *map, uint32_t n)'),
    mapFd: f('int bpf_map__fd(void *map)'),
    mapIsPinned: f('bool bpf_map__is_pinned(void *map)'),
    mapType: f('int bpf_map__type(void *map)'),
    mapKeySize: f('uint32_t bpf_map__key_size(void *map)'),
    mapValueSize: f('uint32_t bpf_map__value_size(void *map)'),
    programFd: f('int bpf_program__fd(void *prog)'),
    programPin: f('int bpf_program__pin(void *prog, const char *path)'),
    programSetLogBuf: f('int bpf_program__set_log_buf(void *prog, void *buf, size_t size)'),
    mapUpdate: f('int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)'),
    mapLookup: f('int bpf_map_lookup_elem(int fd, const void *key, void *value)'),
    mapDelete: f('int bpf_map_delete_elem(int fd, const void *key)'),
    mapNextKey: f('int bpf_map_get_next_key(int fd, const void *key, void *next)'),
    objGet: f('int bpf_obj_get(const char *path)'),
    objGetInfoByFd: f('int bpf_obj_get_info_by_fd(int fd, void *info, uint32_t *len)'),
    testRun: f('int bpf_prog_test_run_opts(int fd, void *opts)'),
    tcHookCreate: f('int bpf_tc_hook_create(void *hook)'),
    tcAttach: f('int bpf_tc_attach(void *hook, void *opts)'),
    tcDetach: f('int bpf_tc_detach(void *hook, void *opts)'),
    tcQuery: f('int bpf_tc_query(void *hook, void *opts)'),
  };
  // libbpf's default logger writes to stderr; errors reach callers as return codes and
  // verifier logs through per-program log buffers instead.
  l.setPrint(null);
  libbpf = l;
  return l;
}

export function loadLibc(): Libc {
  if (libc) return libc;
  const lib = koffi.load('libc.so.6');
  const f = (decl: string) => lib.func(decl);
  libc = {
    mmap: f('void *mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t off)'),
    munmap: f('int munmap(void *addr, size_t len)'),
    close: f('int close(int fd)'),
    ifNameToIndex: f('unsigned int if_nametoindex(const char *name)'),
    ifIndexToName: f('void *if_indextoname(unsigned int index, void *buf)'),
    mount: f('int mount(const char *src, const char *target, const char *type, unsigned long flags, const void *data)'),
    sysconf: f('long sysconf(int name)'),
  };
  return libc;
}

/** errno of the last failed libc/libbpf call that reports through errno. */
export function lastErrno(): number {
  return koffi.errno();
}

/** Allocates native memory that stays put (for structs that hold pointers). */
export function nativeAlloc(size: number): { ptr: bigint; bytes: Uint8Array; free(): void } {
  const ptr = koffi.alloc('uint8_t', size) as bigint;
  const bytes = new Uint8Array(koffi.view(ptr, size));
  bytes.fill(0);
  return { ptr, bytes, free: () => koffi.free(ptr) };
}

/** A zero-copy view of native memory (mmapped ring buffer pages). */
export function nativeView(ptr: bigint, len: number): ArrayBuffer {
  return koffi.view(ptr, len);
}
