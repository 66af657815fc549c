/* services/net/sockopt.c: SOL_SOCKET options (setsockopt, getsockopt).
 *
 * Layer: services (safe C), net, after Linux sk_setsockopt/sk_getsockopt.
 * Integer options need optlen >= sizeof(int) (EINVAL); getsockopt copies
 * at most the caller's optlen and stores the length used. Buffer sizes
 * are clamped to net.core.{w,r}mem_max and doubled (Linux counts its
 * bookkeeping in them), with a floor. Options this kernel does not have
 * give ENOPROTOOPT, as Linux does for unknown names; other levels give
 * EOPNOTSUPP (AF_UNIX has no protocol-level options). */
#include "current/current.h"
#include "net/socket.h"

#define NSEC_PER_USEC 1000ull
#define NSEC_PER_SEC 1000000000ull

/* The yes/no options that are stored and reported but change nothing
 * for a Unix socket (bit n of bool_opts is option n). */
static bool stored_bool_opt(int name)
{
	return name == SO_REUSEADDR || name == SO_KEEPALIVE || name == SO_REUSEPORT ||
	       name == SO_BROADCAST || name == SO_OOBINLINE ||
	       name == SO_DONTROUTE;
}

static int set_timeout(_Atomic uint64_t *slot, fw_uptr_t val, uint32_t len)
{
	struct linux_timeval tv;

	if (len < sizeof(tv))
		return -EINVAL;
	if (FW_COPY_IN_OBJ(&tv, val))
		return -EFAULT;
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0) {
		/* Linux: a negative time means "do not wait" (reported as
		 * 0); 0 here means "for ever", so store the shortest wait. */
		atomic_store(slot, 1);
		return 0;
	}
	if ((uint64_t)tv.tv_sec > UINT64_MAX / NSEC_PER_SEC / 2)
		tv.tv_sec = 0, tv.tv_usec = 0; /* beyond any clock: no timeout */
	atomic_store(slot, (uint64_t)tv.tv_sec * NSEC_PER_SEC +
				   (uint64_t)tv.tv_usec * NSEC_PER_USEC);
	return 0;
}

static uint32_t clamp_buf(int32_t val, uint32_t floor)
{
	uint32_t v = (uint32_t)val; /* Linux min_t(u32, ...): negative is huge */

	if (v > SOCK_MAX_BUF)
		v = SOCK_MAX_BUF;
	v *= 2;
	return v < floor ? floor : v;
}

int sock_setsockopt(struct socket *s, int level, int name, fw_uptr_t val,
		    uint32_t len)
{
	int32_t v = 0;

	if (level != SOL_SOCKET)
		return s->ops->setsockopt ? s->ops->setsockopt(s, level, name, val, len)
					  : -EOPNOTSUPP;
	/* The socket filter: the family applies it (AF_PACKET), so the
	 * family's hook takes it; ENOPROTOOPT where none does. */
	if (name == SO_ATTACH_FILTER || name == SO_DETACH_FILTER ||
	    name == SO_LOCK_FILTER)
		return s->ops->setsockopt
			       ? s->ops->setsockopt(s, level, name, val, len)
			       : -ENOPROTOOPT;
	if (name == SO_RCVTIMEO_OLD)
		return set_timeout(&s->rcvtimeo_ns, val, len);
	if (name == SO_SNDTIMEO_OLD)
		return set_timeout(&s->sndtimeo_ns, val, len);
	if (name == SO_LINGER) {
		struct linux_linger l;

		if (len < sizeof(l))
			return -EINVAL;
		if (FW_COPY_IN_OBJ(&l, val))
			return -EFAULT;
		atomic_store(&s->linger_onoff, l.l_onoff ? 1 : 0);
		atomic_store(&s->linger_secs, l.l_linger);
		return 0;
	}
	if (len < sizeof(v))
		return -EINVAL;
	if (FW_COPY_IN_OBJ(&v, val))
		return -EFAULT;
	if (stored_bool_opt(name)) {
		if (v)
			atomic_fetch_or(&s->bool_opts, 1u << name);
		else
			atomic_fetch_and(&s->bool_opts, ~(1u << name));
		return 0;
	}
	switch (name) {
	case SO_SNDBUF:
		atomic_store(&s->sndbuf, clamp_buf(v, SOCK_MIN_SNDBUF));
		socket_wake(s); /* more room may make a writer runnable */
		return 0;
	case SO_RCVBUF:
		atomic_store(&s->rcvbuf, clamp_buf(v, SOCK_MIN_RCVBUF));
		return 0;
	case SO_PASSCRED:
		atomic_store(&s->passcred, v != 0);
		return 0;
	case SO_PRIORITY:
		/* Linux: 0..6 for anyone, above that CAP_NET_ADMIN. */
		if ((v < 0 || v > 6) && !cred_capable(fs_cred(), CAP_NET_ADMIN))
			return -EPERM;
		atomic_store(&s->priority, v);
		return 0;
	case SO_RCVLOWAT:
		atomic_store(&s->rcvlowat, v < 0 ? 0x7fffffff : (v ? v : 1));
		return 0;
	default:
		/* Read-only ones (SO_TYPE, SO_PEERCRED, ...) and unknown. */
		return -ENOPROTOOPT;
	}
}

static struct linux_timeval get_timeout(uint64_t ns)
{
	struct linux_timeval tv;

	tv.tv_sec = (int64_t)(ns / NSEC_PER_SEC);
	tv.tv_usec = (int64_t)((ns % NSEC_PER_SEC) / NSEC_PER_USEC);
	return tv;
}

int sock_getsockopt(struct socket *s, int level, int name, fw_uptr_t val,
		    fw_uptr_t ulen)
{
	int32_t len, v = 0;
	struct linux_timeval tv;
	struct linux_linger l;
	struct linux_ucred cr;
	struct fw_bytes out = FW_BYTES_OF_OBJ(&v);
	struct fw_bytes part;
	int err;

	if (FW_COPY_IN_OBJ(&len, ulen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (level != SOL_SOCKET)
		return s->ops->getsockopt ? s->ops->getsockopt(s, level, name, val, ulen)
					  : -EOPNOTSUPP;
	if (name == SO_BINDTODEVICE) {
		/* No socket is bound to a device here (setting it is
		 * ENOPROTOOPT), so the answer is Linux's for an unbound one,
		 * whatever the buffer's size: an empty name (sshd asks, for
		 * its routing domain). */
		len = 0;
		return FW_COPY_OUT_OBJ(ulen, &len) ? -EFAULT : 0;
	}
	if (stored_bool_opt(name)) {
		v = (atomic_load(&s->bool_opts) >> name) & 1;
	} else {
		switch (name) {
		case SO_TYPE: v = s->type; break;
		case SO_DOMAIN: v = s->family; break;
		case SO_PROTOCOL: v = s->protocol; break;
		case SO_ERROR: v = -s->ops->sock_error(s); break;
		case SO_ACCEPTCONN: v = s->ops->listening(s); break;
		case SO_SNDBUF: v = (int32_t)atomic_load(&s->sndbuf); break;
		case SO_RCVBUF: v = (int32_t)atomic_load(&s->rcvbuf); break;
		case SO_PASSCRED: v = atomic_load(&s->passcred); break;
		case SO_PRIORITY: v = atomic_load(&s->priority); break;
		case SO_RCVLOWAT: v = atomic_load(&s->rcvlowat); break;
		case SO_SNDLOWAT: v = 1; break;
		case SO_RCVTIMEO_OLD:
		case SO_SNDTIMEO_OLD:
			tv = get_timeout(atomic_load(name == SO_RCVTIMEO_OLD
							     ? &s->rcvtimeo_ns
							     : &s->sndtimeo_ns));
			out = FW_BYTES_OF_OBJ(&tv);
			break;
		case SO_LINGER:
			l.l_onoff = atomic_load(&s->linger_onoff);
			l.l_linger = atomic_load(&s->linger_secs);
			out = FW_BYTES_OF_OBJ(&l);
			break;
		case SO_PEERCRED:
			err = s->ops->peercred(s, &cr);
			if (err)
				return err;
			out = FW_BYTES_OF_OBJ(&cr);
			break;
		default:
			return -ENOPROTOOPT;
		}
	}
	if ((size_t)len > fw_bytes_len(out))
		len = (int32_t)fw_bytes_len(out);
	if (len && (fw_bytes_sub(out, 0, (size_t)len, &part) ||
		    fw_copy_out(val, part)))
		return -EFAULT;
	return FW_COPY_OUT_OBJ(ulen, &len) ? -EFAULT : 0;
}
