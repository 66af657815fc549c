/* services/net/link/netlink.c: AF_NETLINK sockets, NETLINK_ROUTE for
 * what busybox `ip link` and `ip addr` ask, and NETLINK_SOCK_DIAG for
 * what `ss -x` asks (AF_UNIX sockets: net/unix/unix_diag.c; other
 * families ENOENT, as Linux without their diag modules).
 *
 * Layer: services (safe C), net/link, after Linux net/netlink/af_netlink.c
 * and net/core/rtnetlink.c. A socket talks to the kernel (port 0) only:
 * a request sent to it is answered at once, in task context, by
 * datagrams queued on the sender's socket:
 *
 *   RTM_GETLINK (dump, or one interface by ifi_index): RTM_NEWLINK
 *     messages (ifinfomsg; IFLA_IFNAME, IFLA_ADDRESS, IFLA_BROADCAST,
 *     IFLA_MTU, IFLA_TXQLEN, IFLA_OPERSTATE, IFLA_LINKMODE);
 *   RTM_GETADDR (dump; AF_INET or any family): an RTM_NEWADDR per IPv4
 *     address (ifaddrmsg; IFA_ADDRESS, IFA_LOCAL, IFA_BROADCAST,
 *     IFA_LABEL, IFA_CACHEINFO);
 *   RTM_NEWADDR, RTM_DELADDR (CAP_NET_ADMIN): the device's one IPv4
 *     address (ip addr add/del);
 *   RTM_GETNEIGH (dump): the ARP cache as RTM_NEWNEIGH (ip neigh);
 *   RTM_GETROUTE, RTM_NEWROUTE, RTM_DELROUTE: rtnl_route.c (ip route);
 *   anything else: NLMSG_ERROR -EOPNOTSUPP (RTM_NEWLINK and the rest are
 *     not here: busybox ip changes links with the interface ioctls).
 *
 * A dump is one datagram of NLM_F_MULTI messages, then one with
 * NLMSG_DONE (Linux splits dumps at the reader's buffer size; ours fit
 * in NL_DUMP_MAX). Multicast groups (ip monitor) are refused at bind
 * with EOPNOTSUPP rather than bound and left silent. Port ids: the
 * process id for a process's first socket, as Linux, else a number
 * counting down from -4097.
 *
 * Locking: nl_lock (a mutex: nothing here runs in interrupt context)
 * guards the socket list and every queue; copies to user space happen
 * under it, as AF_UNIX does under unix_lock. */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/uaccess.h>

#include "current/current.h"
#include "net/link/link.h"
#include "net/link/nlmsg.h"
#include "net/socket.h"
#include "net/unix/unix_diag.h"

#define NETLINK_ROUTE 0
#define NETLINK_SOCK_DIAG 4
#define SOCK_DIAG_BY_FAMILY 20
#define AF_UNIX_NUM 1
#define AF_MAX_NUM 46
#define NL_ADDR_LEN 12u			/* sizeof(struct sockaddr_nl) */
#define NL_REQ_MAX 65536u
#define NL_QUEUE_MAX 64u		/* datagrams waiting, then drop */

#define NDA_DST 1
#define NDA_LLADDR 2

#define IFLA_ADDRESS 1
#define IFLA_BROADCAST 2
#define IFLA_IFNAME 3
#define IFLA_MTU 4
#define IFLA_TXQLEN 13
#define IFLA_OPERSTATE 16
#define IFLA_LINKMODE 17
#define IFF_LOWER_UP 0x10000u
#define IF_OPER_UNKNOWN 0
#define IF_OPER_DOWN 2
#define IF_OPER_UP 6

#define IFA_ADDRESS 1
#define IFA_LOCAL 2
#define IFA_LABEL 3
#define IFA_BROADCAST 4
#define IFA_CACHEINFO 6
#define IFA_F_PERMANENT 0x80

struct nl_msg {
	struct fw_list node;
	size_t len;			/* bytes of data */
	struct fw_buf data;		/* fw_buf_alloc */
};

struct netlink_sock {
	struct socket *s;
	/* nl_lock */
	struct fw_list node;		/* on nl_socks */
	int32_t portid;			/* 0: not bound yet */
	struct fw_list rcvq;		/* struct nl_msg */
	unsigned rcvq_n;
	bool overrun;			/* a reply was dropped: ENOBUFS next */
	bool no_enobufs;		/* NETLINK_NO_ENOBUFS: drop silently */
};

static struct fw_mutex nl_lock;		/* netlink_init */
static struct fw_list nl_socks = FW_LIST_HEAD_INIT(nl_socks);
static int32_t nl_next_id = -4097;

static void link_msg(struct nl_out *o, struct netdev *d, uint16_t flags,
		     uint32_t seq, int32_t portid)
{
	unsigned f = atomic_load(&d->flags);
	static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff,
						 0xff, 0xff, 0xff };
	struct fw_bytes hw;

	/* Linux dev_get_flags: RUNNING only while up, and LOWER_UP
	 * (carrier) with it. */
	if (!(f & IFF_UP))
		f &= ~(unsigned)IFF_RUNNING;
	if (f & IFF_RUNNING)
		f |= IFF_LOWER_UP;
	nl_msg_begin(o, RTM_NEWLINK, (uint16_t)flags, seq, portid);
	nl_put_u8(o, 0);			/* ifi_family AF_UNSPEC */
	nl_put_u8(o, 0);
	nl_put_u16(o, d->type);
	nl_put_u32(o, (uint32_t)d->ifindex);
	nl_put_u32(o, f);
	nl_put_u32(o, 0);			/* ifi_change */
	nl_attr_name(o, IFLA_IFNAME, &d->name);
	nl_attr_u32(o, IFLA_TXQLEN, d->txqlen);
	nl_attr_u8(o, IFLA_OPERSTATE,
		d->type == ARPHRD_ETHER
			? (f & IFF_RUNNING ? IF_OPER_UP : IF_OPER_DOWN)
			: IF_OPER_UNKNOWN);
	nl_attr_u8(o, IFLA_LINKMODE, 0);
	nl_attr_u32(o, IFLA_MTU, d->mtu);
	if (d->type == ARPHRD_ETHER &&
	    fw_bytes_sub(FW_BYTES_OF_ARRAY(d->hwaddr), 0, ETH_ALEN, &hw) == 0) {
		nl_attr(o, IFLA_ADDRESS, hw);
		nl_attr(o, IFLA_BROADCAST, FW_BYTES_OF_ARRAY(bcast));
	} else if (d->type == ARPHRD_LOOPBACK) {
		static const uint8_t zero[ETH_ALEN] = { 0 };

		nl_attr(o, IFLA_ADDRESS, FW_BYTES_OF_ARRAY(zero));
		nl_attr(o, IFLA_BROADCAST, FW_BYTES_OF_ARRAY(zero));
	}
	nl_msg_end(o);
}

static void addr_msg(struct nl_out *o, struct netdev *d, uint32_t seq,
		     int32_t portid)
{
	uint32_t addr, mask, bcast = netdev_ipv4_bcast(d);

	netdev_ipv4(d, &addr, &mask);
	if (!addr)
		return;
	nl_msg_begin(o, RTM_NEWADDR, NLM_F_MULTI, seq, portid);
	nl_put_u8(o, AF_INET);
	nl_put_u8(o, (uint8_t)nl_prefix_len(mask));
	nl_put_u8(o, IFA_F_PERMANENT);
	nl_put_u8(o, (addr & 0xff) == 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE);
	nl_put_u32(o, (uint32_t)d->ifindex);
	nl_attr_u32(o, IFA_ADDRESS, addr);
	nl_attr_u32(o, IFA_LOCAL, addr);
	if (bcast)
		nl_attr_u32(o, IFA_BROADCAST, bcast);
	nl_attr_name(o, IFA_LABEL, &d->name);
	{
		/* struct ifa_cacheinfo: lifetimes "forever" (addresses set
		 * by hand or by a DHCP client's ifconfig), no timestamps. */
		uint32_t ci[4] = { 0xffffffffu, 0xffffffffu, 0, 0 };

		nl_attr(o, IFA_CACHEINFO, FW_BYTES_OF_ARRAY(ci));
	}
	nl_msg_end(o);
}

/* ---- queues --------------------------------------------------------------- */

/* Queue o's bytes as one datagram for nl (nl_lock held). */
static void enqueue_locked(struct netlink_sock *nl, const struct nl_out *o)
{
	struct nl_msg *m;
	struct fw_bytes b;

	if (o->len == 0)
		return;
	/* A reply with no room is dropped and the reader told so by
	 * ENOBUFS at its next receive (Linux's netlink_overrun). */
	if (o->overflow || nl->rcvq_n >= NL_QUEUE_MAX)
		goto overrun;
	m = FW_NEW(struct nl_msg);
	if (!m)
		goto overrun;
	if (fw_buf_alloc(o->len, &m->data) ||
	    fw_bytes_sub(fw_buf_as_bytes(o->buf), 0, o->len, &b) ||
	    fw_buf_copy_from(m->data, 0, b)) {
		fw_buf_free(&m->data);
		fw_free(m);
		goto overrun;
	}
	m->len = o->len;
	fw_list_add_tail(&nl->rcvq, &m->node);
	nl->rcvq_n++;
	return;
overrun:
	if (!nl->no_enobufs)
		nl->overrun = true;
}

static void send_error(struct netlink_sock *nl, struct nl_out *o, int err,
		       struct fw_bytes req_hdr, uint32_t seq)
{
	o->len = 0;
	o->overflow = false;
	/* The request's header only, flagged NLM_F_CAPPED (Linux sends the
	 * whole request back with an error unless NETLINK_CAP_ACK). */
	nl_msg_begin(o, NLMSG_ERROR, NLM_F_CAPPED, seq, nl->portid);
	nl_put_u32(o, (uint32_t)err);
	nl_put(o, req_hdr);
	nl_msg_end(o);
	enqueue_locked(nl, o);
}

static void neigh_msgs(struct nl_out *o, uint32_t seq, int32_t portid)
{
	struct arp_entry_info *snap = FW_NEW(struct arp_entry_info);
	unsigned n;

	if (!snap) {
		o->overflow = true;
		return;
	}
	n = arp_snapshot(snap, ARP_SNAPSHOT_MAX);
	for (unsigned i = 0; i < n; i++) {
		const struct arp_entry *e = &snap->info[i];

		nl_msg_begin(o, RTM_NEWNEIGH, NLM_F_MULTI, seq, portid);
		nl_put_u8(o, AF_INET);
		nl_put_u8(o, 0);
		nl_put_u16(o, 0);
		nl_put_u32(o, (uint32_t)e->dev->ifindex);
		nl_put_u16(o, e->nud_state);
		nl_put_u8(o, 0);			/* ndm_flags */
		nl_put_u8(o, RTN_UNICAST);
		nl_attr_u32(o, NDA_DST, e->ip);
		if (e->known)
			nl_attr(o, NDA_LLADDR, FW_BYTES_OF_ARRAY(e->ha.b));
		nl_msg_end(o);
	}
	fw_free(snap);
}

/* The IPv4 address attributes of an RTM_NEWADDR/RTM_DELADDR. */
struct addr_req {
	uint8_t family, prefixlen;
	uint32_t ifindex;
	bool has_local, has_bcast;
	uint32_t local, bcast;		/* network order */
};

static int parse_addr_req(struct fw_bytes msg, struct addr_req *r)
{
	size_t off = NL_HDR + 8;
	struct fw_bytes val;
	uint16_t type;
	int err;

	*r = (struct addr_req){ 0 };
	if (fw_bytes_get_u8(msg, NL_HDR, &r->family) ||
	    fw_bytes_get_u8(msg, NL_HDR + 1, &r->prefixlen) ||
	    fw_bytes_get_u32_le(msg, NL_HDR + 4, &r->ifindex))
		return -EINVAL;
	while ((err = nl_attr_next(msg, &off, &type, &val)) == 0) {
		uint32_t v;

		if (type != IFA_LOCAL && type != IFA_ADDRESS &&
		    type != IFA_BROADCAST)
			continue;
		if (fw_bytes_len(val) != 4 || fw_bytes_get_u32_le(val, 0, &v))
			return -EINVAL;
		if (type == IFA_LOCAL || (type == IFA_ADDRESS && !r->has_local)) {
			r->local = v;
			r->has_local = true;
		} else if (type == IFA_BROADCAST) {
			r->bcast = v;
			r->has_bcast = true;
		}
	}
	return err < 0 ? err : 0;
}

static uint32_t mask_of_prefix(unsigned len)
{
	return len == 0 ? 0 : __builtin_bswap32(~0u << (32 - len));
}

/* RTM_NEWADDR / RTM_DELADDR (Linux inet_rtm_newaddr/deladdr), on the
 * one IPv4 address a device has here (netdev.h): a second, different
 * address is refused with EOPNOTSUPP rather than silently replacing
 * the first. */
static int change_addr(uint16_t type, uint16_t flags, struct fw_bytes msg)
{
	struct addr_req r;
	struct netdev *d;
	uint32_t addr, mask;
	int err;

	if (!link_capable(CAP_NET_ADMIN))
		return -EPERM;
	err = parse_addr_req(msg, &r);
	if (err)
		return err;
	if (r.family != AF_INET)
		return -EOPNOTSUPP;
	if (r.prefixlen > 32)
		return -EINVAL;
	d = netdev_by_index((int)r.ifindex);
	if (!d)
		return -ENODEV;
	netdev_ipv4(d, &addr, &mask);
	if (type == RTM_DELADDR) {
		if (!addr || (r.has_local && r.local != addr))
			return -EADDRNOTAVAIL;
		netdev_set_ipv4(d, 0, 0);
		return 0;
	}
	if (!r.has_local || !r.local)
		return -EINVAL;
	if (addr && addr != r.local)
		return -EOPNOTSUPP; /* one address per interface */
	if (addr && (flags & NLM_F_EXCL))
		return -EEXIST;
	netdev_set_ipv4(d, r.local, mask_of_prefix(r.prefixlen));
	/* ip adds a broadcast address only when asked ("brd +"). */
	netdev_set_ipv4_bcast(d, r.has_bcast ? r.bcast : 0);
	return 0;
}

/* ---- requests ------------------------------------------------------------- */

/* A request answered by one message in o, or by its error; then the
 * acknowledgement asked for (nl_lock held). */
static void reply_one(struct netlink_sock *nl, struct nl_out *o, int err,
		      struct fw_bytes hdr, uint32_t seq, uint16_t flags)
{
	if (err) {
		send_error(nl, o, err, hdr, seq);
		return;
	}
	enqueue_locked(nl, o);
	if (flags & NLM_F_ACK)
		send_error(nl, o, 0, hdr, seq);
}

/* The address family a request's header starts with (0 if none). */
static uint8_t req_family(struct fw_bytes msg)
{
	uint8_t fam = 0;

	if (fw_bytes_get_u8(msg, NL_HDR, &fam))
		fam = 0;
	return fam;
}

static void send_done(struct netlink_sock *nl, struct nl_out *o,
		      uint32_t seq)
{
	o->len = 0;
	o->overflow = false;
	nl_msg_begin(o, NLMSG_DONE, NLM_F_MULTI, seq, nl->portid);
	nl_put_u32(o, 0);
	nl_msg_end(o);
	enqueue_locked(nl, o);
}

/* A NETLINK_SOCK_DIAG request (Linux's sock_diag_rcv_msg and
 * __sock_diag_cmd), nl_lock held. */
static void sock_diag(struct netlink_sock *nl, struct nl_out *o,
		      struct fw_bytes msg, struct fw_bytes hdr, uint16_t type,
		      uint16_t flags, uint32_t seq)
{
	struct fw_bytes req;
	uint8_t family = req_family(msg);
	unsigned pos = 0;
	bool more = true;
	int err;

	if (type != SOCK_DIAG_BY_FAMILY || fw_bytes_len(msg) < NL_HDR + 2 ||
	    family >= AF_MAX_NUM) {
		send_error(nl, o, -EINVAL, hdr, seq);
		return;
	}
	if (family != AF_UNIX_NUM) {
		send_error(nl, o, -ENOENT, hdr, seq);
		return;
	}
	err = fw_bytes_sub(msg, NL_HDR, fw_bytes_len(msg) - NL_HDR, &req);
	if (!err && (flags & NLM_F_DUMP) != NLM_F_DUMP) {
		o->len = 0;
		o->overflow = false;
		err = unix_diag_get(o, req, seq, nl->portid);
		reply_one(nl, o, err, hdr, seq, flags);
		return;
	}
	while (!err && more) {
		o->len = 0;
		o->overflow = false;
		err = unix_diag_dump(o, req, seq, nl->portid, &pos, &more);
		if (!err)
			enqueue_locked(nl, o);
	}
	if (err)
		send_error(nl, o, err, hdr, seq);
	else
		send_done(nl, o, seq);
}

/* Answer one request (nl_lock held). */
static void handle(struct netlink_sock *nl, struct nl_out *o,
		   struct fw_bytes msg)
{
	uint16_t type = 0, flags = 0;
	uint32_t seq = 0, ifindex = 0;
	struct fw_bytes hdr;
	struct netdev *d = NULL;
	int err = 0;

	if (fw_bytes_get_u16_le(msg, 4, &type) ||
	    fw_bytes_get_u16_le(msg, 6, &flags) ||
	    fw_bytes_get_u32_le(msg, 8, &seq) ||
	    fw_bytes_sub(msg, 0, NL_HDR, &hdr))
		return;
	if (!(flags & NLM_F_REQUEST) || type < 16)
		return; /* replies and control messages: nothing to do */
	if (nl->s->protocol == NETLINK_SOCK_DIAG) {
		sock_diag(nl, o, msg, hdr, type, flags, seq);
		return;
	}
	o->len = 0;
	o->overflow = false;
	if (type == RTM_GETLINK && (flags & NLM_F_DUMP) == NLM_F_DUMP) {
		while ((d = netdev_next(d)))
			link_msg(o, d, NLM_F_MULTI, seq, nl->portid);
	} else if (type == RTM_GETLINK) {
		/* One interface, by ifi_index. */
		if (fw_bytes_get_u32_le(msg, NL_HDR + 4, &ifindex))
			err = -EINVAL;
		else if (!(d = netdev_by_index((int)ifindex)))
			err = -ENODEV;
		else
			link_msg(o, d, 0, seq, nl->portid);
		reply_one(nl, o, err, hdr, seq, flags);
		return;
	} else if (type == RTM_GETROUTE && (flags & NLM_F_DUMP) == NLM_F_DUMP) {
		rtnl_route_dump(o, req_family(msg), seq, nl->portid);
	} else if (type == RTM_GETROUTE) {
		err = rtnl_route_get(o, msg, seq, nl->portid);
		reply_one(nl, o, err, hdr, seq, flags);
		return;
	} else if (type == RTM_NEWROUTE || type == RTM_DELROUTE ||
		   type == RTM_NEWADDR || type == RTM_DELADDR) {
		err = type == RTM_NEWADDR || type == RTM_DELADDR
			      ? change_addr(type, flags, msg)
			      : rtnl_route_change(type, flags, msg);
		if (err || (flags & NLM_F_ACK))
			send_error(nl, o, err, hdr, seq);
		return;
	} else if (type == RTM_GETNEIGH && (flags & NLM_F_DUMP) == NLM_F_DUMP) {
		if (req_family(msg) != AF_INET6_NUM)
			neigh_msgs(o, seq, nl->portid);
	} else if (type == RTM_GETADDR && (flags & NLM_F_DUMP) == NLM_F_DUMP) {
		uint8_t fam = req_family(msg);

		while (fam != AF_INET6_NUM && (d = netdev_next(d)))
			addr_msg(o, d, seq, nl->portid);
	} else {
		send_error(nl, o, -EOPNOTSUPP, hdr, seq);
		return;
	}
	enqueue_locked(nl, o);
	send_done(nl, o, seq);
}

/* ---- socket operations ---------------------------------------------------- */

static bool portid_used_locked(int32_t id)
{
	struct netlink_sock *nl;

	FW_LIST_FOR_EACH(nl, &nl_socks, node)
		if (nl->portid == id)
			return true;
	return false;
}

static void autobind_locked(struct netlink_sock *nl)
{
	int32_t id = current_pid();

	if (nl->portid)
		return;
	while (id == 0 || portid_used_locked(id))
		id = nl_next_id--;
	nl->portid = id;
}

static void nl_release(struct socket *s)
{
	struct netlink_sock *nl = s->nl;
	struct nl_msg *m;

	fw_mutex_lock(&nl_lock);
	fw_list_del(&nl->node);
	fw_list_init(&nl->node);
	while ((m = FW_LIST_FIRST(&nl->rcvq, struct nl_msg, node))) {
		fw_list_del(&m->node);
		fw_buf_free(&m->data);
		fw_free(m);
	}
	nl->rcvq_n = 0;
	fw_mutex_unlock(&nl_lock);
}

static void nl_destroy(struct socket *s)
{
	fw_free(s->nl);
	s->nl = NULL;
}

/* struct sockaddr_nl: family, pad, port id, groups. */
static int parse_addr(const struct sock_addr *a, int32_t *pid,
		      uint32_t *groups)
{
	struct fw_bytes b = FW_BYTES_OF_ARRAY(a->b);
	uint16_t fam;
	uint32_t p;

	if (a->len < NL_ADDR_LEN)
		return -EINVAL;
	if (fw_bytes_get_u16_le(b, 0, &fam) || fw_bytes_get_u32_le(b, 4, &p) ||
	    fw_bytes_get_u32_le(b, 8, groups))
		return -EINVAL;
	if (fam != AF_NETLINK)
		return -EINVAL;
	*pid = (int32_t)p;
	return 0;
}

static void put_addr(struct sock_addr *out, int32_t pid)
{
	struct fw_buf b = FW_BUF_OF_ARRAY(out->b);

	*out = (struct sock_addr){ .len = NL_ADDR_LEN };
	if (fw_buf_put_u16_le(b, 0, AF_NETLINK) ||
	    fw_buf_put_u32_le(b, 4, (uint32_t)pid))
		out->len = 0;
}

static int nl_bind(struct socket *s, const struct sock_addr *a)
{
	struct netlink_sock *nl = s->nl;
	uint32_t groups;
	int32_t pid;
	int err = parse_addr(a, &pid, &groups);

	if (err)
		return err;
	if (groups)
		return -EOPNOTSUPP; /* no multicast (events) yet */
	fw_mutex_lock(&nl_lock);
	if (nl->portid && pid && pid != nl->portid)
		err = -EINVAL; /* Linux: a bound port id cannot change */
	else if (pid && pid != nl->portid && portid_used_locked(pid))
		err = -EADDRINUSE;
	else if (pid)
		nl->portid = pid;
	else
		autobind_locked(nl);
	fw_mutex_unlock(&nl_lock);
	return err;
}

static int nl_connect(struct socket *s, const struct sock_addr *a, bool nb)
{
	uint32_t groups;
	int32_t pid;
	int err = parse_addr(a, &pid, &groups);

	(void)nb;
	if (err)
		return err;
	if (pid || groups)
		return -EOPNOTSUPP; /* only the kernel is a peer here */
	fw_mutex_lock(&nl_lock);
	autobind_locked(s->nl);
	fw_mutex_unlock(&nl_lock);
	return 0;
}

static int nl_getname(struct socket *s, bool peer, struct sock_addr *out)
{
	int32_t pid;

	fw_mutex_lock(&nl_lock);
	pid = peer ? 0 : s->nl->portid;
	fw_mutex_unlock(&nl_lock);
	put_addr(out, pid);
	return 0;
}

static long nl_sendmsg(struct socket *s, struct sock_msghdr *m,
		       unsigned flags, bool nonblock)
{
	struct netlink_sock *nl = s->nl;
	size_t len = m->data.left, off = 0;
	struct fw_buf req = { 0 };
	struct nl_out o = { 0 };
	long err;

	(void)flags, (void)nonblock;
	if (m->has_name) {
		uint32_t groups;
		int32_t pid;

		err = parse_addr(&m->name, &pid, &groups);
		if (err)
			return err;
		if (pid || groups)
			return -EOPNOTSUPP; /* to the kernel only */
	}
	if (len > NL_REQ_MAX)
		return -EMSGSIZE;
	if (len == 0)
		return 0;
	err = fw_buf_alloc(len, &req);
	if (!err)
		err = fw_buf_alloc(NL_DUMP_MAX, &o.buf);
	if (!err)
		err = iov_copy_in(&m->data, req);
	if (err)
		goto out_free;
	fw_mutex_lock(&nl_lock);
	autobind_locked(nl);
	/* Each message in turn (Linux netlink_rcv_skb). */
	while (len - off >= NL_HDR) {
		uint32_t mlen = 0;
		struct fw_bytes msg;

		if (fw_bytes_get_u32_le(fw_buf_as_bytes(req), off, &mlen) ||
		    mlen < NL_HDR || mlen > len - off ||
		    fw_bytes_sub(fw_buf_as_bytes(req), off, mlen, &msg))
			break;
		handle(nl, &o, msg);
		off += (mlen + 3u) & ~3u;
	}
	fw_mutex_unlock(&nl_lock);
	socket_wake(s);
	err = (long)len;
out_free:
	fw_buf_free(&o.buf);
	fw_buf_free(&req);
	return err;
}

static long nl_recvmsg(struct socket *s, struct sock_msghdr *m,
		       unsigned flags, bool nonblock)
{
	struct netlink_sock *nl = s->nl;
	uint64_t deadline = socket_deadline(atomic_load(&s->rcvtimeo_ns));
	struct nl_msg *msg;
	struct fw_bytes part;
	size_t n;
	long err;

	nonblock = nonblock || (flags & MSG_DONTWAIT);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	fw_mutex_lock(&nl_lock);
	for (;;) {
		unsigned seen = atomic_load(&s->seq);

		if (nl->overrun) { /* before the data, as Linux's sock_error */
			nl->overrun = false;
			err = -ENOBUFS;
			goto out_unlock;
		}
		msg = FW_LIST_FIRST(&nl->rcvq, struct nl_msg, node);
		if (msg)
			break;
		if (nonblock) {
			err = -EAGAIN;
			goto out_unlock;
		}
		fw_mutex_unlock(&nl_lock);
		err = socket_wait(s, seen, deadline);
		fw_mutex_lock(&nl_lock);
		if (err)
			goto out_unlock;
	}
	n = msg->len < m->data.left ? msg->len : m->data.left;
	if (n && (fw_bytes_sub(fw_buf_as_bytes(msg->data), 0, n, &part) ||
		  iov_copy_out(&m->data, part))) {
		err = -EFAULT;
		goto out_unlock;
	}
	if (msg->len > n)
		m->out_flags |= MSG_TRUNC;
	put_addr(&m->name, 0); /* from the kernel */
	err = (flags & MSG_TRUNC) ? (long)msg->len : (long)n;
	if (!(flags & MSG_PEEK)) {
		fw_list_del(&msg->node);
		nl->rcvq_n--;
		fw_buf_free(&msg->data);
		fw_free(msg);
	}
out_unlock:
	fw_mutex_unlock(&nl_lock);
	return err;
}

static unsigned nl_poll(struct socket *s)
{
	unsigned mask = POLLOUT | POLLWRNORM | POLLWRBAND;

	fw_mutex_lock(&nl_lock);
	if (!fw_list_empty(&s->nl->rcvq))
		mask |= POLLIN | POLLRDNORM;
	if (s->nl->overrun)
		mask |= POLLERR;
	fw_mutex_unlock(&nl_lock);
	return mask;
}

static long nl_ioctl(struct socket *s, unsigned cmd, uint64_t arg)
{
	(void)s, (void)cmd, (void)arg;
	return -ENOTTY;
}

static int nl_pair(struct socket *a, struct socket *b)
{
	(void)a, (void)b;
	return -EOPNOTSUPP;
}

static int nl_listen(struct socket *s, int backlog)
{
	(void)s, (void)backlog;
	return -EOPNOTSUPP;
}

static int nl_accept(struct socket *s, bool nb, struct socket **out)
{
	(void)s, (void)nb, (void)out;
	return -EOPNOTSUPP;
}

static int nl_shutdown(struct socket *s, unsigned how)
{
	(void)s, (void)how;
	return 0; /* Linux netlink: accepted, nothing to shut */
}

/* SO_ERROR: a pending overrun, taken (then -ENOBUFS), else 0. */
static int nl_sock_error(struct socket *s)
{
	int err = 0;

	fw_mutex_lock(&nl_lock);
	if (s->nl->overrun)
		err = -ENOBUFS;
	s->nl->overrun = false;
	fw_mutex_unlock(&nl_lock);
	return err;
}

static bool nl_listening(struct socket *s)
{
	(void)s;
	return false;
}

static int nl_peercred(struct socket *s, struct linux_ucred *out)
{
	(void)s;
	*out = (struct linux_ucred){ 0, (uint32_t)-1, (uint32_t)-1 };
	return 0;
}

#define SOL_NETLINK 270
#define NETLINK_NO_ENOBUFS 5

/* SOL_NETLINK: NETLINK_NO_ENOBUFS (an int, as Linux reads it); the
 * multicast and extended-ACK options are not here (ENOPROTOOPT). */
static int nl_setsockopt(struct socket *s, int level, int name,
			 fw_uptr_t val, uint32_t len)
{
	int32_t v;

	if (level != SOL_NETLINK || name != NETLINK_NO_ENOBUFS)
		return -ENOPROTOOPT;
	if (len < sizeof(v))
		return -EINVAL;
	if (FW_COPY_IN_OBJ(&v, val))
		return -EFAULT;
	fw_mutex_lock(&nl_lock);
	s->nl->no_enobufs = v != 0;
	if (v)
		s->nl->overrun = false;
	fw_mutex_unlock(&nl_lock);
	return 0;
}

static const struct sock_ops netlink_ops = {
	.release = nl_release,
	.destroy = nl_destroy,
	.pair = nl_pair,
	.bind = nl_bind,
	.connect = nl_connect,
	.listen = nl_listen,
	.accept = nl_accept,
	.getname = nl_getname,
	.sendmsg = nl_sendmsg,
	.recvmsg = nl_recvmsg,
	.shutdown = nl_shutdown,
	.poll = nl_poll,
	.ioctl = nl_ioctl,
	.sock_error = nl_sock_error,
	.listening = nl_listening,
	.peercred = nl_peercred,
	.setsockopt = nl_setsockopt,
};

void netlink_init(void)
{
	fw_mutex_init(&nl_lock, "netlink");
}

int netlink_create(int type, int protocol, struct socket **out)
{
	struct netlink_sock *nl;
	struct socket *s;

	if (type != SOCK_RAW && type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != NETLINK_ROUTE && protocol != NETLINK_SOCK_DIAG)
		return -EPROTONOSUPPORT;
	nl = FW_NEW(struct netlink_sock);
	if (!nl)
		return -ENOMEM;
	s = socket_alloc(AF_NETLINK, type, protocol, &netlink_ops);
	if (!s) {
		fw_free(nl);
		return -ENOMEM;
	}
	nl->s = s;
	s->nl = nl;
	fw_list_init(&nl->rcvq);
	fw_mutex_lock(&nl_lock);
	fw_list_add_tail(&nl_socks, &nl->node);
	fw_mutex_unlock(&nl_lock);
	*out = s;
	return 0;
}
