/* services/net/sockaddr.h: a socket address as the kernel holds it.
 *
 * Layer: services (safe C), net; plain data, shared by the generic layer
 * and the families' pure address logic (host-tested). */
#ifndef SERVICES_NET_SOCKADDR_H
#define SERVICES_NET_SOCKADDR_H

#include <stdint.h>

#define SOCKADDR_MAX 128		/* sizeof(struct sockaddr_storage) */

/* The bytes user space gave (at most sockaddr_storage) and their length. */
struct sock_addr {
	uint8_t b[SOCKADDR_MAX];
	unsigned len;
};

#endif
