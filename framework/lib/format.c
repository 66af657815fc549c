/* framework/lib/format.c: klib vsnprintf/snprintf.
 *
 * Layer: framework (TCB), freestanding, no floating point. Used by fw_log
 * and anyone formatting into a fixed buffer. Under FW_HOST_TEST the names
 * are klib_vsnprintf/klib_snprintf (see fw/string.h) and the unit test
 * compares the output byte for byte with glibc, so where C leaves a flag
 * combination undefined we still do what glibc does:
 *
 *   conversions  %d %i %u %x %X %o %c %s %p %%
 *   flags        - + space 0 #
 *   width, precision: digits or '*' (a negative '*' width means '-',
 *                a negative '*' precision means none)
 *   length       hh h l ll z t j (ignored for %c %s %p)
 *   %p           like "%#lx", "(nil)" for NULL (padded, never cut)
 *   %s           "(null)" for NULL, or "" if the precision is below 6
 *
 * Deliberately unsupported: %n (writes through a pointer taken from the
 * argument list, the classic format-string exploit), floating point (the
 * kernel is built with -mno-sse -mno-80387), wide characters. An unknown
 * conversion is copied to the output verbatim and consumes no argument, so
 * a bad format is visible in the log instead of shifting later arguments.
 * gcc checks formats at every call site through FW_PRINTF anyway.
 *
 * __INT_MAX__ rather than <limits.h>: gcc's limits.h does #include_next,
 * which fails under -nostdinc. */
#include <fw/errno.h>
#include <fw/string.h>

FW_STATIC_ASSERT(sizeof(size_t) == sizeof(long) &&
			 sizeof(ptrdiff_t) == sizeof(long) &&
			 sizeof(intmax_t) == sizeof(long long),
		 "format.c assumes LP64 for %z, %t and %j");

/* Output sink: writes what fits, counts everything (C99 return value). */
struct out {
	char *buf;	/* destination, may be NULL when size is 0 */
	size_t size;	/* bytes available at buf, including the NUL */
	size_t len;	/* bytes the full output needs, without the NUL */
};

static void put_ch(struct out *o, char c)
{
	if (o->len < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* Only the part that fits is written, so "%1000000000d" costs nothing. */
static void put_rep(struct out *o, char c, size_t n)
{
	size_t room = o->len < o->size ? o->size - o->len : 0;
	size_t w = n < room ? n : room;

	for (size_t i = 0; i < w; i++)
		o->buf[o->len + i] = c;
	o->len += n;
}

static void put_str(struct out *o, const char *s, size_t n)
{
	size_t room = o->len < o->size ? o->size - o->len : 0;
	size_t w = n < room ? n : room;

	for (size_t i = 0; i < w; i++)
		o->buf[o->len + i] = s[i];
	o->len += n;
}

enum {
	F_LEFT = 1 << 0,	/* '-' */
	F_PLUS = 1 << 1,	/* '+' */
	F_SPACE = 1 << 2,	/* ' ' */
	F_ALT = 1 << 3,		/* '#' */
	F_ZERO = 1 << 4,	/* '0' */
	F_SIGNED = 1 << 5,	/* conversion takes a sign (%d %i %p) */
	F_UPPER = 1 << 6,	/* %X */
};

struct spec {
	unsigned int flags;
	size_t width;		/* 0 if none */
	long prec;		/* -1 if none */
	unsigned int base;	/* 8, 10 or 16 */
};

/* Pad a string of n bytes to the field width with spaces ('0' is ignored
 * for non-numeric conversions, as glibc does). */
static void put_field(struct out *o, const struct spec *sp, const char *s,
		      size_t n)
{
	size_t pad = sp->width > n ? sp->width - n : 0;

	if (!(sp->flags & F_LEFT))
		put_rep(o, ' ', pad);
	put_str(o, s, n);
	if (sp->flags & F_LEFT)
		put_rep(o, ' ', pad);
}

/* Format one integer: magnitude v, negative if neg. */
static void put_num(struct out *o, const struct spec *sp, uint64_t v,
		    bool neg)
{
	const char *digs = (sp->flags & F_UPPER) ? "0123456789ABCDEF"
						  : "0123456789abcdef";
	char tmp[24];		/* 64 bits in octal is 22 digits */
	char pre[3];
	const char *digits;
	size_t nd = 0, np = 0, zeros, total;

	/* C11 7.21.6.1p8: precision 0 and value 0 give no digits. */
	if (!(sp->prec == 0 && v == 0)) {
		do {
			tmp[sizeof(tmp) - ++nd] = digs[v % sp->base];
			v /= sp->base;
		} while (v);
	}
	digits = tmp + sizeof(tmp) - nd;

	if (sp->flags & F_SIGNED) {
		if (neg)
			pre[np++] = '-';
		else if (sp->flags & F_PLUS)
			pre[np++] = '+';
		else if (sp->flags & F_SPACE)
			pre[np++] = ' ';
	}
	/* '#' with x/X: "0x" prefix for nonzero values only. */
	if ((sp->flags & F_ALT) && sp->base == 16 && nd > 0 &&
	    !(nd == 1 && digits[0] == '0')) {
		pre[np++] = '0';
		pre[np++] = (sp->flags & F_UPPER) ? 'X' : 'x';
	}
	zeros = sp->prec > (long)nd ? (size_t)sp->prec - nd : 0;
	/* '#' with o: raise the precision so the first digit is a zero. */
	if ((sp->flags & F_ALT) && sp->base == 8 && zeros == 0 &&
	    (nd == 0 || digits[0] != '0'))
		zeros = 1;
	total = np + zeros + nd;

	if (sp->width > total) {
		size_t pad = sp->width - total;

		if (sp->flags & F_LEFT) {
			put_str(o, pre, np);
			put_rep(o, '0', zeros);
			put_str(o, digits, nd);
			put_rep(o, ' ', pad);
			return;
		}
		/* '0' pads after the sign and prefix, unless a precision
		 * was given (C11 7.21.6.1p6). */
		if ((sp->flags & F_ZERO) && sp->prec < 0)
			zeros += pad;
		else
			put_rep(o, ' ', pad);
	}
	put_str(o, pre, np);
	put_rep(o, '0', zeros);
	put_str(o, digits, nd);
}

/* Read a decimal field, saturating so a silly width cannot overflow. */
static size_t parse_dec(const char **fmtp)
{
	const char *f = *fmtp;
	size_t v = 0;

	while (*f >= '0' && *f <= '9') {
		if (v < __INT_MAX__)
			v = v * 10 + (size_t)(*f - '0');
		if (v > __INT_MAX__)
			v = __INT_MAX__;
		f++;
	}
	*fmtp = f;
	return v;
}

enum len_mod { L_NONE, L_HH, L_H, L_L, L_LL };

/* vsnprintf - format into a bounded buffer.
 * @buf:  destination; may be NULL only if size is 0
 * @size: bytes at buf; output is cut to size - 1 bytes plus a NUL, and
 *        nothing is written when size is 0
 * @fmt:  format, see the file comment for what is supported
 * @ap:   arguments
 *
 * Returns the number of bytes the complete output needs, not counting the
 * NUL (C99), so "ret >= size" means it was truncated. Returns -EOVERFLOW
 * if that number does not fit in an int (buf is still terminated). */
int FW_KLIB(vsnprintf)(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };

	while (*fmt) {
		const char *start = fmt;
		struct spec sp = { .flags = 0, .width = 0, .prec = -1,
				   .base = 10 };
		enum len_mod lm = L_NONE;

		if (*fmt != '%') {
			/* Copy the literal run in one go. */
			const char *p = fmt;

			while (*p && *p != '%')
				p++;
			put_str(&o, fmt, (size_t)(p - fmt));
			fmt = p;
			continue;
		}
		fmt++;

		for (;; fmt++) {
			if (*fmt == '-')
				sp.flags |= F_LEFT;
			else if (*fmt == '+')
				sp.flags |= F_PLUS;
			else if (*fmt == ' ')
				sp.flags |= F_SPACE;
			else if (*fmt == '#')
				sp.flags |= F_ALT;
			else if (*fmt == '0')
				sp.flags |= F_ZERO;
			else
				break;
		}

		if (*fmt == '*') {
			int w = va_arg(ap, int);

			fmt++;
			if (w < 0) {
				sp.flags |= F_LEFT;
				/* -INT_MIN does not fit in an int. */
				sp.width = (size_t)(-(long)w);
			} else {
				sp.width = (size_t)w;
			}
		} else {
			sp.width = parse_dec(&fmt);
		}

		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				int p = va_arg(ap, int);

				fmt++;
				sp.prec = p < 0 ? -1 : p;
			} else {
				sp.prec = (long)parse_dec(&fmt);
			}
		}

		switch (*fmt) {
		case 'h':
			fmt++;
			lm = L_H;
			if (*fmt == 'h') {
				fmt++;
				lm = L_HH;
			}
			break;
		case 'l':
			fmt++;
			lm = L_L;
			if (*fmt == 'l') {
				fmt++;
				lm = L_LL;
			}
			break;
		case 'z':
		case 't':
		case 'j':
			/* All 64-bit on LP64 (see the static assert). */
			fmt++;
			lm = L_LL;
			break;
		default:
			break;
		}

		switch (*fmt) {
		case 'd':
		case 'i': {
			long long v;

			if (lm == L_LL)
				v = va_arg(ap, long long);
			else if (lm == L_L)
				v = va_arg(ap, long);
			else if (lm == L_H)
				v = (short)va_arg(ap, int);
			else if (lm == L_HH)
				v = (signed char)va_arg(ap, int);
			else
				v = va_arg(ap, int);
			sp.flags |= F_SIGNED;
			/* Negate in unsigned arithmetic: LLONG_MIN has no
			 * positive counterpart. */
			put_num(&o, &sp, v < 0 ? 0 - (uint64_t)v : (uint64_t)v,
				v < 0);
			break;
		}
		case 'X':
			sp.flags |= F_UPPER;
			/* fall through */
		case 'x':
		case 'o':
		case 'u': {
			uint64_t v;

			sp.base = *fmt == 'o' ? 8 : *fmt == 'u' ? 10 : 16;
			if (lm == L_LL)
				v = va_arg(ap, unsigned long long);
			else if (lm == L_L)
				v = va_arg(ap, unsigned long);
			else if (lm == L_H)
				v = (unsigned short)va_arg(ap, unsigned int);
			else if (lm == L_HH)
				v = (unsigned char)va_arg(ap, unsigned int);
			else
				v = va_arg(ap, unsigned int);
			put_num(&o, &sp, v, false);
			break;
		}
		case 'c': {
			char c = (char)(unsigned char)va_arg(ap, int);

			put_field(&o, &sp, &c, 1);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n;

			if (!s && sp.prec >= 0 && sp.prec < 6)
				s = "";
			else if (!s)
				s = "(null)";
			/* Never read past the precision: the string need
			 * not be terminated within it. */
			n = sp.prec < 0 ? FW_KLIB(strlen)(s)
					: FW_KLIB(strnlen)(s, (size_t)sp.prec);
			put_field(&o, &sp, s, n);
			break;
		}
		case 'p': {
			const void *p = va_arg(ap, const void *);

			if (!p) {
				put_field(&o, &sp, "(nil)", 5);
				break;
			}
			sp.base = 16;
			sp.flags |= F_ALT | F_SIGNED;
			put_num(&o, &sp, (uint64_t)(uintptr_t)p, false);
			break;
		}
		case '%':
			put_ch(&o, '%');
			break;
		default:
			/* Unknown or missing conversion: show it verbatim. */
			if (*fmt)
				fmt++;
			put_str(&o, start, (size_t)(fmt - start));
			continue;
		}
		fmt++;
	}

	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	if (o.len > __INT_MAX__)
		return -EOVERFLOW;
	return (int)o.len;
}

/* snprintf - vsnprintf with a variable argument list; same arguments,
 * result and errors. */
int FW_KLIB(snprintf)(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = FW_KLIB(vsnprintf)(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}
