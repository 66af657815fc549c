/* services/net/scm.c: control messages (SCM_RIGHTS, SCM_CREDENTIALS).
 *
 * Layer: services (safe C), net, after Linux net/core/scm.c. sendmsg's
 * control buffer is copied in whole (at most optmem_max bytes, ENOBUFS
 * beyond, as Linux) and walked with a reader: a header whose length is
 * shorter than a header or runs past the buffer is EINVAL, other levels
 * are skipped, an unknown SOL_SOCKET type is EINVAL. Passed files travel
 * as references (struct scm_files); recvmsg installs them as new
 * descriptors, as many as the control buffer has room for, and the rest
 * are closed with MSG_CTRUNC set. */
#include <fw/heap.h>

#include "current/current.h"
#include "fs/sys_util.h"
#include "net/socket.h"

#define OPTMEM_MAX 20480u /* net.core.optmem_max */

void scm_current_creds(struct scm_creds *out)
{
	const struct cred *c = fs_cred();

	out->pid = current_pid();
	out->uid = c->uid;
	out->gid = c->gid;
}

void scm_files_put(struct scm_files *fp)
{
	if (!fp)
		return;
	for (unsigned i = 0; i < fp->count && i < SCM_MAX_FD; i++)
		file_put(fp->f[i]);
	fw_free(fp);
}

struct scm_files *scm_files_dup(const struct scm_files *fp)
{
	struct scm_files *n = FW_NEW(struct scm_files);

	if (!n)
		return NULL;
	for (unsigned i = 0; i < fp->count && i < SCM_MAX_FD; i++) {
		file_get(fp->f[i]);
		n->f[i] = fp->f[i];
		n->count = i + 1;
	}
	return n;
}

/* Linux scm_check_creds: a process may claim its own pid and any of its
 * real, effective or saved ids; root may claim anything. */
static int scm_check_creds(const struct scm_creds *cr)
{
	const struct cred *c = fs_cred();
	bool root = cred_capable(c, CAP_SYS_ADMIN);

	if (cr->pid != current_pid() && !root)
		return -EPERM;
	if (cr->uid != c->uid && cr->uid != c->euid && cr->uid != c->suid &&
	    !root)
		return -EPERM;
	if (cr->gid != c->gid && cr->gid != c->egid && cr->gid != c->sgid &&
	    !root)
		return -EPERM;
	return 0;
}

static int scm_add_files(struct sock_msghdr *m, struct fw_reader *r,
			 size_t n)
{
	if (n == 0)
		return 0;
	if (n > SCM_MAX_FD)
		return -EINVAL;
	if (!m->fp) {
		m->fp = FW_NEW(struct scm_files);
		if (!m->fp)
			return -ENOMEM;
	}
	if (m->fp->count + n > SCM_MAX_FD)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		uint32_t fd;
		struct file *f;

		if (fw_reader_u32_le(r, &fd))
			return -EINVAL;
		f = sys_fget((int)fd);
		if (!f)
			return -EBADF;
		m->fp->f[m->fp->count++] = f;
	}
	return 0;
}

int scm_parse(struct sock_msghdr *m)
{
	struct fw_buf ctl;
	size_t off = 0, len = m->controllen;
	int err;

	if (len < CMSG_HDR_LEN)
		return 0; /* no first header: nothing to parse */
	if (len > OPTMEM_MAX)
		return -ENOBUFS;
	err = fw_buf_alloc(len, &ctl);
	if (err)
		return err;
	err = fw_copy_in(ctl, m->control);
	while (!err && len - off >= CMSG_HDR_LEN) {
		struct fw_reader r;
		uint64_t clen;
		uint32_t level, type;
		struct fw_bytes body;

		fw_reader_init(&r, fw_buf_as_bytes(ctl));
		if (fw_reader_skip(&r, off) || fw_reader_u64_le(&r, &clen) ||
		    fw_reader_u32_le(&r, &level) ||
		    fw_reader_u32_le(&r, &type)) {
			err = -EINVAL;
			break;
		}
		if (clen < CMSG_HDR_LEN || clen > len - off) {
			err = -EINVAL;
			break;
		}
		if (level == SOL_SOCKET) {
			size_t blen = (size_t)clen - CMSG_HDR_LEN;

			if (fw_bytes_sub(fw_buf_as_bytes(ctl),
					 off + CMSG_HDR_LEN, blen, &body)) {
				err = -EINVAL;
				break;
			}
			fw_reader_init(&r, body);
			if (type == SCM_RIGHTS) {
				err = scm_add_files(m, &r, blen / 4);
			} else if (type == SCM_CREDENTIALS) {
				uint32_t pid;

				if (blen != sizeof(struct linux_ucred) ||
				    fw_reader_u32_le(&r, &pid) ||
				    fw_reader_u32_le(&r, &m->creds.uid) ||
				    fw_reader_u32_le(&r, &m->creds.gid)) {
					err = -EINVAL;
					break;
				}
				m->creds.pid = (int32_t)pid;
				err = scm_check_creds(&m->creds);
				m->has_creds = !err;
			} else {
				err = -EINVAL;
			}
		}
		off += CMSG_ALIGN_TO((size_t)clen);
		if (off > len)
			break;
	}
	fw_buf_free(&ctl);
	if (err) {
		scm_files_put(m->fp);
		m->fp = NULL;
	}
	return err;
}

/* Linux put_cmsg: a header and data at the next free place of the
 * control buffer, cut short (MSG_CTRUNC) where it does not fit. */
int scm_put_cmsg(struct sock_msghdr *m, int level, int type,
		 struct fw_bytes data)
{
	size_t room = m->controllen - m->control_used;
	size_t cmlen = CMSG_LEN_OF(fw_bytes_len(data));
	struct linux_cmsghdr h;
	fw_uptr_t at = fw_uptr_add(m->control, m->control_used);

	if (room < CMSG_HDR_LEN) {
		m->out_flags |= MSG_CTRUNC;
		return 0;
	}
	if (room < cmlen) {
		m->out_flags |= MSG_CTRUNC;
		cmlen = room;
	}
	h.cmsg_len = cmlen;
	h.cmsg_level = level;
	h.cmsg_type = type;
	if (FW_COPY_OUT_OBJ(at, &h))
		return -EFAULT;
	if (cmlen > CMSG_HDR_LEN) {
		struct fw_bytes part;

		if (fw_bytes_sub(data, 0, cmlen - CMSG_HDR_LEN, &part) ||
		    fw_copy_out(fw_uptr_add(at, CMSG_HDR_LEN), part))
			return -EFAULT;
	}
	cmlen = CMSG_SPACE_OF(fw_bytes_len(data));
	m->control_used += cmlen < room ? cmlen : room;
	return 0;
}

/* Linux scm_detach_fds. */
static int detach_fds(struct sock_msghdr *m, unsigned flags)
{
	struct scm_files *fp = m->rfp;
	size_t room = m->controllen - m->control_used;
	size_t fdmax = room > CMSG_HDR_LEN ? (room - CMSG_HDR_LEN) / 4 : 0;
	fw_uptr_t at = fw_uptr_add(m->control, m->control_used);
	struct fdtable *t = current_files();
	unsigned i = 0;
	int err = 0;

	for (; i < fp->count && i < fdmax && t; i++) {
		int32_t fd = fd_install(t, fp->f[i],
					(flags & MSG_CMSG_CLOEXEC) ? O_CLOEXEC : 0);

		if (fd < 0)
			break;
		fp->f[i] = NULL; /* the table has this reference now */
		if (FW_COPY_OUT_OBJ(fw_uptr_add(at, CMSG_HDR_LEN + 4 * i), &fd)) {
			/* The number cannot reach the caller: take it back. */
			if (fd_close(t, fd)) { /* already closed by another thread */ }
			err = -EFAULT;
			i++;
			break;
		}
	}
	if (i > 0 && !err) {
		struct linux_cmsghdr h;
		size_t space = CMSG_SPACE_OF(4 * (size_t)i);

		h.cmsg_len = CMSG_LEN_OF(4 * (size_t)i);
		h.cmsg_level = SOL_SOCKET;
		h.cmsg_type = SCM_RIGHTS;
		if (FW_COPY_OUT_OBJ(at, &h))
			err = -EFAULT;
		m->control_used += space < room ? space : room;
	}
	if (i < fp->count)
		m->out_flags |= MSG_CTRUNC;
	/* What was not installed is closed (Linux __scm_destroy). */
	for (unsigned j = 0; j < fp->count && j < SCM_MAX_FD; j++)
		if (fp->f[j])
			file_put(fp->f[j]);
	fw_free(fp);
	m->rfp = NULL;
	return err;
}

int scm_deliver(struct sock_msghdr *m, unsigned flags)
{
	int err = 0;

	if (m->rcreds_valid) {
		struct linux_ucred u;

		u.pid = m->rcreds.pid;
		u.uid = m->rcreds.uid;
		u.gid = m->rcreds.gid;
		err = scm_put_cmsg(m, SOL_SOCKET, SCM_CREDENTIALS, FW_BYTES_OF_OBJ(&u));
	}
	if (!err && m->rfp)
		err = detach_fds(m, flags);
	return err;
}
