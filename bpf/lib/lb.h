/* lb.h: Service translation at the pod's egress (ClusterIP, NodePort and ExternalIP
 * addresses reached from pods), so that policy, conntrack and events see the backend a
 * connection really goes to, never the Service address.
 *
 *   netobs_lb_svc      {service address, port, protocol, slot} -> slot 0: how many backends
 *                      and the service id; slot 1..count: a backend id
 *   netobs_lb_backend  backend id -> {address, port}
 *   netobs_lb_conn     LRU: the first packet's tuple (pod -> Service address) -> backend id,
 *                      so a connection keeps its backend while the backend set changes
 *
 * A new connection takes slot 1 + hash(tuple) % count. A connection whose backend has
 * left netobs_lb_backend is given a new one (its TCP peer answers with a reset), as Cilium
 * does; the agent keeps a terminating-but-serving backend in netobs_lb_backend (not in
 * the slots), so connections already on it are not cut while it drains.
 *
 * Later fragments follow their first fragment (the fragment map gives their ports): same
 * backend, only the address rewritten. ICMP errors about a translated connection are not
 * rewritten (their quoted packet keeps the backend's address), nor is a pod's connection to
 * its own Service that lands on itself given a source NAT (hairpin): both are limits.
 *
 * The packet is rewritten (destination address and port, IPv4 header and L4 checksums)
 * before conntrack and policy: the conntrack entry is keyed by the backend tuple and keeps
 * the Service address and port, and its replies get their source rewritten back
 * (reverse NAT) at the pod's to-endpoint hook. Keep in sync with bpf/loader/layout.ts. */
#ifndef NETOBS_LB_H
#define NETOBS_LB_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include "common.h"
#include "conntrack.h"

#define LB_OFF(t, f) __builtin_offsetof(t, f)

struct lb_key {
	__u8 addr[16];
	__u16 port;    /* host order */
	__u16 slot;    /* 0: the service itself; 1..count: its backends */
	__u8 proto;
	__u8 pad[3];
};

struct lb_value {
	__u32 backend_id;  /* slot > 0 */
	__u16 count;       /* slot 0: backends in slots 1..count */
	__u16 svc_id;      /* slot 0: the agent's number for the Service */
};

struct lb_backend {
	__u8 addr[16];
	__u16 port;    /* host order */
	__u16 pad;
};

struct lb_conn {
	__u32 backend_id;
	__u32 svc_id;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct lb_key);
	__type(value, struct lb_value);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} netobs_lb_svc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct lb_backend);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} netobs_lb_backend SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 131072);
	__type(key, struct ct_key);
	__type(value, struct lb_conn);
} netobs_lb_conn SEC(".maps");

/* A mix of the tuple (FNV-1a over its bytes): the same tuple always picks the same slot;
 * bpf/loader/layout.ts lbHash is the same function, for tests and the model. */
static __always_inline __u32 lb_hash(const struct pkt *p)
{
	__u32 h = 2166136261u;

#pragma unroll
	for (int i = 0; i < 16; i++)
		h = (h ^ p->saddr.b[i]) * 16777619u;
	h = (h ^ (p->sport >> 8)) * 16777619u;
	h = (h ^ (p->sport & 0xff)) * 16777619u;
	h = (h ^ p->proto) * 16777619u;
	return h;
}

/* Rewrites the destination (dnat) or source (!dnat) address and port of an IPv4/IPv6
 * TCP/UDP packet, keeping the IPv4 header and L4 checksums right. 0 or -1. */
static __always_inline int lb_rewrite(struct __sk_buff *skb, const struct pkt *p, int dnat,
				      const union addr16 *from, const union addr16 *to,
				      __u16 from_port, __u16 to_port)
{
	__u32 l4 = p->l4_off;
	__u32 csum_off = l4 + (p->proto == PROTO_TCP ? LB_OFF(struct tcphdr, check) : LB_OFF(struct udphdr, check));
	__u32 port_off = l4 + (dnat ? 2 : 0);
	__u64 mangled = p->proto == PROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;
	__be16 oldp = bpf_htons(from_port), newp = bpf_htons(to_port);
	int udp_nocsum = 0;

	/* A later fragment carries no L4 header: only its address changes (the first
	 * fragment's L4 checksum covers the whole datagram and was updated with it). */
	if (p->flags & PKT_F_FRAGMENT) {
		if (p->family == 6)
			return bpf_skb_store_bytes(skb, ETH_HLEN + (dnat ? LB_OFF(struct ipv6hdr, daddr) : LB_OFF(struct ipv6hdr, saddr)),
						   to->b, 16, 0) ? -1 : 0;
		if (bpf_skb_store_bytes(skb, ETH_HLEN + (dnat ? LB_OFF(struct iphdr, daddr) : LB_OFF(struct iphdr, saddr)),
					&to->w[3], 4, 0))
			return -1;
		return bpf_l3_csum_replace(skb, ETH_HLEN + LB_OFF(struct iphdr, check), from->w[3], to->w[3], 4) ? -1 : 0;
	}
	if (p->proto == PROTO_UDP && p->family == 4) {
		__u16 c;

		if (bpf_skb_load_bytes(skb, csum_off, &c, 2))
			return -1;
		udp_nocsum = c == 0;  /* IPv4 UDP without a checksum keeps none */
	}
	if (p->family == 4) {
		__u32 addr_off = ETH_HLEN + (dnat ? LB_OFF(struct iphdr, daddr) : LB_OFF(struct iphdr, saddr));

		if (bpf_skb_store_bytes(skb, addr_off, &to->w[3], 4, 0))
			return -1;
		if (bpf_l3_csum_replace(skb, ETH_HLEN + LB_OFF(struct iphdr, check), from->w[3], to->w[3], 4))
			return -1;
		if (!udp_nocsum &&
		    bpf_l4_csum_replace(skb, csum_off, from->w[3], to->w[3], BPF_F_PSEUDO_HDR | mangled | 4))
			return -1;
	} else {
		__u32 addr_off = ETH_HLEN + (dnat ? LB_OFF(struct ipv6hdr, daddr) : LB_OFF(struct ipv6hdr, saddr));
		__s64 diff = bpf_csum_diff((__be32 *)from->w, 16, (__be32 *)to->w, 16, 0);

		if (diff < 0 || bpf_skb_store_bytes(skb, addr_off, to->b, 16, 0))
			return -1;
		if (bpf_l4_csum_replace(skb, csum_off, 0, diff, BPF_F_PSEUDO_HDR | mangled))
			return -1;
	}
	if (oldp != newp) {
		if (bpf_skb_store_bytes(skb, port_off, &newp, 2, 0))
			return -1;
		if (!udp_nocsum && bpf_l4_csum_replace(skb, csum_off, oldp, newp, mangled | 2))
			return -1;
	}
	return 0;
}

#endif
