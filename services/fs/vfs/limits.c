/* services/fs/vfs/limits.c: what the file systems' writes share: how
 * large a regular file may grow, and where a write's bytes come from.
 *
 * Layer: services (safe C), VFS. Two limits apply, in Linux's order
 * (generic_write_check_limits, inode_newsize_ok): the caller's
 * RLIMIT_FSIZE, which answers with SIGXFSZ and -EFBIG, then the file
 * system's own maximum, which answers with -EFBIG alone. A write that
 * starts below a limit and crosses it is cut short there. The bytes come
 * from the user (write(2)) or a kernel buffer (splice, sendfile): file
 * systems copy them chunk by chunk with vfs_wsrc_copy, through a bounce
 * buffer from vfs_bounce_alloc. */
#include <fw/errno.h>
#include <fw/frame.h>
#include <fw/heap.h>

#include "fs/vfs/vfs.h"
#include "current/current.h"

static uint64_t fsize_limit(void)
{
	return current_rlimit(RLIMIT_FSIZE);
}

int vfs_write_limits(uint64_t off, uint64_t fs_max, size_t *len)
{
	uint64_t lim = fsize_limit();

	if (*len == 0)
		return 0;
	if (lim != RLIM_INFINITY) {
		if (off >= lim) {
			signal_send_current_thread(SIGXFSZ);
			return -EFBIG;
		}
		if (*len > lim - off)
			*len = (size_t)(lim - off);
	}
	if (off >= fs_max)
		return -EFBIG;
	if (*len > fs_max - off)
		*len = (size_t)(fs_max - off);
	return 0;
}

int vfs_grow_limits(uint64_t size, uint64_t new_size, uint64_t fs_max)
{
	uint64_t lim = fsize_limit();

	if (new_size <= size)
		return 0;
	if (lim != RLIM_INFINITY && new_size > lim) {
		signal_send_current_thread(SIGXFSZ);
		return -EFBIG;
	}
	return new_size > fs_max ? -EFBIG : 0;
}

int vfs_wsrc_copy(const struct vfs_wsrc *s, size_t off, struct fw_buf dst)
{
	struct fw_bytes part;

	if (!s->kernel)
		return fw_copy_in(dst, fw_uptr_add(s->user, off)) ? -EFAULT : 0;
	if (fw_bytes_sub(s->kbuf, off, fw_buf_len(dst), &part) ||
	    fw_buf_copy_from(dst, 0, part))
		return -EFAULT;
	return 0;
}

/* Under memory pressure a run of four pages may not be had while single
 * pages still are (the heap takes runs whole from the frame allocator,
 * and reclaim frees scattered pages): the write then goes a page at a
 * time rather than failing with ENOMEM, which stress-ng's hdd stressor
 * met on tmpfs beside a soak's file copies. */
int vfs_bounce_alloc(size_t want, struct fw_buf *out)
{
	int err = fw_buf_alloc_uninit(want, out);

	if (err == -ENOMEM && want > FW_PAGE_SIZE)
		err = fw_buf_alloc_uninit(FW_PAGE_SIZE, out);
	return err;
}
