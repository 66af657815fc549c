/* redteam: memcpy 64 bytes into an 8-byte array with a length computed at run time, over the neighbouring objects. expect: fortify: memcpy of 64 bytes into an object of 8 bytes */
#include <fw/string.h>
#include "redteam.h"

static uint8_t small[8];
static uint8_t big[64];

FW_KTEST(redteam_trap_memcpy_overflow)
{
	memcpy(small, big, redteam_value(64));
	REDTEAM_REACHED();
}
