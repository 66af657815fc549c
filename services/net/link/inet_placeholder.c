/* services/net/link/inet_placeholder.c: PLACEHOLDER until the IPv4
 * branch (services/net/inet/) is merged. DELETE THIS FILE AT THE MERGE,
 * with the AF_INET line in sys_socket.c's create() and the declarations
 * marked PLACEHOLDER in link.h.
 *
 * Layer: services (safe C), net/link. Two stand-ins, so the link layer
 * links and can be tested alone:
 *  - ipv4_rcv: received IPv4 packets are dropped and counted (the
 *    device's rx_dropped, and placeholder_ipv4_dropped);
 *  - socket(AF_INET, ...): a socket that carries no data (every data
 *    operation answers EOPNOTSUPP) and exists only so that the
 *    interface ioctls, which ifconfig and udhcpc issue on an AF_INET
 *    socket, can be reached. SOCK_RAW needs CAP_NET_RAW, as Linux. */
#include <fw/errno.h>

#include "net/link/link.h"
#include "net/socket.h"

static _Atomic uint64_t placeholder_ipv4_dropped;

void ipv4_rcv(struct netdev *d, struct fw_bytes packet)
{
	(void)packet;
	atomic_fetch_add(&placeholder_ipv4_dropped, 1);
	atomic_fetch_add(&d->stats.rx_dropped, 1);
}

static void ph_release(struct socket *s) { (void)s; }
static int ph_pair(struct socket *a, struct socket *b)
{
	(void)a, (void)b;
	return -EOPNOTSUPP;
}
static int ph_bind(struct socket *s, const struct sock_addr *a)
{
	(void)s, (void)a;
	return -EOPNOTSUPP;
}
static int ph_connect(struct socket *s, const struct sock_addr *a, bool nb)
{
	(void)s, (void)a, (void)nb;
	return -EOPNOTSUPP;
}
static int ph_listen(struct socket *s, int backlog)
{
	(void)s, (void)backlog;
	return -EOPNOTSUPP;
}
static int ph_accept(struct socket *s, bool nb, struct socket **out)
{
	(void)s, (void)nb, (void)out;
	return -EOPNOTSUPP;
}
static int ph_getname(struct socket *s, bool peer, struct sock_addr *out)
{
	(void)s, (void)peer, (void)out;
	return -EOPNOTSUPP;
}
static long ph_sendmsg(struct socket *s, struct sock_msghdr *m, unsigned fl,
		       bool nb)
{
	(void)s, (void)m, (void)fl, (void)nb;
	return -EOPNOTSUPP;
}
static long ph_recvmsg(struct socket *s, struct sock_msghdr *m, unsigned fl,
		       bool nb)
{
	(void)s, (void)m, (void)fl, (void)nb;
	return -EOPNOTSUPP;
}
static int ph_shutdown(struct socket *s, unsigned how)
{
	(void)s, (void)how;
	return -EOPNOTSUPP;
}
static unsigned ph_poll(struct socket *s)
{
	(void)s;
	return 0;
}
static long ph_ioctl(struct socket *s, unsigned cmd, uint64_t arg)
{
	(void)s, (void)cmd, (void)arg;
	return -ENOTTY;
}
static int ph_sock_error(struct socket *s)
{
	(void)s;
	return 0;
}
static bool ph_listening(struct socket *s)
{
	(void)s;
	return false;
}
static int ph_peercred(struct socket *s, struct linux_ucred *out)
{
	(void)s;
	*out = (struct linux_ucred){ 0, (uint32_t)-1, (uint32_t)-1 };
	return 0;
}

static const struct sock_ops placeholder_inet_ops = {
	.release = ph_release,
	.pair = ph_pair,
	.bind = ph_bind,
	.connect = ph_connect,
	.listen = ph_listen,
	.accept = ph_accept,
	.getname = ph_getname,
	.sendmsg = ph_sendmsg,
	.recvmsg = ph_recvmsg,
	.shutdown = ph_shutdown,
	.poll = ph_poll,
	.ioctl = ph_ioctl,
	.sock_error = ph_sock_error,
	.listening = ph_listening,
	.peercred = ph_peercred,
};

int inet_placeholder_create(int type, int protocol, struct socket **out)
{
	struct socket *s;

	if (type != SOCK_DGRAM && type != SOCK_STREAM && type != SOCK_RAW)
		return -ESOCKTNOSUPPORT;
	if (type == SOCK_RAW && !link_capable())
		return -EPERM;
	s = socket_alloc(AF_INET, type, protocol, &placeholder_inet_ops);
	if (!s)
		return -ENOMEM;
	*out = s;
	return 0;
}
