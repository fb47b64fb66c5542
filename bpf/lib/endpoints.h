/* endpoints.h: the pods this node manages, by the ifindex of their host-side veth.
 * Packets on interfaces without an entry pass untouched. Keep in sync with
 * bpf/loader/layout.ts. */
#ifndef NETOBS_ENDPOINTS_H
#define NETOBS_ENDPOINTS_H

#include "common.h"

#define EP_F_ENFORCE_INGRESS 0x1  /* default-deny towards the pod */
#define EP_F_ENFORCE_EGRESS 0x2   /* default-deny from the pod */
#define EP_F_NOT_READY 0x4        /* drop everything (DROP_EP_NOT_READY) until policy is in place */
#define EP_F_CHECK_SOURCE 0x8     /* drop packets from the pod whose source is not its address */

struct endpoint_info {
	__u32 endpoint_id;
	__u32 identity;
	__u32 flags;
	__u32 ipv4;      /* network byte order, 0 = none */
	__u8 ipv6[16];   /* all zero = none */
	__u32 policy_rev; /* bumped by the agent when this endpoint's policy changes (conntrack.h) */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct endpoint_info);
} netobs_endpoint SEC(".maps");

static __always_inline const struct endpoint_info *endpoint_lookup(__u32 ifindex)
{
	return bpf_map_lookup_elem(&netobs_endpoint, &ifindex);
}

/* Anti-spoofing for every packet leaving the pod: the source must be the pod's own
 * address of the packet's family, and a pod without an address of that family sends
 * nothing of it (fail closed). ARP's sender address is held to the same rule, except
 * 0.0.0.0 (an address probe, RFC 5227, which claims nothing). Valid ND/MLD may come
 * from the pod's link-local address or :: (DAD) as well: link-scope, never routed. */
static __always_inline int endpoint_source_ok(const struct endpoint_info *ep, const struct pkt *p)
{
	const __u32 *w = (const __u32 *)ep->ipv6;

	if (p->family == 4) {
		if (ep->ipv4 == 0)
			return 0;
		if (p->saddr.w[3] == ep->ipv4)
			return 1;
		return (p->flags & PKT_F_ARP) && p->saddr.w[3] == 0;
	}
	if ((p->flags & PKT_F_NO_POLICY) &&
	    ((p->saddr.b[0] == 0xfe && (p->saddr.b[1] & 0xc0) == 0x80) ||
	     (p->saddr.w[0] | p->saddr.w[1] | p->saddr.w[2] | p->saddr.w[3]) == 0))
		return 1;
	if ((w[0] | w[1] | w[2] | w[3]) == 0)
		return 0;
	return p->saddr.w[0] == w[0] && p->saddr.w[1] == w[1] &&
	       p->saddr.w[2] == w[2] && p->saddr.w[3] == w[3];
}

#endif
