/* Fixture: returning a local array (it decays to the address of the frame's
 * bytes) hands the caller a dangling pointer. */
#include <stddef.h>

char *svc_name(void);

char *svc_name(void)
{
	char buf[16] = "name";

	return buf;
}
