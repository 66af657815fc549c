/* redteam: fw_free the address of a local, putting a live stack slot on a free list. expect: is not a service heap object */
#include <fw/heap.h>
#include "redteam.h"

FW_KTEST(redteam_trap_free_stack_object)
{
	uint64_t local[4] = { 1, 2, 3, 4 };

	fw_free(&local[0]);
	REDTEAM_REACHED();
}
