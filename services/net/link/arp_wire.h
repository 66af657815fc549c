/* services/net/link/arp_wire.h: ARP packets for IPv4 over Ethernet.
 *
 * Layer: services (safe C), net/link; pure, host-tested
 * (tests/unit/arp_test.c). RFC 826's packet: hardware type 1, protocol
 * 0x0800, lengths 6 and 4, an operation, then sender and target
 * hardware and protocol addresses; 28 bytes. Addresses are kept in
 * network order (as in sockaddr_in), hardware addresses as bytes. */
#ifndef SERVICES_NET_LINK_ARP_WIRE_H
#define SERVICES_NET_LINK_ARP_WIRE_H

#include <stdint.h>

#include <fw/bytes.h>
#include <fw/compiler.h>

#include "net/link/link.h"

#define ARP_PKT_LEN 28
#define ARPOP_REQUEST 1
#define ARPOP_REPLY 2

struct arp_pkt {
	uint16_t op;			/* ARPOP_* */
	struct eth_addr sha;		/* sender hardware address */
	uint32_t spa;			/* sender IPv4, network order */
	struct eth_addr tha;		/* target hardware address */
	uint32_t tpa;			/* target IPv4, network order */
};

/* Parse an Ethernet/IPv4 ARP packet (trailing padding allowed): 0, or
 * -EINVAL (short, another hardware or protocol type or length, an
 * operation other than request or reply). */
FW_MUST_CHECK int arp_parse(struct fw_bytes b, struct arp_pkt *out);
/* Write p as 28 bytes at the start of out: 0 or -EINVAL (too small). */
FW_MUST_CHECK int arp_build(const struct arp_pkt *p, struct fw_buf out);

#endif
