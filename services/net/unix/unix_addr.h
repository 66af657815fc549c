/* services/net/unix/unix_addr.h: Unix socket addresses, as pure logic.
 *
 * Layer: services (safe C), net; no locks, no user memory, so it is
 * host-tested (tests/unit/unix_addr_test.c). Linux unix_validate_addr and
 * unix_mkname_bsd: an address is sun_family (AF_UNIX) and sun_path;
 * sun_path[0] == 0 names the abstract space (every byte counts), else it
 * is a file path ending at the first NUL or at the given length, and the
 * address is stored as family + path + NUL. */
#ifndef SERVICES_NET_UNIX_ADDR_H
#define SERVICES_NET_UNIX_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/sockaddr.h"

#define UNIX_ADDR_BYTES 110	/* sizeof(struct sockaddr_un) */
#define UNIX_FAMILY_LEN 2	/* sizeof(sa_family_t) */

struct unix_addr {
	unsigned len;			/* bytes of b used; 0: none */
	uint8_t b[UNIX_ADDR_BYTES + 1];	/* +1: a path's NUL at len 110 */
};

enum unix_addr_kind {
	UNIX_ADDR_AUTOBIND,		/* only the family: pick a name */
	UNIX_ADDR_ABSTRACT,
	UNIX_ADDR_PATH,
};

/* Check a sockaddr as given to bind/connect/sendto and normalise it into
 * *out: -EINVAL for a length outside [2, 110] or a
 * family other than AF_UNIX. A path address gets len = 2 + strlen + 1. */
int unix_addr_parse(const struct sock_addr *raw, struct unix_addr *out,
		    enum unix_addr_kind *kind);
/* Same name (abstract: same bytes and length). */
bool unix_addr_eq(const struct unix_addr *a, const struct unix_addr *b);
/* The autobind name for number n (0..0xfffff): "\0%05x", len 8. */
void unix_addr_auto(unsigned n, struct unix_addr *out);

#endif
