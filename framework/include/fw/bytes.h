/* fw/bytes.h: bounded byte views and reader/writer cursors.
 *
 * Layer: framework public API; hot accessors are static inline here, the
 * rest is in framework/bytes/bytes.c.
 *
 * Services may not do pointer arithmetic, casts or subscripts on pointers,
 * yet they must parse ELF headers, cpio archives, ext2 blocks and virtqueue
 * entries. They do it through these types instead: a view is a base pointer
 * and a length that only the framework can form, and every access through
 * it is bounds-checked, returning -EINVAL rather than touching a byte
 * outside the view. This is Asterinas OSTD's VmReader/VmWriter
 * (ostd/src/mm/io/mod.rs) in C.
 *
 * How a service gets a view: from a framework API (a frame, a DMA buffer, a
 * boot module), or from its own memory with one of the FW_*_OF_* macros,
 * which take the length from sizeof so it cannot be wrong. The macros call
 * the fw__ helpers; services may not name fw__ identifiers themselves (the
 * gate rejects them where they are spelled), and the private fields are
 * named fw__* for the same reason, so the gate's one rule also stops a
 * service from reading or forging fw__base/fw__len/fw__pos.
 *
 * Views do not own memory: a view must not outlive what it points into. A
 * zero-initialised view or cursor ({0}) is valid and empty.
 *
 * All offset checks are written as "off <= len && n <= len - off", which
 * cannot overflow, instead of "off + n <= len", which can. */
#ifndef FW_BYTES_H
#define FW_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fw/compiler.h>
#include <fw/errno.h>

/* A read-only run of bytes. */
struct fw_bytes {
	const uint8_t *__private fw__base;	/* first byte; NULL if empty */
	size_t __private fw__len;		/* number of bytes */
};

/* A writable run of bytes. */
struct fw_buf {
	uint8_t *__private fw__base;		/* first byte; NULL if empty */
	size_t __private fw__len;		/* number of bytes */
};

/* Cursor reading a fw_bytes front to back. Invariant: pos <= view length. */
struct fw_reader {
	struct fw_bytes __private fw__view;	/* what is read */
	size_t __private fw__pos;		/* next byte to read */
};

/* Cursor writing a fw_buf front to back. Invariant: pos <= view length. */
struct fw_writer {
	struct fw_buf __private fw__view;	/* what is written */
	size_t __private fw__pos;		/* next byte to write */
};

/* ---- framework-private constructors ------------------------------------ */

/* fw__bytes_make - view len bytes at base.
 * Safety: framework only. base..base+len must be readable memory that
 * outlives the view; if len is 0, base may be anything (it is dropped). */
static inline struct fw_bytes fw__bytes_make(const void *base, size_t len)
{
	struct fw_bytes b = { .fw__base = len ? base : NULL, .fw__len = len };

	return b;
}

/* fw__buf_make - writable view of len bytes at base.
 * Safety: framework only. base..base+len must be writable memory that
 * outlives the view and holds no pointers or other values a service must
 * not be able to forge. */
static inline struct fw_buf fw__buf_make(void *base, size_t len)
{
	struct fw_buf b = { .fw__base = len ? base : NULL, .fw__len = len };

	return b;
}

/* fw__bytes_ptr, fw__buf_ptr - the raw base pointer, for framework code
 * that hands a view to hardware or to a copy routine. NULL if empty. */
static inline const void *fw__bytes_ptr(struct fw_bytes b)
{
	return b.fw__base;
}

static inline void *fw__buf_ptr(struct fw_buf b)
{
	return b.fw__base;
}

/* 1 if the elements of array a are plain integers, else 0. Writable views
 * are limited to these: writing arbitrary bytes into a pointer or a _Bool
 * would let a service forge a pointer or make a trap value. */
#define FW__INT_ELEM(a)                                                        \
	_Generic((a)[0],                                                       \
		char: 1, signed char: 1, unsigned char: 1,                     \
		short: 1, unsigned short: 1,                                   \
		int: 1, unsigned int: 1,                                       \
		long: 1, unsigned long: 1,                                     \
		long long: 1, unsigned long long: 1,                           \
		default: 0)

#define FW__REQUIRE(cond)                                                      \
	(0 * sizeof(struct { int fw__requirement_failed : (cond) ? 1 : -1; }))

/* ---- constructors for services (the length comes from sizeof) ---------- */

/* Read-only view of a whole array (not a pointer: rejected at compile time). */
#define FW_BYTES_OF_ARRAY(arr)                                                 \
	fw__bytes_make((arr), FW_ARRAY_LEN(arr) * sizeof((arr)[0]))

/* Writable view of a whole array of integers (char, uint8_t, uint32_t...). */
#define FW_BUF_OF_ARRAY(arr)                                                   \
	fw__buf_make((arr), FW_ARRAY_LEN(arr) * sizeof((arr)[0]) +             \
				    FW__REQUIRE(FW__INT_ELEM(arr)))

/* Read-only view of the object *ptr, sizeof(*ptr) bytes. */
#define FW_BYTES_OF_OBJ(ptr) fw__bytes_make((ptr), sizeof(*(ptr)))

/* Writable view of the object *ptr, sizeof(*ptr) bytes. Only for plain-data
 * structs and scalars (no pointers, no _Bool): see fw__buf_make. */
#define FW_BUF_OF_OBJ(ptr) fw__buf_make((ptr), sizeof(*(ptr)))

/* Read-only view of a string literal, without its NUL ("" s "" makes
 * anything but a literal a syntax error). For comparing magic numbers. */
#define FW_BYTES_OF_LITERAL(s) fw__bytes_make("" s "", sizeof("" s "") - 1)

/* ---- views -------------------------------------------------------------- */

/* base + off for a sub-range of n bytes already checked to be in range.
 * An empty range gets NULL: NULL + 0 is undefined behaviour in C (and
 * UBSan says so), and an empty view's base is never used anyway. */
static inline const uint8_t *fw__at(const uint8_t *base, size_t off, size_t n)
{
	return n ? base + off : NULL;
}

static inline uint8_t *fw__at_mut(uint8_t *base, size_t off, size_t n)
{
	return n ? base + off : NULL;
}

/* True if [off, off + n) lies inside a view of len bytes (overflow-safe). */
static inline bool fw__range_ok(size_t len, size_t off, size_t n)
{
	return off <= len && n <= len - off;
}

/* fw_bytes_len, fw_buf_len - number of bytes in the view. */
static inline size_t fw_bytes_len(struct fw_bytes b)
{
	return b.fw__len;
}

static inline size_t fw_buf_len(struct fw_buf b)
{
	return b.fw__len;
}

/* fw_buf_as_bytes - the same bytes as a read-only view. */
static inline struct fw_bytes fw_buf_as_bytes(struct fw_buf b)
{
	return fw__bytes_make(b.fw__base, b.fw__len);
}

/* fw_bytes_sub - the sub-view [off, off + len) of b.
 * @out: receives the sub-view; untouched on error
 * Returns 0, or -EINVAL if the range does not lie inside b. */
static inline FW_MUST_CHECK int fw_bytes_sub(struct fw_bytes b, size_t off,
					     size_t len, struct fw_bytes *out)
{
	if (!fw__range_ok(b.fw__len, off, len))
		return -EINVAL;
	*out = fw__bytes_make(fw__at(b.fw__base, off, len), len);
	return 0;
}

/* fw_buf_sub - the writable sub-view [off, off + len) of b.
 * @out: receives the sub-view; untouched on error
 * Returns 0, or -EINVAL if the range does not lie inside b. */
static inline FW_MUST_CHECK int fw_buf_sub(struct fw_buf b, size_t off,
					   size_t len, struct fw_buf *out)
{
	if (!fw__range_ok(b.fw__len, off, len))
		return -EINVAL;
	*out = fw__buf_make(fw__at_mut(b.fw__base, off, len), len);
	return 0;
}

/* Unchecked loads and stores, assembled byte by byte: gcc turns these into
 * single (unaligned) moves on x86, and they need no memcpy, so a service
 * object using the inline accessors has no hidden undefined symbols. */
static inline uint16_t fw__ld16le(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t fw__ld32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t fw__ld64le(const uint8_t *p)
{
	return (uint64_t)fw__ld32le(p) | (uint64_t)fw__ld32le(p + 4) << 32;
}

static inline uint16_t fw__ld16be(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t fw__ld32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline uint64_t fw__ld64be(const uint8_t *p)
{
	return (uint64_t)fw__ld32be(p) << 32 | (uint64_t)fw__ld32be(p + 4);
}

static inline void fw__st16le(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void fw__st32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void fw__st64le(uint8_t *p, uint64_t v)
{
	fw__st32le(p, (uint32_t)v);
	fw__st32le(p + 4, (uint32_t)(v >> 32));
}

static inline void fw__st16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void fw__st32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void fw__st64be(uint8_t *p, uint64_t v)
{
	fw__st32be(p, (uint32_t)(v >> 32));
	fw__st32be(p + 4, (uint32_t)v);
}

/* fw_bytes_get_<type> - read a value at byte offset off of b.
 * @out: receives the value; untouched on error
 * _le/_be give the byte order of the data, whatever the CPU's.
 * Returns 0, or -EINVAL if [off, off + size) does not lie inside b. */
#define FW__BYTES_GET(name, type, size, load)                                  \
	static inline FW_MUST_CHECK int fw_bytes_get_##name(                   \
		struct fw_bytes b, size_t off, type *out)                      \
	{                                                                      \
		if (!fw__range_ok(b.fw__len, off, size))                       \
			return -EINVAL;                                        \
		*out = load(b.fw__base + off);                                 \
		return 0;                                                      \
	}

/* fw_buf_put_<type> - write v at byte offset off of b.
 * Returns 0, or -EINVAL (nothing written) if [off, off + size) does not lie
 * inside b. */
#define FW__BUF_PUT(name, type, size, store)                                   \
	static inline FW_MUST_CHECK int fw_buf_put_##name(                     \
		struct fw_buf b, size_t off, type v)                           \
	{                                                                      \
		if (!fw__range_ok(b.fw__len, off, size))                       \
			return -EINVAL;                                        \
		store(b.fw__base + off, v);                                    \
		return 0;                                                      \
	}

static inline uint8_t fw__ld8(const uint8_t *p)
{
	return *p;
}

static inline void fw__st8(uint8_t *p, uint8_t v)
{
	*p = v;
}

FW__BYTES_GET(u8, uint8_t, 1, fw__ld8)
FW__BYTES_GET(u16_le, uint16_t, 2, fw__ld16le)
FW__BYTES_GET(u32_le, uint32_t, 4, fw__ld32le)
FW__BYTES_GET(u64_le, uint64_t, 8, fw__ld64le)
FW__BYTES_GET(u16_be, uint16_t, 2, fw__ld16be)
FW__BYTES_GET(u32_be, uint32_t, 4, fw__ld32be)
FW__BYTES_GET(u64_be, uint64_t, 8, fw__ld64be)

FW__BUF_PUT(u8, uint8_t, 1, fw__st8)
FW__BUF_PUT(u16_le, uint16_t, 2, fw__st16le)
FW__BUF_PUT(u32_le, uint32_t, 4, fw__st32le)
FW__BUF_PUT(u64_le, uint64_t, 8, fw__st64le)
FW__BUF_PUT(u16_be, uint16_t, 2, fw__st16be)
FW__BUF_PUT(u32_be, uint32_t, 4, fw__st32be)
FW__BUF_PUT(u64_be, uint64_t, 8, fw__st64be)

/* Out of line (bytes.c): bulk operations. */

/* fw_buf_copy_from - copy all of src into dst at dst_off. The two may
 * overlap (memmove semantics).
 * Returns 0, or -EINVAL (nothing copied) if src does not fit in dst at
 * dst_off. */
int fw_buf_copy_from(struct fw_buf dst, size_t dst_off, struct fw_bytes src)
	FW_MUST_CHECK;

/* fw_buf_fill - set [off, off + len) of b to byte.
 * Returns 0, or -EINVAL (nothing written) if the range is outside b. */
int fw_buf_fill(struct fw_buf b, size_t off, size_t len, uint8_t byte)
	FW_MUST_CHECK;

/* fw_bytes_eq - true if a and b have the same length and contents. */
bool fw_bytes_eq(struct fw_bytes a, struct fw_bytes b);

/* fw_bytes_memchr - find the first byte equal to c at or after off.
 * Returns its index in b (not relative to off), -ENOENT if there is none,
 * or -EINVAL if off > fw_bytes_len(b). */
long fw_bytes_memchr(struct fw_bytes b, size_t off, uint8_t c) FW_MUST_CHECK;

/* fw_bytes_cstr - copy the NUL-terminated string starting at off in src,
 * with its NUL, into dst (for names in cpio headers, ELF string tables).
 * Returns the string length (without NUL); -EINVAL if off > length of src
 * or no NUL follows off inside src; -ENAMETOOLONG if the string and its NUL
 * do not fit in dst. dst is untouched on error. */
long fw_bytes_cstr(struct fw_bytes src, size_t off, struct fw_buf dst)
	FW_MUST_CHECK;

/* ---- reader ------------------------------------------------------------- */

/* fw_reader_init - start reading b from its first byte. */
static inline void fw_reader_init(struct fw_reader *r, struct fw_bytes b)
{
	r->fw__view = b;
	r->fw__pos = 0;
}

/* fw_reader_remain - bytes left to read. */
static inline size_t fw_reader_remain(const struct fw_reader *r)
{
	return r->fw__view.fw__len - r->fw__pos;
}

/* fw_reader_pos - bytes read (or skipped) so far: the current offset. */
static inline size_t fw_reader_pos(const struct fw_reader *r)
{
	return r->fw__pos;
}

/* fw_reader_skip - advance over n bytes.
 * Returns 0, or -EINVAL (cursor unchanged) if fewer than n remain. */
static inline FW_MUST_CHECK int fw_reader_skip(struct fw_reader *r, size_t n)
{
	if (n > fw_reader_remain(r))
		return -EINVAL;
	r->fw__pos += n;
	return 0;
}

/* fw_reader_seek - move to absolute offset pos (backwards is fine).
 * Returns 0, or -EINVAL (cursor unchanged) if pos is past the end. */
static inline FW_MUST_CHECK int fw_reader_seek(struct fw_reader *r,
					       size_t pos)
{
	if (pos > r->fw__view.fw__len)
		return -EINVAL;
	r->fw__pos = pos;
	return 0;
}

/* fw_reader_bytes - borrow the next n bytes as a view and advance past them.
 * @out: receives the view; untouched on error
 * Returns 0, or -EINVAL (cursor unchanged) if fewer than n remain. */
static inline FW_MUST_CHECK int fw_reader_bytes(struct fw_reader *r, size_t n,
						struct fw_bytes *out)
{
	if (n > fw_reader_remain(r))
		return -EINVAL;
	*out = fw__bytes_make(fw__at(r->fw__view.fw__base, r->fw__pos, n), n);
	r->fw__pos += n;
	return 0;
}

/* fw_reader_limit - a new reader over just the next n bytes (one record,
 * one ext2 directory entry), and advance r past them.
 * @sub: receives the sub-reader, positioned at its start; untouched on error
 * Returns 0, or -EINVAL (cursor unchanged) if fewer than n remain. */
static inline FW_MUST_CHECK int fw_reader_limit(struct fw_reader *r, size_t n,
						struct fw_reader *sub)
{
	struct fw_bytes b;
	int err = fw_reader_bytes(r, n, &b);

	if (err)
		return err;
	fw_reader_init(sub, b);
	return 0;
}

/* fw_reader_<type> - read the next value and advance past it.
 * @v: receives the value; untouched on error
 * Returns 0, or -EINVAL (cursor unchanged) if too few bytes remain. */
#define FW__READER_GET(name, type, size, load)                                 \
	static inline FW_MUST_CHECK int fw_reader_##name(struct fw_reader *r,  \
							 type *v)              \
	{                                                                      \
		if (fw_reader_remain(r) < size)                                \
			return -EINVAL;                                        \
		*v = load(r->fw__view.fw__base + r->fw__pos);                  \
		r->fw__pos += size;                                            \
		return 0;                                                      \
	}

FW__READER_GET(u8, uint8_t, 1, fw__ld8)
FW__READER_GET(u16_le, uint16_t, 2, fw__ld16le)
FW__READER_GET(u32_le, uint32_t, 4, fw__ld32le)
FW__READER_GET(u64_le, uint64_t, 8, fw__ld64le)
FW__READER_GET(u16_be, uint16_t, 2, fw__ld16be)
FW__READER_GET(u32_be, uint32_t, 4, fw__ld32be)
FW__READER_GET(u64_be, uint64_t, 8, fw__ld64be)

/* fw_reader_copy - fill all of dst from the next fw_buf_len(dst) bytes and
 * advance past them.
 * Returns 0, or -EINVAL (cursor and dst unchanged) if too few remain. */
int fw_reader_copy(struct fw_reader *r, struct fw_buf dst) FW_MUST_CHECK;

/* ---- writer ------------------------------------------------------------- */

/* fw_writer_init - start writing b at its first byte. */
static inline void fw_writer_init(struct fw_writer *w, struct fw_buf b)
{
	w->fw__view = b;
	w->fw__pos = 0;
}

/* fw_writer_remain - bytes of room left. */
static inline size_t fw_writer_remain(const struct fw_writer *w)
{
	return w->fw__view.fw__len - w->fw__pos;
}

/* fw_writer_pos - bytes written so far: the current offset. */
static inline size_t fw_writer_pos(const struct fw_writer *w)
{
	return w->fw__pos;
}

/* fw_writer_<type> - write v at the cursor and advance past it.
 * Returns 0, or -EINVAL (nothing written, cursor unchanged) if too little
 * room remains. */
#define FW__WRITER_PUT(name, type, size, store)                                \
	static inline FW_MUST_CHECK int fw_writer_##name(struct fw_writer *w,  \
							 type v)               \
	{                                                                      \
		if (fw_writer_remain(w) < size)                                \
			return -EINVAL;                                        \
		store(w->fw__view.fw__base + w->fw__pos, v);                   \
		w->fw__pos += size;                                            \
		return 0;                                                      \
	}

FW__WRITER_PUT(u8, uint8_t, 1, fw__st8)
FW__WRITER_PUT(u16_le, uint16_t, 2, fw__st16le)
FW__WRITER_PUT(u32_le, uint32_t, 4, fw__st32le)
FW__WRITER_PUT(u64_le, uint64_t, 8, fw__st64le)
FW__WRITER_PUT(u16_be, uint16_t, 2, fw__st16be)
FW__WRITER_PUT(u32_be, uint32_t, 4, fw__st32be)
FW__WRITER_PUT(u64_be, uint64_t, 8, fw__st64be)

/* fw_writer_bytes - write all of src at the cursor and advance past it.
 * Returns 0, or -EINVAL (nothing written, cursor unchanged) if src does not
 * fit in the room left. */
int fw_writer_bytes(struct fw_writer *w, struct fw_bytes src) FW_MUST_CHECK;

/* fw_writer_fill - write n copies of byte and advance past them.
 * Returns 0, or -EINVAL (nothing written, cursor unchanged) if fewer than n
 * bytes of room remain. */
int fw_writer_fill(struct fw_writer *w, size_t n, uint8_t byte) FW_MUST_CHECK;

#endif
