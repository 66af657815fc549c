/* redteam: overflow the inner dimension of a 2-D array (row 0, column 6) to land in row 1 or beyond without leaving the outer object. expect: ubsan: index 6 out of bounds for type 'uint8_t [4]' */
#include "redteam.h"

static uint8_t grid[4][4];

FW_KTEST(redteam_trap_index_2d)
{
	grid[0][redteam_value(6)] = 0xff;
	REDTEAM_REACHED();
}
