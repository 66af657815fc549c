/* services/net/inet/inet_sock.c: AF_INET sockets, what the protocols
 * share.
 *
 * Layer: services (safe C), net/inet, after Linux net/ipv4/af_inet.c,
 * inet_connection_sock.c (port conflicts), ip_sockglue.c (IPPROTO_IP
 * options). socket(2) picks the protocol as Linux inet_create: a type
 * with no protocol is ESOCKTNOSUPPORT, a protocol the type does not
 * carry EPROTONOSUPPORT, SOCK_RAW needs root (EPERM) and is ICMP only
 * here. Ports: bind(port 0) and an unbound connect/sendto take one from
 * 32768-60999 (ip_local_port_range), from a random start; ports below
 * 1024 need root (EACCES). Two sockets conflict on a port when their
 * addresses overlap (equal, or either is INADDR_ANY), unless both set
 * SO_REUSEADDR and (TCP) the other is not listening, or both set
 * SO_REUSEPORT (Linux inet_bind_conflict, udp_lib_lport_inuse). */
#include <fw/string.h>
#include <fw/time.h>

#include "current/current.h"
#include "net/tcp/tcp.h"

struct fw_spinlock inet_lock = FW_SPINLOCK_INIT("inet");
struct inet_table udp_table, tcp_table, icmp_table;

static void table_init(struct inet_table *t, int proto)
{
	for (unsigned i = 0; i < INET_HASH; i++)
		fw_list_init(&t->h[i]);
	fw_list_init(&t->all);
	t->proto = proto;
}

void inet_init(void)
{
	table_init(&udp_table, IPPROTO_UDP);
	table_init(&tcp_table, IPPROTO_TCP);
	table_init(&icmp_table, IPPROTO_ICMP);
	loopback_init();
}

uint64_t inet_random(void)
{
	static _Atomic uint64_t state;
	uint64_t x = atomic_fetch_add(&state, 0x9e3779b97f4a7c15ull) ^
		     fw_time_ns();

	/* splitmix64: well spread, not a secret (Linux uses SipHash with a
	 * boot key for ISNs and ports). */
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

int inet_create(int type, int protocol, struct socket **out)
{
	if (protocol < 0 || protocol >= 256)
		return -EINVAL;
	switch (type) {
	case SOCK_STREAM:
		if (protocol != IPPROTO_IP && protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		return tcp_create(out);
	case SOCK_DGRAM:
		if (protocol == IPPROTO_ICMP)
			return icmp_create(SOCK_DGRAM, out);
		if (protocol != IPPROTO_IP && protocol != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		return udp_create(out);
	case SOCK_RAW:
		if (!cred_capable(fs_cred(), CAP_NET_RAW))
			return -EPERM; /* CAP_NET_RAW */
		if (protocol == IPPROTO_RAW)
			return raw_create(out); /* raw.c: no sends yet */
		if (protocol != IPPROTO_ICMP)
			return -EPROTONOSUPPORT; /* raw IP is ICMP only here */
		return icmp_create(SOCK_RAW, out);
	default:
		return -ESOCKTNOSUPPORT;
	}
}

static struct inet_sock *inet_sock_new(struct socket *s, int proto)
{
	struct inet_sock *in = FW_NEW(struct inet_sock);

	if (!in)
		return NULL;
	in->sk = s;
	in->proto = proto;
	in->ttl = 0; /* 0: the default, 64 */
	in->pmtudisc = IP_PMTUDISC_WANT; /* ip_no_pmtu_disc 0 */
	fw_list_init(&in->hnode);
	fw_list_init(&in->all_node);
	fw_list_init(&in->rcvq);
	fw_list_init(&in->synq);
	fw_list_init(&in->acceptq);
	fw_list_init(&in->child_node);
	fw_list_init(&in->wq);
	fw_list_init(&in->rtxq);
	fw_list_init(&in->oooq);
	fw_list_init(&in->ack_node);
	fw_list_init(&in->timer_node);
	fw_mutex_init(&in->rlock, "inet-recv");
	fw_mutex_init(&in->wlock, "inet-send");
	in->state = TCP_CLOSE;
	s->in = in;
	return in;
}

struct socket *inet_socket_new(int type, int proto, const struct sock_ops *ops)
{
	struct socket *s = socket_alloc(AF_INET, type, proto, ops);

	if (s && !inet_sock_new(s, proto)) {
		socket_put(s);
		return NULL;
	}
	return s;
}

void inet_sock_free(struct inet_sock *in)
{
	if (!in)
		return;
	skb_list_purge(&in->rcvq);
	skb_list_purge(&in->oooq);
	while (!fw_list_empty(&in->wq)) {
		struct skb *s = FW_LIST_FIRST(&in->wq, struct skb, snode);

		fw_list_del(&s->snode);
		skb_put(s);
	}
	while (!fw_list_empty(&in->rtxq)) {
		struct skb *s = FW_LIST_FIRST(&in->rtxq, struct skb, snode);

		fw_list_del(&s->snode);
		skb_put(s);
	}
	in->sk->in = NULL;
	fw_free(in);
}

int inet_addr_parse(const struct sock_addr *a, uint32_t *addr, uint16_t *port,
		    bool allow_unspec, bool *unspec)
{
	struct fw_bytes b = FW_BYTES_OF_ARRAY(a->b);
	uint16_t fam;

	if (unspec)
		*unspec = false;
	if (a->len < 2 || fw_bytes_get_u16_le(b, 0, &fam))
		return -EINVAL;
	if (fam == AF_UNSPEC && allow_unspec && unspec) {
		*unspec = true;
		return 0;
	}
	if (a->len < SOCKADDR_IN_LEN)
		return -EINVAL;
	if (fam != AF_INET && !(fam == AF_UNSPEC && allow_unspec))
		return -EAFNOSUPPORT;
	if (fw_bytes_get_u16_be(b, 2, port) || fw_bytes_get_u32_be(b, 4, addr))
		return -EINVAL;
	return 0;
}

void inet_addr_make(struct sock_addr *a, uint32_t addr, uint16_t port)
{
	struct fw_buf b = FW_BUF_OF_ARRAY(a->b);

	memset(a->b, 0, sizeof a->b);
	a->len = SOCKADDR_IN_LEN;
	if (fw_buf_put_u16_le(b, 0, AF_INET) || fw_buf_put_u16_be(b, 2, port) ||
	    fw_buf_put_u32_be(b, 4, addr))
		a->len = 0;
}

bool inet_reuseaddr(const struct inet_sock *in)
{
	return (atomic_load(&in->sk->bool_opts) >> SO_REUSEADDR) & 1;
}

bool inet_reuseport(const struct inet_sock *in)
{
	return (atomic_load(&in->sk->bool_opts) >> SO_REUSEPORT) & 1;
}

struct fw_list *inet_bucket(struct inet_table *t, uint16_t port)
{
	return &t->h[port % INET_HASH];
}

void inet_hash_locked(struct inet_table *t, struct inet_sock *in)
{
	if (in->hashed)
		return;
	fw_list_add_tail(inet_bucket(t, in->lport), &in->hnode);
	in->hashed = true;
}

void inet_unhash_locked(struct inet_table *t, struct inet_sock *in)
{
	if (!in->hashed)
		return;
	fw_list_del(&in->hnode);
	in->hashed = false;
}

/* Does binding in to (addr, port) conflict with a socket already there? */
static bool conflict(struct inet_table *t, struct inet_sock *in,
		     uint32_t addr, uint16_t port)
{
	struct inet_sock *o;

	FW_LIST_FOR_EACH(o, inet_bucket(t, port), hnode) {
		if (o == in || o->lport != port)
			continue;
		if (o->laddr != INADDR_ANY && addr != INADDR_ANY &&
		    o->laddr != addr)
			continue;
		if (inet_reuseaddr(in) && inet_reuseaddr(o) &&
		    (t->proto != IPPROTO_TCP || o->state != TCP_LISTEN))
			continue;
		if (inet_reuseport(in) && inet_reuseport(o))
			continue;
		return true;
	}
	return false;
}

static bool port_empty(struct inet_table *t, uint16_t port)
{
	struct inet_sock *o;

	FW_LIST_FOR_EACH(o, inet_bucket(t, port), hnode)
		if (o->lport == port)
			return false;
	return true;
}

int inet_bind_locked(struct inet_table *t, struct inet_sock *in,
		     uint32_t addr, uint16_t port)
{
	if (in->lport)
		return -EINVAL;
	if (port == 0) {
		uint32_t n = INET_EPHEM_HI - INET_EPHEM_LO + 1;
		uint32_t start = t->next_ephem ? t->next_ephem
					       : (uint32_t)(inet_random() % n);

		for (uint32_t i = 0; i < n; i++) {
			uint16_t p = (uint16_t)(INET_EPHEM_LO + (start + i) % n);

			if (port_empty(t, p)) {
				port = p;
				/* next search starts past this one, with a
				 * small random step (Linux's is keyed) */
				t->next_ephem = (start + i + 1 +
						 (uint32_t)(inet_random() & 7)) % n;
				break;
			}
		}
		if (!port)
			return -EADDRINUSE;
		in->autobound = true;
	} else if (conflict(t, in, addr, port)) {
		return -EADDRINUSE;
	}
	in->laddr = addr;
	in->lport = port;
	inet_hash_locked(t, in);
	return 0;
}

static struct inet_table *table_of(struct inet_sock *in)
{
	if (in->proto == IPPROTO_TCP)
		return &tcp_table;
	if (in->proto == IPPROTO_UDP)
		return &udp_table;
	return &icmp_table;
}

int inet_bind(struct socket *s, const struct sock_addr *a)
{
	struct inet_sock *in = inet_of(s);
	uint32_t addr = 0;
	uint16_t port = 0, fam = 0;
	int err;

	if (a->len < SOCKADDR_IN_LEN)
		return -EINVAL;
	if (fw_bytes_get_u16_le(FW_BYTES_OF_ARRAY(a->b), 0, &fam))
		return -EINVAL;
	err = inet_addr_parse(a, &addr, &port, true, NULL);
	if (err)
		return err;
	/* Linux: AF_UNSPEC is taken for AF_INET only with INADDR_ANY. */
	if (fam == AF_UNSPEC && addr != INADDR_ANY)
		return -EAFNOSUPPORT;
	if (addr != INADDR_ANY && !inet_addr_local(addr) &&
	    !(in->proto == IPPROTO_UDP && inet_addr_bcast(addr)))
		return -EADDRNOTAVAIL;
	if (port && port < 1024 && !cred_capable(fs_cred(), CAP_NET_BIND_SERVICE))
		return -EACCES;
	if (in->proto == IPPROTO_ICMP)
		port = 0; /* ping sockets: the id is picked at connect/send */
	fw_spin_lock(&inet_lock);
	if (in->lport || (in->proto == IPPROTO_TCP && in->state != TCP_CLOSE))
		err = -EINVAL;
	else if (in->proto == IPPROTO_ICMP) {
		in->laddr = addr;
		err = 0;
	} else
		err = inet_bind_locked(table_of(in), in, addr, port);
	if (!err) {
		in->autobound = port == 0; /* Linux SOCK_BINDPORT_LOCK */
		in->addr_bound = addr != INADDR_ANY;
	}
	fw_spin_unlock(&inet_lock);
	return err;
}

int inet_getname(struct socket *s, bool peer, struct sock_addr *out)
{
	struct inet_sock *in = inet_of(s);
	int err = 0;

	fw_spin_lock(&inet_lock);
	if (peer) {
		bool tcp_unconn = in->proto == IPPROTO_TCP &&
				  (in->state == TCP_CLOSE ||
				   in->state == TCP_SYN_SENT ||
				   in->state == TCP_LISTEN);

		if (!in->rport || tcp_unconn || (in->proto != IPPROTO_TCP &&
						 !in->connected))
			err = -ENOTCONN;
		else
			inet_addr_make(out, in->raddr, in->rport);
	} else {
		inet_addr_make(out, in->laddr,
			       in->proto == IPPROTO_ICMP ? in->icmp_id : in->lport);
	}
	fw_spin_unlock(&inet_lock);
	return err;
}

int inet_put_int(int32_t v, fw_uptr_t val, fw_uptr_t ulen)
{
	int32_t len;

	if (FW_COPY_IN_OBJ(&len, ulen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (len >= 4) {
		len = 4;
		if (FW_COPY_OUT_OBJ(val, &v))
			return -EFAULT;
	} else if (len > 0) {
		/* Linux ip_getsockopt: a short buffer gets one byte */
		uint8_t b = (uint8_t)v;

		len = 1;
		if (FW_COPY_OUT_OBJ(val, &b))
			return -EFAULT;
	}
	return FW_COPY_OUT_OBJ(ulen, &len) ? -EFAULT : 0;
}

static int get_optint(fw_uptr_t val, uint32_t len, int32_t *v)
{
	uint8_t b;

	if (len >= 4)
		return FW_COPY_IN_OBJ(v, val) ? -EFAULT : 0;
	if (len >= 1) {
		if (FW_COPY_IN_OBJ(&b, val))
			return -EFAULT;
		*v = b;
		return 0;
	}
	return -EINVAL;
}

static int ip_setsockopt(struct inet_sock *in, int name, fw_uptr_t val,
			 uint32_t len)
{
	int32_t v = 0;
	int err;

	switch (name) {
	case IP_TTL:
	case IP_TOS:
	case IP_PKTINFO:
	case IP_RECVTTL:
	case IP_RECVTOS:
	case IP_RECVERR:
	case IP_MTU_DISCOVER:
	case IP_MULTICAST_TTL:
	case IP_MULTICAST_LOOP:
	case IP_HDRINCL:
		break;
	default:
		return -ENOPROTOOPT;
	}
	err = get_optint(val, len, &v);
	if (err)
		return err;
	fw_spin_lock(&inet_lock);
	switch (name) {
	case IP_TTL:
		if (len < 4)
			err = -EINVAL;
		else if (v == -1)
			in->ttl = 0;
		else if (v < 1 || v > 255)
			err = -EINVAL;
		else
			in->ttl = (uint8_t)v;
		break;
	case IP_TOS:
		in->tos = (uint8_t)v;
		break;
	case IP_PKTINFO: in->pktinfo = v != 0; break;
	case IP_RECVTTL: in->recvttl = v != 0; break;
	case IP_RECVTOS: in->recvtos = v != 0; break;
	case IP_RECVERR: in->recverr = v != 0; break;
	case IP_MTU_DISCOVER:
		if (v < IP_PMTUDISC_DONT || v > IP_PMTUDISC_OMIT)
			err = -EINVAL;
		else
			in->pmtudisc = (uint8_t)v;
		break;
	case IP_HDRINCL:
		if (in->sk->type != SOCK_RAW)
			err = -ENOPROTOOPT;
		else
			in->hdrincl = v != 0;
		break;
	default:
		break; /* multicast: stored nowhere, no multicast here */
	}
	fw_spin_unlock(&inet_lock);
	return err;
}

static int ip_getsockopt(struct inet_sock *in, int name, fw_uptr_t val,
			 fw_uptr_t ulen)
{
	int32_t v;
	struct route rt;

	switch (name) {
	case IP_TTL: v = in->ttl ? in->ttl : IP_DEFAULT_TTL; break;
	case IP_TOS: v = in->tos; break;
	case IP_PKTINFO: v = in->pktinfo; break;
	case IP_RECVTTL: v = in->recvttl; break;
	case IP_RECVTOS: v = in->recvtos; break;
	case IP_RECVERR: v = in->recverr; break;
	case IP_MTU_DISCOVER: v = in->pmtudisc; break;
	case IP_MULTICAST_TTL: v = 1; break;
	case IP_MULTICAST_LOOP: v = 1; break;
	case IP_HDRINCL:
		if (in->sk->type != SOCK_RAW)
			return -ENOPROTOOPT;
		v = in->hdrincl;
		break;
	case IP_MTU:
		if (!in->rport && !in->connected &&
		    !(in->proto == IPPROTO_TCP && in->state == TCP_ESTABLISHED))
			return -ENOTCONN;
		if (route_lookup(in->raddr, &rt))
			return -ENOTCONN;
		v = (int32_t)rt.dev->mtu;
		break;
	default:
		return -ENOPROTOOPT;
	}
	return inet_put_int(v, val, ulen);
}

int inet_setsockopt(struct socket *s, int level, int name, fw_uptr_t val,
		    uint32_t len)
{
	struct inet_sock *in = inet_of(s);

	if (level == SOL_IP)
		return ip_setsockopt(in, name, val, len);
	if (level == SOL_TCP && in->proto == IPPROTO_TCP)
		return tcp_setsockopt(s, name, val, len);
	if (level == SOL_UDP && in->proto == IPPROTO_UDP)
		return -ENOPROTOOPT;
	return -ENOPROTOOPT;
}

int inet_getsockopt(struct socket *s, int level, int name, fw_uptr_t val,
		    fw_uptr_t ulen)
{
	struct inet_sock *in = inet_of(s);

	if (level == SOL_IP)
		return ip_getsockopt(in, name, val, ulen);
	if (level == SOL_TCP && in->proto == IPPROTO_TCP)
		return tcp_getsockopt(s, name, val, ulen);
	return -ENOPROTOOPT;
}

/* struct in_pktinfo */
struct linux_in_pktinfo {
	int32_t ipi_ifindex;
	uint32_t ipi_spec_dst;		/* network order */
	uint32_t ipi_addr;
};

void inet_put_cmsgs(struct inet_sock *in, struct skb *s, struct sock_msghdr *m)
{
	if (!m->controllen)
		return;
	if (in->pktinfo) {
		struct linux_in_pktinfo pi;

		pi.ipi_ifindex = s->dev ? s->dev->ifindex : 0;
		pi.ipi_spec_dst = __builtin_bswap32(s->daddr);
		pi.ipi_addr = __builtin_bswap32(s->daddr);
		if (scm_put_cmsg(m, SOL_IP, IP_PKTINFO, FW_BYTES_OF_OBJ(&pi)))
			return;
	}
	if (in->recvttl) {
		int32_t v = s->ttl;

		if (scm_put_cmsg(m, SOL_IP, IP_TTL, FW_BYTES_OF_OBJ(&v)))
			return;
	}
	if (in->recvtos) {
		uint8_t v = s->tos;

		if (scm_put_cmsg(m, SOL_IP, IP_TOS, FW_BYTES_OF_OBJ(&v)))
			return;
	}
}

void inet_icmp_error(int proto, uint32_t saddr, uint32_t daddr,
		     uint16_t sport, uint16_t dport, int err)
{
	fw_spin_lock(&inet_lock);
	if (proto == IPPROTO_UDP)
		udp_err_locked(saddr, daddr, sport, dport, err);
	else if (proto == IPPROTO_TCP)
		tcp_err_locked(saddr, daddr, sport, dport, err);
	tcp_unlock();
}
