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
size_t fw__strlcpy(char *dst, const char *src, size_t size);

/* Parse an unsigned number; 0, -EINVAL or -ERANGE. See string.c. */
int fw_parse_u64(const char *s, unsigned int base, uint64_t *out)
	FW_MUST_CHECK;

/* ---- the fortified family (services only) --------------------------------
 *
 * In services (FW_SERVICE, set by the Makefile) every call above is checked
 * against the size of the objects it touches, as Linux's FORTIFY_SOURCE
 * does: __builtin_dynamic_object_size gives the bytes left in the object (or
 * the member: mode 1) a pointer points into, which the gate makes knowable
 * by allowing only real arrays, &object and string literals as arguments.
 * A length beyond it, or a string with no NUL inside its object, panics
 * naming the call instead of touching a byte outside. Checks whose sizes
 * are constants fold away at compile time (and a provable overflow is a
 * compile error), so the cost falls only where an index or length is
 * computed at run time. Where the compiler cannot know an object's size
 * (it returns (size_t)-1) the call is unchecked: the gate's argument rules
 * are what keep that case rare.
 *
 * These are gnu_inline "extern inline" bodies: they are only ever inlined,
 * and the out-of-line symbols stay the klib's. gcc lowers
 * __builtin___memcpy_chk & co. to a plain memcpy when it proves the length
 * fits, and to the __memcpy_chk entry points below otherwise. */
FW_NORETURN void fw__fortify_fail(const char *what, size_t len, size_t room);
void *__memcpy_chk(void *dst, const void *src, size_t n, size_t room);
void *__memmove_chk(void *dst, const void *src, size_t n, size_t room);
void *__memset_chk(void *dst, int c, size_t n, size_t room);
int fw__snprintf_chk(char *buf, size_t size, size_t room, const char *fmt, ...)
	FW_PRINTF(4, 5);
int fw__vsnprintf_chk(char *buf, size_t size, size_t room, const char *fmt,
		      va_list ap) FW_PRINTF(4, 0);

#if defined(FW_SERVICE) && !defined(FW_HOST_TEST)

#define FW__ROOM(p) __builtin_dynamic_object_size((p), 1)
/* The klib's strnlen under another name, for the body of the inline one
 * (clang has no __builtin_strnlen). */
size_t fw__strnlen(const char *s, size_t maxlen) __asm__("strnlen");
int fw__strncmp(const char *a, const char *b, size_t n) __asm__("strncmp");
#define FW__FORTIFY                                                            \
	extern inline __attribute__((always_inline, gnu_inline, artificial))

/* The length of the string at s, which must end inside its object. */
FW__FORTIFY size_t fw__str_in_object(const char *what, const char *s)
{
	size_t room = FW__ROOM(s);
	size_t n;

	if (room == (size_t)-1)
		return __builtin_strlen(s);
	n = strnlen(s, room);
	if (FW_UNLIKELY(n == room))
		fw__fortify_fail(what, room + 1, room);
	return n;
}

FW__FORTIFY void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	if (FW_UNLIKELY(n > FW__ROOM(src)))
		fw__fortify_fail("memcpy (source)", n, FW__ROOM(src));
	return __builtin___memcpy_chk(dst, src, n, FW__ROOM(dst));
}

FW__FORTIFY void *memmove(void *dst, const void *src, size_t n)
{
	if (FW_UNLIKELY(n > FW__ROOM(src)))
		fw__fortify_fail("memmove (source)", n, FW__ROOM(src));
	return __builtin___memmove_chk(dst, src, n, FW__ROOM(dst));
}

FW__FORTIFY void *memset(void *dst, int c, size_t n)
{
	return __builtin___memset_chk(dst, c, n, FW__ROOM(dst));
}

FW__FORTIFY int memcmp(const void *a, const void *b, size_t n)
{
	if (FW_UNLIKELY(n > FW__ROOM(a) || n > FW__ROOM(b)))
		fw__fortify_fail("memcmp", n,
				 FW__ROOM(a) < FW__ROOM(b) ? FW__ROOM(a)
							   : FW__ROOM(b));
	return __builtin_memcmp(a, b, n);
}

FW__FORTIFY void *memchr(const void *s, int c, size_t n)
{
	if (FW_UNLIKELY(n > FW__ROOM(s)))
		fw__fortify_fail("memchr", n, FW__ROOM(s));
	return __builtin_memchr(s, c, n);
}

FW__FORTIFY size_t strlen(const char *s)
{
	return fw__str_in_object("strlen", s);
}

/* strnlen reads up to maxlen bytes or to a NUL: past the object only if
 * maxlen is larger and the object holds no NUL. */
FW__FORTIFY size_t strnlen(const char *s, size_t maxlen)
{
	size_t room = FW__ROOM(s);
	size_t n;

	if (maxlen <= room)
		return fw__strnlen(s, maxlen);
	n = fw__strnlen(s, room);
	if (FW_UNLIKELY(n == room))
		fw__fortify_fail("strnlen", maxlen, room);
	return n;
}

/* strcmp, within both objects: a's length first (it must end inside its
 * object), then one word-wise memcmp over it and its NUL, which also gives
 * strcmp's answer when b is shorter (the first difference decides) and
 * stays inside b's object whenever b is at least as large. */
FW__FORTIFY int strcmp(const char *a, const char *b)
{
	size_t ra = FW__ROOM(a), rb = FW__ROOM(b), n;
	int r;

	if (ra == (size_t)-1 && rb == (size_t)-1)
		return __builtin_strcmp(a, b);
	n = fw__strnlen(a, ra);
	if (FW_UNLIKELY(n == ra))
		fw__fortify_fail("strcmp", ra + 1, ra);
	if (FW_LIKELY(n < rb))
		return __builtin_memcmp(a, b, n + 1);
	/* b's object is shorter than a's string: b must end inside it. */
	r = fw__strncmp(a, b, rb);
	if (FW_UNLIKELY(r == 0))
		fw__fortify_fail("strcmp", rb + 1, rb);
	return r;
}

/* strncmp stops at the first difference, a NUL or n: comparing at most
 * what both objects hold, then checking that the walk ended inside them. */
FW__FORTIFY int strncmp(const char *a, const char *b, size_t n)
{
	size_t room = FW__ROOM(a) < FW__ROOM(b) ? FW__ROOM(a) : FW__ROOM(b);
	int r;

	if (n <= room)
		return __builtin_strncmp(a, b, n);
	r = __builtin_strncmp(a, b, room);
	if (FW_UNLIKELY(r == 0 && fw__strnlen(a, room) == room))
		fw__fortify_fail("strncmp", n, room);
	return r;
}

FW__FORTIFY char *strchr(const char *s, int c)
{
	(void)fw__str_in_object("strchr", s);
	return __builtin_strchr(s, c);
}

FW__FORTIFY char *strrchr(const char *s, int c)
{
	(void)fw__str_in_object("strrchr", s);
	return __builtin_strrchr(s, c);
}

FW__FORTIFY size_t fw_strlcpy(char *dst, const char *src, size_t size)
{
	if (FW_UNLIKELY(size > FW__ROOM(dst)))
		fw__fortify_fail("fw_strlcpy", size, FW__ROOM(dst));
	(void)fw__str_in_object("fw_strlcpy (source)", src);
	return fw__strlcpy(dst, src, size);
}

#define snprintf(buf, size, ...)                                               \
	fw__snprintf_chk((buf), (size), FW__ROOM(buf), __VA_ARGS__)
#define vsnprintf(buf, size, fmt, ap)                                          \
	fw__vsnprintf_chk((buf), (size), FW__ROOM(buf), (fmt), (ap))
#endif

#endif
