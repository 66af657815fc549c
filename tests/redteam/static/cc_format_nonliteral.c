/* redteam: a non-literal format string passed to snprintf lets %s and %p in user data read kernel memory. expect: cc:format not a string literal */
#include <fw/string.h>

int svc_fmt(char *out, const char *user);
int svc_fmt(char *out, const char *user)
{
	char buf[64];
	int n = snprintf(buf, sizeof buf, user, 1);

	out[0] = buf[0];
	return n;
}
