/* services/net/link/nlmsg.h: building and reading netlink messages.
 *
 * Layer: services (safe C), net/link, after Linux include/net/netlink.h
 * (nlmsg_put, nla_put, nla_parse). Shared by the NETLINK_ROUTE socket
 * (netlink.c) and the route messages (rtnl_route.c). A reply is built in
 * one bounded buffer; anything that does not fit sets overflow instead of
 * writing past it. Netlink integers are in host order. */
#ifndef SERVICES_NET_LINK_NLMSG_H
#define SERVICES_NET_LINK_NLMSG_H

#include <fw/bytes.h>

#include "net/netdev.h"

#define NL_HDR 16u			/* struct nlmsghdr */
#define NL_DUMP_MAX 16384u		/* one dump's bytes */

#define NLMSG_ERROR 2
#define NLMSG_DONE 3
#define NLM_F_REQUEST 0x1u
#define NLM_F_MULTI 0x2u
#define NLM_F_ACK 0x4u
#define NLM_F_DUMP 0x300u
#define NLM_F_CAPPED 0x100u
#define NLM_F_REPLACE 0x100u		/* new requests */
#define NLM_F_EXCL 0x200u
#define NLM_F_CREATE 0x400u

#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_NEWADDR 20
#define RTM_DELADDR 21
#define RTM_GETADDR 22
#define RTM_NEWROUTE 24
#define RTM_DELROUTE 25
#define RTM_GETROUTE 26
#define RTM_NEWNEIGH 28
#define RTM_GETNEIGH 30

#define RTN_UNICAST 1
#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK 253
#define RT_SCOPE_HOST 254
#define AF_INET6_NUM 10

struct nl_out {
	struct fw_buf buf;		/* NL_DUMP_MAX bytes */
	size_t len;			/* bytes written */
	size_t msg_start;		/* the message being built */
	bool overflow;
};

void nl_put(struct nl_out *o, struct fw_bytes b);
void nl_put_u8(struct nl_out *o, uint8_t v);
void nl_put_u16(struct nl_out *o, uint16_t v);
void nl_put_u32(struct nl_out *o, uint32_t v);
/* Start a message (struct nlmsghdr; its length is set by nl_msg_end). */
void nl_msg_begin(struct nl_out *o, uint16_t type, uint16_t flags,
		  uint32_t seq, int32_t portid);
void nl_msg_end(struct nl_out *o);
/* An attribute (struct nlattr and the value, padded to 4). */
void nl_attr(struct nl_out *o, uint16_t type, struct fw_bytes data);
void nl_attr_u32(struct nl_out *o, uint16_t type, uint32_t v);
void nl_attr_u8(struct nl_out *o, uint16_t type, uint8_t v);
/* A device name with its NUL, as Linux's nla_put_string. */
void nl_attr_name(struct nl_out *o, uint16_t type,
		  const struct netdev_name *n);

/* The prefix length of a netmask (its one bits). */
unsigned nl_prefix_len(uint32_t mask);

/* Reading a request's attributes (Linux nla_parse): *off starts at the
 * first attribute (after the family header); each call gives the next
 * one's type (flag bits cleared) and value. 1 at the end, 0 for an
 * attribute, -EINVAL for one that does not fit the message. */
FW_MUST_CHECK int nl_attr_next(struct fw_bytes msg, size_t *off,
			       uint16_t *type, struct fw_bytes *val);

#endif
