/* fw/string.h: the kernel's small C library (klib): mem*, str*, number
 * parsing and snprintf.
 *
 * Layer: framework public API. Implemented in framework/lib/string.c and
 * framework/lib/format.c.
 *
 * There is no libc in the kernel, so the framework supplies the standard
 * names itself; gcc also emits calls to memcpy, memmove, memset and memcmp
 * on its own (struct copies, large initialisers), so those four must exist
 * under exactly these names in the kernel image.
 *
 * Services may call these only on memory they own as real arrays; the gate
 * forbids raw mem and str calls on pointers from outside bounded views (use
 * fw/bytes.h for those).
 *
 * Host unit tests (FW_HOST_TEST) link against the host libc too, and the
 * klib is tested *against* it, so the two sets of names must not clash.
 * Under FW_HOST_TEST every standard name below is declared and defined as
 * klib_<name> instead (FW_KLIB(memcpy) is klib_memcpy), and this header pulls
 * in the host <string.h> and <stdio.h>. Framework code under test that calls
 * plain memcpy or snprintf therefore gets the host libc (with its sanitizer
 * interceptors); only the klib test calls klib_* explicitly. The fw_* names
 * are the same in both builds. */
#ifndef FW_STRING_H
#define FW_STRING_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <fw/compiler.h>

#ifdef FW_HOST_TEST
#include <stdio.h>
#include <string.h>
#define FW_KLIB(name) klib_##name
#else
#define FW_KLIB(name) name
#endif

void *FW_KLIB(memcpy)(void *restrict dst, const void *restrict src, size_t n);
void *FW_KLIB(memmove)(void *dst, const void *src, size_t n);
void *FW_KLIB(memset)(void *dst, int c, size_t n);
int FW_KLIB(memcmp)(const void *a, const void *b, size_t n);
void *FW_KLIB(memchr)(const void *s, int c, size_t n);
size_t FW_KLIB(strlen)(const char *s);
size_t FW_KLIB(strnlen)(const char *s, size_t maxlen);
int FW_KLIB(strcmp)(const char *a, const char *b);
int FW_KLIB(strncmp)(const char *a, const char *b, size_t n);
char *FW_KLIB(strchr)(const char *s, int c);
char *FW_KLIB(strrchr)(const char *s, int c);

/* C99 vsnprintf/snprintf; see framework/lib/format.c for the conversions. */
int FW_KLIB(vsnprintf)(char *buf, size_t size, const char *fmt, va_list ap)
	FW_PRINTF(3, 0);
int FW_KLIB(snprintf)(char *buf, size_t size, const char *fmt, ...)
	FW_PRINTF(3, 4);

/* Copy src into dst[size] with NUL termination (BSD strlcpy); returns
 * strlen(src), so a result >= size means the copy was truncated. */
size_t fw_strlcpy(char *dst, const char *src, size_t size);

/* Parse an unsigned number; 0, -EINVAL or -ERANGE. See string.c. */
int fw_parse_u64(const char *s, unsigned int base, uint64_t *out)
	FW_MUST_CHECK;

#endif
