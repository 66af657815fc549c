/* redteam: memmove into &arr[i] with i near the end, so the move runs past the array. expect: fortify: memmove of 16 bytes into an object of 4 bytes */
#include <fw/string.h>
#include "redteam.h"

static uint8_t arr[32];
static uint8_t src[16];

FW_KTEST(redteam_trap_memmove_index)
{
	memmove(&arr[redteam_value(28)], src, 16);
	REDTEAM_REACHED();
}
