/* redteam: fw_free a pointer to the middle of an object, so the allocator hands out a slot that overlaps a live object. expect: heap: slab: */
#include <fw/heap.h>
#include "redteam.h"

struct pair {
	uint64_t first[4];
	uint64_t second[4];
};

FW_KTEST(redteam_trap_free_interior)
{
	struct pair *p = FW_NEW(struct pair);

	FW_KT_CHECK(p != 0);
	fw_free(&p->second[0]);
	REDTEAM_REACHED();
}
