/* redteam: #pragma GCC diagnostic switches off -Wformat-nonliteral so a user-supplied format string reaches fw_printf and %p/%s read kernel memory. expect: pragma */
#include <fw/log.h>

#pragma GCC diagnostic ignored "-Wformat-nonliteral"

void svc_echo(const char *user_fmt);
void svc_echo(const char *user_fmt)
{
	fw_printf(user_fmt);
}
