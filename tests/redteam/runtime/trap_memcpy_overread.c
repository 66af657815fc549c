/* redteam: memcpy more bytes than the source holds, copying whatever follows it (kernel pointers) into a buffer bound for user space. expect: fortify: memcpy (source) of 48 bytes into an object of 16 bytes */
#include <fw/string.h>
#include "redteam.h"

static uint8_t secret_neighbour_src[16];
static uint8_t out[64];

FW_KTEST(redteam_trap_memcpy_overread)
{
	memcpy(out, secret_neighbour_src, redteam_value(48));
	REDTEAM_REACHED();
}
