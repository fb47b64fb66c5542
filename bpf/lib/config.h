/* config.h: runtime settings written by the loader (one-entry array map), so
 * events and L7 capture can change without reloading the programs. */
#ifndef NETOBS_CONFIG_H
#define NETOBS_CONFIG_H

#include "common.h"

#define CFG_EVENTS 0x1          /* emit ring buffer events at all */
#define CFG_TRACE 0x2           /* trace events for forwarded packets */
#define CFG_POLICY_VERDICT 0x4  /* policy-verdict events for new connections */
#define CFG_L7 0x8              /* copy first payload bytes of DNS / HTTP */

#define CFG_HTTP_PORTS 7
#define PAYLOAD_MAX 128

/* Keep in sync with bpf/loader/layout.ts STRUCTS.netobs_config, encodeConfig and ConfigFlags
 * (test/bpf/layout.test.ts checks the struct against BTF, test/bpf/constants-drift.test.ts the flags). */
struct netobs_config {
	__u32 flags;
	__u32 report_interval_ms;   /* at most one trace per connection per interval */
	__u16 capture_len;          /* payload bytes copied for L7, <= PAYLOAD_MAX */
	__u16 http_ports[CFG_HTTP_PORTS]; /* 0 = unused slot */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct netobs_config);
} netobs_config SEC(".maps");

static __always_inline const struct netobs_config *config_get(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&netobs_config, &zero);
}

static __always_inline int config_is_http_port(const struct netobs_config *cfg, __u16 port)
{
#pragma unroll
	for (int i = 0; i < CFG_HTTP_PORTS; i++)
		if (cfg->http_ports[i] && cfg->http_ports[i] == port)
			return 1;
	return 0;
}

#endif
