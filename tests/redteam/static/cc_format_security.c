/* redteam: fw_printf of a user string as the format reads varargs that were never passed. expect: cc:format not a string literal and no format arguments */
#include <fw/log.h>

void svc_print(const char *user);
void svc_print(const char *user)
{
	fw_printf(user);
}
