/* l7.h: which forwarded packets carry payload worth copying for L7 visibility:
 * DNS (port 53, either side, every packet with payload) and HTTP/1.x on the
 * configured ports, only packets whose payload starts like a request line or a
 * status line, so a bulk HTTP body is not copied packet by packet. */
#ifndef NETOBS_L7_H
#define NETOBS_L7_H

#include "common.h"
#include "config.h"

/* Egress L7 proxy (the DNS proxy). A packet that the endpoint's egress policy allows only
 * through the proxy leaves from_ep marked: the node's policy route delivers marked packets to
 * the local stack, where the agent's nftables TPROXY rule hands them to the proxy's socket; with
 * no rule or no socket nothing takes them, so the policy fails closed. The packet's original
 * destination is kept per client address and port for the proxy, which relays to it. Keep the
 * mark equal to agent/proxy/redirect.ts L7_MARK. */
#define L7_PROXY_MARK 0x200

struct l7_orig_key {
	__u8 addr[16];  /* the pod's address and port (host byte order), the protocol */
	__u16 port;
	__u8 proto;
	__u8 pad;
};

struct l7_orig_value {
	__u8 addr[16];  /* where the pod sent it (a Service address already translated) */
	__u16 port;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct l7_orig_key);
	__type(value, struct l7_orig_value);
} netobs_l7_orig SEC(".maps");

static __always_inline void l7_redirect_egress_pkt(struct __sk_buff *skb, const struct pkt *p)
{
	struct l7_orig_key k = { .port = p->sport, .proto = p->proto };
	struct l7_orig_value v = { .port = p->dport };

	__builtin_memcpy(k.addr, p->saddr.b, 16);
	__builtin_memcpy(v.addr, p->daddr.b, 16);
	bpf_map_update_elem(&netobs_l7_orig, &k, &v, BPF_ANY);
	skb->mark = L7_PROXY_MARK;
}

#define WORD(a, b, c, d) ((__u32)(a) | ((__u32)(b) << 8) | ((__u32)(c) << 16) | ((__u32)(d) << 24))

static __always_inline int l7_http_start(__u32 w)
{
	switch (w) {
	case WORD('G', 'E', 'T', ' '):
	case WORD('P', 'O', 'S', 'T'):
	case WORD('P', 'U', 'T', ' '):
	case WORD('H', 'E', 'A', 'D'):
	case WORD('D', 'E', 'L', 'E'):
	case WORD('P', 'A', 'T', 'C'):
	case WORD('O', 'P', 'T', 'I'):
	case WORD('C', 'O', 'N', 'N'):
	case WORD('T', 'R', 'A', 'C'):
	case WORD('H', 'T', 'T', 'P'):
		return 1;
	}
	return 0;
}

/* Ports only, no packet reads: cheap enough to ask on every packet. */
static __always_inline int l7_candidate(const struct netobs_config *cfg, const struct pkt *p)
{
	if (!(cfg->flags & CFG_L7) || p->payload_off == 0)
		return 0;
	if (p->sport == 53 || p->dport == 53)
		return 1;
	return p->proto == PROTO_TCP && (config_is_http_port(cfg, p->dport) || config_is_http_port(cfg, p->sport));
}

static __always_inline int l7_wanted(struct __sk_buff *skb, const struct netobs_config *cfg,
				     const struct pkt *p)
{
	__u8 b[4];
	__u32 w;

	if (p->payload_off == 0 || p->payload_off >= skb->len)
		return 0;
	if (p->proto != PROTO_TCP && p->proto != PROTO_UDP)
		return 0;
	if (p->sport == 53 || p->dport == 53)
		return 1;
	if (p->proto != PROTO_TCP || !(config_is_http_port(cfg, p->dport) || config_is_http_port(cfg, p->sport)))
		return 0;
	if (bpf_skb_load_bytes(skb, p->payload_off, b, 4))
		return 0;
	w = WORD(b[0], b[1], b[2], b[3]);
	return l7_http_start(w);
}

#endif
