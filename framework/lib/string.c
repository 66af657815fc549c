/* framework/lib/string.c: klib memory and string functions, number parsing.
 *
 * Layer: framework (TCB), freestanding. The standard names (memcpy...) are
 * the kernel's only definitions of them: gcc emits calls to memcpy, memmove,
 * memset and memcmp by itself, so they must be correct for any arguments C
 * allows and must never call themselves. Under FW_HOST_TEST the standard
 * names are spelled klib_* (see fw/string.h) so the host unit test can
 * compare them with the host libc.
 *
 * Speed: bulk copies and fills use "rep movsq"/"rep stosq" and finish the
 * last n % 8 bytes with "rep movsb"/"rep stosb". Both are fast-string
 * operations on hardware (SDM vol. 1 7.3.9.3) and need no SSE, which the
 * kernel does not save; under QEMU's TCG, where every iteration of a string
 * instruction is one pass through a translated loop, 8-byte steps are 8
 * times fewer passes than ERMS-style byte steps (measured with
 * tools/profile.sh: zeroing a page went from 4096 to 512 passes). Where
 * copy_select.c measures one "rep movsb"/"rep stosb" for the whole run
 * faster at boot (hardware with ERMS), copy_use_movsb selects that. The
 * start-up cost dominates tiny copies, so sizes up to 16 bytes are done
 * with at most two overlapping 8-byte (or 4-byte) moves instead.
 * Small fixed-size __builtin_memcpy calls expand to plain loads and stores,
 * never to a library call, and are the strict-aliasing-safe way to do an
 * unaligned word access. */
#include <stdbool.h>
#include <fw/errno.h>
#include <fw/string.h>

/* gcc's loop distribution turns copy or fill loops into calls to memcpy or
 * memset, which inside memcpy itself is infinite recursion; glibc marks its
 * own implementation the same way (inhibit_loop_to_libcall). */
#if defined(__clang__)
#define FW_NO_LIBCALL
#else
#define FW_NO_LIBCALL                                                          \
	__attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif

static inline uint64_t load64(const unsigned char *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, 8);
	return v;
}

static inline void store64(unsigned char *p, uint64_t v)
{
	__builtin_memcpy(p, &v, 8);
}

static inline uint32_t load32(const unsigned char *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, 4);
	return v;
}

static inline void store32(unsigned char *p, uint32_t v)
{
	__builtin_memcpy(p, &v, 4);
}

/* Copy n <= 16 bytes. Every load happens before any store, so the result is
 * right even when the ranges overlap in either direction: memmove uses this
 * too. */
static inline void copy_small(unsigned char *d, const unsigned char *s,
			      size_t n)
{
	if (n >= 8) {
		uint64_t a = load64(s), b = load64(s + n - 8);

		store64(d, a);
		store64(d + n - 8, b);
	} else if (n >= 4) {
		uint32_t a = load32(s), b = load32(s + n - 4);

		store32(d, a);
		store32(d + n - 4, b);
	} else if (n > 0) {
		/* 1..3 bytes: first, middle, last (some may coincide). */
		unsigned char a = s[0], b = s[n / 2], c = s[n - 1];

		d[0] = a;
		d[n / 2] = b;
		d[n - 1] = c;
	}
}

/* Set once at boot, before any other CPU runs: whole runs with rep
 * movsb/stosb (ERMS) rather than 8-byte steps. The host test sets it to
 * check both. */
bool copy_use_movsb;

/* Forward copy of n bytes. Correct for overlap when d < s: every 8-byte
 * step (and every byte of rep movsb) reads its source before writing, and
 * writes only bytes below the next source byte still to be read. */
FW_NO_LIBCALL static inline void copy_fwd(unsigned char *d,
					  const unsigned char *s, size_t n)
{
#if defined(__x86_64__)
	size_t words = n / 8, tail = n % 8;

	if (copy_use_movsb) {
		__asm__ volatile("rep movsb"
				 : "+D"(d), "+S"(s), "+c"(n)
				 :
				 : "memory");
		return;
	}
	__asm__ volatile("rep movsq\n\tmov %3, %2\n\trep movsb"
			 : "+D"(d), "+S"(s), "+c"(words)
			 : "r"(tail)
			 : "memory");
#else
	while (n--)
		*d++ = *s++;
#endif
}

/* memcpy - copy n bytes from src to dst; the ranges must not overlap.
 * Returns dst. Cannot fail. */
FW_NO_LIBCALL void *FW_KLIB(memcpy)(void *restrict dst,
				     const void *restrict src, size_t n)
{
	if (n <= 16)
		copy_small(dst, src, n);
	else
		copy_fwd(dst, src, n);
	return dst;
}

/* memmove - copy n bytes from src to dst; the ranges may overlap.
 * Returns dst. Cannot fail. */
FW_NO_LIBCALL void *FW_KLIB(memmove)(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (n <= 16) {
		copy_small(d, s, n);
		return dst;
	}
	/* Unsigned distance: if dst is below src, or at least n above it, a
	 * forward copy never reads a byte it has already overwritten. */
	if ((uintptr_t)d - (uintptr_t)s >= n) {
		copy_fwd(d, s, n);
		return dst;
	}
	/* dst overlaps the tail of src: copy backwards, 8 bytes at a time.
	 * Backward "std; rep movsb" would also work but is not a fast-string
	 * operation, so it runs byte by byte in microcode. */
	while (n >= 8) {
		n -= 8;
		store64(d + n, load64(s + n));
	}
	while (n > 0) {
		n--;
		d[n] = s[n];
	}
	return dst;
}

/* memset - fill n bytes at dst with (unsigned char)c. Returns dst. */
FW_NO_LIBCALL void *FW_KLIB(memset)(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	if (n <= 16) {
		uint64_t v = 0x0101010101010101ull * (unsigned char)c;

		if (n >= 8) {
			store64(d, v);
			store64(d + n - 8, v);
		} else if (n >= 4) {
			store32(d, (uint32_t)v);
			store32(d + n - 4, (uint32_t)v);
		} else {
			while (n--)
				*d++ = (unsigned char)c;
		}
		return dst;
	}
#if defined(__x86_64__)
	size_t words = n / 8, tail = n % 8;

	if (copy_use_movsb) {
		__asm__ volatile("rep stosb"
				 : "+D"(d), "+c"(n)
				 : "a"(c)
				 : "memory");
		return dst;
	}
	__asm__ volatile("rep stosq\n\tmov %2, %1\n\trep stosb"
			 : "+D"(d), "+c"(words)
			 : "r"(tail), "a"(0x0101010101010101ull * (unsigned char)c)
			 : "memory");
#else
	while (n--)
		*d++ = (unsigned char)c;
#endif
	return dst;
}

/* memcmp - compare n bytes as unsigned char. Returns <0, 0 or >0. */
int FW_KLIB(memcmp)(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	/* Skip equal 8-byte words; the first differing word is resolved byte
	 * by byte below, which also gives the right sign on little endian. */
	while (n >= 8 && load64(p) == load64(q)) {
		p += 8;
		q += 8;
		n -= 8;
	}
	for (; n > 0; n--, p++, q++) {
		if (*p != *q)
			return *p < *q ? -1 : 1;
	}
	return 0;
}

/* memchr - find the first (unsigned char)c in n bytes at s.
 * Returns a pointer to it, or NULL. */
void *FW_KLIB(memchr)(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	const uint64_t ones = 0x0101010101010101ull;
	const uint64_t pattern = ones * (unsigned char)c;

	/* 8 bytes at a time: a word x ^ pattern has a zero byte exactly
	 * where x has c, and (v - ones) & ~v & 0x80.. flags v's zero bytes.
	 * Bytes above the first zero may be flagged falsely (the borrow),
	 * never below it, so the lowest flag is the first match (little
	 * endian: the lowest byte comes first). */
	for (; n >= 8; n -= 8, p += 8) {
		uint64_t v = load64(p) ^ pattern;
		uint64_t zero = (v - ones) & ~v & (ones << 7);

		if (zero)
			return (void *)(p + (__builtin_ctzll(zero) >> 3));
	}
	for (; n > 0; n--, p++) {
		if (*p == (unsigned char)c)
			return (void *)p;
	}
	return NULL;
}

/* strlen - length of the NUL-terminated string s. */
size_t FW_KLIB(strlen)(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

/* strnlen - length of s, but look at no more than maxlen bytes. */
size_t FW_KLIB(strnlen)(const char *s, size_t maxlen)
{
	size_t n = 0;

	while (n < maxlen && s[n])
		n++;
	return n;
}

/* strcmp - compare two strings as unsigned char. Returns <0, 0 or >0. */
int FW_KLIB(strcmp)(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p && *p == *q) {
		p++;
		q++;
	}
	return (int)*p - (int)*q;
}

/* strncmp - compare at most n bytes of two strings. Returns <0, 0 or >0. */
int FW_KLIB(strncmp)(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (; n > 0; n--, p++, q++) {
		if (*p != *q)
			return (int)*p - (int)*q;
		if (!*p)
			break;
	}
	return 0;
}

/* strchr - first (char)c in s; c == 0 finds the terminator. Or NULL. */
char *FW_KLIB(strchr)(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

/* strrchr - last (char)c in s; c == 0 finds the terminator. Or NULL. */
char *FW_KLIB(strrchr)(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

/* fw_strlcpy - copy a string into a fixed-size buffer, always terminated.
 * @dst:  destination buffer of @size bytes (untouched when size is 0)
 * @src:  NUL-terminated source
 * @size: size of @dst in bytes
 *
 * Copies at most size - 1 bytes and NUL-terminates. Returns strlen(src), as
 * BSD strlcpy does, so "ret >= size" tells the caller it was truncated.
 * Cannot fail. */
size_t fw__strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = FW_KLIB(strlen)(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;

		FW_KLIB(memcpy)(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/* The exported name; services reach the body above through the fortified
 * inline fw_strlcpy in <fw/string.h>, which checks size and src first. */
size_t fw_strlcpy(char *dst, const char *src, size_t size)
{
	return fw__strlcpy(dst, src, size);
}

static int digit_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A' + 10;
	return 99;	/* larger than any base */
}

/* fw_parse_u64 - parse a whole string as an unsigned 64-bit number.
 * @s:    NUL-terminated text: digits only, no sign, no white space
 * @base: 2..36, or 0 for C-style auto: "0x"/"0X" hex, leading "0" octal,
 *        else decimal. Base 16 also accepts a "0x" prefix (like strtoull).
 * @out:  receives the value; written only on success
 *
 * Unlike strtoull this rejects anything but a complete number, so a kernel
 * command line like "mem=12q" is an error instead of 12.
 * Returns 0 on success, -EINVAL if s or out is NULL, base is invalid, the
 * string is empty, has no digits after a prefix, or has any byte that is
 * not a digit of the base; -ERANGE if the value exceeds UINT64_MAX. */
int fw_parse_u64(const char *s, unsigned int base, uint64_t *out)
{
	uint64_t v = 0;
	bool overflow = false;

	if (!s || !out || base == 1 || base > 36)
		return -EINVAL;
	if ((base == 0 || base == 16) && s[0] == '0' &&
	    (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
		/* "0x" alone has no digits: caught by the empty check. */
	} else if (base == 0) {
		base = s[0] == '0' ? 8 : 10;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		int d = digit_value(*s);

		if (d >= (int)base)
			return -EINVAL;
		/* Keep scanning after an overflow: garbage still wins, so
		 * the error does not depend on where the junk is. */
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			overflow = true;
		else
			v = v * base + (uint64_t)d;
	}
	if (overflow)
		return -ERANGE;
	*out = v;
	return 0;
}
