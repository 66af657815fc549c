/* redteam: make a _Bool hold 200 through a union of plain integers and use it as an index, reaching 200 elements past a two-element table. expect: ubsan: load of value 200, which is not a valid value for type '_Bool' */
#include "redteam.h"

union pun {
	bool flag;
	uint8_t byte;
};

static uint64_t table[2];

FW_KTEST(redteam_trap_bool_value)
{
	union pun p = { .byte = (uint8_t)redteam_value(200) };

	table[p.flag] = 1;
	REDTEAM_REACHED();
}
