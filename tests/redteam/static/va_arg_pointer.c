/* redteam: va_arg reads a pointer from a variadic call whose caller passed an integer. expect: pointer-conversion */
#include <stdarg.h>

void svc_va(int n, ...);
void svc_va(int n, ...)
{
	va_list ap;
	int *p;

	va_start(ap, n);
	p = va_arg(ap, int *);
	*p = n;
	va_end(ap);
}
