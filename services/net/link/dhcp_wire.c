/* services/net/link/dhcp_wire.c: DHCP message parsing and building.
 *
 * Layer: services (safe C), net/link; pure (see dhcp_wire.h). The
 * message is RFC 2131's: a fixed BOOTP part (op, htype, hlen, hops, xid,
 * secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr[16], sname[64],
 * file[128]), the magic cookie 99.130.83.99, then options as code,
 * length, value (RFC 2132), with pad (0) and end (255) having no length.
 * Option overload (52: options in sname/file) is not followed, as Linux
 * ipconfig does not. */
#include <fw/errno.h>

#include "net/link/dhcp_wire.h"

#define BOOTREQUEST 1
#define BOOTREPLY 2
#define DHCP_COOKIE 0x63825363u
#define DHCP_FLAG_BROADCAST 0x8000u

#define OPT_PAD 0
#define OPT_MASK 1
#define OPT_ROUTER 3
#define OPT_DNS 6
#define OPT_HOSTNAME 12
#define OPT_DOMAIN 15
#define OPT_REQ_IP 50
#define OPT_LEASE 51
#define OPT_MSGTYPE 53
#define OPT_SERVER_ID 54
#define OPT_PARAMS 55
#define OPT_MAX_SIZE 57
#define OPT_END 255

#define OFF_XID 4
#define OFF_YIADDR 16
#define OFF_SIADDR 20
#define OFF_CHADDR 28

/* A name option, NUL-terminated, cut at its first NUL or at
 * DHCP_NAME_MAX bytes (a struct, so the copy is bounded by its array). */
struct name_buf {
	char s[DHCP_NAME_MAX + 1];
};

static void name_from(struct fw_bytes v, struct name_buf *out)
{
	size_t n = fw_bytes_len(v);
	uint8_t c = 0;

	for (size_t i = 0; i < DHCP_NAME_MAX + 1; i++)
		out->s[i] = 0;
	for (size_t i = 0; i < n && i < DHCP_NAME_MAX; i++) {
		if (fw_bytes_get_u8(v, i, &c) || c == 0)
			break;
		out->s[i] = (char)c;
	}
}

/* One option (code, value v) into out: 0 or -EINVAL (a length the
 * option cannot have). */
static int take_option(uint8_t code, struct fw_bytes v, struct dhcp_reply *out)
{
	size_t len = fw_bytes_len(v);
	struct name_buf name;
	uint32_t a = 0;

	switch (code) {
	case OPT_MSGTYPE:
		if (len != 1 || fw_bytes_get_u8(v, 0, &out->type))
			return -EINVAL;
		return 0;
	case OPT_SERVER_ID:
	case OPT_MASK:
	case OPT_LEASE:
		if (len != 4)
			return -EINVAL;
		if (code == OPT_LEASE)
			return fw_bytes_get_u32_be(v, 0, &out->lease_s);
		if (fw_bytes_get_u32_le(v, 0, &a))
			return -EINVAL;
		if (code == OPT_MASK)
			out->mask = a;
		else
			out->server_id = a;
		return 0;
	case OPT_ROUTER:
		if (len < 4 || len % 4)
			return -EINVAL;
		return fw_bytes_get_u32_le(v, 0, &out->router);
	case OPT_DNS:
		if (len < 4 || len % 4)
			return -EINVAL;
		out->ndns = 0;
		for (size_t i = 0; i < len / 4 && i < DHCP_NAMESERVERS_MAX; i++) {
			if (fw_bytes_get_u32_le(v, 4 * i, &out->dns[i]))
				return -EINVAL;
			out->ndns = (unsigned)i + 1;
		}
		return 0;
	case OPT_HOSTNAME:
	case OPT_DOMAIN:
		if (len < 1)
			return -EINVAL;
		name_from(v, &name);
		for (size_t i = 0; i < DHCP_NAME_MAX + 1; i++) {
			if (code == OPT_HOSTNAME)
				out->hostname[i] = name.s[i];
			else
				out->domain[i] = name.s[i];
		}
		return 0;
	default:
		return 0; /* not ours to use */
	}
}

int dhcp_parse(struct fw_bytes b, uint32_t xid, const struct dhcp_mac *mac,
	       struct dhcp_reply *out)
{
	struct dhcp_reply r = { 0 };
	struct fw_reader rd;
	uint8_t op = 0, htype = 0, hlen = 0, c = 0;
	uint32_t x = 0, cookie = 0;

	if (fw_bytes_get_u8(b, 0, &op) || fw_bytes_get_u8(b, 1, &htype) ||
	    fw_bytes_get_u8(b, 2, &hlen) || fw_bytes_get_u32_be(b, OFF_XID, &x) ||
	    fw_bytes_get_u32_le(b, OFF_YIADDR, &r.yiaddr) ||
	    fw_bytes_get_u32_le(b, OFF_SIADDR, &r.siaddr) ||
	    fw_bytes_get_u32_be(b, DHCP_FIXED_LEN, &cookie))
		return -EINVAL;
	if (op != BOOTREPLY || htype != 1 || hlen != 6 || x != xid ||
	    cookie != DHCP_COOKIE)
		return -EINVAL;
	for (size_t i = 0; i < 6; i++)
		if (fw_bytes_get_u8(b, OFF_CHADDR + i, &c) || c != mac->b[i])
			return -EINVAL;
	fw_reader_init(&rd, b);
	if (fw_reader_skip(&rd, DHCP_FIXED_LEN + 4))
		return -EINVAL;
	for (;;) {
		uint8_t code = 0, len = 0;
		struct fw_bytes v;

		/* RFC 2131 4.1: options end at END; a message that just
		 * stops is taken as ended too (Linux does the same). */
		if (fw_reader_u8(&rd, &code) || code == OPT_END)
			break;
		if (code == OPT_PAD)
			continue;
		if (fw_reader_u8(&rd, &len) || fw_reader_bytes(&rd, len, &v))
			return -EINVAL; /* runs past the message */
		if (take_option(code, v, &r))
			return -EINVAL;
	}
	if (!r.type)
		return -EINVAL; /* BOOTP, not DHCP */
	*out = r;
	return 0;
}

long dhcp_build(struct fw_buf out, uint8_t type, uint32_t xid,
		const struct dhcp_mac *mac, uint32_t req_ip, uint32_t server_id)
{
	static const uint8_t params[] = { OPT_MASK, OPT_ROUTER, OPT_DNS,
					  OPT_HOSTNAME, OPT_DOMAIN };
	struct fw_writer w;
	int err = 0;

	if (fw_buf_len(out) < DHCP_MIN_LEN)
		return -EINVAL;
	fw_writer_init(&w, out);
	err |= fw_writer_u8(&w, BOOTREQUEST);
	err |= fw_writer_u8(&w, 1); /* Ethernet */
	err |= fw_writer_u8(&w, 6);
	err |= fw_writer_u8(&w, 0); /* hops */
	err |= fw_writer_u32_be(&w, xid);
	err |= fw_writer_u16_be(&w, 0); /* secs */
	err |= fw_writer_u16_be(&w, DHCP_FLAG_BROADCAST);
	err |= fw_writer_fill(&w, 16, 0); /* ciaddr, yiaddr, siaddr, giaddr */
	for (size_t i = 0; i < 6; i++)
		err |= fw_writer_u8(&w, mac->b[i]);
	err |= fw_writer_fill(&w, 10 + 64 + 128, 0); /* chaddr rest, sname, file */
	err |= fw_writer_u32_be(&w, DHCP_COOKIE);
	err |= fw_writer_u8(&w, OPT_MSGTYPE);
	err |= fw_writer_u8(&w, 1);
	err |= fw_writer_u8(&w, type);
	if (req_ip) {
		err |= fw_writer_u8(&w, OPT_REQ_IP);
		err |= fw_writer_u8(&w, 4);
		err |= fw_writer_u32_le(&w, req_ip);
	}
	if (server_id) {
		err |= fw_writer_u8(&w, OPT_SERVER_ID);
		err |= fw_writer_u8(&w, 4);
		err |= fw_writer_u32_le(&w, server_id);
	}
	err |= fw_writer_u8(&w, OPT_PARAMS);
	err |= fw_writer_u8(&w, (uint8_t)sizeof params);
	for (size_t i = 0; i < sizeof params; i++)
		err |= fw_writer_u8(&w, params[i]);
	err |= fw_writer_u8(&w, OPT_MAX_SIZE);
	err |= fw_writer_u8(&w, 2);
	err |= fw_writer_u16_be(&w, 576); /* RFC 2131's minimum */
	err |= fw_writer_u8(&w, OPT_END);
	if (err)
		return -EINVAL;
	if (fw_writer_pos(&w) < DHCP_MIN_LEN &&
	    fw_writer_fill(&w, DHCP_MIN_LEN - fw_writer_pos(&w), 0))
		return -EINVAL;
	return (long)fw_writer_pos(&w);
}
