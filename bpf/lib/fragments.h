/* fragments.h: ports for non-first IP fragments. The first fragment carries the L4
 * header; its ports and final L4 protocol are remembered so the later fragments of the
 * same datagram get the same conntrack and policy treatment. A later fragment whose first
 * fragment was never seen (or was overwritten) is dropped (DROP_FRAG_NOT_SUPPORTED):
 * without ports it cannot be judged.
 *
 * One key rule for every fragment of a datagram: {addresses, fragment id, the protocol
 * field that every fragment carries} - IPv4's protocol, or the IPv6 Fragment header's
 * next header (which is not the L4 protocol when extension headers follow it).
 *
 * Bounds per endpoint: each endpoint owns FRAG_SLOTS direct-mapped slots (slot = id mod
 * FRAG_SLOTS) holding the full datagram key, so a pod sending many first fragments only
 * overwrites its own slots and can never flush another pod's fragment state. */
#ifndef NETOBS_FRAGMENTS_H
#define NETOBS_FRAGMENTS_H

#include "common.h"
#include "drop.h"

#define FRAG_SLOTS 32

struct frag_key {
	__u32 endpoint_id;
	__u32 slot;
};

struct frag_state {
	union addr16 saddr;
	union addr16 daddr;
	__u32 id;
	__u8 key_proto;   /* IPv4 protocol / IPv6 Fragment header next header */
	__u8 l4_proto;    /* the protocol the first fragment's L4 header was parsed as */
	__u16 sport;
	__u16 dport;
	__u16 policy_port;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 131072);   /* 4096 endpoints x FRAG_SLOTS: never full */
	__type(key, struct frag_key);
	__type(value, struct frag_state);
} netobs_frag SEC(".maps");

static __always_inline void frag_remember(const struct pkt *p, __u32 id, __u8 key_proto)
{
	struct frag_key k = { .endpoint_id = p->endpoint_id, .slot = id % FRAG_SLOTS };
	struct frag_state v = {};

	v.saddr = p->saddr;
	v.daddr = p->daddr;
	v.id = id;
	v.key_proto = key_proto;
	v.l4_proto = p->proto;
	v.sport = p->sport;
	v.dport = p->dport;
	v.policy_port = p->policy_port;
	bpf_map_update_elem(&netobs_frag, &k, &v, BPF_ANY);
}

/* Fills the protocol and ports of a later fragment; 0 or a drop reason. */
static __always_inline int frag_recall(struct pkt *p, __u32 id, __u8 key_proto)
{
	struct frag_key k = { .endpoint_id = p->endpoint_id, .slot = id % FRAG_SLOTS };
	struct frag_state *v;

	v = bpf_map_lookup_elem(&netobs_frag, &k);
	if (!v || v->id != id || v->key_proto != key_proto ||
	    ((v->saddr.w[0] ^ p->saddr.w[0]) | (v->saddr.w[1] ^ p->saddr.w[1]) |
	     (v->saddr.w[2] ^ p->saddr.w[2]) | (v->saddr.w[3] ^ p->saddr.w[3]) |
	     (v->daddr.w[0] ^ p->daddr.w[0]) | (v->daddr.w[1] ^ p->daddr.w[1]) |
	     (v->daddr.w[2] ^ p->daddr.w[2]) | (v->daddr.w[3] ^ p->daddr.w[3])))
		return DROP_FRAG_NOT_SUPPORTED;
	p->proto = v->l4_proto;
	p->sport = v->sport;
	p->dport = v->dport;
	p->policy_port = v->policy_port;
	p->flags |= PKT_F_FRAGMENT;
	return 0;
}

#endif
