/* tests/unit/bytes_test.c: bounds and byte order of fw/bytes.h.
 *
 * Layer: host unit test for framework/bytes. Every view here is over a heap
 * block of exactly the view's size, so ASan reports any byte read or
 * written outside it; the tests themselves check that every out-of-range
 * access fails with -EINVAL and changes nothing (neither the output, nor
 * the memory, nor the cursor).
 *
 * unit-sources: framework/bytes/bytes.c */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fw/bytes.h>
#include <fw/errno.h>

#include "harness.h"

#define MAXLEN 24

/* Offsets to try against a view of len bytes: all in range, one past, and
 * values near SIZE_MAX where off + size would wrap around. */
static size_t offsets(size_t len, size_t *out)
{
	size_t n = 0;

	for (size_t o = 0; o <= len + 2; o++)
		out[n++] = o;
	for (size_t d = 0; d <= 9; d++)
		out[n++] = SIZE_MAX - d;
	out[n++] = SIZE_MAX / 2;
	out[n++] = (size_t)1 << 63;
	return n;
}

static uint8_t pat(size_t i)
{
	return (uint8_t)(i * 17 + 3);
}

/* Reference little/big-endian value of size bytes at p. */
static uint64_t ref_load(const uint8_t *p, size_t size, bool be)
{
	uint64_t v = 0;

	for (size_t i = 0; i < size; i++)
		v |= (uint64_t)p[be ? size - 1 - i : i] << (8 * i);
	return v;
}

/* Uniform wrappers so one loop can test every accessor. */
struct acc {
	const char *name;
	size_t size;
	bool be;
	int (*get)(struct fw_bytes, size_t, uint64_t *);
	int (*put)(struct fw_buf, size_t, uint64_t);
	int (*rd)(struct fw_reader *, uint64_t *);
	int (*wr)(struct fw_writer *, uint64_t);
};

#define ACC(nm, type, sz, bigend)                                              \
	static int get_##nm(struct fw_bytes b, size_t off, uint64_t *out)      \
	{                                                                      \
		type v = (type)0x5a5a5a5a5a5a5a5aull;                          \
		int r = fw_bytes_get_##nm(b, off, &v);                         \
		if (r == 0)                                                    \
			*out = v;                                              \
		else if (v != (type)0x5a5a5a5a5a5a5a5aull)                     \
			return 12345; /* out written on error */               \
		return r;                                                      \
	}                                                                      \
	static int put_##nm(struct fw_buf b, size_t off, uint64_t v)           \
	{                                                                      \
		return fw_buf_put_##nm(b, off, (type)v);                       \
	}                                                                      \
	static int rd_##nm(struct fw_reader *r, uint64_t *out)                 \
	{                                                                      \
		type v = (type)0x5a5a5a5a5a5a5a5aull;                          \
		int e = fw_reader_##nm(r, &v);                                 \
		if (e == 0)                                                    \
			*out = v;                                              \
		else if (v != (type)0x5a5a5a5a5a5a5a5aull)                     \
			return 12345;                                          \
		return e;                                                      \
	}                                                                      \
	static int wr_##nm(struct fw_writer *w, uint64_t v)                    \
	{                                                                      \
		return fw_writer_##nm(w, (type)v);                             \
	}

ACC(u8, uint8_t, 1, false)
ACC(u16_le, uint16_t, 2, false)
ACC(u32_le, uint32_t, 4, false)
ACC(u64_le, uint64_t, 8, false)
ACC(u16_be, uint16_t, 2, true)
ACC(u32_be, uint32_t, 4, true)
ACC(u64_be, uint64_t, 8, true)

#define ACCENT(nm, sz, bigend)                                                 \
	{ #nm, sz, bigend, get_##nm, put_##nm, rd_##nm, wr_##nm }

static const struct acc accs[] = {
	ACCENT(u8, 1, false),	  ACCENT(u16_le, 2, false),
	ACCENT(u32_le, 4, false), ACCENT(u64_le, 8, false),
	ACCENT(u16_be, 2, true),  ACCENT(u32_be, 4, true),
	ACCENT(u64_be, 8, true),
};

/* An exact-size heap block (at least 1 byte so malloc(0) is not special)
 * filled with the pattern. */
static uint8_t *block(size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	for (size_t i = 0; i < len; i++)
		p[i] = pat(i);
	return p;
}

static void t_get_every_boundary(void)
{
	size_t offs[64];

	for (size_t a = 0; a < FW_ARRAY_LEN(accs); a++) {
		for (size_t len = 0; len <= MAXLEN; len++) {
			uint8_t *p = block(len);
			struct fw_bytes b = fw__bytes_make(p, len);
			size_t n = offsets(len, offs);

			for (size_t i = 0; i < n; i++) {
				size_t off = offs[i];
				bool ok =
					off <= len && accs[a].size <= len - off;
				uint64_t v = 0;
				int r = accs[a].get(b, off, &v);

				if (!ok) {
					CHECKF(r == -EINVAL,
					       "%s len %zu off %zu: %d",
					       accs[a].name, len, off, r);
					continue;
				}
				CHECKF(r == 0, "%s len %zu off %zu: %d",
				       accs[a].name, len, off, r);
				CHECKF(v == ref_load(p + off, accs[a].size,
						     accs[a].be),
				       "%s value at %zu", accs[a].name, off);
			}
			free(p);
		}
	}
}

static void t_put_every_boundary(void)
{
	size_t offs[64];
	uint8_t want[MAXLEN];

	for (size_t a = 0; a < FW_ARRAY_LEN(accs); a++) {
		for (size_t len = 0; len <= MAXLEN; len++) {
			uint8_t *p = block(len);
			struct fw_buf b = fw__buf_make(p, len);
			size_t n = offsets(len, offs);

			for (size_t i = 0; i < n; i++) {
				size_t off = offs[i];
				size_t sz = accs[a].size;
				bool ok = off <= len && sz <= len - off;
				uint64_t v = 0x1122334455667788ull * (i + 1);
				int r;

				for (size_t k = 0; k < len; k++)
					p[k] = want[k] = pat(k);
				r = accs[a].put(b, off, v);
				if (!ok) {
					CHECKF(r == -EINVAL,
					       "%s len %zu off %zu",
					       accs[a].name, len, off);
					CHECKF(!memcmp(p, want, len),
					       "%s wrote on error",
					       accs[a].name);
					continue;
				}
				CHECK(r == 0);
				for (size_t k = 0; k < sz; k++) {
					size_t byte =
						accs[a].be ? sz - 1 - k : k;

					want[off + byte] =
						(uint8_t)(v >> (8 * k));
				}
				CHECKF(!memcmp(p, want, len),
				       "%s len %zu off %zu", accs[a].name, len,
				       off);
			}
			free(p);
		}
	}
}

static void t_endianness_known(void)
{
	static const uint8_t d[] = { 1, 2, 3, 4, 5, 6, 7, 8, 0xf0 };
	struct fw_bytes b = FW_BYTES_OF_ARRAY(d);
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	uint8_t o[8];
	struct fw_buf ob = FW_BUF_OF_ARRAY(o);

	CHECK(fw_bytes_len(b) == 9);
	CHECK(fw_bytes_get_u8(b, 8, &u8) == 0 && u8 == 0xf0);
	CHECK(fw_bytes_get_u16_le(b, 0, &u16) == 0 && u16 == 0x0201);
	CHECK(fw_bytes_get_u16_be(b, 0, &u16) == 0 && u16 == 0x0102);
	CHECK(fw_bytes_get_u16_le(b, 7, &u16) == 0 && u16 == 0xf008);
	CHECK(fw_bytes_get_u32_le(b, 0, &u32) == 0 && u32 == 0x04030201);
	CHECK(fw_bytes_get_u32_be(b, 0, &u32) == 0 && u32 == 0x01020304);
	CHECK(fw_bytes_get_u32_be(b, 5, &u32) == 0 && u32 == 0x060708f0);
	CHECK(fw_bytes_get_u64_le(b, 0, &u64) == 0 &&
	      u64 == 0x0807060504030201ull);
	CHECK(fw_bytes_get_u64_be(b, 0, &u64) == 0 &&
	      u64 == 0x0102030405060708ull);
	CHECK(fw_bytes_get_u64_be(b, 1, &u64) == 0 &&
	      u64 == 0x02030405060708f0ull);
	CHECK(fw_bytes_get_u64_be(b, 2, &u64) == -EINVAL);

	CHECK(fw_buf_put_u32_be(ob, 0, 0xdeadbeef) == 0);
	CHECK(fw_buf_put_u32_le(ob, 4, 0xdeadbeef) == 0);
	CHECK(o[0] == 0xde && o[1] == 0xad && o[2] == 0xbe && o[3] == 0xef);
	CHECK(o[4] == 0xef && o[5] == 0xbe && o[6] == 0xad && o[7] == 0xde);
	CHECK(fw_buf_put_u64_be(ob, 0, 0x0102030405060708ull) == 0);
	CHECK(o[0] == 1 && o[7] == 8);
	CHECK(fw_buf_put_u16_le(ob, 6, 0xabcd) == 0 && o[6] == 0xcd &&
	      o[7] == 0xab);
	CHECK(fw_buf_put_u16_be(ob, 7, 1) == -EINVAL && o[7] == 0xab);
}

struct hdr {
	uint32_t magic;
	uint16_t a, b;
	uint8_t pad[8];
};

static void t_constructors(void)
{
	uint32_t words[5];
	char text[7] = "abc";
	struct hdr h;
	const struct hdr *ch = &h;
	struct fw_bytes lit = FW_BYTES_OF_LITERAL("070701");
	struct fw_bytes zero = { 0 };
	struct fw_reader zr = { 0 };
	uint8_t v;

	CHECK(fw_buf_len(FW_BUF_OF_ARRAY(words)) == 20);
	CHECK(fw_bytes_len(FW_BYTES_OF_ARRAY(words)) == 20);
	CHECK(fw_buf_len(FW_BUF_OF_ARRAY(text)) == 7);
	CHECK(fw_buf_len(FW_BUF_OF_OBJ(&h)) == sizeof(struct hdr));
	CHECK(fw_bytes_len(FW_BYTES_OF_OBJ(ch)) == sizeof(struct hdr));
	CHECK(fw_bytes_len(lit) == 6);
	CHECK(fw_bytes_eq(lit, FW_BYTES_OF_LITERAL("070701")));
	CHECK(fw__bytes_ptr(FW_BYTES_OF_ARRAY(text)) == text);
	/* Empty views built from anything drop the pointer. */
	CHECK(fw__bytes_ptr(fw__bytes_make(text, 0)) == NULL);
	/* Zero-initialised views and cursors are valid and empty. */
	CHECK(fw_bytes_len(zero) == 0);
	CHECK(fw_bytes_get_u8(zero, 0, &v) == -EINVAL);
	CHECK(fw_reader_remain(&zr) == 0 && fw_reader_u8(&zr, &v) == -EINVAL);

	/* Writing through an object view changes the object. */
	memset(&h, 0, sizeof h);
	CHECK(fw_buf_put_u32_le(FW_BUF_OF_OBJ(&h), 0, 0x12345678) == 0);
	CHECK(h.magic == 0x12345678); /* host is little endian */
	CHECK(fw_buf_put_u8(FW_BUF_OF_OBJ(&h), sizeof h, 1) == -EINVAL);
}

static void t_sub_views(void)
{
	uint8_t *p = block(16);
	struct fw_bytes b = fw__bytes_make(p, 16), s, keep;
	struct fw_buf w = fw__buf_make(p, 16), ws;
	uint8_t v;

	CHECK(fw_bytes_sub(b, 0, 16, &s) == 0 && fw_bytes_len(s) == 16);
	CHECK(fw_bytes_sub(b, 16, 0, &s) == 0 && fw_bytes_len(s) == 0);
	CHECK(fw_bytes_sub(b, 4, 8, &s) == 0 && fw_bytes_len(s) == 8);
	CHECK(fw_bytes_get_u8(s, 0, &v) == 0 && v == pat(4));
	CHECK(fw_bytes_get_u8(s, 7, &v) == 0 && v == pat(11));
	CHECK(fw_bytes_get_u8(s, 8, &v) == -EINVAL);
	/* Nested sub-view stays inside its parent, not the original. */
	CHECK(fw_bytes_sub(s, 2, 7, &keep) == -EINVAL);
	CHECK(fw_bytes_sub(s, 2, 6, &keep) == 0 && fw_bytes_len(keep) == 6);

	keep = s;
	CHECK(fw_bytes_sub(b, 17, 0, &s) == -EINVAL);
	CHECK(fw_bytes_sub(b, 8, 9, &s) == -EINVAL);
	CHECK(fw_bytes_sub(b, 1, SIZE_MAX, &s) == -EINVAL);
	CHECK(fw_bytes_sub(b, SIZE_MAX, 2, &s) == -EINVAL);
	CHECK(fw_bytes_sub(b, SIZE_MAX, SIZE_MAX, &s) == -EINVAL);
	CHECK(fw__bytes_ptr(s) == fw__bytes_ptr(keep) &&
	      fw_bytes_len(s) == fw_bytes_len(keep)); /* untouched */

	CHECK(fw_buf_sub(w, 10, 6, &ws) == 0 && fw_buf_len(ws) == 6);
	CHECK(fw_buf_put_u16_be(ws, 4, 0xaabb) == 0 && p[14] == 0xaa &&
	      p[15] == 0xbb);
	CHECK(fw_buf_put_u16_be(ws, 5, 0xaabb) == -EINVAL && p[15] == 0xbb);
	CHECK(fw_buf_sub(w, 10, 7, &ws) == -EINVAL);
	CHECK(fw_buf_sub(w, 2, SIZE_MAX - 1, &ws) == -EINVAL);
	CHECK(fw_bytes_len(fw_buf_as_bytes(w)) == 16);
	CHECK(fw__bytes_ptr(fw_buf_as_bytes(w)) == p);
	free(p);
}

static void t_bulk_ops(void)
{
	uint8_t a[16], b[8];
	struct fw_buf wa = FW_BUF_OF_ARRAY(a), wb = FW_BUF_OF_ARRAY(b);
	struct fw_bytes ra = fw_buf_as_bytes(wa);

	for (size_t i = 0; i < sizeof a; i++)
		a[i] = (uint8_t)i;
	memset(b, 0xee, sizeof b);

	/* copy_from: fits at every offset up to 8, not beyond. */
	for (size_t off = 0; off <= 9; off++) {
		int r = fw_buf_copy_from(wa, off, fw_buf_as_bytes(wb));

		CHECKF(r == (off <= 8 ? 0 : -EINVAL), "copy off %zu", off);
	}
	CHECK(a[0] == 0xee && a[15] == 0xee);
	CHECK(fw_buf_copy_from(wa, SIZE_MAX - 3, fw_buf_as_bytes(wb)) ==
	      -EINVAL);
	CHECK(fw_buf_copy_from(wb, 0, ra) == -EINVAL); /* too big */
	CHECK(fw_buf_copy_from(wb, 8, (struct fw_bytes){ 0 }) == 0);

	/* Overlapping copy within one buffer (memmove semantics). */
	for (size_t i = 0; i < sizeof a; i++)
		a[i] = (uint8_t)i;
	struct fw_bytes head;

	CHECK(fw_bytes_sub(ra, 0, 12, &head) == 0);
	CHECK(fw_buf_copy_from(wa, 4, head) == 0);
	for (size_t i = 4; i < 16; i++)
		CHECKF(a[i] == i - 4, "overlap copy at %zu", i);

	/* fill */
	CHECK(fw_buf_fill(wa, 0, 16, 0x11) == 0 && a[0] == 0x11 &&
	      a[15] == 0x11);
	CHECK(fw_buf_fill(wa, 15, 1, 0x22) == 0 && a[15] == 0x22);
	CHECK(fw_buf_fill(wa, 15, 2, 0x33) == -EINVAL && a[15] == 0x22);
	CHECK(fw_buf_fill(wa, 16, 0, 0x33) == 0);
	CHECK(fw_buf_fill(wa, 17, 0, 0x33) == -EINVAL);
	CHECK(fw_buf_fill(wa, 1, SIZE_MAX, 0x33) == -EINVAL);
	CHECK(a[1] == 0x11);

	/* eq */
	CHECK(fw_bytes_eq(FW_BYTES_OF_LITERAL("abc"),
			  FW_BYTES_OF_LITERAL("abc")));
	CHECK(!fw_bytes_eq(FW_BYTES_OF_LITERAL("abc"),
			   FW_BYTES_OF_LITERAL("abd")));
	CHECK(!fw_bytes_eq(FW_BYTES_OF_LITERAL("abc"),
			   FW_BYTES_OF_LITERAL("ab")));
	CHECK(fw_bytes_eq((struct fw_bytes){ 0 }, FW_BYTES_OF_LITERAL("")));
}

static void t_memchr_cstr(void)
{
	static const char d[] = "name\0dir/file\0noterm";
	/* Exact-size copy without the final NUL, so "noterm" has none. */
	size_t dlen = sizeof d - 1;
	uint8_t *p = malloc(dlen);
	struct fw_bytes b;
	char out[9], tiny[4];
	struct fw_buf ob = FW_BUF_OF_ARRAY(out), tb = FW_BUF_OF_ARRAY(tiny);

	memcpy(p, d, dlen);
	b = fw__bytes_make(p, dlen);
	CHECK(fw_bytes_memchr(b, 0, 0) == 4);
	CHECK(fw_bytes_memchr(b, 4, 0) == 4);
	CHECK(fw_bytes_memchr(b, 5, 0) == 13);
	CHECK(fw_bytes_memchr(b, 14, 0) == -ENOENT);
	CHECK(fw_bytes_memchr(b, 5, '/') == 8);
	CHECK(fw_bytes_memchr(b, dlen, 'x') == -ENOENT);
	CHECK(fw_bytes_memchr(b, dlen + 1, 'x') == -EINVAL);
	CHECK(fw_bytes_memchr(b, SIZE_MAX, 'x') == -EINVAL);

	memset(out, 'Z', sizeof out);
	CHECK(fw_bytes_cstr(b, 0, ob) == 4 && !strcmp(out, "name"));
	CHECK(fw_bytes_cstr(b, 5, ob) == 8 && !strcmp(out, "dir/file"));
	CHECK(fw_bytes_cstr(b, 9, ob) == 4 && !strcmp(out, "file"));
	CHECK(fw_bytes_cstr(b, 4, ob) == 0 && out[0] == '\0');
	/* No NUL before the end of the view. */
	CHECK(fw_bytes_cstr(b, 14, ob) == -EINVAL);
	CHECK(fw_bytes_cstr(b, dlen, ob) == -EINVAL);
	CHECK(fw_bytes_cstr(b, SIZE_MAX, ob) == -EINVAL);
	/* "name" + NUL needs 5 bytes; tiny has 4, and stays untouched. */
	memset(tiny, 'Q', sizeof tiny);
	CHECK(fw_bytes_cstr(b, 0, tb) == -ENAMETOOLONG);
	CHECK(tiny[0] == 'Q' && tiny[3] == 'Q');
	CHECK(fw_bytes_cstr(b, 10, tb) == 3 && !strcmp(tiny, "ile"));
	CHECK(fw_bytes_cstr(b, 0, (struct fw_buf){ 0 }) == -ENAMETOOLONG);
	free(p);
}

/* Every reader accessor at every start position: success exactly when
 * enough bytes remain, and a failure leaves the cursor alone. */
static void t_reader_boundaries(void)
{
	for (size_t a = 0; a < FW_ARRAY_LEN(accs); a++) {
		for (size_t len = 0; len <= MAXLEN; len++) {
			uint8_t *p = block(len);
			struct fw_reader r;

			for (size_t pos = 0; pos <= len; pos++) {
				uint64_t v = 0;
				int e;

				fw_reader_init(&r, fw__bytes_make(p, len));
				CHECK(fw_reader_seek(&r, pos) == 0);
				e = accs[a].rd(&r, &v);
				if (len - pos < accs[a].size) {
					CHECKF(e == -EINVAL, "%s",
					       accs[a].name);
					CHECK(fw_reader_pos(&r) == pos);
					CHECK(fw_reader_remain(&r) ==
					      len - pos);
				} else {
					CHECKF(e == 0, "%s", accs[a].name);
					CHECK(v == ref_load(p + pos,
							    accs[a].size,
							    accs[a].be));
					CHECK(fw_reader_pos(&r) ==
					      pos + accs[a].size);
				}
			}
			free(p);
		}
	}
}

static void t_reader_cursor_ops(void)
{
	uint8_t *p = block(20);
	struct fw_reader r, sub, keep;
	struct fw_bytes v;
	uint8_t dst[6];
	uint32_t x;

	fw_reader_init(&r, fw__bytes_make(p, 20));
	CHECK(fw_reader_remain(&r) == 20 && fw_reader_pos(&r) == 0);
	CHECK(fw_reader_skip(&r, 3) == 0 && fw_reader_pos(&r) == 3);
	CHECK(fw_reader_skip(&r, 18) == -EINVAL && fw_reader_pos(&r) == 3);
	CHECK(fw_reader_skip(&r, SIZE_MAX) == -EINVAL);
	CHECK(fw_reader_skip(&r, 17) == 0 && fw_reader_remain(&r) == 0);
	CHECK(fw_reader_skip(&r, 0) == 0);
	CHECK(fw_reader_skip(&r, 1) == -EINVAL);
	CHECK(fw_reader_seek(&r, 21) == -EINVAL && fw_reader_pos(&r) == 20);
	CHECK(fw_reader_seek(&r, SIZE_MAX) == -EINVAL);
	CHECK(fw_reader_seek(&r, 20) == 0);
	CHECK(fw_reader_seek(&r, 2) == 0 && fw_reader_pos(&r) == 2);

	/* limit: sub-reader over the next 5 bytes, r moves past them. */
	CHECK(fw_reader_limit(&r, 5, &sub) == 0);
	CHECK(fw_reader_pos(&r) == 7 && fw_reader_remain(&sub) == 5);
	CHECK(fw_reader_u32_le(&sub, &x) == 0 &&
	      x == ref_load(p + 2, 4, false));
	CHECK(fw_reader_u32_le(&sub, &x) == -EINVAL); /* 1 byte left */
	CHECK(fw_reader_seek(&sub, 6) == -EINVAL);    /* sub's own end */
	keep = sub;
	CHECK(fw_reader_limit(&sub, 2, &keep) == -EINVAL);
	CHECK(fw_reader_pos(&keep) == fw_reader_pos(&sub));
	CHECK(fw_reader_limit(&r, 14, &sub) == -EINVAL);
	CHECK(fw_reader_limit(&r, SIZE_MAX, &sub) == -EINVAL);
	CHECK(fw_reader_pos(&r) == 7);

	/* bytes: borrow the next n as a view. */
	CHECK(fw_reader_bytes(&r, 4, &v) == 0 && fw_bytes_len(v) == 4);
	CHECK(fw__bytes_ptr(v) == p + 7 && fw_reader_pos(&r) == 11);
	CHECK(fw_reader_bytes(&r, 10, &v) == -EINVAL);
	CHECK(fw__bytes_ptr(v) == p + 7 && fw_reader_pos(&r) == 11);
	CHECK(fw_reader_bytes(&r, 0, &v) == 0 && fw_bytes_len(v) == 0);

	/* copy: fill a whole buffer. */
	CHECK(fw_reader_copy(&r, FW_BUF_OF_ARRAY(dst)) == 0);
	CHECK(!memcmp(dst, p + 11, 6) && fw_reader_pos(&r) == 17);
	memset(dst, 0, sizeof dst);
	CHECK(fw_reader_copy(&r, FW_BUF_OF_ARRAY(dst)) == -EINVAL);
	CHECK(dst[0] == 0 && fw_reader_pos(&r) == 17);
	free(p);
}

static void t_writer(void)
{
	for (size_t a = 0; a < FW_ARRAY_LEN(accs); a++) {
		for (size_t len = 0; len <= MAXLEN; len++) {
			uint8_t *p = block(len);
			struct fw_writer w;
			struct fw_reader r;
			size_t n = 0;

			fw_writer_init(&w, fw__buf_make(p, len));
			/* Fill the buffer with values until one fails. */
			for (;;) {
				size_t pos = fw_writer_pos(&w);
				int e = accs[a].wr(&w,
						   0x0102030405060708ull + n);

				if (len - pos < accs[a].size) {
					CHECK(e == -EINVAL);
					CHECK(fw_writer_pos(&w) == pos);
					for (size_t k = pos; k < len; k++)
						CHECK(p[k] == pat(k));
					break;
				}
				CHECK(e == 0);
				CHECK(fw_writer_pos(&w) == pos + accs[a].size);
				n++;
			}
			/* Read them back with the matching reader. */
			fw_reader_init(&r, fw__bytes_make(p, len));
			for (size_t i = 0; i < n; i++) {
				uint64_t v = 0, m;

				m = accs[a].size == 8
					    ? ~0ull
					    : (1ull << (8 * accs[a].size)) - 1;
				CHECK(accs[a].rd(&r, &v) == 0);
				CHECK(v == ((0x0102030405060708ull + i) & m));
			}
			free(p);
		}
	}

	uint8_t *p = block(10);
	struct fw_writer w;
	uint8_t src[4] = { 9, 8, 7, 6 };

	fw_writer_init(&w, fw__buf_make(p, 10));
	CHECK(fw_writer_remain(&w) == 10);
	CHECK(fw_writer_bytes(&w, FW_BYTES_OF_ARRAY(src)) == 0);
	CHECK(fw_writer_fill(&w, 3, 0xaa) == 0 && fw_writer_pos(&w) == 7);
	CHECK(fw_writer_bytes(&w, FW_BYTES_OF_ARRAY(src)) == -EINVAL);
	CHECK(fw_writer_fill(&w, 4, 0xbb) == -EINVAL);
	CHECK(fw_writer_fill(&w, SIZE_MAX, 0xbb) == -EINVAL);
	CHECK(fw_writer_pos(&w) == 7 && p[7] == pat(7) && p[9] == pat(9));
	CHECK(fw_writer_fill(&w, 3, 0xcc) == 0 && fw_writer_remain(&w) == 0);
	CHECK(fw_writer_u8(&w, 1) == -EINVAL);
	CHECK(fw_writer_bytes(&w, (struct fw_bytes){ 0 }) == 0);
	CHECK(p[0] == 9 && p[3] == 6 && p[4] == 0xaa && p[6] == 0xaa &&
	      p[7] == 0xcc && p[9] == 0xcc);
	free(p);
}

int main(void)
{
	TEST_SUITE("bytes");
	RUN(t_get_every_boundary);
	RUN(t_put_every_boundary);
	RUN(t_endianness_known);
	RUN(t_constructors);
	RUN(t_sub_views);
	RUN(t_bulk_ops);
	RUN(t_memchr_cstr);
	RUN(t_reader_boundaries);
	RUN(t_reader_cursor_ops);
	RUN(t_writer);
	HARNESS_EXIT();
}
