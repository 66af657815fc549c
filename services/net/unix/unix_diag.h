/* services/net/unix/unix_diag.h: the AF_UNIX part of NETLINK_SOCK_DIAG
 * (unix_diag.c), for the netlink socket (net/link/netlink.c).
 *
 * Layer: services (safe C), net. req is a SOCK_DIAG_BY_FAMILY request's
 * payload (struct unix_diag_req); replies are built in o. */
#ifndef SERVICES_NET_UNIX_DIAG_H
#define SERVICES_NET_UNIX_DIAG_H

#include <stdbool.h>
#include <stdint.h>

#include <fw/bytes.h>
#include <fw/compiler.h>

struct nl_out;

/* A dump: the messages of the matching sockets from the *pos-th on,
 * while they fit in o; *more says whether some are left for another
 * datagram (*pos advanced). 0, or -EINVAL for a short request. */
FW_MUST_CHECK int unix_diag_dump(struct nl_out *o, struct fw_bytes req,
				 uint32_t seq, int32_t portid, unsigned *pos,
				 bool *more);
/* One socket by inode (and cookie): 0, -EINVAL, -ENOENT or -ESTALE. */
FW_MUST_CHECK int unix_diag_get(struct nl_out *o, struct fw_bytes req,
				uint32_t seq, int32_t portid);

#endif
