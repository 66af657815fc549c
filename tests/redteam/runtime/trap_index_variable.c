/* redteam: write an int array one past its end with an index computed at run time, onto the next object. expect: ubsan: index 4 out of bounds for type 'int [4]' */
#include "redteam.h"

static int victim_array[4];

FW_KTEST(redteam_trap_index_variable)
{
	uint64_t i = redteam_value(4);

	victim_array[i] = 0x41414141;
	REDTEAM_REACHED();
}
