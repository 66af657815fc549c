/* services/lib/kpath.c: kernel-side path strings. */
#include <fw/errno.h>
#include <fw/heap.h>
#include "lib/kpath.h"

struct kpath *kpath_alloc(void)
{
	return FW_NEW(struct kpath);
}

void kpath_free(struct kpath *p)
{
	fw_free(p);
}

int kpath_from_user_empty_ok(struct kpath *p, fw_uptr_t u)
{
	long n = fw_copy_in_str(FW_BUF_OF_ARRAY(p->s), u);
	return n < 0 ? (int)n : 0;
}

int kpath_from_user(struct kpath *p, fw_uptr_t u)
{
	int err = kpath_from_user_empty_ok(p, u);
	if (err)
		return err;
	return p->s[0] ? 0 : -ENOENT;
}
