/* policy.h: per-endpoint policy, one hash map for all endpoints.
 *
 * Key {endpoint, remote identity, port, protocol, direction}; identity 0, port 0 and
 * protocol 0 are wildcards. Six lookups, most specific first, whatever the number of
 * rules; any matching deny entry wins over every allow entry. Ranges (endPort) are
 * expanded by the agent. Keep in sync with bpf/loader/layout.ts. */
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

/* Hubble policy_match_type. */
#define MATCH_NONE 0
#define MATCH_L3_ONLY 1
#define MATCH_L3_L4 2
#define MATCH_L4_ONLY 3
#define MATCH_ALL 4
#define MATCH_L3_PROTO 5
#define MATCH_PROTO_ONLY 6

struct policy_key {
	__u32 endpoint_id;
	__u32 remote_identity;  /* 0 = any */
	__u16 dport;            /* host byte order; ICMP type for ICMP; 0 = any */
	__u8 proto;             /* 0 = any */
	__u8 direction;         /* DIR_INGRESS / DIR_EGRESS */
};

struct policy_value {
	__u8 action;    /* POLICY_ALLOW / POLICY_DENY */
	__u8 pad[3];
	__u32 rule_id;  /* opaque cookie for the agent: which policy this entry came from */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct policy_key);
	__type(value, struct policy_value);
} netobs_policy SEC(".maps");

/* The first allow found, most specific first; one 8-byte slot, since these frames sit on
 * the 512-byte BPF stack together with the caller's flow and conntrack key. */
struct policy_allow {
	__u32 rule;
	__u8 match;   /* MATCH_NONE: no allow found yet */
	__u8 action;  /* POLICY_ALLOW or POLICY_PROXY */
	__u16 pad;
};

static __always_inline int policy_probe(struct policy_key *k, __u32 remote, __u8 proto, __u16 port,
					__u8 match, struct policy_allow *allow,
					__u8 *match_out, __u32 *rule_out)
{
	struct policy_value *v;

	k->remote_identity = remote;
	k->proto = proto;
	k->dport = port;
	v = bpf_map_lookup_elem(&netobs_policy, k);
	if (!v)
		return 0;
	if (v->action == POLICY_DENY) {
		*match_out = match;
		*rule_out = v->rule_id;
		return 1;
	}
	if ((v->action == POLICY_ALLOW || v->action == POLICY_PROXY) && allow->match == MATCH_NONE) {
		allow->match = match;
		allow->rule = v->rule_id;
		allow->action = v->action;
	}
	return 0;
}

/* 0 if allowed, else DROP_POLICY_DENY (deny entry), DROP_POLICY_DENIED (no allow) or
 * DROP_PROXY_SOCKET_LOOKUP_FAILED (allowed only through the L7 proxy, and not redirected). */
static __always_inline int policy_check(__u32 endpoint_id, __u32 remote, __u8 proto, __u16 port,
					__u8 dir, __u8 *match, __u32 *rule)
{
	struct policy_key k = { .endpoint_id = endpoint_id, .direction = dir };
	struct policy_allow allow = { .match = MATCH_NONE };

	if (policy_probe(&k, remote, proto, port, MATCH_L3_L4, &allow, match, rule) ||
	    policy_probe(&k, remote, proto, 0, MATCH_L3_PROTO, &allow, match, rule) ||
	    policy_probe(&k, 0, proto, port, MATCH_L4_ONLY, &allow, match, rule) ||
	    policy_probe(&k, 0, proto, 0, MATCH_PROTO_ONLY, &allow, match, rule) ||
	    policy_probe(&k, remote, 0, 0, MATCH_L3_ONLY, &allow, match, rule) ||
	    policy_probe(&k, 0, 0, 0, MATCH_ALL, &allow, match, rule))
		return DROP_POLICY_DENY;
	if (allow.match == MATCH_NONE)
		return DROP_POLICY_DENIED;
	*match = allow.match;
	*rule = allow.rule;
	return allow.action == POLICY_PROXY ? DROP_PROXY_SOCKET_LOOKUP_FAILED : 0;
}

#endif
