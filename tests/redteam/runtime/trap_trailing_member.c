/* redteam: use a one-element trailing array as if it were flexible, writing past the struct. expect: ubsan: index 5 out of bounds for type 'uint32_t [1]' */
#include "redteam.h"

struct header {
	uint32_t count;
	uint32_t items[1]; /* the old "struct hack" */
};

static struct header victim;

FW_KTEST(redteam_trap_trailing_member)
{
	victim.items[redteam_value(5)] = 7;
	REDTEAM_REACHED();
}
