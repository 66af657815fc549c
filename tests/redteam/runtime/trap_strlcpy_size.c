/* redteam: fw_strlcpy with a size larger than the destination. expect: fortify: fw_strlcpy of 32 bytes into an object of 8 bytes */
#include <fw/string.h>
#include "redteam.h"

static char name[8];

FW_KTEST(redteam_trap_strlcpy_size)
{
	(void)fw_strlcpy(name, "a name longer than eight", redteam_value(32));
	REDTEAM_REACHED();
}
