/* redteam: snprintf into an 8-byte buffer with a size argument larger than the buffer. expect: fortify: snprintf of 64 bytes into an object of 8 bytes */
#include <fw/string.h>
#include "redteam.h"

static char line[8];

FW_KTEST(redteam_trap_snprintf_size)
{
	snprintf(line, redteam_value(64), "%s", "a line much longer than eight bytes");
	REDTEAM_REACHED();
}
