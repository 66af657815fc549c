/* services/net/unix/unix_diag.c: NETLINK_SOCK_DIAG for AF_UNIX, what
 * `ss -x` asks (Linux net/unix/diag.c, include/uapi/linux/unix_diag.h).
 *
 * Layer: services (safe C), net; the NETLINK_SOCK_DIAG socket
 * (net/link/netlink.c) calls it for a SOCK_DIAG_BY_FAMILY request whose
 * family is AF_UNIX. Each socket with a file is one message: a
 * unix_diag_msg (type, state as Linux's TCP_* values, inode, cookie)
 * and the attributes the request's udiag_show asks for: the bound name,
 * the peer's inode, the inodes of connections waiting to be accepted
 * (at most ICONS_MAX), the queue lengths, the owner's uid; the shutdown
 * state always. UNIX_DIAG_VFS (the bound file's inode) and
 * UNIX_DIAG_MEMINFO are not given. A socket's cookie is its inode
 * number (Linux numbers sockets with a global counter): an exact request
 * names a socket by inode, and its cookie must match or be ~0 (ESTALE). */
#include <fw/errno.h>

#include "net/link/nlmsg.h"
#include "net/unix/unix.h"
#include "net/unix/unix_diag.h"

#define SOCK_DIAG_BY_FAMILY 20
#define AF_UNIX_NUM 1
#define UNIX_DIAG_REQ_LEN 24u	/* struct unix_diag_req */
#define UDIAG_SHOW_NAME 0x01u
#define UDIAG_SHOW_PEER 0x04u
#define UDIAG_SHOW_ICONS 0x08u
#define UDIAG_SHOW_RQLEN 0x10u
#define UDIAG_SHOW_UID 0x40u
#define UNIX_DIAG_NAME 0
#define UNIX_DIAG_PEER 2
#define UNIX_DIAG_ICONS 3
#define UNIX_DIAG_RQLEN 4
#define UNIX_DIAG_SHUTDOWN 6
#define UNIX_DIAG_UID 7
#define TCP_ESTABLISHED 1
#define TCP_CLOSE 7
#define TCP_LISTEN 10
#define ICONS_MAX 128u
/* Room a socket's message may need (header, name, icons, the rest). */
#define MSG_ROOM (NL_HDR + 16 + 8 + UNIX_ADDR_BYTES + 8 + ICONS_MAX * 4 + 64)

struct diag_req {
	uint32_t states, ino, show, cookie[2];
};

static int parse_req(struct fw_bytes req, struct diag_req *r)
{
	if (fw_bytes_len(req) < UNIX_DIAG_REQ_LEN ||
	    fw_bytes_get_u32_le(req, 4, &r->states) ||
	    fw_bytes_get_u32_le(req, 8, &r->ino) ||
	    fw_bytes_get_u32_le(req, 12, &r->show) ||
	    fw_bytes_get_u32_le(req, 16, &r->cookie[0]) ||
	    fw_bytes_get_u32_le(req, 20, &r->cookie[1]))
		return -EINVAL;
	return 0;
}

static unsigned diag_state(const struct unix_sock *u)
{
	if (u->state == UNIX_LISTEN)
		return TCP_LISTEN;
	if (u->state == UNIX_CONNECTED || u->peer)
		return TCP_ESTABLISHED;
	return TCP_CLOSE;
}

/* One socket's message (unix_lock held). */
static void diag_msg(struct nl_out *o, const struct unix_sock *u,
		     const struct diag_req *r, uint16_t flags, uint32_t seq,
		     int32_t portid)
{
	uint32_t ino = (uint32_t)atomic_load(&u->sk->ino);
	struct fw_bytes name;

	nl_msg_begin(o, SOCK_DIAG_BY_FAMILY, flags, seq, portid);
	nl_put_u8(o, AF_UNIX_NUM);
	nl_put_u8(o, (uint8_t)u->sk->type);
	nl_put_u8(o, (uint8_t)diag_state(u));
	nl_put_u8(o, 0);
	nl_put_u32(o, ino);
	nl_put_u32(o, ino); /* the cookie (see the top) */
	nl_put_u32(o, 0);
	/* The name as bound: a path with its NUL, or "\0" and the rest. */
	if ((r->show & UDIAG_SHOW_NAME) && u->addr.len > UNIX_FAMILY_LEN &&
	    !fw_bytes_sub(FW_BYTES_OF_ARRAY(u->addr.b), UNIX_FAMILY_LEN,
			  u->addr.len - UNIX_FAMILY_LEN, &name))
		nl_attr(o, UNIX_DIAG_NAME, name);
	if ((r->show & UDIAG_SHOW_PEER) && u->peer)
		nl_attr_u32(o, UNIX_DIAG_PEER,
			    (uint32_t)atomic_load(&u->peer->ino));
	if ((r->show & UDIAG_SHOW_ICONS) && u->state == UNIX_LISTEN) {
		const struct unix_sock *e;
		uint32_t icons[ICONS_MAX];
		unsigned n = 0;
		struct fw_bytes b;

		FW_LIST_FOR_EACH(e, &u->acceptq, accept_node) {
			if (n == ICONS_MAX)
				break;
			/* An embryo has no file: Linux names it by the
			 * inode its socket will have, 0 here. */
			icons[n++] = (uint32_t)atomic_load(&e->sk->ino);
		}
		if (!fw_bytes_sub(FW_BYTES_OF_ARRAY(icons), 0, n * 4u, &b))
			nl_attr(o, UNIX_DIAG_ICONS, b);
	}
	if (r->show & UDIAG_SHOW_RQLEN) {
		/* A listener: its backlog; else the unread bytes and the
		 * bytes it has queued at its peer. */
		uint32_t q[2] = { (uint32_t)u->rcvq_bytes, (uint32_t)u->wmem };

		if (u->state == UNIX_LISTEN) {
			q[0] = u->acceptq_len;
			q[1] = (uint32_t)u->backlog;
		}
		nl_attr(o, UNIX_DIAG_RQLEN, FW_BYTES_OF_ARRAY(q));
	}
	if (r->show & UDIAG_SHOW_UID)
		nl_attr_u32(o, UNIX_DIAG_UID, atomic_load(&u->sk->uid));
	nl_attr_u8(o, UNIX_DIAG_SHUTDOWN, (uint8_t)u->shutdown);
	nl_msg_end(o);
}

static bool listed(const struct unix_sock *u)
{
	return !u->dead && atomic_load(&u->sk->ino) != 0;
}

int unix_diag_dump(struct nl_out *o, struct fw_bytes req, uint32_t seq,
		   int32_t portid, unsigned *pos, bool *more)
{
	struct diag_req r;
	struct unix_sock *u;
	unsigned i = 0;

	*more = false;
	if (parse_req(req, &r))
		return -EINVAL;
	fw_mutex_lock(&unix_lock);
	FW_LIST_FOR_EACH(u, unix_all_list(), all_node) {
		if (!listed(u) || !((r.states >> diag_state(u)) & 1))
			continue;
		if (i++ < *pos)
			continue;
		/* A full datagram goes out; the reader gets the rest in
		 * the next (Linux's netlink_dump, one skb at a time). */
		if (o->len + MSG_ROOM > NL_DUMP_MAX) {
			*more = true;
			break;
		}
		diag_msg(o, u, &r, NLM_F_MULTI, seq, portid);
		(*pos)++;
	}
	fw_mutex_unlock(&unix_lock);
	return 0;
}

int unix_diag_get(struct nl_out *o, struct fw_bytes req, uint32_t seq,
		  int32_t portid)
{
	struct diag_req r;
	struct unix_sock *u;
	int err = -ENOENT;

	if (parse_req(req, &r))
		return -EINVAL;
	if (r.ino == 0)
		return -EINVAL; /* Linux's unix_diag_get_exact */
	fw_mutex_lock(&unix_lock);
	FW_LIST_FOR_EACH(u, unix_all_list(), all_node) {
		if (!listed(u) || atomic_load(&u->sk->ino) != r.ino)
			continue;
		if ((r.cookie[0] != ~0u || r.cookie[1] != ~0u) &&
		    (r.cookie[0] != r.ino || r.cookie[1] != 0)) {
			err = -ESTALE;
			break;
		}
		diag_msg(o, u, &r, 0, seq, portid);
		err = 0;
		break;
	}
	fw_mutex_unlock(&unix_lock);
	return err;
}
