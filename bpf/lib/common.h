/* common.h: includes, numbers shared with userspace and the parsed-packet struct.
 * Every number here that userspace also knows is mirrored in bpf/loader/layout.ts
 * (keep in sync; test/bpf/layout.test.ts checks struct layouts against BTF). */
#ifndef NETOBS_COMMON_H
#define NETOBS_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Traffic direction as seen by the endpoint (pod), numbered like Hubble's
 * TrafficDirection: INGRESS=1 (towards the pod), EGRESS=2 (leaving the pod). */
#define DIR_INGRESS 1
#define DIR_EGRESS 2

/* Hubble Verdict numbers. */
#define VERDICT_FORWARDED 1
#define VERDICT_DROPPED 2

/* Reserved identities (compat-facts.md). */
#define IDENTITY_WORLD 2

/* TCP flag bits as in the TCP header's 13th byte. */
#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10

/* IP protocol numbers the parser knows. */
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMPV6 58
#define PROTO_SCTP 132

/* Addresses are kept as 16 bytes everywhere: IPv6 as is, IPv4 as ::ffff:a.b.c.d,
 * so one LPM trie, one conntrack key and one event layout serve both families. */
union addr16 {
	__u8 b[16];
	__u32 w[4];
};

/* What the parser learned about a packet. Ports are host byte order. */
struct pkt {
	union addr16 saddr;
	union addr16 daddr;
	__u16 sport;
	__u16 dport;
	__u16 policy_port;   /* dport for TCP/UDP/SCTP, the ICMP type for ICMP */
	__u8 family;         /* 4 or 6 */
	__u8 proto;
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 flags;          /* PKT_F_* */
	__u32 payload_off;   /* offset of L4 payload; 0 if none */
	/* ICMP errors: the tuple of the packet that caused the error. */
	union addr16 inner_saddr;
	union addr16 inner_daddr;
	__u16 inner_sport;
	__u16 inner_dport;
	__u8 inner_proto;
	__u8 hop_limit;      /* IPv6 hop limit / IPv4 TTL: ND and MLD must arrive on-link */
	__u16 l4_off;        /* offset of the L4 header (TCP/UDP/SCTP/ICMP); 0 if none */
	__u32 endpoint_id;   /* set before parsing: fragment state is kept per endpoint */
};

#define PKT_F_ICMP_ERROR 0x01  /* ICMP error with a parsed inner tuple */
#define PKT_F_FRAGMENT 0x02    /* non-first fragment: ports come from the fragment map */
#define PKT_F_NO_POLICY 0x04   /* valid ARP, ND or MLD: link-local control, exempt from policy
				* (not from NOT_READY or the source check), never tracked */
#define PKT_F_ARP 0x08         /* ARP; saddr holds the sender protocol address (v4-mapped) */

/* One packet's trip through the datapath: what was parsed, who the peers are,
 * what was decided. Events are filled from it. */
struct flow {
	struct pkt p;
	__u32 ifindex;
	__u32 endpoint_id;
	__u32 src_identity;
	__u32 dst_identity;
	__u32 rule_id;
	__u32 len;
	__u64 packets;     /* conntrack counters of this packet's direction */
	__u64 bytes;
	__u8 dir;
	__u8 match_type;
	__u8 tcp_state;
	__u8 ev_flags;     /* EV_F_* in events.h */
	/* Service translation (lb.h): the Service address and port the packet was sent to,
	 * before it was rewritten to the backend's (nat_port 0: not translated). */
	union addr16 nat_addr;
	__u16 nat_port;
	__u16 svc_id;
	__u8 proxy;         /* allowed only through the egress L7 proxy (l7.h) */
	__u8 pad2[3];
};

#endif
