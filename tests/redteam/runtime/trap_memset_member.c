/* redteam: clear a struct member with a length that runs into the members after it (a lock and a count). expect: fortify: memset of 40 bytes into an object of 16 bytes */
#include <fw/string.h>
#include "redteam.h"

struct record {
	char name[16];
	uint64_t refs;
	uint64_t flags;
	uint64_t owner;
};

static struct record victim = { .refs = 1 };

FW_KTEST(redteam_trap_memset_member)
{
	memset(victim.name, 0, redteam_value(40));
	REDTEAM_REACHED();
}
