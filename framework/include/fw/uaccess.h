/* fw/uaccess.h: copying to and from user memory.
 *
 * Layer: framework public API. A user address is an fw_uptr_t, a struct
 * around a uint64_t, never a C pointer: services cannot dereference one.
 * Every copy acts on the address space active on this CPU (the calling
 * task's process) and returns 0 or -EFAULT. A page that is not mapped yet
 * is handed to the fault handler the memory service registered (demand
 * paging, copy-on-write) and the copy retried; a fault it cannot resolve
 * ends the copy with -EFAULT instead of crashing the kernel. */
#ifndef FW_UACCESS_H
#define FW_UACCESS_H

#include <fw/bytes.h>
#include <fw/compiler.h>

typedef struct {
	uint64_t addr; /* a user virtual address; may be anything */
} fw_uptr_t;

#define FW_USER_TOP 0x0000800000000000ull /* first non-user address */

static inline fw_uptr_t fw_uptr(uint64_t addr)
{
	return (fw_uptr_t){ addr };
}
/* p + off, saturating to a non-user address on overflow (copies fail). */
static inline fw_uptr_t fw_uptr_add(fw_uptr_t p, uint64_t off)
{
	uint64_t a = p.addr + off;
	return (fw_uptr_t){ a < p.addr ? ~0ull : a };
}
/* Does [p, p+n) lie entirely in user space (Linux access_ok)? A copy of
 * such a range may still fault; one outside it is -EFAULT up front. */
static inline bool fw_uptr_range_ok(fw_uptr_t p, uint64_t n)
{
	return p.addr + n >= p.addr && p.addr + n <= FW_USER_TOP;
}
static inline bool fw_uptr_is_null(fw_uptr_t p)
{
	return p.addr == 0;
}

/* Copy fw_buf_len(dst) bytes from user src. 0 or -EFAULT (dst may then
 * hold part of the data). */
FW_MUST_CHECK int fw_copy_in(struct fw_buf dst, fw_uptr_t src);
/* Copy src to user dst. 0 or -EFAULT (a prefix may have been written). */
FW_MUST_CHECK int fw_copy_out(fw_uptr_t dst, struct fw_bytes src);
/* Zero n user bytes at dst. 0 or -EFAULT. */
FW_MUST_CHECK int fw_clear_user(fw_uptr_t dst, size_t n);
/* Copy a NUL-terminated string into dst (always NUL-terminated on
 * success). Returns its length, -EFAULT, or -ENAMETOOLONG if it does not
 * fit in fw_buf_len(dst) - 1 bytes. */
FW_MUST_CHECK long fw_copy_in_str(struct fw_buf dst, fw_uptr_t src);

/* Copy between a frame and user memory (the page cache and pipe paths: one
 * copy, no bounce buffer). -EINVAL if [off, off+n) leaves the page. */
struct fw_frame;
FW_MUST_CHECK int fw_frame_copy_out(fw_uptr_t dst, const struct fw_frame *f,
				    size_t off, size_t n);
FW_MUST_CHECK int fw_frame_copy_in(struct fw_frame *f, size_t off,
				   fw_uptr_t src, size_t n);

/* Typed helpers for one scalar or struct object. */
#define FW_COPY_IN_OBJ(objp, uptr) fw_copy_in(FW_BUF_OF_OBJ(objp), (uptr))
#define FW_COPY_OUT_OBJ(uptr, objp) fw_copy_out((uptr), FW_BYTES_OF_OBJ(objp))

#endif
