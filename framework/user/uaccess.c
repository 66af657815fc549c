/* framework/user/uaccess.c: fault-safe copies between kernel and user.
 *
 * Layer: framework. The copy itself is a string move with an exception-
 * table fixup (arch_copy_user). When it stops at a page fault, the faulting
 * user address goes to the memory service's resolver (demand paging,
 * copy-on-write) in ordinary task context -- not inside the exception
 * handler -- and the copy resumes; if the resolver says no, or the same
 * address faults again, the result is -EFAULT. */
#include <fw/errno.h>
#include <fw/frame.h>
#include <fw/string.h>
#include <fw/uaccess.h>
#include <fw/vmspace.h>
#include "internal/frame.h"
#include "internal/mem.h"
#include "internal/user.h"
#include "internal/vmspace.h"

/* A user copy stopped at user address u: let the memory service map the
 * page, and say whether to resume. The same address faulting twice means
 * the resolver could not help: stop with -EFAULT. */
static bool fault_resolved(uint64_t u, uint64_t *last_fault, bool write)
{
	fw_vmspace_fault_fn resolve = vmspace_fault_handler();

	if (u == *last_fault || !resolve || !fw_vmspace_current() ||
	    resolve(fw_vmspace_current(), u & ~(PAGE_SIZE - 1), write))
		return false;
	*last_fault = u;
	return true;
}

/* How much of n bytes at user address u to hand to arch_copy_user or
 * arch_clear_user at once: the bytes up to the next 8-byte boundary first,
 * so that their 8-byte steps never straddle a page (see user.asm). */
static uint64_t aligned_run(uint64_t u, uint64_t n)
{
	uint64_t head = (8 - (u & 7)) & 7;

	return head && head < n ? head : n;
}

/* Copy n bytes between kernel buffer kbuf and user address u, in the
 * direction to_user says. */
static int copy(uint8_t *kbuf, uint64_t u, uint64_t n, bool to_user)
{
	uint64_t last_fault = ~0ull;

	if (!fw_uptr_range_ok(fw_uptr(u), n))
		return -EFAULT;
	while (n) {
		void *dst = to_user ? (void *)(uintptr_t)u : kbuf;
		const void *src = to_user ? (const void *)kbuf
					  : (const void *)(uintptr_t)u;
		uint64_t run = aligned_run(u, n);
		uint64_t left = arch_copy_user(dst, src, run);
		uint64_t done = run - left;

		kbuf += done, u += done, n -= done;
		if (left && !fault_resolved(u, &last_fault, to_user))
			return -EFAULT;
	}
	return 0;
}

int fw_copy_in(struct fw_buf dst, fw_uptr_t src)
{
	return copy(fw__buf_ptr(dst), src.addr, fw_buf_len(dst), false);
}

int fw_copy_out(fw_uptr_t dst, struct fw_bytes src)
{
	/* SAFETY: with to_user set, copy() only reads from the buffer. */
	return copy((uint8_t *)(uintptr_t)fw__bytes_ptr(src), dst.addr,
		    fw_bytes_len(src), true);
}

int fw_clear_user(fw_uptr_t dst, size_t n)
{
	uint64_t u = dst.addr, last_fault = ~0ull;

	if (!fw_uptr_range_ok(dst, n))
		return -EFAULT;
	/* arch_clear_user, resumed after resolved faults. */
	while (n) {
		uint64_t run = aligned_run(u, n);
		uint64_t left = arch_clear_user((void *)(uintptr_t)u, run);

		u += run - left, n -= run - left;
		if (left && !fault_resolved(u, &last_fault, true))
			return -EFAULT;
	}
	return 0;
}

#define STR_PIECE 128

long fw_copy_in_str(struct fw_buf dst, fw_uptr_t src)
{
	uint8_t *out = fw__buf_ptr(dst);
	size_t cap = fw_buf_len(dst), have = 0;
	uint64_t u = src.addr;

	if (cap == 0)
		return -ENAMETOOLONG;
	/* In pieces that never cross a page, so no byte past the terminating
	 * NUL's page is read (the next page may legitimately be unmapped);
	 * small ones, because most paths are short. */
	while (have < cap) {
		size_t chunk = PAGE_SIZE - (u & (PAGE_SIZE - 1));
		if (chunk > STR_PIECE)
			chunk = STR_PIECE;
		if (chunk > cap - have)
			chunk = cap - have;
		if (copy(out + have, u, chunk, false))
			return -EFAULT;
		uint8_t *nul = memchr(out + have, 0, chunk);
		if (nul) {
			/* Only the string lands in dst: clear what the piece
			 * brought in after the NUL. */
			size_t len = (size_t)(nul - out);
			memset(nul, 0, have + chunk - len);
			return (long)len;
		}
		have += chunk, u += chunk;
	}
	out[cap - 1] = 0;
	return -ENAMETOOLONG;
}

int fw_frame_copy_out(fw_uptr_t dst, const struct fw_frame *f, size_t off,
		      size_t n)
{
	if (off > PAGE_SIZE || n > PAGE_SIZE - off)
		return -EINVAL;
	return copy(phys_to_virt(frame_phys(f) + off), dst.addr, n, true);
}

int fw_frame_copy_in(struct fw_frame *f, size_t off, fw_uptr_t src, size_t n)
{
	if (off > PAGE_SIZE || n > PAGE_SIZE - off)
		return -EINVAL;
	return copy(phys_to_virt(frame_phys(f) + off), src.addr, n, false);
}
