/* services/drivers/drivers.c: device drivers' start at boot.
 *
 * Layer: services (safe C), drivers. Runs before the root file system is
 * built, so /dev has a node for every disk found. */
#include <fw/log.h>

#include "block/bcache.h"
#include "drivers/drivers.h"
#include "drivers/virtio/virtio.h"

void drivers_init(void)
{
	if (bcache_init())
		fw_err("drivers: no block-cache flusher: dirty blocks are "
		       "written only by sync");
	virtio_blk_probe();
	virtio_rng_probe();
	virtio_console_probe();
	virtio_net_probe();
	devmem_init();
}
