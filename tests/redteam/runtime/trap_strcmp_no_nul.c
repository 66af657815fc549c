/* redteam: strcmp of two unterminated arrays that are equal, so the comparison walks off both. expect: fortify: strcmp of 9 bytes into an object of 8 bytes */
#include <fw/string.h>
#include "redteam.h"

static char a[8], b[8];

FW_KTEST(redteam_trap_strcmp_no_nul)
{
	for (unsigned i = 0; i < sizeof(a); i++)
		a[i] = b[i] = (char)('x' + redteam_value(0));
	fw_printf("redteam: %d\n", strcmp(a, b));
	REDTEAM_REACHED();
}
