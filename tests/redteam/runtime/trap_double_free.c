/* redteam: free an object twice, so two later allocations share one slot. expect: heap: slab: */
#include <fw/heap.h>
#include "redteam.h"

struct victim_obj {
	uint64_t a, b;
};

FW_KTEST(redteam_trap_double_free)
{
	struct victim_obj *o = FW_NEW(struct victim_obj);

	FW_KT_CHECK(o != 0);
	fw_free(o);
	fw_free(o);
	REDTEAM_REACHED();
}
