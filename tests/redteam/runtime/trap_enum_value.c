/* redteam: make an enum hold a value outside its range through a union and use it as an index into a table of its values (gcc checks the index it becomes). expect: ubsan: index 77 out of bounds for type 'int [3]' */
#include "redteam.h"

enum colour { RED, GREEN, BLUE };

union enum_pun {
	enum colour c;
	uint32_t raw;
};

static int counts[3];

FW_KTEST(redteam_trap_enum_value)
{
	union enum_pun p = { .raw = (uint32_t)redteam_value(77) };

	counts[p.c]++;
	REDTEAM_REACHED();
}
