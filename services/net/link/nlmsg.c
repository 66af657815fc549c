/* services/net/link/nlmsg.c: building and reading netlink messages
 * (see nlmsg.h).
 *
 * Layer: services (safe C), net/link. */
#include <fw/errno.h>

#include "net/link/nlmsg.h"

void nl_put(struct nl_out *o, struct fw_bytes b)
{
	if (o->overflow || fw_buf_copy_from(o->buf, o->len, b)) {
		o->overflow = true;
		return;
	}
	o->len += fw_bytes_len(b);
}

void nl_put_u8(struct nl_out *o, uint8_t v)
{
	nl_put(o, FW_BYTES_OF_OBJ(&v));
}

void nl_put_u16(struct nl_out *o, uint16_t v)
{
	nl_put(o, FW_BYTES_OF_OBJ(&v)); /* host order: netlink is native */
}

void nl_put_u32(struct nl_out *o, uint32_t v)
{
	nl_put(o, FW_BYTES_OF_OBJ(&v));
}

static void nl_pad4(struct nl_out *o)
{
	while (!o->overflow && o->len % 4)
		nl_put_u8(o, 0);
}

void nl_msg_begin(struct nl_out *o, uint16_t type, uint16_t flags,
		      uint32_t seq, int32_t portid)
{
	o->msg_start = o->len;
	nl_put_u32(o, 0); /* length, set by msg_end */
	nl_put_u16(o, type);
	nl_put_u16(o, flags);
	nl_put_u32(o, seq);
	nl_put_u32(o, (uint32_t)portid);
}

void nl_msg_end(struct nl_out *o)
{
	nl_pad4(o);
	if (!o->overflow &&
	    fw_buf_put_u32_le(o->buf, o->msg_start,
			      (uint32_t)(o->len - o->msg_start)))
		o->overflow = true;
}

void nl_attr(struct nl_out *o, uint16_t type, struct fw_bytes data)
{
	nl_put_u16(o, (uint16_t)(4 + fw_bytes_len(data)));
	nl_put_u16(o, type);
	nl_put(o, data);
	nl_pad4(o);
}

void nl_attr_u32(struct nl_out *o, uint16_t type, uint32_t v)
{
	nl_attr(o, type, FW_BYTES_OF_OBJ(&v));
}

void nl_attr_u8(struct nl_out *o, uint16_t type, uint8_t v)
{
	nl_attr(o, type, FW_BYTES_OF_OBJ(&v));
}

void nl_attr_name(struct nl_out *o, uint16_t type,
		      const struct netdev_name *n)
{
	size_t len = 0;
	struct fw_bytes b;

	while (len < NETDEV_NAME_MAX - 1 && n->s[len])
		len++;
	/* The name with its NUL, as Linux's nla_put_string. */
	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(n->s), 0, len + 1, &b) == 0)
		nl_attr(o, type, b);
}

int nl_attr_next(struct fw_bytes msg, size_t *off, uint16_t *type,
		 struct fw_bytes *val)
{
	size_t mlen = fw_bytes_len(msg);
	uint16_t alen;

	if (*off + 4 > mlen)
		return 1;
	if (fw_bytes_get_u16_le(msg, *off, &alen) ||
	    fw_bytes_get_u16_le(msg, *off + 2, type) || alen < 4 ||
	    alen > mlen - *off ||
	    fw_bytes_sub(msg, *off + 4, alen - 4u, val))
		return -EINVAL;
	*type &= 0x3fff; /* NLA_F_NESTED, NLA_F_NET_BYTEORDER */
	*off += (alen + 3u) & ~3u;
	return 0;
}

unsigned nl_prefix_len(uint32_t mask)
{
	unsigned n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}
