/* redteam: strncmp with n larger than the arrays, on arrays equal and unterminated. expect: fortify: strncmp of 100 bytes into an object of 6 bytes */
#include <fw/string.h>
#include "redteam.h"

static char a[6], b[6];

FW_KTEST(redteam_trap_strncmp_overread)
{
	for (unsigned i = 0; i < sizeof(a); i++)
		a[i] = b[i] = 'q';
	fw_printf("redteam: %d\n", strncmp(a, b, redteam_value(100)));
	REDTEAM_REACHED();
}
