/* redteam: write before the start of an array with a negative run-time index. expect: ubsan: index -3 out of bounds for type 'uint64_t [8]' */
#include "redteam.h"

static uint64_t victim_array[8];

FW_KTEST(redteam_trap_index_negative)
{
	int64_t i = -(int64_t)redteam_value(3);

	victim_array[i] = ~0ull;
	REDTEAM_REACHED();
}
