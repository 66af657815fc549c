/* redteam: a %: digraph spells #pragma without a '#' token to switch off -Wformat-security. expect: pragma */
#include <fw/log.h>

%:pragma GCC diagnostic ignored "-Wformat-security"

void svc_say(const char *s);
void svc_say(const char *s)
{
	fw_printf(s);
}
