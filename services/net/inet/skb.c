/* services/net/inet/skb.c: packet buffers.
 *
 * Layer: services (safe C), net/inet. A packet is a typed header (struct
 * skb) and one byte buffer from the heap; views into it are bounded
 * (fw_buf_sub), so a wrong offset from a malformed packet is refused
 * rather than read past. See inet.h for the sharing rule. */
#include "net/inet/inet.h"

static struct skb *alloc(size_t size, bool zero)
{
	struct skb *s = FW_NEW(struct skb);

	if (!s)
		return NULL;
	if (zero ? fw_buf_alloc(size, &s->buf)
		 : fw_buf_alloc_uninit(size, &s->buf)) {
		fw_free(s);
		return NULL;
	}
	atomic_init(&s->refs, 1);
	fw_list_init(&s->node);
	fw_list_init(&s->snode);
	s->opt_wscale = -1;
	return s;
}

struct skb *skb_alloc(size_t size)
{
	return alloc(size, true);
}

struct skb *skb_alloc_data(size_t headroom, size_t n)
{
	struct skb *s = alloc(headroom + n, false);

	if (s && headroom && fw_buf_fill(s->buf, 0, headroom, 0)) {
		skb_put(s);
		return NULL;
	}
	return s;
}

void skb_get(struct skb *s)
{
	atomic_fetch_add(&s->refs, 1);
}

void skb_put(struct skb *s)
{
	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	fw_buf_free(&s->buf);
	fw_free(s);
}

struct fw_bytes skb_bytes(const struct skb *s, uint32_t off, uint32_t len)
{
	struct fw_bytes b = { 0 };

	if (fw_bytes_sub(fw_buf_as_bytes(s->buf), off, len, &b))
		return (struct fw_bytes){ 0 };
	return b;
}

struct fw_buf skb_buf(const struct skb *s, uint32_t off, uint32_t len)
{
	struct fw_buf b = { 0 };

	if (fw_buf_sub(s->buf, off, len, &b))
		return (struct fw_buf){ 0 };
	return b;
}

void skb_list_purge(struct fw_list *l)
{
	while (!fw_list_empty(l)) {
		struct skb *s = FW_LIST_FIRST(l, struct skb, node);

		fw_list_del(&s->node);
		skb_put(s);
	}
}

int skb_copy_to_iov(struct skb *s, uint32_t off, uint32_t n,
		    struct iov_cursor *c)
{
	struct fw_bytes b;

	if (fw_bytes_sub(fw_buf_as_bytes(s->buf), off, n, &b))
		return -EFAULT;
	return iov_copy_out(c, b);
}
