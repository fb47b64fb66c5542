/* policy.h: per-endpoint policy, one LPM trie for all endpoints.
 *
 * Key {endpoint, remote identity (0 = any), direction | protocol, port}: endpoint, identity
 * and direction are always matched in full (POLICY_STATIC_PREFIX bits); a key of that length
 * matches every protocol, POLICY_PROTO_PREFIX one protocol and every port, and each bit past
 * it one more bit of the destination port (big-endian, so a prefix is a power-of-two aligned
 * port block: a range is at most 2x16 keys, and POLICY_FULL_PREFIX is one exact port). For
 * ICMP the port holds the type; type 0 is an exact key, distinct from "every type".
 * Two lookups per packet (this identity, any identity), each the longest match; a deny in
 * either wins, else the more specific allow (order below). The agent adds a deny key at
 * every allow/deny overlap inside one identity, so a longer allow never hides a deny.
 * Keep in sync with bpf/loader/layout.ts. */
#ifndef NETOBS_POLICY_H
#define NETOBS_POLICY_H

#include "common.h"
#include "drop.h"

#define POLICY_ALLOW 1
#define POLICY_DENY 2
/* Allowed only through the agent's L7 proxy: a packet that reaches the endpoint on such a
 * port without having been redirected (proxy down, redirect missing) is dropped, never let
 * through at L4. */
#define POLICY_PROXY 3

#define POLICY_STATIC_PREFIX 72
#define POLICY_PROTO_PREFIX 80
#define POLICY_FULL_PREFIX 96

/* Hubble policy_match_type. */
#define MATCH_NONE 0
#define MATCH_L3_ONLY 1
#define MATCH_L3_L4 2
#define MATCH_L4_ONLY 3
#define MATCH_ALL 4
#define MATCH_L3_PROTO 5
#define MATCH_PROTO_ONLY 6

struct policy_key {
	__u32 prefixlen;        /* LPM: POLICY_STATIC_PREFIX..POLICY_FULL_PREFIX */
	__u32 endpoint_id;
	__u32 remote_identity;  /* 0 = any */
	__u8 direction;         /* DIR_INGRESS / DIR_EGRESS */
	__u8 proto;             /* 0 with prefixlen POLICY_STATIC_PREFIX */
	__be16 dport;           /* network byte order; ICMP type for ICMP */
};

struct policy_value {
	__u8 action;     /* POLICY_ALLOW / POLICY_DENY / POLICY_PROXY */
	__u8 prefixlen;  /* the key's, which the lookup does not return: gives the match type */
	__u8 pad[2];
	__u32 rule_id;   /* opaque cookie for the agent: which policy this entry came from */
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct policy_key);
	__type(value, struct policy_value);
} netobs_policy SEC(".maps");

/* Allow precedence, as the former six exact probes had it: L3_L4, L3_PROTO, L4_ONLY,
 * PROTO_ONLY, L3_ONLY, ALL (lower wins). */
static __always_inline __u8 policy_rank(const struct policy_value *v, int l3)
{
	if (v->prefixlen > POLICY_PROTO_PREFIX)
		return l3 ? 0 : 2;
	if (v->prefixlen == POLICY_PROTO_PREFIX)
		return l3 ? 1 : 3;
	return l3 ? 4 : 5;
}

static __always_inline __u8 policy_match(const struct policy_value *v, int l3)
{
	if (v->prefixlen > POLICY_PROTO_PREFIX)
		return l3 ? MATCH_L3_L4 : MATCH_L4_ONLY;
	if (v->prefixlen == POLICY_PROTO_PREFIX)
		return l3 ? MATCH_L3_PROTO : MATCH_PROTO_ONLY;
	return l3 ? MATCH_L3_ONLY : MATCH_ALL;
}

/* 0 if allowed, else DROP_POLICY_DENY (deny entry), DROP_POLICY_DENIED (no allow) or
 * DROP_PROXY_SOCKET_LOOKUP_FAILED (allowed only through the L7 proxy, and not redirected). */
static __always_inline int policy_check(__u32 endpoint_id, __u32 remote, __u8 proto, __u16 port,
					__u8 dir, __u8 *match, __u32 *rule)
{
	struct policy_key k = {
		.prefixlen = POLICY_FULL_PREFIX,
		.endpoint_id = endpoint_id,
		.remote_identity = remote,
		.direction = dir,
		.proto = proto,
		.dport = bpf_htons(port),
	};
	struct policy_value *l3, *any, *v;
	int is_l3;

	l3 = bpf_map_lookup_elem(&netobs_policy, &k);
	k.remote_identity = 0;
	any = bpf_map_lookup_elem(&netobs_policy, &k);
	if (l3 && l3->action == POLICY_DENY) {
		*match = policy_match(l3, 1);
		*rule = l3->rule_id;
		return DROP_POLICY_DENY;
	}
	if (any && any->action == POLICY_DENY) {
		*match = policy_match(any, 0);
		*rule = any->rule_id;
		return DROP_POLICY_DENY;
	}
	if (!l3 && !any)
		return DROP_POLICY_DENIED;
	is_l3 = l3 && (!any || policy_rank(l3, 1) < policy_rank(any, 0));
	v = is_l3 ? l3 : any;
	if (!v)
		return DROP_POLICY_DENIED;
	*match = policy_match(v, is_l3);
	*rule = v->rule_id;
	return v->action == POLICY_PROXY ? DROP_PROXY_SOCKET_LOOKUP_FAILED : 0;
}

#endif
