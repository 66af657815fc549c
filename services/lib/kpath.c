/* services/lib/kpath.c: kernel-side path strings.
 *
 * Nearly every path system call takes one kpath and gives it back, and a
 * fresh 4 KiB heap object is a page run from the page allocator, zeroed
 * (the heap's large-object path). So freed paths are kept, up to
 * KPATH_CACHE of them, and handed out again, as Linux keeps its
 * names_cache. A kept path is cleared up to its terminating NUL when it is
 * freed, which makes it all zeroes again for every path that was written
 * as one string; readers never look past the NUL in any case. */
#include <fw/errno.h>
#include <fw/heap.h>
#include <fw/string.h>
#include <fw/sync.h>
#include "lib/kpath.h"

#define KPATH_CACHE 8

static struct fw_spinlock cache_lock = FW_SPINLOCK_INIT("kpath-cache");
static struct kpath *cache[KPATH_CACHE];
static unsigned cached;

struct kpath *kpath_alloc(void)
{
	struct kpath *p = NULL;

	fw_spin_lock(&cache_lock);
	if (cached)
		p = cache[--cached];
	fw_spin_unlock(&cache_lock);
	return p ? p : FW_NEW(struct kpath);
}

void kpath_free(struct kpath *p)
{
	long nul;

	if (!p)
		return;
	nul = fw_bytes_memchr(FW_BYTES_OF_ARRAY(p->s), 0, 0);
	memset(p->s, 0, nul < 0 ? sizeof(p->s) : (size_t)nul + 1);
	fw_spin_lock(&cache_lock);
	if (cached < KPATH_CACHE) {
		cache[cached++] = p;
		p = NULL;
	}
	fw_spin_unlock(&cache_lock);
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

uint32_t kname_hash(const struct kname *n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < sizeof(n->s) && n->s[i]; i++)
		h = (h ^ (unsigned char)n->s[i]) * 16777619u;
	return h;
}
