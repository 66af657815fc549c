/* Fixture: va_arg of a framework struct: the caller passed anything. */
#include <stdarg.h>
#include <fw/bytes.h>
struct fw_buf svc_va(int n, ...);
struct fw_buf svc_va(int n, ...)
{
	va_list ap;
	struct fw_buf b;

	va_start(ap, n);
	b = va_arg(ap, struct fw_buf);
	va_end(ap);
	return b;
}
