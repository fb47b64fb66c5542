/* parse.h: Ethernet, IPv4 (with options and fragments), IPv6 (with extension
 * chains and fragments), TCP, UDP, SCTP, ICMP, ICMPv6 into struct pkt.
 *
 * Every read goes through bpf_skb_load_bytes: it bounds-checks against the whole
 * packet (linear or not), so a truncated header is a failed load, never an
 * out-of-bounds access, and GSO packets from veth need no pull. Returns 0 or the
 * drop reason. */
#ifndef NETOBS_PARSE_H
#define NETOBS_PARSE_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include "common.h"
#include "drop.h"
#include "fragments.h"

#define IPV6_MAX_EXT 8  /* more extension headers than this: DROP_INVALID_IPV6_EXT */

static __always_inline void addr_from_v4(union addr16 *a, __be32 ip)
{
	a->w[0] = 0;
	a->w[1] = 0;
	a->w[2] = bpf_htonl(0xffff);
	a->w[3] = ip;
}

static __always_inline int icmp4_known(__u8 t)
{
	/* echo reply, unreachable, source quench, redirect, echo, router adv/sol,
	 * time exceeded, parameter problem, timestamp, timestamp reply */
	return t == 0 || (t >= 3 && t <= 5) || (t >= 8 && t <= 14);
}

static __always_inline int icmp4_is_error(__u8 t)
{
	return t == 3 || t == 4 || t == 5 || t == 11 || t == 12;
}

/* The ports of an embedded (ICMP error) or outer L4 header, as the tuple wants them:
 * for ICMP echo the identifier is the request's source port and the reply's
 * destination port, so a reply's reversed tuple finds the request. */
static __always_inline int l4_ports(struct __sk_buff *skb, __u32 off, __u8 proto,
				    __u16 *sport, __u16 *dport)
{
	__u8 b[8];

	switch (proto) {
	case PROTO_TCP:
	case PROTO_UDP:
	case PROTO_SCTP:
		if (bpf_skb_load_bytes(skb, off, b, 4))
			return -1;
		*sport = ((__u16)b[0] << 8) | b[1];
		*dport = ((__u16)b[2] << 8) | b[3];
		return 0;
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		if (bpf_skb_load_bytes(skb, off, b, 8))
			return -1;
		if (b[0] == 8 || b[0] == 13 || b[0] == 128) {
			*sport = ((__u16)b[4] << 8) | b[5];
			*dport = 0;
		} else if (b[0] == 0 || b[0] == 14 || b[0] == 129) {
			*sport = 0;
			*dport = ((__u16)b[4] << 8) | b[5];
		} else {
			return -1;
		}
		return 0;
	}
	return -1;
}

#define ICMP6_CONTROL_MAX 1280  /* longest ND/MLD message accepted (options included) */

/* ND (133-137) must carry hop limit 255 (RFC 4861: proof it was not routed) and MLD
 * (130-132, 143) hop limit 1 (never routed on). Destinations: ND to link-local
 * unicast (fe80::/10) or link-scope multicast (ff02::/16, which holds all-nodes,
 * all-routers and solicited-node ff02::1:ffXX:XXXX); MLD to multicast. Lengths: the
 * type's fixed part at least, ICMP6_CONTROL_MAX at most. A pod's NS for an address
 * that is not link-local (unicast NUD to a global address) is refused: routed on by
 * the host it would reach another node as payload no policy judged. */
static __always_inline int icmp6_link_control_ok(const struct pkt *p, __u8 t, __u32 len)
{
	__u8 d0 = p->daddr.b[0], d1 = p->daddr.b[1];
	__u32 min;

	if (len > ICMP6_CONTROL_MAX)
		return 0;
	if (t >= 133 && t <= 137) {
		if (p->hop_limit != 255)
			return 0;
		if (!(d0 == 0xfe && (d1 & 0xc0) == 0x80) && !(d0 == 0xff && (d1 & 0x0f) == 0x02))
			return 0;
		min = t == 133 ? 8 : t == 134 ? 16 : t == 137 ? 40 : 24;
	} else {
		if (p->hop_limit != 1 || d0 != 0xff)
			return 0;
		min = t == 143 ? 8 : 24;
	}
	return len >= min;
}

/* An IPv4 address in IPv6 clothing (::ffff:0:0/96): the ipcache and conntrack hold
 * IPv4 under exactly these keys, so such a packet would borrow an IPv4 peer's
 * identity. No real IPv6 packet on the wire carries one. */
static __always_inline int addr_is_v4mapped(const union addr16 *a)
{
	return (a->w[0] | a->w[1]) == 0 && a->w[2] == bpf_htonl(0xffff);
}

/* The packet inside an ICMP error; leaves PKT_F_ICMP_ERROR clear if it cannot be read. */
static __always_inline void parse_icmp_inner(struct __sk_buff *skb, struct pkt *p, __u32 off)
{
	__u32 l4;
	__u8 proto;

	if (p->family == 4) {
		struct iphdr ip;

		if (bpf_skb_load_bytes(skb, off, &ip, sizeof(ip)) || ip.version != 4 || ip.ihl < 5)
			return;
		addr_from_v4(&p->inner_saddr, ip.saddr);
		addr_from_v4(&p->inner_daddr, ip.daddr);
		proto = ip.protocol;
		l4 = off + ip.ihl * 4;
	} else {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, off, &ip6, sizeof(ip6)) || ip6.version != 6)
			return;
		__builtin_memcpy(p->inner_saddr.b, &ip6.saddr, 16);
		__builtin_memcpy(p->inner_daddr.b, &ip6.daddr, 16);
		proto = ip6.nexthdr;
		l4 = off + sizeof(ip6);
	}
	if (l4_ports(skb, l4, proto, &p->inner_sport, &p->inner_dport))
		return;
	p->inner_proto = proto;
	p->flags |= PKT_F_ICMP_ERROR;
}

static __always_inline int parse_l4(struct __sk_buff *skb, struct pkt *p, __u32 off)
{
	switch (p->proto) {
	case PROTO_TCP: {
		struct tcphdr th;
		__u32 hlen;

		if (bpf_skb_load_bytes(skb, off, &th, sizeof(th)))
			return DROP_CT_TRUNCATED_OR_INVALID;
		hlen = th.doff * 4;
		if (hlen < sizeof(th) || off + hlen > skb->len)
			return DROP_CT_TRUNCATED_OR_INVALID;
		p->sport = bpf_ntohs(th.source);
		p->dport = bpf_ntohs(th.dest);
		p->policy_port = p->dport;
		p->tcp_flags = ((__u8 *)&th)[13];
		p->payload_off = off + hlen;
		return 0;
	}
	case PROTO_UDP: {
		struct udphdr uh;

		if (bpf_skb_load_bytes(skb, off, &uh, sizeof(uh)))
			return DROP_CT_TRUNCATED_OR_INVALID;
		p->sport = bpf_ntohs(uh.source);
		p->dport = bpf_ntohs(uh.dest);
		p->policy_port = p->dport;
		p->payload_off = off + sizeof(uh);
		return 0;
	}
	case PROTO_SCTP: {
		__u16 w[6];

		if (bpf_skb_load_bytes(skb, off, w, sizeof(w)))
			return DROP_CT_TRUNCATED_OR_INVALID;
		p->sport = bpf_ntohs(w[0]);
		p->dport = bpf_ntohs(w[1]);
		p->policy_port = p->dport;
		return 0;
	}
	case PROTO_ICMP:
	case PROTO_ICMPV6: {
		__u8 h[8];
		__u8 t;

		/* ICMPv4 in IPv6 or ICMPv6 in IPv4 is not ICMP to anyone: a plain protocol. */
		if ((p->proto == PROTO_ICMP) != (p->family == 4))
			return 0;
		if (bpf_skb_load_bytes(skb, off, h, sizeof(h)))
			return DROP_CT_TRUNCATED_OR_INVALID;
		t = h[0];
		p->icmp_type = t;
		p->icmp_code = h[1];
		p->policy_port = t;
		if (p->family == 4) {
			if (!icmp4_known(t))
				return DROP_UNKNOWN_ICMPV4_TYPE;
			if (icmp4_is_error(t))
				parse_icmp_inner(skb, p, off + 8);
		} else {
			/* Neighbour discovery and MLD keep IPv6 working: exempt from policy, but
			 * only when they are what they claim (else a policy-free channel). */
			if ((t >= 130 && t <= 137) || t == 143) {
				if (!icmp6_link_control_ok(p, t, skb->len - off))
					return DROP_FORBIDDEN_ICMP6;
				p->flags |= PKT_F_NO_POLICY;
				return 0;
			}
			if (t >= 1 && t <= 4)
				parse_icmp_inner(skb, p, off + 8);
		}
		if (t == 8 || t == 13 || t == 128)
			p->sport = ((__u16)h[4] << 8) | h[5];
		else if (t == 0 || t == 14 || t == 129)
			p->dport = ((__u16)h[4] << 8) | h[5];
		return 0;
	}
	}
	/* Other protocols: no ports; L3-only and protocol-wide policy entries decide. */
	return 0;
}

static __always_inline int parse_ipv4(struct __sk_buff *skb, struct pkt *p)
{
	struct iphdr ip;
	__u32 hlen, tot;
	__u16 frag;
	int ret;

	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)))
		return DROP_INVALID_PACKET;
	if (ip.version != 4 || ip.ihl < 5)
		return DROP_INVALID_PACKET;
	hlen = ip.ihl * 4;
	tot = bpf_ntohs(ip.tot_len);
	/* tot_len 0 is how BIG TCP marks packets above 64 KiB. */
	if ((tot != 0 && tot < hlen) || ETH_HLEN + hlen > skb->len)
		return DROP_INVALID_PACKET;
	p->family = 4;
	p->proto = ip.protocol;
	addr_from_v4(&p->saddr, ip.saddr);
	addr_from_v4(&p->daddr, ip.daddr);
	frag = bpf_ntohs(ip.frag_off);
	if (frag & 0x1fff)
		return frag_recall(p, bpf_ntohs(ip.id), ip.protocol);
	ret = parse_l4(skb, p, ETH_HLEN + hlen);
	if (ret == 0 && (frag & 0x2000))
		frag_remember(p, bpf_ntohs(ip.id), ip.protocol);
	return ret;
}

struct ipv6_frag {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 id;
};

static __always_inline int parse_ipv6(struct __sk_buff *skb, struct pkt *p)
{
	struct ipv6hdr ip6;
	__u32 off = ETH_HLEN + sizeof(ip6);
	__u32 frag_id = 0;
	int first_frag = 0, ret;
	__u8 frag_next = 0;
	__u8 next;

	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip6, sizeof(ip6)))
		return DROP_INVALID_PACKET;
	if (ip6.version != 6)
		return DROP_INVALID_PACKET;
	p->family = 6;
	p->hop_limit = ip6.hop_limit;
	__builtin_memcpy(p->saddr.b, &ip6.saddr, 16);
	__builtin_memcpy(p->daddr.b, &ip6.daddr, 16);
	if (addr_is_v4mapped(&p->saddr))
		return DROP_INVALID_SOURCE_IP;
	if (addr_is_v4mapped(&p->daddr))
		return DROP_UNROUTABLE;
	next = ip6.nexthdr;

	for (int i = 0; i <= IPV6_MAX_EXT; i++) {
		__u8 h[2];

		if (next != 0 && next != 43 && next != 60 && next != 135 && next != 51 && next != 44)
			goto l4;
		if (i == IPV6_MAX_EXT)
			break;
		switch (next) {
		case 0:    /* hop-by-hop */
		case 43:   /* routing */
		case 60:   /* destination options */
		case 135:  /* mobility */
			if (bpf_skb_load_bytes(skb, off, h, 2))
				return DROP_INVALID_IPV6_EXT;
			next = h[0];
			off += ((__u32)h[1] + 1) * 8;
			break;
		case 51:   /* authentication header: length in 4-octet units, minus 2 */
			if (bpf_skb_load_bytes(skb, off, h, 2))
				return DROP_INVALID_IPV6_EXT;
			next = h[0];
			off += ((__u32)h[1] + 2) * 4;
			break;
		case 44: { /* fragment */
			struct ipv6_frag fh;
			__u16 fo;

			if (bpf_skb_load_bytes(skb, off, &fh, sizeof(fh)))
				return DROP_INVALID_IPV6_EXT;
			next = fh.nexthdr;
			off += sizeof(fh);
			fo = bpf_ntohs(fh.frag_off);
			frag_id = bpf_ntohl(fh.id);
			if (fo & 0xfff8)
				return frag_recall(p, frag_id, next);
			first_frag = fo & 1;
			frag_next = next;
			break;
		}
		default:
			goto l4;
		}
	}
	return DROP_INVALID_IPV6_EXT;
l4:
	p->proto = next;
	ret = parse_l4(skb, p, off);
	if (ret == 0 && first_frag)
		frag_remember(p, frag_id, frag_next);
	return ret;
}

/* ARP for IPv4 over Ethernet only; the sender protocol address becomes saddr so the
 * source check can hold it to the pod's address (ARP spoofing). */
static __always_inline int parse_arp(struct __sk_buff *skb, struct pkt *p)
{
	__u8 a[18];

	if (bpf_skb_load_bytes(skb, ETH_HLEN, a, sizeof(a)))
		return DROP_INVALID_PACKET;
	/* htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4 */
	if (a[0] != 0 || a[1] != 1 || a[2] != 0x08 || a[3] != 0 || a[4] != 6 || a[5] != 4)
		return DROP_INVALID_PACKET;
	p->family = 4;
	p->saddr.w[0] = 0;
	p->saddr.w[1] = 0;
	p->saddr.w[2] = bpf_htonl(0xffff);
	__builtin_memcpy(&p->saddr.w[3], &a[14], 4);
	p->flags |= PKT_F_NO_POLICY | PKT_F_ARP;
	return 0;
}

/* A global (non-inlined) function: the verifier checks it once on its own instead of
 * once per path through the caller, which keeps the programs far below the
 * instruction limit. */
/* The common case, IPv4 without options or fragmentation carrying TCP or UDP, read in
 * place (no helper calls). Returns 1 if it handled the packet; anything unusual (or a
 * header not in the linear part) is left to the general path below, which decides
 * exactly as this would. */
static __always_inline int parse_fast_ipv4(struct __sk_buff *skb, struct pkt *p)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + ETH_HLEN;
	__u32 tot, hlen;

	if (data + ETH_HLEN + sizeof(struct iphdr) + sizeof(struct tcphdr) > end)
		return 0;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || *(__u8 *)ip != 0x45 || (ip->frag_off & bpf_htons(0x3fff)))
		return 0;
	tot = bpf_ntohs(ip->tot_len);
	if (tot != 0 && tot < sizeof(struct iphdr))
		return 0;
	if (ip->protocol == PROTO_TCP) {
		struct tcphdr *th = (void *)(ip + 1);

		hlen = th->doff * 4;
		if (hlen < sizeof(*th) || ETH_HLEN + sizeof(*ip) + hlen > skb->len)
			return 0;
		p->sport = bpf_ntohs(th->source);
		p->dport = bpf_ntohs(th->dest);
		p->tcp_flags = ((__u8 *)th)[13];
	} else if (ip->protocol == PROTO_UDP) {
		struct udphdr *uh = (void *)(ip + 1);

		hlen = sizeof(*uh);
		p->sport = bpf_ntohs(uh->source);
		p->dport = bpf_ntohs(uh->dest);
	} else {
		return 0;
	}
	p->family = 4;
	p->proto = ip->protocol;
	p->policy_port = p->dport;
	p->payload_off = ETH_HLEN + sizeof(*ip) + hlen;
	addr_from_v4(&p->saddr, ip->saddr);
	addr_from_v4(&p->daddr, ip->daddr);
	return 1;
}

__attribute__((noinline)) int netobs_parse(struct __sk_buff *skb, struct pkt *p)
{
	struct ethhdr eth;

	if (!p)
		return DROP_INVALID_PACKET;
	if (parse_fast_ipv4(skb, p))
		return 0;

	if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)))
		return DROP_INVALID_PACKET;
	switch (eth.h_proto) {
	case bpf_htons(ETH_P_IP):
		return parse_ipv4(skb, p);
	case bpf_htons(ETH_P_IPV6):
		return parse_ipv6(skb, p);
	case bpf_htons(ETH_P_ARP):
		return parse_arp(skb, p);
	}
	return DROP_UNSUPPORTED_L3;
}

#endif
