/* services/net/link/rtnl_route.c: routes over NETLINK_ROUTE, for
 * `ip route` (iproute2's and busybox's).
 *
 * Layer: services (safe C), net/link, after Linux net/ipv4/fib_frontend.c
 * (inet_rtm_newroute, inet_rtm_delroute, inet_dump_fib) and route.c
 * (inet_rtm_getroute). The table itself is the IPv4 side's (route.c):
 *
 *   RTM_GETROUTE dump: an RTM_NEWROUTE per route of the main table (the
 *     subnets of the interfaces' addresses, "proto kernel scope link src
 *     A", and the routes added), in Linux's dump order (by destination,
 *     shorter prefix first); an AF_INET6 dump is empty;
 *   RTM_GETROUTE for one destination (ip route get): the route a packet
 *     there takes, or -ENETUNREACH;
 *   RTM_NEWROUTE / RTM_DELROUTE (CAP_NET_ADMIN): unicast routes of the
 *     main table, with NLM_F_CREATE / _EXCL / _REPLACE as Linux. Other
 *     tables and route types (blackhole, unreachable, ...) and multipath
 *     are -EOPNOTSUPP; the subnet routes follow the addresses and cannot
 *     be deleted on their own (-ESRCH). */
#include <fw/errno.h>
#include <fw/heap.h>

#include "current/current.h"
#include "net/inet/inet.h"
#include "net/link/link.h"
#include "net/link/nlmsg.h"

#define RT_TABLE_UNSPEC 0
#define RT_TABLE_MAIN 254
#define RT_TABLE_LOCAL 255
#define RT_SCOPE_NOWHERE 255
#define RTN_UNSPEC 0
#define RTN_LOCAL 2
#define RTN_BROADCAST 3
#define RTM_F_CLONED 0x200u

#define RTA_DST 1
#define RTA_OIF 4
#define RTA_GATEWAY 5
#define RTA_PRIORITY 6
#define RTA_PREFSRC 7
#define RTA_TABLE 15
#define RTA_UID 25

#define RTMSG_LEN 12u			/* struct rtmsg */

static uint32_t be(uint32_t host)
{
	return __builtin_bswap32(host); /* netlink addresses: network order */
}

/* struct rtmsg, then RTA_TABLE. */
static void rtmsg_head(struct nl_out *o, unsigned dst_len, uint8_t table,
		       uint8_t protocol, uint8_t scope, uint8_t type,
		       uint32_t flags)
{
	nl_put_u8(o, AF_INET);
	nl_put_u8(o, (uint8_t)dst_len);
	nl_put_u8(o, 0);		/* rtm_src_len */
	nl_put_u8(o, 0);		/* rtm_tos */
	nl_put_u8(o, table);
	nl_put_u8(o, protocol);
	nl_put_u8(o, scope);
	nl_put_u8(o, type);
	nl_put_u32(o, flags);
	nl_attr_u32(o, RTA_TABLE, table);
}

static void route_msg(struct nl_out *o, const struct route_info *r,
		      uint32_t seq, int32_t portid)
{
	unsigned len = nl_prefix_len(r->mask);

	nl_msg_begin(o, RTM_NEWROUTE, NLM_F_MULTI, seq, portid);
	rtmsg_head(o, len, RT_TABLE_MAIN, r->protocol, r->scope, RTN_UNICAST,
		   0);
	if (len)
		nl_attr_u32(o, RTA_DST, be(r->dst));
	if (r->metric)
		nl_attr_u32(o, RTA_PRIORITY, (uint32_t)r->metric);
	if (r->prefsrc)
		nl_attr_u32(o, RTA_PREFSRC, be(r->prefsrc));
	if (r->gw)
		nl_attr_u32(o, RTA_GATEWAY, be(r->gw));
	nl_attr_u32(o, RTA_OIF, (uint32_t)r->dev->ifindex);
	nl_msg_end(o);
}

static bool before(const struct route_info *a, const struct route_info *b)
{
	return a->dst < b->dst || (a->dst == b->dst && a->mask < b->mask);
}

void rtnl_route_dump(struct nl_out *o, uint8_t family, uint32_t seq,
		     int32_t portid)
{
	struct route_snapshot *snap;
	unsigned n;

	if (family == AF_INET6_NUM)
		return; /* no IPv6 routes */
	snap = FW_NEW(struct route_snapshot);
	if (!snap) {
		o->overflow = true;
		return;
	}
	n = route_snapshot(snap);
	/* Linux walks its trie: by destination, the shorter prefix first. */
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && before(&snap->r[j], &snap->r[j - 1]);
		     j--) {
			struct route_info t = snap->r[j];

			snap->r[j] = snap->r[j - 1];
			snap->r[j - 1] = t;
		}
	for (unsigned i = 0; i < n; i++)
		route_msg(o, &snap->r[i], seq, portid);
	fw_free(snap);
}

/* The parts of an RTM_NEWROUTE/DELROUTE/GETROUTE request we use. */
struct route_req {
	uint8_t family, dst_len, table, protocol, scope, type;
	bool has_dst, has_gw, has_oif, has_priority;
	uint32_t dst, gw, oif, priority, table_attr;
	bool has_table_attr;
};

static int get_u32_attr(struct fw_bytes val, uint32_t *out)
{
	return fw_bytes_len(val) == 4 && fw_bytes_get_u32_le(val, 0, out) == 0
		       ? 0
		       : -EINVAL;
}

static int parse_route_req(struct fw_bytes msg, struct route_req *r)
{
	size_t off = NL_HDR + RTMSG_LEN;
	struct fw_bytes val;
	uint16_t type;
	int err;

	*r = (struct route_req){ 0 };
	if (fw_bytes_get_u8(msg, NL_HDR, &r->family) ||
	    fw_bytes_get_u8(msg, NL_HDR + 1, &r->dst_len) ||
	    fw_bytes_get_u8(msg, NL_HDR + 4, &r->table) ||
	    fw_bytes_get_u8(msg, NL_HDR + 5, &r->protocol) ||
	    fw_bytes_get_u8(msg, NL_HDR + 6, &r->scope) ||
	    fw_bytes_get_u8(msg, NL_HDR + 7, &r->type))
		return -EINVAL;
	while ((err = nl_attr_next(msg, &off, &type, &val)) == 0) {
		uint32_t v;

		switch (type) {
		case RTA_DST:
		case RTA_GATEWAY:
		case RTA_OIF:
		case RTA_PRIORITY:
		case RTA_TABLE:
			if (get_u32_attr(val, &v))
				return -EINVAL;
			break;
		default:
			continue; /* metrics, cache info, ...: not kept */
		}
		if (type == RTA_DST) {
			r->dst = __builtin_bswap32(v);
			r->has_dst = true;
		} else if (type == RTA_GATEWAY) {
			r->gw = __builtin_bswap32(v);
			r->has_gw = true;
		} else if (type == RTA_OIF) {
			r->oif = v;
			r->has_oif = true;
		} else if (type == RTA_PRIORITY) {
			r->priority = v;
			r->has_priority = true;
		} else {
			r->table_attr = v;
			r->has_table_attr = true;
		}
	}
	if (err < 0)
		return err;
	if (r->dst_len > 32)
		return -EINVAL;
	return 0;
}

/* The request's table: only the main one is here. */
static bool main_table(const struct route_req *r)
{
	uint32_t t = r->has_table_attr ? r->table_attr : r->table;

	return t == RT_TABLE_MAIN || t == RT_TABLE_UNSPEC;
}

static uint32_t mask_of(unsigned len)
{
	return len ? ~0u << (32 - len) : 0;
}

int rtnl_route_change(uint16_t type, uint16_t flags, struct fw_bytes msg)
{
	struct route_req q;
	struct route_info r = { 0 };
	unsigned match = 0;
	int err;

	if (!link_capable(CAP_NET_ADMIN))
		return -EPERM;
	err = parse_route_req(msg, &q);
	if (err)
		return err;
	if (q.family != AF_INET)
		return -EAFNOSUPPORT;
	if (!main_table(&q))
		return -EOPNOTSUPP; /* one table here */
	r.mask = mask_of(q.dst_len);
	r.dst = q.has_dst ? q.dst : 0;
	r.gw = q.has_gw ? q.gw : 0;
	r.metric = (int)q.priority;
	r.protocol = q.protocol;
	r.scope = q.scope;
	if (q.has_oif) {
		r.dev = netdev_by_index((int)q.oif);
		if (!r.dev)
			return -ENODEV;
	}
	if (type == RTM_DELROUTE) {
		/* Linux fib_table_delete: what the request names must match;
		 * protocol 0, scope NOWHERE and type UNSPEC name nothing. */
		if (q.type != RTN_UNSPEC && q.type != RTN_UNICAST)
			return -ESRCH;
		match = (q.has_gw ? ROUTE_MATCH_GW : 0u) |
			(q.has_oif ? ROUTE_MATCH_DEV : 0u) |
			(q.has_priority ? ROUTE_MATCH_METRIC : 0u) |
			(q.protocol ? ROUTE_MATCH_PROTOCOL : 0u) |
			(q.scope != RT_SCOPE_NOWHERE ? ROUTE_MATCH_SCOPE : 0u);
		return route_del(&r, match);
	}
	if (q.type != RTN_UNICAST)
		return -EOPNOTSUPP; /* blackhole, unreachable, local, ... */
	if (r.scope != RT_SCOPE_UNIVERSE && r.scope != RT_SCOPE_LINK)
		return -EINVAL;
	if (r.gw && r.scope == RT_SCOPE_LINK)
		return -EINVAL; /* Linux: a gateway needs a wider scope */
	return route_add(&r, ((flags & NLM_F_CREATE) ? ROUTE_CREATE : 0u) |
				     ((flags & NLM_F_EXCL) ? ROUTE_EXCL : 0u) |
				     ((flags & NLM_F_REPLACE) ? ROUTE_REPLACE
							      : 0u));
}

int rtnl_route_get(struct nl_out *o, struct fw_bytes msg, uint32_t seq,
		   int32_t portid)
{
	struct route_req q;
	struct route rt;
	uint32_t uid = fs_cred()->uid;
	int err = parse_route_req(msg, &q);

	if (err)
		return err;
	if (q.family != AF_INET)
		return -EAFNOSUPPORT;
	err = route_lookup(q.has_dst ? q.dst : 0, &rt);
	if (err)
		return err;
	/* Linux inet_rtm_getroute: the cached route for one host; our own
	 * addresses are in the local table, broadcasts are RTN_BROADCAST. */
	nl_msg_begin(o, RTM_NEWROUTE, 0, seq, portid);
	rtmsg_head(o, 32, rt.local ? RT_TABLE_LOCAL : RT_TABLE_MAIN, 0,
		   rt.local ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE,
		   rt.local ? RTN_LOCAL : rt.bcast ? RTN_BROADCAST : RTN_UNICAST,
		   RTM_F_CLONED);
	nl_attr_u32(o, RTA_DST, be(q.dst));
	nl_attr_u32(o, RTA_OIF, (uint32_t)rt.dev->ifindex);
	nl_attr_u32(o, RTA_PREFSRC, be(rt.src));
	if (rt.next_hop != q.dst)
		nl_attr_u32(o, RTA_GATEWAY, be(rt.next_hop));
	nl_attr_u32(o, RTA_UID, uid);
	nl_msg_end(o);
	return o->overflow ? -EMSGSIZE : 0;
}
