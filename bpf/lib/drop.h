/* drop.h: drop reasons and the one helper every drop goes through.
 * Numbers are Hubble's DropReason values (compat-facts.md). This is the source; the copies are
 * bpf/loader/layout.ts DropReason, api/types.ts DropReason, api/names.ts, and
 * test/bpf/constants-drift.test.ts fails when one drifts. */
#ifndef NETOBS_DROP_H
#define NETOBS_DROP_H

#include "common.h"

#define DROP_INVALID_SOURCE_IP 132       /* not the pod's address, no address of that family,
					  * IPv4-mapped, or an ARP sender that is not the pod */
#define DROP_POLICY_DENIED 133          /* default deny: no allow entry matched */
#define DROP_INVALID_PACKET 134         /* truncated or malformed L2/L3 header */
#define DROP_CT_TRUNCATED_OR_INVALID 135 /* truncated or malformed L4 header */
#define DROP_UNSUPPORTED_L3 139
#define DROP_UNKNOWN_ICMPV4_TYPE 144
#define DROP_CT_MAP_INSERTION_FAILED 155
#define DROP_UNROUTABLE 151             /* special-purpose destination: IPv4-mapped IPv6 */
#define DROP_INVALID_IPV6_EXT 156
#define DROP_FRAG_NOT_SUPPORTED 157     /* non-first fragment whose first fragment was not seen */
#define DROP_NO_SERVICE 158             /* a Service address and port without backends */
#define DROP_FORBIDDEN_ICMP6 176        /* ND/MLD type that is not on-link ND/MLD */
#define DROP_PROXY_SOCKET_LOOKUP_FAILED 178 /* L7-policed port reached without the proxy */
#define DROP_POLICY_DENY 181            /* an explicit deny entry matched */
#define DROP_EP_NOT_READY 203

#include "events.h"

/* Every drop goes through here: count it, tell userspace why, shoot the packet. */
static __always_inline int drop(const struct netobs_config *cfg, struct flow *f, __u16 reason)
{
	metrics_count(f->dir, reason, f->len);
	if (cfg->flags & CFG_EVENTS)
		event_emit(f, EVENT_DROP, reason, VERDICT_DROPPED, reason);
	return TC_ACT_SHOT;
}

#endif
