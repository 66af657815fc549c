/* redteam: strlen of an array with no NUL, reading on into the next objects. expect: fortify: strlen of 5 bytes into an object of 4 bytes */
#include <fw/string.h>
#include "redteam.h"

static char unterminated[4];

FW_KTEST(redteam_trap_strlen_no_nul)
{
	for (unsigned i = 0; i < sizeof(unterminated); i++)
		unterminated[i] = (char)('a' + redteam_value(i));
	fw_printf("redteam: %zu\n", strlen(unterminated));
	REDTEAM_REACHED();
}
