/* metrics.h: per-CPU packet and byte counters by direction and drop reason
 * (reason 0 = forwarded), and the per-CPU count of events lost to a full ring.
 * Index = direction * 256 + reason; keep in sync with bpf/loader/layout.ts. */
#ifndef NETOBS_METRICS_H
#define NETOBS_METRICS_H

#include "common.h"

#define METRICS_ENTRIES (3 * 256)

struct metrics_value {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, METRICS_ENTRIES);
	__type(key, __u32);
	__type(value, struct metrics_value);
} netobs_metrics SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} netobs_lost SEC(".maps");

static __always_inline void metrics_count(__u8 dir, __u8 reason, __u32 bytes)
{
	__u32 idx = ((__u32)dir & 3) * 256 + reason;
	struct metrics_value *v = bpf_map_lookup_elem(&netobs_metrics, &idx);

	/* Per-CPU slot: no other CPU writes it, plain adds are exact. */
	if (v) {
		v->packets += 1;
		v->bytes += bytes;
	}
}

static __always_inline void metrics_lost(void)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&netobs_lost, &zero);

	if (v)
		*v += 1;
}

#endif
