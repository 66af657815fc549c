/* services/net/inet/link_placeholder.c: TO DELETE AT MERGE.
 *
 * Layer: services (safe C), net. netdev_xmit_ipv4 belongs to the link
 * layer (services/net/link/, written on its own branch). Until that is
 * merged the kernel does not link without a definition, so this one
 * says honestly that no link layer exists: nothing leaves this host
 * except over lo, which never calls it. Delete this file when the link
 * layer's netdev_xmit_ipv4 arrives. */
#include <fw/errno.h>

#include "net/netdev.h"

int netdev_xmit_ipv4(struct netdev *d, uint32_t next_hop,
		     struct fw_bytes packet)
{
	(void)d;
	(void)next_hop;
	(void)packet;
	return -ENETUNREACH;
}
