/* framework/lib/fortify.c: the run-time half of the fortified string
 * family services are compiled with (<fw/string.h>, FW_SERVICE).
 *
 * Layer: framework (klib). gcc calls the __*_chk entry points when it
 * cannot prove at compile time that a length fits the destination object
 * (the glibc/Linux FORTIFY_SOURCE ABI: the last argument is the room the
 * compiler knows, (size_t)-1 for unknown). Each checks and then does the
 * plain operation, or panics naming the caller (the backtrace shows it)
 * before a byte outside the object is touched. */
#include <fw/panic.h>
#include <fw/string.h>

void fw__fortify_fail(const char *what, size_t len, size_t room)
{
	fw_panic("fortify: %s of %zu bytes into an object of %zu bytes",
		 what, len, room);
}

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t room)
{
	if (n > room)
		fw__fortify_fail("memcpy", n, room);
	return memcpy(dst, src, n);
}

void *__memmove_chk(void *dst, const void *src, size_t n, size_t room)
{
	if (n > room)
		fw__fortify_fail("memmove", n, room);
	return memmove(dst, src, n);
}

void *__memset_chk(void *dst, int c, size_t n, size_t room)
{
	if (n > room)
		fw__fortify_fail("memset", n, room);
	return memset(dst, c, n);
}

int fw__vsnprintf_chk(char *buf, size_t size, size_t room, const char *fmt,
		      va_list ap)
{
	if (size > room)
		fw__fortify_fail("snprintf", size, room);
	return vsnprintf(buf, size, fmt, ap);
}

int fw__snprintf_chk(char *buf, size_t size, size_t room, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fw__vsnprintf_chk(buf, size, room, fmt, ap);
	va_end(ap);
	return n;
}
