/* tests/unit/klib_test.c: differential tests of the klib against host libc.
 *
 * Layer: host unit test for framework/lib. Built with -DFW_HOST_TEST, so the
 * klib's functions are klib_memcpy, klib_snprintf... (fw/string.h) and can
 * be run side by side with glibc's on the same random inputs. A fixed-seed
 * PRNG makes every failure reproducible; the failing input is printed.
 *
 * unit-sources: framework/lib/string.c framework/lib/format.c */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fw/errno.h>
#include <fw/string.h>

#include "harness.h"

/* xorshift64*: tiny, good enough, and the same on every host. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static size_t rnd_below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

/* Sizes: half small (where the klib's special paths are), half large. */
static size_t rnd_len(void)
{
	switch (rnd_below(4)) {
	case 0:
		return rnd_below(17);
	case 1:
		return rnd_below(130);
	default:
		return rnd_below(4097);
	}
}

static void rnd_fill(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)rnd();
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

#define AREA (4096 + 256)

static unsigned char ka[AREA], ha[AREA], src[AREA];

static void t_memcpy_random(void)
{
	for (int it = 0; it < 4000; it++) {
		size_t n = rnd_len();
		size_t so = rnd_below(64), doff = rnd_below(64);
		void *r;

		rnd_fill(src, AREA);
		rnd_fill(ka, AREA);
		memcpy(ha, ka, AREA);
		r = klib_memcpy(ka + doff, src + so, n);
		memcpy(ha + doff, src + so, n);
		CHECKF(r == ka + doff, "memcpy return, n=%zu", n);
		/* Whole area: also catches writes outside [doff, doff+n). */
		CHECKF(!memcmp(ka, ha, AREA), "memcpy n=%zu so=%zu do=%zu", n,
		       so, doff);
	}
}

static void t_memmove_overlap(void)
{
	for (int it = 0; it < 4000; it++) {
		size_t n = rnd_len() % 4096;
		size_t a = rnd_below(AREA - n), b;
		void *r;

		/* Mostly overlapping ranges, in both directions. */
		if (rnd_below(4)) {
			size_t d = rnd_below(n + 1);

			b = rnd_below(2) ? a + d : (a >= d ? a - d : 0);
			if (b + n > AREA)
				b = AREA - n;
		} else {
			b = rnd_below(AREA - n);
		}
		rnd_fill(ka, AREA);
		memcpy(ha, ka, AREA);
		r = klib_memmove(ka + b, ka + a, n);
		memmove(ha + b, ha + a, n);
		CHECKF(r == ka + b, "memmove return");
		CHECKF(!memcmp(ka, ha, AREA), "memmove n=%zu src=%zu dst=%zu",
		       n, a, b);
	}
}

static void t_memset_random(void)
{
	for (int it = 0; it < 4000; it++) {
		size_t n = rnd_len();
		size_t off = rnd_below(64);
		/* Includes values outside 0..255 and negatives. */
		int c = (int)(rnd() % 1024) - 512;
		void *r;

		rnd_fill(ka, AREA);
		memcpy(ha, ka, AREA);
		r = klib_memset(ka + off, c, n);
		memset(ha + off, c, n);
		CHECKF(r == ka + off, "memset return");
		CHECKF(!memcmp(ka, ha, AREA), "memset n=%zu off=%zu c=%d", n,
		       off, c);
	}
}

static void t_memcmp_sign(void)
{
	for (int it = 0; it < 6000; it++) {
		size_t n = rnd_len() % 4096;
		size_t ao = rnd_below(64), bo = rnd_below(64);

		rnd_fill(ka + ao, n);
		memcpy(ha + bo, ka + ao, n);
		/* Usually one differing byte, anywhere, any value. */
		if (n && rnd_below(4))
			ha[bo + rnd_below(n)] = (unsigned char)rnd();
		int k = klib_memcmp(ka + ao, ha + bo, n);
		int h = memcmp(ka + ao, ha + bo, n);

		CHECKF(sign(k) == sign(h), "memcmp n=%zu k=%d h=%d", n, k, h);
	}
	CHECK(klib_memcmp("a", "b", 0) == 0);
	CHECK(klib_memcmp("\x80", "\x7f", 1) > 0); /* unsigned compare */
}

static void t_memchr_random(void)
{
	for (int it = 0; it < 4000; it++) {
		size_t n = rnd_len();
		size_t off = rnd_below(64);
		int c = (int)(rnd() % 300);	/* some > 255: uses (u8)c */

		/* Few distinct values, so hits are common. */
		for (size_t i = 0; i < n; i++)
			ka[off + i] = (unsigned char)(rnd() % 40 + 10);
		CHECKF(klib_memchr(ka + off, c, n) == memchr(ka + off, c, n),
		       "memchr n=%zu c=%d", n, c);
	}
}

/* A random C string of length len at p, bytes 1..255. */
static void rnd_str(char *p, size_t len, int alphabet)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (char)(1 + rnd_below((size_t)alphabet));
	p[len] = '\0';
}

static char s1[AREA], s2[AREA];

static void t_strlen_strnlen(void)
{
	for (int it = 0; it < 4000; it++) {
		size_t len = rnd_len() % 4000, off = rnd_below(64);
		size_t max = rnd_below(2) ? rnd_below(len + 2)
					  : rnd_below(8000);

		rnd_str(s1 + off, len, 255);
		CHECKF(klib_strlen(s1 + off) == len, "strlen len=%zu", len);
		CHECKF(klib_strnlen(s1 + off, max) == strnlen(s1 + off, max),
		       "strnlen len=%zu max=%zu", len, max);
	}
	/* strnlen must not read past max: an unterminated array. */
	char raw[8];

	memset(raw, 'x', sizeof raw);
	CHECK(klib_strnlen(raw, sizeof raw) == sizeof raw);
	CHECK(klib_strnlen(raw, 3) == 3);
	CHECK(klib_strnlen(raw, 0) == 0);
	CHECK(klib_strlen("") == 0);
}

static void t_strcmp_sign(void)
{
	for (int it = 0; it < 6000; it++) {
		size_t l1 = rnd_len() % 200, l2;
		size_t n = rnd_below(250);

		/* Small alphabet incl. high bytes: many common prefixes. */
		rnd_str(s1, l1, 3);
		if (rnd_below(2))
			s1[rnd_below(l1 + 1)] = (char)0xC8;
		s1[l1] = '\0';
		l1 = strlen(s1);
		memcpy(s2, s1, l1 + 1);
		l2 = l1;
		switch (rnd_below(4)) {
		case 0:
			if (l1)
				s2[rnd_below(l1)] = (char)(1 + rnd_below(255));
			break;
		case 1:
			l2 = rnd_below(l1 + 1);
			s2[l2] = '\0';
			break;
		case 2:
			rnd_str(s2 + l1, rnd_below(5), 255);
			break;
		default:
			break;
		}
		CHECKF(sign(klib_strcmp(s1, s2)) == sign(strcmp(s1, s2)),
		       "strcmp \"%.200s\" \"%.200s\"", s1, s2);
		CHECKF(sign(klib_strncmp(s1, s2, n)) ==
			       sign(strncmp(s1, s2, n)),
		       "strncmp n=%zu", n);
	}
}

static void t_strchr_strrchr(void)
{
	for (int it = 0; it < 4000; it++) {
		size_t len = rnd_len() % 300;
		int c = (int)rnd_below(5) == 0 ? 0 : (int)(rnd() % 600) - 300;

		for (size_t i = 0; i < len; i++)
			s1[i] = (char)(rnd() % 30 + 'a');
		if (len && rnd_below(2))
			s1[rnd_below(len)] = (char)c;
		s1[len] = '\0';
		len = strlen(s1);
		CHECKF(klib_strchr(s1, c) == strchr(s1, c), "strchr c=%d", c);
		CHECKF(klib_strrchr(s1, c) == strrchr(s1, c), "strrchr c=%d",
		       c);
	}
}

static void t_strlcpy(void)
{
	for (int it = 0; it < 4000; it++) {
		size_t len = rnd_len() % 300, size = rnd_below(320);
		char dst[320 + 16];

		rnd_str(s1, len, 255);
		memset(dst, 0x5A, sizeof dst);
		CHECK(fw_strlcpy(dst, s1, size) == len);
		if (size) {
			size_t n = len < size - 1 ? len : size - 1;

			CHECK(!memcmp(dst, s1, n) && dst[n] == '\0');
			for (size_t i = n + 1; i < sizeof dst; i++)
				CHECKF(dst[i] == 0x5A, "strlcpy wrote past");
		} else {
			CHECK(dst[0] == 0x5A);
		}
	}
}

/* ---- snprintf ----------------------------------------------------------- */

#define FBUF 512

static char kbuf[FBUF + 16], hbuf[FBUF + 16];
static int fmt_cases;

/* Run both printfs on identical arguments with buffer size sz and compare
 * return value, bytes and the canary beyond sz. Returns 0 on agreement. */
#define BOTH(sz, ...)                                                          \
	({                                                                     \
		int kr_, hr_, bad_ = 0;                                        \
		memset(kbuf, 0x77, sizeof kbuf);                               \
		memset(hbuf, 0x77, sizeof hbuf);                               \
		kr_ = klib_snprintf((sz) ? kbuf : NULL, (sz), __VA_ARGS__);    \
		hr_ = snprintf((sz) ? hbuf : NULL, (sz), __VA_ARGS__);         \
		if (kr_ != hr_ || memcmp(kbuf, hbuf, sizeof kbuf))             \
			bad_ = 1;                                              \
		fmt_cases++;                                                   \
		bad_;                                                          \
	})

/* The value to print and how to pass it. */
enum vkind {
	V_INT, V_UINT, V_LONG, V_ULONG, V_LL, V_ULL, V_SIZE, V_PTRDIFF,
	V_INTMAX, V_UINTMAX, V_CHAR, V_STR, V_PTR,
};

struct fcase {
	char fmt[96];
	enum vkind kind;
	long long sv;
	unsigned long long uv;
	const char *str;
	const void *ptr;
	int star_w, star_p;	/* use '*' for width / precision */
	int wv, pv;		/* their argument values */
};

static const long long specials[] = {
	0, 1, -1, 7, 8, 9, 10, 15, 16, 127, 128, 255, 256, -128, -129,
	32767, 32768, -32768, 65535, 65536, INT_MAX, INT_MIN, UINT_MAX,
	(long long)INT_MAX + 1, LLONG_MAX, LLONG_MIN, LLONG_MIN + 1,
	0x123456789abcdefll, -0x123456789abcdefll,
};

static unsigned long long rnd_value(void)
{
	if (rnd_below(3) == 0)
		return (unsigned long long)
			specials[rnd_below(FW_ARRAY_LEN(specials))];
	/* Random magnitude so every digit count shows up. */
	return rnd() >> rnd_below(64);
}

static const char *const strs[] = {
	"", "a", "hello", "hello, world", "tab\there", "\x80\xff high",
	"0123456789012345678901234567890123456789",
};

/* Call both printfs with the argument list that fits c. */
static int run_case(const struct fcase *c, size_t sz)
{
	const char *f = c->fmt;

#define ARGS(v)                                                                \
	(c->star_w && c->star_p) ? BOTH(sz, f, c->wv, c->pv, v) :              \
	c->star_w		 ? BOTH(sz, f, c->wv, v) :                     \
	c->star_p		 ? BOTH(sz, f, c->pv, v) :                     \
				   BOTH(sz, f, v)

	switch (c->kind) {
	case V_INT:
		return ARGS((int)c->sv);
	case V_UINT:
		return ARGS((unsigned int)c->uv);
	case V_LONG:
		return ARGS((long)c->sv);
	case V_ULONG:
		return ARGS((unsigned long)c->uv);
	case V_LL:
		return ARGS((long long)c->sv);
	case V_ULL:
		return ARGS((unsigned long long)c->uv);
	case V_SIZE:
		return ARGS((size_t)c->uv);
	case V_PTRDIFF:
		return ARGS((ptrdiff_t)c->sv);
	case V_INTMAX:
		return ARGS((intmax_t)c->sv);
	case V_UINTMAX:
		return ARGS((uintmax_t)c->uv);
	case V_CHAR:
		return ARGS((int)c->sv);
	case V_STR:
		return ARGS(c->str);
	case V_PTR:
		return ARGS(c->ptr);
	}
#undef ARGS
	return 1;
}

/* Build one random conversion, surrounded by literal text. Only flag and
 * modifier combinations C defines, plus glibc's %p extras (we promise to
 * match glibc there, see format.c). */
static void rnd_case(struct fcase *c)
{
	static const char convs[] = "diuxXocsp";
	char conv = convs[rnd_below(sizeof convs - 1)];
	bool is_int = strchr("diuxXo", conv) != NULL;
	bool is_signed = conv == 'd' || conv == 'i';
	char *p = c->fmt;
	int nflags = (int)rnd_below(5);

	memset(c, 0, sizeof *c);
	p = c->fmt;
	if (rnd_below(2))
		p += sprintf(p, "<%s", rnd_below(2) ? "x" : "lit ");
	*p++ = '%';
	for (int i = 0; i < nflags; i++) {
		const char *allowed = is_int ? (is_signed ? "-+ 0" : "-+ 0#")
				      : conv == 'p' ? "-+ 0" : "-";

		*p++ = allowed[rnd_below(strlen(allowed))];
	}
	switch (rnd_below(4)) {
	case 0:
		break;
	case 1:
		c->star_w = 1;
		c->wv = (int)rnd_below(61) - 30;
		*p++ = '*';
		break;
	default:
		p += sprintf(p, "%d", (int)rnd_below(40));
		break;
	}
	if (conv != 'c' && rnd_below(2)) {
		*p++ = '.';
		switch (rnd_below(4)) {
		case 0:
			break;	/* "." alone means 0 */
		case 1:
			c->star_p = 1;
			c->pv = (int)rnd_below(41) - 10;
			*p++ = '*';
			break;
		default:
			p += sprintf(p, "%d", (int)rnd_below(30));
			break;
		}
	}

	c->sv = (long long)rnd_value();
	c->uv = (unsigned long long)c->sv;
	if (is_int) {
		static const char *const mods[] = {
			"", "hh", "h", "l", "ll", "z", "t", "j",
		};
		static const enum vkind sk[] = {
			V_INT, V_INT, V_INT, V_LONG, V_LL, V_LONG, V_PTRDIFF,
			V_INTMAX,
		};
		static const enum vkind uk[] = {
			V_UINT, V_UINT, V_UINT, V_ULONG, V_ULL, V_SIZE,
			V_PTRDIFF, V_UINTMAX,
		};
		size_t m = rnd_below(FW_ARRAY_LEN(mods));

		p += sprintf(p, "%s", mods[m]);
		c->kind = is_signed ? sk[m] : uk[m];
	} else if (conv == 'c') {
		c->kind = V_CHAR;
		c->sv = (long long)(rnd() % 256 + 1) % 256 ?: 'A';
	} else if (conv == 's') {
		c->kind = V_STR;
		/* NULL too: glibc prints "(null)" and so must we. */
		c->str = rnd_below(8) ? strs[rnd_below(FW_ARRAY_LEN(strs))]
				      : NULL;
	} else {
		c->kind = V_PTR;
		c->ptr = rnd_below(6) ? (const void *)(uintptr_t)rnd_value()
				      : NULL;
	}
	*p++ = conv;
	if (rnd_below(2))
		p += sprintf(p, "%s", rnd_below(2) ? ">" : " tail%%");
	*p = '\0';
}

static void t_snprintf_random(void)
{
	struct fcase c;

	for (int it = 0; it < 30000; it++) {
		rnd_case(&c);
		CHECKF(!run_case(&c, FBUF),
		       "fmt \"%.90s\" k=\"%.150s\" h=\"%.150s\"", c.fmt, kbuf,
		       hbuf);
		/* Every tenth case: every truncation size. */
		if (it % 10 == 0) {
			size_t full = strlen(hbuf);

			for (size_t sz = 0; sz <= full + 1; sz++)
				CHECKF(!run_case(&c, sz),
				       "fmt \"%.90s\" size %zu "
				       "k=\"%.150s\" h=\"%.150s\"",
				       c.fmt, sz, kbuf, hbuf);
		}
	}
}

/* Exhaustive over all flag subsets for a few values and conversions. */
static void t_snprintf_flags_exhaustive(void)
{
	static const char *const convs[] = { "d", "i", "u", "x", "X", "o",
					     "lld", "llx", "hhd", "hu" };
	static const int vals[] = { 0, 1, -1, 42, -42, INT_MIN, INT_MAX };
	static const char *const wp[] = { "", "5", "12", ".0", ".3", "5.0",
					  "8.3", "1.10", "." };
	char f[64];

	for (unsigned int fl = 0; fl < 32; fl++) {
		for (size_t ci = 0; ci < FW_ARRAY_LEN(convs); ci++) {
			bool sgn = strchr(convs[ci], 'd') ||
				   convs[ci][0] == 'i';

			if ((fl & 16) && sgn)
				continue;	/* '#' with d/i is undefined */
			for (size_t w = 0; w < FW_ARRAY_LEN(wp); w++) {
				snprintf(f, sizeof f, "[%%%s%s%s%s%s%s%s]",
					 fl & 1 ? "-" : "", fl & 2 ? "+" : "",
					 fl & 4 ? " " : "", fl & 8 ? "0" : "",
					 fl & 16 ? "#" : "", wp[w], convs[ci]);
				for (size_t v = 0; v < FW_ARRAY_LEN(vals);
				     v++) {
					long long x = vals[v];
					int bad;

					if (strstr(convs[ci], "ll"))
						bad = BOTH(FBUF, f, x);
					else
						bad = BOTH(FBUF, f, vals[v]);
					CHECKF(!bad,
					       "fmt %s v=%d k=%.150s h=%.150s",
					       f, vals[v], kbuf, hbuf);
				}
			}
		}
	}
}

static void t_snprintf_fixed(void)
{
	char b[64];
	const char *nul = NULL;
	/* volatile: runtime formats, so gcc's own checks (rightly unhappy
	 * about NULL %s or a 2 GiB width) do not see them. */
	const char *volatile f;
	volatile int big = INT_MIN;

	/* Extremes, exactly as glibc prints them. */
	CHECK(klib_snprintf(b, sizeof b, "%lld", LLONG_MIN) == 20 &&
	      !strcmp(b, "-9223372036854775808"));
	CHECK(klib_snprintf(b, sizeof b, "%llu", ULLONG_MAX) == 20 &&
	      !strcmp(b, "18446744073709551615"));
	CHECK(klib_snprintf(b, sizeof b, "%#llo", ULLONG_MAX) == 23 &&
	      !strcmp(b, "01777777777777777777777"));
	CHECK(klib_snprintf(b, sizeof b, "%p", (void *)0) == 5 &&
	      !strcmp(b, "(nil)"));
	CHECK(klib_snprintf(b, sizeof b, "%p", (void *)0x1000) == 6 &&
	      !strcmp(b, "0x1000"));
	f = "%s";	/* runtime format: gcc rightly warns about NULL %s */
	CHECK(klib_snprintf(b, sizeof b, f, nul) == 6 && !strcmp(b, "(null)"));
	CHECK(klib_snprintf(b, sizeof b, "%%|%c|%-3c|", 'x', 'y') == 8 &&
	      !strcmp(b, "%|x|y  |"));
	/* Several conversions in one format, arguments kept in step. */
	CHECK(!BOTH(FBUF, "%d %s %*.*x %c %lu %p %hhu %zd", -5, "str", 8, 4,
		    0xabcu, 'q', 123456789012ul, (void *)&b,
		    (unsigned char)200, (size_t)77));
	/* Size 0 with a NULL buffer only measures. */
	CHECK(klib_snprintf(NULL, 0, "%d-%s", 12345, "abc") == 9);
	/* Unknown conversion comes out verbatim, consuming no argument. */
	f = "a%qb%d";
	CHECK(klib_snprintf(b, sizeof b, f, 7) == 5 && !strcmp(b, "a%qb7"));
	f = "end%";
	CHECK(klib_snprintf(b, sizeof b, f, 0) == 4 && !strcmp(b, "end%"));
	/* A huge width is counted, not written, and does not take long. */
	CHECK(klib_snprintf(b, sizeof b, "%100000000d", 1) == 100000000);
	CHECK(strlen(b) == sizeof b - 1);
	/* Width -INT_MIN: 2^31 bytes do not fit the int result. */
	f = "%*d";
	CHECK(klib_snprintf(b, sizeof b, f, big, 1) == -EOVERFLOW);
	CHECK(b[sizeof b - 1] == '\0');
	/* %s with precision never reads past it. */
	char unterminated[4] = { 'a', 'b', 'c', 'd' };

	CHECK(klib_snprintf(b, sizeof b, "%.4s|%.2s", unterminated,
			    unterminated) == 7 &&
	      !strcmp(b, "abcd|ab"));
}

/* ---- fw_parse_u64 --------------------------------------------------- */

static void t_parse_table(void)
{
	static const struct {
		const char *s;
		unsigned int base;
		int ret;
		uint64_t v;
	} cases[] = {
		{ "0", 0, 0, 0 },
		{ "00", 0, 0, 0 },
		{ "7", 0, 0, 7 },
		{ "10", 0, 0, 10 },
		{ "010", 0, 0, 8 },
		{ "0x10", 0, 0, 16 },
		{ "0X1f", 0, 0, 31 },
		{ "0xFFFFFFFFFFFFFFFF", 0, 0, UINT64_MAX },
		{ "0x10000000000000000", 0, -ERANGE, 0 },
		{ "18446744073709551615", 10, 0, UINT64_MAX },
		{ "18446744073709551616", 10, -ERANGE, 0 },
		{ "99999999999999999999", 0, -ERANGE, 0 },
		{ "1777777777777777777777", 8, 0, UINT64_MAX },
		{ "2000000000000000000000", 8, -ERANGE, 0 },
		{ "99999999999999999999x", 0, -EINVAL, 0 },	/* junk wins */
		{ "1111", 2, 0, 15 },
		{ "12", 2, -EINVAL, 0 },
		{ "zz", 36, 0, 35 * 36 + 35 },
		{ "ff", 16, 0, 255 },
		{ "0xff", 16, 0, 255 },
		{ "0x", 0, -EINVAL, 0 },
		{ "0x", 16, -EINVAL, 0 },
		{ "0xg", 0, -EINVAL, 0 },
		{ "08", 0, -EINVAL, 0 },
		{ "08", 10, 0, 8 },
		{ "", 0, -EINVAL, 0 },
		{ "", 10, -EINVAL, 0 },
		{ " 1", 0, -EINVAL, 0 },
		{ "1 ", 0, -EINVAL, 0 },
		{ "+1", 0, -EINVAL, 0 },
		{ "-1", 0, -EINVAL, 0 },
		{ "12k", 0, -EINVAL, 0 },
		{ "1", 1, -EINVAL, 0 },
		{ "1", 37, -EINVAL, 0 },
		{ "1", 99, -EINVAL, 0 },
		{ "a", 10, -EINVAL, 0 },
	};

	for (size_t i = 0; i < FW_ARRAY_LEN(cases); i++) {
		uint64_t v = 0xdeadbeef;
		int r = fw_parse_u64(cases[i].s, cases[i].base, &v);

		CHECKF(r == cases[i].ret, "\"%s\" base %u: ret %d want %d",
		       cases[i].s, cases[i].base, r, cases[i].ret);
		if (r == 0)
			CHECKF(v == cases[i].v, "\"%s\": %llu", cases[i].s,
			       (unsigned long long)v);
		else
			CHECKF(v == 0xdeadbeef, "\"%s\": out written on error",
			       cases[i].s);
	}
	uint64_t v;

	CHECK(fw_parse_u64(NULL, 0, &v) == -EINVAL);
	CHECK(fw_parse_u64("1", 0, NULL) == -EINVAL);
}

/* Against strtoull on random well-formed digit strings of random bases. */
static void t_parse_random(void)
{
	static const char digs[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	char s[80];

	for (int it = 0; it < 20000; it++) {
		unsigned int base = 2 + (unsigned int)rnd_below(35);
		size_t len = 1 + rnd_below(70);
		uint64_t v = 0;
		int r;

		for (size_t i = 0; i < len; i++)
			s[i] = digs[rnd_below(base)];
		s[len] = '\0';
		/* Avoid a 0x prefix in base 16+ here: strtoull with base
		 * 34 reads "0x" as digits, we do not. */
		if (base >= 34 && s[0] == '0')
			s[0] = '1';
		errno = 0;
		unsigned long long ref = strtoull(s, NULL, (int)base);
		int ref_range = errno == ERANGE;

		r = fw_parse_u64(s, base, &v);
		if (ref_range)
			CHECKF(r == -ERANGE, "\"%s\" base %u: %d", s, base, r);
		else
			CHECKF(r == 0 && v == ref, "\"%s\" base %u: %d %llu",
			       s, base, r, (unsigned long long)v);
	}
	/* Round trip through printf in the three auto bases. */
	for (int it = 0; it < 20000; it++) {
		unsigned long long x = rnd_value();
		const char *f = rnd_below(3) == 0 ? "%llu"
				: rnd_below(2)     ? "%#llx"
						   : "%#llo";
		uint64_t v;

		snprintf(s, sizeof s, f, x);
		CHECKF(fw_parse_u64(s, 0, &v) == 0 && v == x, "\"%s\"", s);
	}
}

extern bool copy_use_movsb;

/* The copies again with whole-run rep movsb/stosb (copy_use_movsb: chosen
 * at boot on hardware where it measures faster). */
static void t_copies_by_movsb(void)
{
	copy_use_movsb = true;
	t_memcpy_random();
	t_memmove_overlap();
	t_memset_random();
	copy_use_movsb = false;
}

int main(void)
{
	TEST_SUITE("klib");
	RUN(t_memcpy_random);
	RUN(t_memmove_overlap);
	RUN(t_memset_random);
	RUN(t_copies_by_movsb);
	RUN(t_memcmp_sign);
	RUN(t_memchr_random);
	RUN(t_strlen_strnlen);
	RUN(t_strcmp_sign);
	RUN(t_strchr_strrchr);
	RUN(t_strlcpy);
	RUN(t_snprintf_random);
	RUN(t_snprintf_flags_exhaustive);
	RUN(t_snprintf_fixed);
	RUN(t_parse_table);
	RUN(t_parse_random);
	printf("# klib: %d snprintf comparisons\n", fmt_cases);
	HARNESS_EXIT();
}
