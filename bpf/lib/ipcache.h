/* ipcache.h: IP/CIDR -> security identity (LPM trie). IPv4 prefixes are stored as
 * ::ffff:a.b.c.d/(96+len). A miss is the world identity. Keep in sync with
 * bpf/loader/layout.ts. */
#ifndef NETOBS_IPCACHE_H
#define NETOBS_IPCACHE_H

#include "common.h"

struct ipcache_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct ipcache_value {
	__u32 identity;
	__u32 tunnel_endpoint;  /* IPv4 of the node that hosts the address, 0 if local/unknown */
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct ipcache_key);
	__type(value, struct ipcache_value);
} netobs_ipcache SEC(".maps");

static __always_inline __u32 ipcache_identity(const union addr16 *a)
{
	struct ipcache_key k = { .prefixlen = 128 };
	struct ipcache_value *v;

	__builtin_memcpy(k.addr, a->b, 16);
	v = bpf_map_lookup_elem(&netobs_ipcache, &k);
	return v ? v->identity : IDENTITY_WORLD;
}

#endif
