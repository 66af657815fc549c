/* services/net/link/dhcp_wire.h: DHCP messages (RFC 2131, 2132) for the
 * kernel's ip=dhcp client.
 *
 * Layer: services (safe C), net/link (with ipconfig.c); pure, host-tested
 * (tests/unit/dhcp_test.c). A reply comes from the network and is
 * hostile input: the parser reads it only through a bounded byte view,
 * checks every option's length against the bytes left and against the
 * length the option must have, and refuses anything that does not add
 * up. Addresses are kept in network order (as in sockaddr_in). */
#ifndef SERVICES_NET_LINK_DHCP_WIRE_H
#define SERVICES_NET_LINK_DHCP_WIRE_H

#include <stdbool.h>
#include <stdint.h>

#include <fw/bytes.h>
#include <fw/compiler.h>

/* Message types (option 53). */
#define DHCPDISCOVER 1
#define DHCPOFFER 2
#define DHCPREQUEST 3
#define DHCPDECLINE 4
#define DHCPACK 5
#define DHCPNAK 6

#define DHCP_FIXED_LEN 236	/* op .. file, before the magic cookie */
#define DHCP_MIN_LEN 300	/* BOOTP's minimum message (RFC 951) */
#define DHCP_NAMESERVERS_MAX 3	/* Linux CONF_NAMESERVERS_MAX */
#define DHCP_NAME_MAX 64	/* host and domain names kept */

/* A client hardware (Ethernet) address. */
struct dhcp_mac {
	uint8_t b[6];
};

struct dhcp_reply {
	uint8_t type;			/* option 53 */
	uint32_t yiaddr;		/* the address offered */
	uint32_t siaddr;		/* next server (bootserver) */
	uint32_t server_id;		/* option 54; 0: none */
	uint32_t mask;			/* option 1; 0: none */
	uint32_t router;		/* option 3, the first; 0: none */
	uint32_t dns[DHCP_NAMESERVERS_MAX]; /* option 6; 0: unused */
	unsigned ndns;
	uint32_t lease_s;		/* option 51; 0: none */
	char hostname[DHCP_NAME_MAX + 1]; /* option 12, NUL-terminated */
	char domain[DHCP_NAME_MAX + 1];	/* option 15 */
};

/* Parse the UDP payload b as a BOOTREPLY for transaction xid and client
 * hardware address mac: 0, or -EINVAL (short, not a reply, another xid
 * or client, no magic cookie, an option running past the end or of the
 * wrong length, no message type). Unknown options are skipped. */
FW_MUST_CHECK int dhcp_parse(struct fw_bytes b, uint32_t xid,
			     const struct dhcp_mac *mac, struct dhcp_reply *out);

/* Write a DISCOVER (req_ip and server_id 0) or REQUEST (both set: the
 * offer taken) from mac for xid into out, padded to DHCP_MIN_LEN: the
 * length, or -EINVAL (out too small). The broadcast flag is set, so the
 * server answers to the broadcast address while we have none. */
FW_MUST_CHECK long dhcp_build(struct fw_buf out, uint8_t type, uint32_t xid,
			      const struct dhcp_mac *mac, uint32_t req_ip,
			      uint32_t server_id);

#endif
