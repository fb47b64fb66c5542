/* fragments.h: ports for non-first IP fragments. The first fragment carries the L4
 * header; its ports are remembered under {addresses, fragment id, protocol} so the
 * later fragments of the same datagram get the same conntrack and policy treatment.
 * A later fragment whose first fragment was never seen is dropped
 * (DROP_FRAG_NOT_SUPPORTED): without ports it cannot be judged. */
#ifndef NETOBS_FRAGMENTS_H
#define NETOBS_FRAGMENTS_H

#include "common.h"
#include "drop.h"

struct frag_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__u32 id;
	__u8 proto;
	__u8 pad[3];
};

struct frag_ports {
	__u16 sport;
	__u16 dport;
	__u16 policy_port;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct frag_key);
	__type(value, struct frag_ports);
} netobs_frag SEC(".maps");

static __always_inline void frag_key_of(struct frag_key *k, const struct pkt *p, __u32 id)
{
	__builtin_memcpy(k->saddr, p->saddr.b, 16);
	__builtin_memcpy(k->daddr, p->daddr.b, 16);
	k->id = id;
	k->proto = p->proto;
	k->pad[0] = 0;
	k->pad[1] = 0;
	k->pad[2] = 0;
}

static __always_inline void frag_remember(const struct pkt *p, __u32 id)
{
	struct frag_key k;
	struct frag_ports v = { .sport = p->sport, .dport = p->dport, .policy_port = p->policy_port };

	frag_key_of(&k, p, id);
	bpf_map_update_elem(&netobs_frag, &k, &v, BPF_ANY);
}

/* Fills the ports of a later fragment; 0 or a drop reason. */
static __always_inline int frag_recall(struct pkt *p, __u32 id)
{
	struct frag_key k;
	struct frag_ports *v;

	frag_key_of(&k, p, id);
	v = bpf_map_lookup_elem(&netobs_frag, &k);
	if (!v)
		return DROP_FRAG_NOT_SUPPORTED;
	p->sport = v->sport;
	p->dport = v->dport;
	p->policy_port = v->policy_port;
	p->flags |= PKT_F_FRAGMENT;
	return 0;
}

#endif
