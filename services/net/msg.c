/* services/net/msg.c: message payloads and addresses from and to user
 * space.
 *
 * Layer: services (safe C), net, after Linux lib/iov_iter.c and
 * net/socket.c (move_addr_to_kernel/user). The iovec array stays in user
 * memory and is read one entry at a time as the cursor reaches it: it was
 * checked entry by entry up front (import_iovec), and an entry changed by
 * another thread since then can only make a copy fail with EFAULT. A
 * cursor can also stand for a kernel buffer (splice to and from a
 * socket): the copies then move bytes within the kernel. */
#include "net/socket.h"

#define MAX_RW_COUNT 0x7ffff000ul /* Linux: INT_MAX & PAGE_MASK */

int iov_cursor_user(struct iov_cursor *c, fw_uptr_t uiov, uint64_t cnt)
{
	size_t total = 0;

	if (cnt > IOV_MAX)
		return -EINVAL;
	for (uint64_t i = 0; i < cnt; i++) {
		struct linux_iovec iov;

		if (FW_COPY_IN_OBJ(&iov, fw_uptr_add(uiov, i * sizeof(iov))))
			return -EFAULT;
		if ((int64_t)iov.iov_len < 0)
			return -EINVAL;
		if (!fw_uptr_range_ok(fw_uptr(iov.iov_base), iov.iov_len))
			return -EFAULT;
		if (iov.iov_len > MAX_RW_COUNT - total)
			iov.iov_len = MAX_RW_COUNT - total;
		total += iov.iov_len;
	}
	c->uiov = uiov;
	c->cnt = cnt;
	c->single = false;
	c->idx = 0;
	c->off = 0;
	c->left = total;
	return 0;
}

int iov_cursor_buf(struct iov_cursor *c, fw_uptr_t buf, size_t len)
{
	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	if (!fw_uptr_range_ok(buf, len))
		return -EFAULT;
	c->uiov = buf;
	c->cnt = 1;
	c->single = true;
	c->idx = 0;
	c->off = 0;
	c->left = len;
	return 0;
}

void iov_cursor_kernel_dst(struct iov_cursor *c, struct fw_buf dst)
{
	*c = (struct iov_cursor){ .cnt = 1, .single = true, .kernel = true,
				  .kdst = dst, .left = fw_buf_len(dst) };
}

void iov_cursor_kernel_src(struct iov_cursor *c, struct fw_bytes src)
{
	*c = (struct iov_cursor){ .cnt = 1, .single = true, .kernel = true,
				  .ksrc = src, .left = fw_bytes_len(src) };
}

/* The rest of the current entry: its user address and length (0 at the
 * end). Empty entries are skipped. */
static int iov_current(struct iov_cursor *c, fw_uptr_t *base, size_t *len)
{
	while (c->left && c->idx < c->cnt) {
		struct linux_iovec iov;

		if (c->single) {
			iov.iov_base = c->uiov.addr;
			iov.iov_len = c->left + c->off;
		} else if (FW_COPY_IN_OBJ(&iov, fw_uptr_add(c->uiov,
							     c->idx * sizeof(iov)))) {
			return -EFAULT;
		}
		if (iov.iov_len > c->off) {
			size_t n = iov.iov_len - c->off;

			*base = fw_uptr_add(fw_uptr(iov.iov_base), c->off);
			*len = n < c->left ? n : c->left;
			return 0;
		}
		c->idx++;
		c->off = 0;
	}
	*len = 0;
	return 0;
}

static void iov_advance(struct iov_cursor *c, size_t n)
{
	c->off += n;
	c->left -= n;
}

void iov_skip(struct iov_cursor *c, size_t n)
{
	if (c->kernel) {
		iov_advance(c, n < c->left ? n : c->left);
		return;
	}
	while (n && c->left) {
		fw_uptr_t base;
		size_t len;

		if (iov_current(c, &base, &len) || !len)
			return;
		if (len > n)
			len = n;
		iov_advance(c, len);
		n -= len;
	}
}

int iov_copy_in(struct iov_cursor *c, struct fw_buf dst)
{
	size_t done = 0, want = fw_buf_len(dst);

	if (c->kernel) {
		struct fw_bytes part;

		if (want > c->left || fw_bytes_sub(c->ksrc, c->off, want, &part) ||
		    fw_buf_copy_from(dst, 0, part))
			return -EFAULT;
		iov_advance(c, want);
		return 0;
	}
	while (done < want) {
		struct fw_buf part;
		fw_uptr_t base;
		size_t len;

		if (iov_current(c, &base, &len))
			return -EFAULT;
		if (!len)
			return -EFAULT; /* asked for more than the cursor holds */
		if (len > want - done)
			len = want - done;
		if (fw_buf_sub(dst, done, len, &part) || fw_copy_in(part, base))
			return -EFAULT;
		iov_advance(c, len);
		done += len;
	}
	return 0;
}

int iov_copy_out(struct iov_cursor *c, struct fw_bytes src)
{
	size_t done = 0, want = fw_bytes_len(src);

	if (c->kernel) {
		if (want > c->left || fw_buf_copy_from(c->kdst, c->off, src))
			return -EFAULT;
		iov_advance(c, want);
		return 0;
	}
	while (done < want) {
		struct fw_bytes part;
		fw_uptr_t base;
		size_t len;

		if (iov_current(c, &base, &len))
			return -EFAULT;
		if (!len)
			return -EFAULT;
		if (len > want - done)
			len = want - done;
		if (fw_bytes_sub(src, done, len, &part) ||
		    fw_copy_out(base, part))
			return -EFAULT;
		iov_advance(c, len);
		done += len;
	}
	return 0;
}

/* Linux move_addr_to_kernel: a length over sockaddr_storage is EINVAL;
 * zero means "no address". */
int sockaddr_in(struct sock_addr *a, fw_uptr_t u, uint32_t len)
{
	struct fw_buf b;

	if (len > SOCKADDR_MAX)
		return -EINVAL;
	a->len = len;
	if (len == 0)
		return 0;
	if (fw_buf_sub(FW_BUF_OF_ARRAY(a->b), 0, len, &b))
		return -EINVAL;
	return fw_copy_in(b, u);
}

/* Linux move_addr_to_user: read the caller's buffer size (negative:
 * EINVAL), copy at most that much of the address, and store the full
 * length, so a caller can see that it was cut short. */
int sockaddr_out(const struct sock_addr *a, fw_uptr_t u, fw_uptr_t ulen)
{
	int32_t have;
	uint32_t len = a->len;
	struct fw_bytes b;

	if (FW_COPY_IN_OBJ(&have, ulen))
		return -EFAULT;
	if (have < 0)
		return -EINVAL;
	if (len > (uint32_t)have)
		len = (uint32_t)have;
	if (len) {
		if (fw_bytes_sub(FW_BYTES_OF_ARRAY(a->b), 0, len, &b) ||
		    fw_copy_out(u, b))
			return -EFAULT;
	}
	have = (int32_t)a->len;
	return FW_COPY_OUT_OBJ(ulen, &have) ? -EFAULT : 0;
}

void sock_msghdr_done(struct sock_msghdr *m)
{
	scm_files_put(m->fp);
	m->fp = NULL;
	scm_files_put(m->rfp);
	m->rfp = NULL;
}
