/* conntrack.h: connection tracking on the 5-tuple (LRU hash).
 *
 * One entry per connection per endpoint direction, keyed by the tuple of its first
 * packet, that packet's direction and the endpoint whose hook saw it. Two pods on one
 * node each get their own entry (pod A's egress, pod B's ingress), so B's policy is
 * checked even when A's entry exists. A reply is found by reversing the tuple and the
 * direction on the same endpoint: an entry another pod created (say a forged SYN|ACK
 * B:80 -> X:40000 leaving X) is never taken for a reply at B, whose key differs in
 * the endpoint. Entries keep
 * counters and TCP flags per direction, and when the connection last reported, which
 * drives event aggregation.
 *
 * Two maps, so that a flood of one kind cannot evict the other: netobs_ct_tcp for TCP,
 * netobs_ct_any for everything else (UDP, ICMP, SCTP, other protocols).
 *
 * Lifetimes (seconds since the entry's last packet; the values of Cilium's defaults):
 *   TCP established          21600  (CT_LIFETIME_TCP)
 *   TCP opening (SYN seen,
 *     no reply handshake)       60  (CT_LIFETIME_SYN)
 *   TCP closing (FIN or RST)    10  (CT_LIFETIME_CLOSE)
 *   UDP, ICMP, other            60  (CT_LIFETIME_NONTCP)
 * An expired entry is ignored on lookup (the packet is a new connection, judged by
 * policy again) and removed by the agent's GC (bpf/loader ConntrackMap.gc), which
 * applies the same rule from last_seen_ns.
 *
 * Policy changes reach established connections through a revision: each entry keeps
 * the policy revision of its endpoint when it was last judged; the agent bumps the
 * endpoint's revision whenever that endpoint's policy entries change, and a packet of
 * an entry whose revision differs re-runs the policy lookup of the connection's first
 * packet (one comparison per packet; the lookup only after a change). Chosen over
 * flushing: a flush would also drop the still-allowed connections' state (TCP state,
 * counters, first-reply reporting) of every endpoint touched, and walking the whole
 * map on every policy change is work proportional to all connections of the node.
 *
 * Times are bpf_ktime_get_coarse_ns (CLOCK_MONOTONIC_COARSE,
 * tick resolution): a precise clock read per packet costs more than aggregation needs.
 * Keep in sync with bpf/loader/layout.ts. */
#ifndef NETOBS_CONNTRACK_H
#define NETOBS_CONNTRACK_H

#include "common.h"

#define CT_TCP_NONE 0
#define CT_TCP_SYN_SENT 1
#define CT_TCP_ESTABLISHED 2
#define CT_TCP_FIN_WAIT 3
#define CT_TCP_CLOSED 4

#define CT_F_REPLY_SEEN 0x1
#define CT_F_SVC 0x2       /* sent to a Service address: replies get it back as their source */
#define CT_F_PROXY 0x4     /* egress through the L7 proxy: the pod's packets are marked for it */

#define CT_SEEN_MASK (TCPF_FIN | TCPF_SYN | TCPF_RST)

struct ct_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 direction;   /* direction of the connection's first packet */
	__u16 pad;
	__u32 endpoint_id; /* the endpoint whose hook saw the first packet */
};

struct ct_entry {
	__u64 packets_fwd;
	__u64 bytes_fwd;
	__u64 packets_rev;
	__u64 bytes_rev;
	__u64 created_ns;
	__u64 last_seen_ns;
	__u64 last_report_ns;
	__u32 src_identity;  /* of the first packet's source */
	__u32 dst_identity;
	__u32 rule_id;
	__u8 tcp_seen_fwd;   /* TCPF_FIN|SYN|RST seen from the originator */
	__u8 tcp_seen_rev;   /* ... from the responder */
	__u8 tcp_state;      /* CT_TCP_* */
	__u8 flags;          /* CT_F_* */
	__u8 match_type;
	__u8 denied;         /* drop reason of the last re-check (0: allowed); see handle() */
	__u16 policy_port;   /* the first packet's policy port, for a re-check */
	__u32 policy_rev;    /* the endpoint's policy revision when last judged */
	__u8 nat_addr[16];   /* CT_F_SVC: the Service address and port the pod sent to */
	__u16 nat_port;
	__u16 svc_id;
	__u32 pad2;
};

#define CT_LIFETIME_TCP 21600ULL
#define CT_LIFETIME_SYN 60ULL
#define CT_LIFETIME_CLOSE 10ULL
#define CT_LIFETIME_NONTCP 60ULL

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, struct ct_key);
	__type(value, struct ct_entry);
} netobs_ct_tcp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 131072);
	__type(key, struct ct_key);
	__type(value, struct ct_entry);
} netobs_ct_any SEC(".maps");

/* The map of a protocol; each call site names the map as a constant so the verifier
 * can inline the lookup. */
#define CT_LOOKUP(proto, k) \
	((proto) == PROTO_TCP ? bpf_map_lookup_elem(&netobs_ct_tcp, (k)) : bpf_map_lookup_elem(&netobs_ct_any, (k)))

static __always_inline __u64 ct_lifetime_ns(__u8 proto, __u8 tcp_state)
{
	__u64 s = CT_LIFETIME_NONTCP;

	if (proto == PROTO_TCP)
		s = tcp_state == CT_TCP_ESTABLISHED ? CT_LIFETIME_TCP :
		    (tcp_state == CT_TCP_FIN_WAIT || tcp_state == CT_TCP_CLOSED) ? CT_LIFETIME_CLOSE :
		    CT_LIFETIME_SYN;
	return s * 1000000000ULL;
}

static __always_inline int ct_expired(const struct ct_entry *e, __u8 proto, __u64 now)
{
	return now - e->last_seen_ns > ct_lifetime_ns(proto, e->tcp_state);
}

static __always_inline void ct_key_fill(struct ct_key *k, const union addr16 *s, const union addr16 *d,
					__u16 sport, __u16 dport, __u8 proto, __u8 dir, __u32 ep)
{
	__builtin_memcpy(k->saddr, s->b, 16);
	__builtin_memcpy(k->daddr, d->b, 16);
	k->sport = sport;
	k->dport = dport;
	k->proto = proto;
	k->direction = dir;
	k->pad = 0;
	k->endpoint_id = ep;
}

static __always_inline __u8 ct_other_dir(__u8 dir)
{
	return dir == DIR_INGRESS ? DIR_EGRESS : DIR_INGRESS;
}

/* Finds the connection of a packet going in direction dir; k is left holding the
 * key that matched (or the reversed key after two misses). */
static __always_inline struct ct_entry *ct_lookup(struct ct_key *k, const struct pkt *p, __u8 dir,
						  __u32 ep, __u8 *is_reply)
{
	struct ct_entry *e;

	ct_key_fill(k, &p->saddr, &p->daddr, p->sport, p->dport, p->proto, dir, ep);
	e = CT_LOOKUP(p->proto, k);
	if (e) {
		*is_reply = 0;
		return e;
	}
	ct_key_fill(k, &p->daddr, &p->saddr, p->dport, p->sport, p->proto, ct_other_dir(dir), ep);
	e = CT_LOOKUP(p->proto, k);
	*is_reply = 1;
	return e;
}

/* An ICMP error travels against the packet it quotes: that packet is either a
 * connection's first-direction packet (seen in the other direction) or its reply. */
static __always_inline struct ct_entry *ct_lookup_related(const struct pkt *p, __u8 dir, __u32 ep)
{
	struct ct_key k;
	struct ct_entry *e;

	ct_key_fill(&k, &p->inner_saddr, &p->inner_daddr, p->inner_sport, p->inner_dport,
		    p->inner_proto, ct_other_dir(dir), ep);
	e = CT_LOOKUP(p->inner_proto, &k);
	if (e && !ct_expired(e, p->inner_proto, bpf_ktime_get_coarse_ns()))
		return e;
	ct_key_fill(&k, &p->inner_daddr, &p->inner_saddr, p->inner_dport, p->inner_sport,
		    p->inner_proto, dir, ep);
	e = CT_LOOKUP(p->inner_proto, &k);
	if (e && ct_expired(e, p->inner_proto, bpf_ktime_get_coarse_ns()))
		return NULL;
	return e;
}

static __always_inline __u8 ct_tcp_state(__u8 fwd, __u8 rev)
{
	if ((fwd | rev) & TCPF_RST)
		return CT_TCP_CLOSED;
	if ((fwd & TCPF_FIN) && (rev & TCPF_FIN))
		return CT_TCP_CLOSED;
	if ((fwd | rev) & TCPF_FIN)
		return CT_TCP_FIN_WAIT;
	if ((fwd & TCPF_SYN) && !(rev & TCPF_SYN))
		return CT_TCP_SYN_SENT;
	return CT_TCP_ESTABLISHED;  /* handshake seen, or connection picked up mid-stream */
}

/* Accounts a packet of a known connection; returns 1 when it should be reported:
 * a new SYN/FIN/RST in its direction, the first reply, or the interval elapsed.
 * Counters are plain adds: atomics cost ~10 ns per packet, and one direction of one
 * connection is rarely on two CPUs at once; a rare lost increment is the price (the
 * per-CPU metrics map stays exact). */
static __always_inline int ct_account(struct ct_entry *e, struct flow *f, __u8 is_reply,
				      __u64 now, __u64 interval_ns)
{
	int report = 0;
	__u8 bits;

	if (is_reply) {
		e->packets_rev += 1;
		e->bytes_rev += f->len;
		f->packets = e->packets_rev;
		f->bytes = e->bytes_rev;
	} else {
		e->packets_fwd += 1;
		e->bytes_fwd += f->len;
		f->packets = e->packets_fwd;
		f->bytes = e->bytes_fwd;
	}
	e->last_seen_ns = now;
	if (f->p.proto == PROTO_TCP) {
		bits = f->p.tcp_flags & CT_SEEN_MASK;
		if (is_reply && (bits & ~e->tcp_seen_rev)) {
			e->tcp_seen_rev |= bits;
			report = 1;
		} else if (!is_reply && (bits & ~e->tcp_seen_fwd)) {
			e->tcp_seen_fwd |= bits;
			report = 1;
		}
		if (report)
			e->tcp_state = ct_tcp_state(e->tcp_seen_fwd, e->tcp_seen_rev);
	}
	if (is_reply && !(e->flags & CT_F_REPLY_SEEN)) {
		e->flags |= CT_F_REPLY_SEEN;
		report = 1;
	}
	if (now - e->last_report_ns >= interval_ns)
		report = 1;
	if (report)
		e->last_report_ns = now;
	return report;
}

/* Records a new connection under its first packet's key; 0 or a negative error. */
/* The new entry is built in a per-CPU scratch slot, not on the stack: the caller's frame
 * plus the program's own must stay within BPF's 512 bytes (tc programs do not nest on a CPU). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_entry);
} netobs_ct_scratch SEC(".maps");

static __always_inline int ct_create(const struct flow *f, __u64 now, __u32 policy_rev)
{
	const __u32 zero = 0;
	struct ct_key k;
	struct ct_entry *ep = bpf_map_lookup_elem(&netobs_ct_scratch, &zero);

	if (!ep)
		return -1;
	__builtin_memset(ep, 0, sizeof(*ep));

	ct_key_fill(&k, &f->p.saddr, &f->p.daddr, f->p.sport, f->p.dport, f->p.proto, f->dir,
		    f->endpoint_id);
	ep->packets_fwd = 1;
	ep->bytes_fwd = f->len;
	ep->created_ns = now;
	ep->last_seen_ns = now;
	ep->last_report_ns = now;
	ep->src_identity = f->src_identity;
	ep->dst_identity = f->dst_identity;
	ep->rule_id = f->rule_id;
	ep->match_type = f->match_type;
	ep->policy_port = f->p.policy_port;
	ep->policy_rev = policy_rev;
	if (f->nat_port) {
		ep->flags |= CT_F_SVC;
		__builtin_memcpy(ep->nat_addr, f->nat_addr.b, 16);
		ep->nat_port = f->nat_port;
		ep->svc_id = f->svc_id;
	}
	if (f->proxy)
		ep->flags |= CT_F_PROXY;
	if (f->p.proto == PROTO_TCP) {
		ep->tcp_seen_fwd = f->p.tcp_flags & CT_SEEN_MASK;
		ep->tcp_state = ct_tcp_state(ep->tcp_seen_fwd, 0);
		return bpf_map_update_elem(&netobs_ct_tcp, &k, ep, BPF_ANY);
	}
	return bpf_map_update_elem(&netobs_ct_any, &k, ep, BPF_ANY);
}

#endif
