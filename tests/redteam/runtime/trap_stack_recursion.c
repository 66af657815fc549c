/* redteam: recurse with 512-byte frames until the 16 KiB kernel stack is gone, into whatever lies below it. expect: kernel stack overflow */
#include "redteam.h"

static uint64_t burn(uint64_t depth)
{
	uint8_t frame[512];

	frame[depth % sizeof(frame)] = (uint8_t)depth;
	if (depth > redteam_value(1000000))
		return frame[0];
	return burn(depth + 1) + frame[depth % sizeof(frame)];
}

FW_KTEST(redteam_trap_stack_recursion)
{
	fw_printf("redteam: %llu\n", (unsigned long long)burn(0));
	REDTEAM_REACHED();
}
