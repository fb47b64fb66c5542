// SPDX-License-Identifier: GPL-2.0
/* netobs datapath: tc (clsact, direct-action) programs for a pod's host-side veth.
 *
 *   netobs_from_ep  tc ingress of the host-side veth: packets leaving the pod (EGRESS)
 *   netobs_to_ep    tc egress of the host-side veth: packets entering the pod (INGRESS)
 *
 * Per packet: endpoint lookup by ifindex (unknown interface: pass untouched), parse,
 * not-ready, source check and Service translation (packets leaving the pod, lb.h), conntrack; a known connection passes and is accounted (a trace when it reports);
 * a new one resolves the remote identity through the ipcache, is checked against the
 * endpoint's policy when enforcement is on, and is tracked. */
#include "lib/common.h"
#include "lib/config.h"
#include "lib/metrics.h"
#include "lib/events.h"
#include "lib/drop.h"
#include "lib/fragments.h"
#include "lib/parse.h"
#include "lib/ipcache.h"
#include "lib/endpoints.h"
#include "lib/policy.h"
#include "lib/conntrack.h"
#include "lib/l7.h"
#include "lib/lb.h"

static __always_inline __u8 obs_point(__u8 dir)
{
	return dir == DIR_EGRESS ? OBS_FROM_ENDPOINT : OBS_TO_ENDPOINT;
}

/* Global functions (not inlined) are verified once on their own rather than once per
 * path through the caller: the slow paths live in them, the fast path stays small. */
__attribute__((noinline)) int netobs_emit_forwarded(struct __sk_buff *skb, struct flow *f, int report)
{
	const struct netobs_config *cfg = config_get();

	if (!f || !cfg || !(cfg->flags & CFG_EVENTS))
		return 0;
	if ((cfg->flags & CFG_L7) && l7_wanted(skb, cfg, &f->p)) {
		event_emit_l7(skb, f, obs_point(f->dir), cfg->capture_len);
		return 0;
	}
	if (report && (cfg->flags & CFG_TRACE))
		event_emit(f, EVENT_TRACE, obs_point(f->dir), VERDICT_FORWARDED, 0);
	return 0;
}

__attribute__((noinline)) int netobs_drop(struct flow *f, int reason)
{
	const struct netobs_config *cfg = config_get();

	if (!f || !cfg)
		return TC_ACT_SHOT;
	return drop(cfg, f, reason);
}

/* First packet of a connection (no conntrack entry): identities, related ICMP errors,
 * policy, then a new conntrack entry. Returns the tc verdict; the caller emits the
 * trace of a forwarded packet (calling from here would stack three frames). */
__attribute__((noinline)) int netobs_new_conn(struct flow *f, __u32 ep_identity,
					      __u32 ep_flags, __u32 policy_rev)
{
	const struct netobs_config *cfg = config_get();
	__u8 dir;
	__u32 remote;
	int reason;

	if (!f || !cfg)
		return TC_ACT_SHOT;
	dir = f->dir;
	remote = ipcache_identity(dir == DIR_EGRESS ? &f->p.daddr : &f->p.saddr);
	f->src_identity = dir == DIR_EGRESS ? ep_identity : remote;
	f->dst_identity = dir == DIR_EGRESS ? remote : ep_identity;

	if ((f->p.flags & PKT_F_ICMP_ERROR) && ct_lookup_related(&f->p, dir, f->endpoint_id)) {
		f->ev_flags |= EV_F_RELATED | EV_F_REPLY_KNOWN | EV_F_IS_REPLY;
		metrics_count(dir, 0, f->len);
		return TC_ACT_OK;
	}

	f->ev_flags |= EV_F_REPLY_KNOWN | EV_F_CT_NEW;
	if (ep_flags & (dir == DIR_INGRESS ? EP_F_ENFORCE_INGRESS : EP_F_ENFORCE_EGRESS)) {
		reason = policy_check(f->endpoint_id, remote, f->p.proto, f->p.policy_port, dir,
				      &f->match_type, &f->rule_id);
		/* Leaving the pod, a proxy entry passes marked for the proxy (see l7.h). */
		if (reason == DROP_PROXY_SOCKET_LOOKUP_FAILED && dir == DIR_EGRESS) {
			f->proxy = 1;
			reason = 0;
		}
		if ((cfg->flags & (CFG_EVENTS | CFG_POLICY_VERDICT)) == (CFG_EVENTS | CFG_POLICY_VERDICT))
			event_emit(f, EVENT_POLICY_VERDICT, 0,
				   reason ? VERDICT_DROPPED : VERDICT_FORWARDED, reason);
		if (reason)
			return drop(cfg, f, reason);
	}
	if (ct_create(f, bpf_ktime_get_coarse_ns(), policy_rev))
		return drop(cfg, f, DROP_CT_MAP_INSERTION_FAILED);
	f->packets = 1;
	f->bytes = f->len;
	if (f->p.proto == PROTO_TCP)
		f->tcp_state = ct_tcp_state(f->p.tcp_flags & CT_SEEN_MASK, 0);
	metrics_count(dir, 0, f->len);
	return TC_ACT_OK;
}

/* The endpoint's policy changed since this connection was judged: judge its first
 * packet again (same direction, peer identity, protocol and policy port). Returns 0
 * (still allowed: the entry takes the new revision) or the drop reason, after which
 * the caller forgets the entry. */
__attribute__((noinline)) int netobs_ct_recheck(struct ct_entry *ct, const struct ct_key *k,
						__u32 ep_flags, __u32 policy_rev)
{
	__u8 match = 0;
	__u32 rule = 0;
	int reason = 0;

	if (!ct || !k)
		return 0;
	if (ep_flags & (k->direction == DIR_INGRESS ? EP_F_ENFORCE_INGRESS : EP_F_ENFORCE_EGRESS))
		reason = policy_check(k->endpoint_id,
				      k->direction == DIR_EGRESS ? ct->dst_identity : ct->src_identity,
				      k->proto, ct->policy_port, k->direction, &match, &rule);
	if (reason == DROP_PROXY_SOCKET_LOOKUP_FAILED && k->direction == DIR_EGRESS) {
		reason = 0;
		ct->flags |= CT_F_PROXY;
	} else {
		ct->flags &= ~CT_F_PROXY;
	}
	/* Judged under this revision either way: a denied entry stays (see handle()). */
	ct->policy_rev = policy_rev;
	ct->denied = reason;
	if (reason)
		return reason;
	ct->match_type = match;
	ct->rule_id = rule;
	return 0;
}

/* A packet leaving the pod for a Service address: picks (or recalls) the backend and
 * rewrites the packet to it; f then describes the packet as the backend sees it and
 * remembers the Service address for the conntrack entry. Returns 0 or a drop reason. */
__attribute__((noinline)) int netobs_lb_egress(struct __sk_buff *skb, struct flow *f)
{
	struct lb_key key = {};
	struct lb_value *svc, *slot;
	struct lb_backend *be = NULL;
	struct lb_conn *conn, nc = {};
	struct ct_key ck;
	union addr16 to;
	__u32 backend_id;

	if (!f || (f->p.proto != PROTO_TCP && f->p.proto != PROTO_UDP) ||
	    (!f->p.l4_off && !(f->p.flags & PKT_F_FRAGMENT)))
		return 0;
	__builtin_memcpy(key.addr, f->p.daddr.b, 16);
	key.port = f->p.dport;
	key.proto = f->p.proto;
	svc = bpf_map_lookup_elem(&netobs_lb_svc, &key);
	if (!svc)
		return 0;
	ct_key_fill(&ck, &f->p.saddr, &f->p.daddr, f->p.sport, f->p.dport, f->p.proto, DIR_EGRESS,
		    f->endpoint_id);
	conn = bpf_map_lookup_elem(&netobs_lb_conn, &ck);
	if (conn) {
		backend_id = conn->backend_id;
		be = bpf_map_lookup_elem(&netobs_lb_backend, &backend_id);
	}
	if (!be) {
		if (!svc->count)
			return DROP_NO_SERVICE;
		nc.svc_id = svc->svc_id;
		key.slot = 1 + lb_hash(&f->p) % svc->count;
		slot = bpf_map_lookup_elem(&netobs_lb_svc, &key);
		if (!slot)
			return DROP_NO_SERVICE;
		backend_id = slot->backend_id;
		be = bpf_map_lookup_elem(&netobs_lb_backend, &backend_id);
		if (!be)
			return DROP_NO_SERVICE;
		nc.backend_id = backend_id;
		bpf_map_update_elem(&netobs_lb_conn, &ck, &nc, BPF_ANY);
	} else {
		nc.svc_id = conn->svc_id;
	}
	__builtin_memcpy(to.b, be->addr, 16);
	if (lb_rewrite(skb, &f->p, 1, &f->p.daddr, &to, f->p.dport, be->port))
		return DROP_INVALID_PACKET;
	f->nat_addr = f->p.daddr;
	f->nat_port = f->p.dport;
	f->svc_id = nc.svc_id;
	f->p.daddr = to;
	f->p.dport = be->port;
	f->p.policy_port = be->port;
	return 0;
}

/* A reply of a connection the pod opened to a Service address: its source becomes that
 * address and port again, as the pod's socket expects. Returns 0 or a drop reason. */
__attribute__((noinline)) int netobs_lb_rev_nat(struct __sk_buff *skb, const struct flow *f,
						const struct ct_entry *ct)
{
	union addr16 vip;

	if (!f || !ct || !(ct->flags & CT_F_SVC) || (f->p.proto != PROTO_TCP && f->p.proto != PROTO_UDP) ||
	    (!f->p.l4_off && !(f->p.flags & PKT_F_FRAGMENT)))
		return 0;
	__builtin_memcpy(vip.b, ct->nat_addr, 16);
	if (lb_rewrite(skb, &f->p, 0, &f->p.saddr, &vip, f->p.sport, ct->nat_port))
		return DROP_INVALID_PACKET;
	return 0;
}

/* A packet for the egress L7 proxy: marked, its destination recorded (l7.h). Its own frame
 * keeps the key and value off handle()'s stack. */
__attribute__((noinline)) int netobs_l7_redirect(struct __sk_buff *skb, const struct flow *f)
{
	if (f)
		l7_redirect_egress_pkt(skb, &f->p);
	return 0;
}

static __always_inline void ct_forget(const struct ct_key *k)
{
	if (k->proto == PROTO_TCP)
		bpf_map_delete_elem(&netobs_ct_tcp, k);
	else
		bpf_map_delete_elem(&netobs_ct_any, k);
}

static __always_inline int handle(struct __sk_buff *skb, __u8 dir)
{
	const struct endpoint_info *ep = endpoint_lookup(skb->ifindex);
	const struct netobs_config *cfg;
	struct ct_entry *ct;
	struct ct_key k;
	struct flow f = {};
	__u8 is_reply = 0;
	int reason, report;
	__u64 now;

	if (!ep)
		return TC_ACT_OK;
	cfg = config_get();
	if (!cfg)
		return TC_ACT_OK;
	f.ifindex = skb->ifindex;
	f.endpoint_id = ep->endpoint_id;
	f.dir = dir;
	f.len = skb->len;

	f.p.endpoint_id = ep->endpoint_id;
	reason = netobs_parse(skb, &f.p);
	if (reason)
		return netobs_drop(&f, reason);
	/* Order matters: a not-ready pod sends and receives nothing at all (ARP and ND
	 * included: it has no identity yet, so nothing is known about it); then the
	 * source check, which ARP and ND are held to as well; only then the link-local
	 * control exemption. */
	if (ep->flags & EP_F_NOT_READY)
		return netobs_drop(&f, DROP_EP_NOT_READY);
	if (dir == DIR_EGRESS && (ep->flags & EP_F_CHECK_SOURCE) && !endpoint_source_ok(ep, &f.p))
		return netobs_drop(&f, DROP_INVALID_SOURCE_IP);
	if (f.p.flags & PKT_F_NO_POLICY) {
		metrics_count(dir, 0, f.len);
		return TC_ACT_OK;
	}
	if (f.p.flags & PKT_F_FRAGMENT)
		f.ev_flags |= EV_F_FRAGMENT;
	if (dir == DIR_EGRESS) {
		reason = netobs_lb_egress(skb, &f);
		if (reason)
			return netobs_drop(&f, reason);
	}

	ct = ct_lookup(&k, &f.p, dir, f.endpoint_id, &is_reply);
	now = bpf_ktime_get_coarse_ns();
	/* An expired connection, or a new SYN on a closed one (port reuse), is a new
	 * connection: judge it again. */
	if (ct && (ct_expired(ct, f.p.proto, now) ||
		   (!is_reply && ct->tcp_state == CT_TCP_CLOSED &&
		    (f.p.tcp_flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN))) {
		ct_forget(&k);
		ct = NULL;
	}
	/* A connection the new policy denies keeps its entry, marked denied, until it expires
	 * or a later revision allows it again: forgetting it would let a reply still in flight
	 * open the reversed connection from the other side, which would then carry the denied
	 * peer's packets as replies. */
	if (ct && ct->policy_rev != ep->policy_rev)
		netobs_ct_recheck(ct, &k, ep->flags, ep->policy_rev);
	if (ct && ct->denied)
		return netobs_drop(&f, ct->denied);
	if (!ct) {
		reason = netobs_new_conn(&f, ep->identity, ep->flags, ep->policy_rev);
		if (reason == TC_ACT_OK && f.proxy)
			netobs_l7_redirect(skb, &f);
		if (reason == TC_ACT_OK)
			netobs_emit_forwarded(skb, &f, 1);
		return reason;
	}

	if (!is_reply && (ct->flags & CT_F_PROXY))
		netobs_l7_redirect(skb, &f);
	/* Events keep describing the packet as the backend sent it (f is not rewritten). */
	if (is_reply && (ct->flags & CT_F_SVC)) {
		reason = netobs_lb_rev_nat(skb, &f, ct);
		if (reason)
			return netobs_drop(&f, reason);
	}
	report = ct_account(ct, &f, is_reply, now,
			    (__u64)cfg->report_interval_ms * 1000000);
	f.ev_flags |= EV_F_REPLY_KNOWN | (is_reply ? EV_F_IS_REPLY : 0);
	f.src_identity = is_reply ? ct->dst_identity : ct->src_identity;
	f.dst_identity = is_reply ? ct->src_identity : ct->dst_identity;
	f.match_type = ct->match_type;
	f.rule_id = ct->rule_id;
	f.tcp_state = ct->tcp_state;
	metrics_count(dir, 0, f.len);
	if ((report && (cfg->flags & CFG_EVENTS)) || l7_candidate(cfg, &f.p))
		netobs_emit_forwarded(skb, &f, report);
	return TC_ACT_OK;
}

SEC("tc")
int netobs_from_ep(struct __sk_buff *skb)
{
	return handle(skb, DIR_EGRESS);
}

SEC("tc")
int netobs_to_ep(struct __sk_buff *skb)
{
	return handle(skb, DIR_INGRESS);
}

/* Never called: anchors the event layout in BTF (locals alone do not put a type there),
 * where test/bpf/layout.test.ts reads the offsets the decoder must agree with. */
__attribute__((noinline)) int netobs_event_layout(struct netobs_event *ev)
{
	return ev ? ev->version : 0;
}

char LICENSE[] SEC("license") = "GPL";
