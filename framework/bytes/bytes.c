/* framework/bytes/bytes.c: out-of-line byte view and cursor operations.
 *
 * Layer: framework (TCB). The bulk operations of fw/bytes.h: copies, fills,
 * compares and scans whose length is not a small constant, so inlining
 * them into every service would only grow the code. Each one checks its
 * range with fw__range_ok (overflow-safe) before it touches memory, and
 * does nothing at all when the check fails. */
#include <fw/bytes.h>
#include <fw/string.h>

/* fw_buf_copy_from - see fw/bytes.h. */
int fw_buf_copy_from(struct fw_buf dst, size_t dst_off, struct fw_bytes src)
{
	if (!fw__range_ok(dst.fw__len, dst_off, src.fw__len))
		return -EINVAL;
	/* SAFETY: the range is inside dst and src is a whole view; memmove
	 * because src may be a view of dst itself. */
	if (src.fw__len)
		memmove(dst.fw__base + dst_off, src.fw__base, src.fw__len);
	return 0;
}

/* fw_buf_fill - see fw/bytes.h. */
int fw_buf_fill(struct fw_buf b, size_t off, size_t len, uint8_t byte)
{
	if (!fw__range_ok(b.fw__len, off, len))
		return -EINVAL;
	/* SAFETY: [off, off + len) checked to lie inside b. */
	if (len)
		memset(b.fw__base + off, byte, len);
	return 0;
}

/* fw_bytes_eq - see fw/bytes.h. */
bool fw_bytes_eq(struct fw_bytes a, struct fw_bytes b)
{
	if (a.fw__len != b.fw__len)
		return false;
	return a.fw__len == 0 || !memcmp(a.fw__base, b.fw__base, a.fw__len);
}

/* fw_bytes_memchr - see fw/bytes.h. */
long fw_bytes_memchr(struct fw_bytes b, size_t off, uint8_t c)
{
	const uint8_t *hit;

	if (off > b.fw__len)
		return -EINVAL;
	if (off == b.fw__len)
		return -ENOENT;
	/* SAFETY: off < len, so [off, len) is a non-empty part of b. */
	hit = memchr(b.fw__base + off, c, b.fw__len - off);
	if (!hit)
		return -ENOENT;
	/* A view is one object, far smaller than LONG_MAX bytes. */
	return (long)(hit - b.fw__base);
}

/* fw_bytes_cstr - see fw/bytes.h. */
long fw_bytes_cstr(struct fw_bytes src, size_t off, struct fw_buf dst)
{
	long end = fw_bytes_memchr(src, off, 0);
	size_t len;

	if (end < 0)
		return -EINVAL;		/* off out of range, or no NUL */
	len = (size_t)end - off;
	if (len >= dst.fw__len)
		return -ENAMETOOLONG;	/* len + 1 bytes needed */
	/* SAFETY: [off, off + len] is inside src (the NUL is at off + len)
	 * and len + 1 <= dst length. */
	memcpy(dst.fw__base, src.fw__base + off, len + 1);
	return (long)len;
}

/* fw_reader_copy - see fw/bytes.h. */
int fw_reader_copy(struct fw_reader *r, struct fw_buf dst)
{
	if (dst.fw__len > fw_reader_remain(r))
		return -EINVAL;
	/* SAFETY: dst.fw__len bytes remain after pos in the reader's view.
	 * memmove: dst may view the same memory as the reader. */
	if (dst.fw__len)
		memmove(dst.fw__base, r->fw__view.fw__base + r->fw__pos,
			dst.fw__len);
	r->fw__pos += dst.fw__len;
	return 0;
}

/* fw_writer_bytes - see fw/bytes.h. */
int fw_writer_bytes(struct fw_writer *w, struct fw_bytes src)
{
	if (src.fw__len > fw_writer_remain(w))
		return -EINVAL;
	/* SAFETY: src.fw__len bytes of room remain after pos. */
	if (src.fw__len)
		memmove(w->fw__view.fw__base + w->fw__pos, src.fw__base,
			src.fw__len);
	w->fw__pos += src.fw__len;
	return 0;
}

/* fw_writer_fill - see fw/bytes.h. */
int fw_writer_fill(struct fw_writer *w, size_t n, uint8_t byte)
{
	if (n > fw_writer_remain(w))
		return -EINVAL;
	/* SAFETY: n bytes of room remain after pos. */
	if (n)
		memset(w->fw__view.fw__base + w->fw__pos, byte, n);
	w->fw__pos += n;
	return 0;
}
