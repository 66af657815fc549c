/* services/net/inet/raw.c: SOCK_RAW/IPPROTO_RAW sockets, as far as they
 * go here.
 *
 * Layer: services (safe C), net/inet. Linux's IPPROTO_RAW socket is
 * send-only: each send carries its own IP header (IP_HDRINCL), and it
 * receives nothing. Here one can be created (root, CAP_NET_RAW, as
 * Linux) and used for what busybox udhcpc and ifconfig-like tools open
 * it for: the interface ioctls (sys_socket.c answers them for every
 * socket), and socket options. Sending a header-included packet, and
 * binding or connecting one, are not implemented: EOPNOTSUPP. It
 * receives nothing, as on Linux. (Added when the link layer was merged,
 * so that udhcpc runs; the IPv4 side may grow it into a real one.) */
#include "net/inet/inet.h"

static int raw_bind(struct socket *s, const struct sock_addr *a)
{
	(void)s, (void)a;
	return -EOPNOTSUPP;
}

static int raw_connect(struct socket *s, const struct sock_addr *a, bool nb)
{
	(void)s, (void)a, (void)nb;
	return -EOPNOTSUPP;
}

static long raw_sendmsg(struct socket *s, struct sock_msghdr *m,
			unsigned flags, bool nonblock)
{
	(void)s, (void)m, (void)flags, (void)nonblock;
	return -EOPNOTSUPP;
}

static const struct sock_ops raw_ops = {
	.release = dgram_release,
	.destroy = inet_sock_destroy,
	.pair = inet_no_pair,
	.bind = raw_bind,
	.connect = raw_connect,
	.listen = inet_no_listen,
	.accept = inet_no_accept,
	.getname = inet_getname,
	.sendmsg = raw_sendmsg,
	.recvmsg = dgram_recvmsg,
	.shutdown = dgram_shutdown,
	.poll = dgram_poll,
	.ioctl = dgram_ioctl,
	.sock_error = dgram_error,
	.listening = inet_never_listening,
	.peercred = inet_no_peercred,
	.setsockopt = inet_setsockopt,
	.getsockopt = inet_getsockopt,
};

int raw_create(struct socket **out)
{
	struct socket *s = inet_socket_new(SOCK_RAW, IPPROTO_RAW, &raw_ops);

	if (!s)
		return -ENOMEM;
	*out = s;
	return 0;
}
