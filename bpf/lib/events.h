/* events.h: the versioned event layout and the ring buffer it travels on.
 *
 * Layout version NETOBS_EVENT_VERSION; one record per event, every record starts with
 * the version byte. Keep in sync with bpf/loader/events.ts (the DataView decoder) and
 * bpf/README.md; test/bpf/layout.test.ts compares the offsets here (from BTF) with
 * the decoder's. Change a field: bump the version.
 *
 * Records are committed with BPF_RB_NO_WAKEUP: a wakeup per record costs several
 * hundred ns per packet, so userspace drains the ring on a timer instead. */
#ifndef NETOBS_EVENTS_H
#define NETOBS_EVENTS_H

#include "common.h"
#include "config.h"
#include "metrics.h"

#ifndef NETOBS_EVENT_VERSION /* overridable so tests can build a datapath of another layout version */
#define NETOBS_EVENT_VERSION 1
#endif

/* CiliumEventType.type numbers. */
#define EVENT_DROP 1
#define EVENT_TRACE 4
#define EVENT_POLICY_VERDICT 5
#define EVENT_L7 129   /* a trace that carries the first payload bytes */

/* Datapath observation points (trace sub_type). */
#define OBS_TO_ENDPOINT 0
#define OBS_FROM_ENDPOINT 5

#define EV_F_IS_REPLY 0x01
#define EV_F_REPLY_KNOWN 0x02  /* is_reply is meaningful (conntrack was consulted) */
#define EV_F_CT_NEW 0x04       /* first packet of a connection */
#define EV_F_PAYLOAD 0x08
#define EV_F_RELATED 0x10      /* ICMP error related to a tracked connection */
#define EV_F_FRAGMENT 0x20

struct netobs_event {
	__u8 version;        /* NETOBS_EVENT_VERSION */
	__u8 type;           /* EVENT_* */
	__u8 sub_type;       /* drop reason, observation point */
	__u8 direction;      /* DIR_INGRESS / DIR_EGRESS */
	__u8 verdict;        /* VERDICT_FORWARDED / VERDICT_DROPPED */
	__u8 match_type;     /* policy_match_type (0 none, 1 L3, 2 L3-L4, 3 L4, 4 all, 5 L3-proto, 6 proto) */
	__u8 family;         /* 4 or 6 */
	__u8 proto;
	__u64 ts_ns;         /* bpf_ktime_get_ns (CLOCK_MONOTONIC) */
	__u32 ifindex;
	__u32 endpoint_id;
	__u32 src_identity;
	__u32 dst_identity;
	__u8 saddr[16];      /* IPv4 as ::ffff:a.b.c.d */
	__u8 daddr[16];
	__u16 sport;         /* host byte order */
	__u16 dport;
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 flags;          /* EV_F_* */
	__u16 drop_reason;
	__u16 payload_len;   /* bytes valid in payload[] */
	__u32 orig_len;      /* packet length on the wire */
	__u32 rule_id;       /* cookie of the policy entry that decided */
	__u8 tcp_state;      /* CT_TCP_* of the connection */
	__u8 pad[3];
	__u64 packets;       /* connection totals in this packet's direction */
	__u64 bytes;
	__u8 payload[];      /* EVENT_L7 only: PAYLOAD_MAX bytes reserved */
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} netobs_events SEC(".maps");

static __always_inline void event_fill(struct netobs_event *ev, const struct flow *f,
				       __u8 type, __u8 sub_type, __u8 verdict, __u16 reason)
{
	ev->version = NETOBS_EVENT_VERSION;
	ev->type = type;
	ev->sub_type = sub_type;
	ev->direction = f->dir;
	ev->verdict = verdict;
	ev->match_type = f->match_type;
	ev->family = f->p.family;
	ev->proto = f->p.proto;
	ev->ts_ns = bpf_ktime_get_ns();
	ev->ifindex = f->ifindex;
	ev->endpoint_id = f->endpoint_id;
	ev->src_identity = f->src_identity;
	ev->dst_identity = f->dst_identity;
	__builtin_memcpy(ev->saddr, f->p.saddr.b, 16);
	__builtin_memcpy(ev->daddr, f->p.daddr.b, 16);
	ev->sport = f->p.sport;
	ev->dport = f->p.dport;
	ev->tcp_flags = f->p.tcp_flags;
	ev->icmp_type = f->p.icmp_type;
	ev->icmp_code = f->p.icmp_code;
	ev->flags = f->ev_flags;
	ev->drop_reason = reason;
	ev->payload_len = 0;
	ev->orig_len = f->len;
	ev->rule_id = f->rule_id;
	ev->tcp_state = f->tcp_state;
	ev->pad[0] = 0;
	ev->pad[1] = 0;
	ev->pad[2] = 0;
	ev->packets = f->packets;
	ev->bytes = f->bytes;
}

static __always_inline void event_emit(const struct flow *f, __u8 type, __u8 sub_type,
				       __u8 verdict, __u16 reason)
{
	struct netobs_event *ev = bpf_ringbuf_reserve(&netobs_events, sizeof(*ev), 0);

	if (!ev) {
		metrics_lost();
		return;
	}
	event_fill(ev, f, type, sub_type, verdict, reason);
	bpf_ringbuf_submit(ev, BPF_RB_NO_WAKEUP);
}

/* A forwarded packet's trace with the first bytes of its L4 payload. */
static __always_inline void event_emit_l7(struct __sk_buff *skb, const struct flow *f,
					  __u8 sub_type, __u32 capture_len)
{
	struct netobs_event *ev;
	__u32 avail, n;

	if (f->p.payload_off == 0 || f->p.payload_off >= skb->len)
		return;
	ev = bpf_ringbuf_reserve(&netobs_events, sizeof(*ev) + PAYLOAD_MAX, 0);
	if (!ev) {
		metrics_lost();
		return;
	}
	event_fill(ev, f, EVENT_L7, sub_type, VERDICT_FORWARDED, 0);
	avail = skb->len - f->p.payload_off;
	n = avail < capture_len ? avail : capture_len;
	if (n > PAYLOAD_MAX)
		n = PAYLOAD_MAX;
	/* (n - 1) & (PAYLOAD_MAX - 1) + 1 keeps n in [1, PAYLOAD_MAX] in a form the
	 * verifier can follow (a clamp alone is compiled against a copy of n). */
	if (n > 0 && bpf_skb_load_bytes(skb, f->p.payload_off, ev->payload,
					((n - 1) & (PAYLOAD_MAX - 1)) + 1) == 0) {
		ev->payload_len = n;
		ev->flags |= EV_F_PAYLOAD;
	}
	bpf_ringbuf_submit(ev, BPF_RB_NO_WAKEUP);
}

#endif
