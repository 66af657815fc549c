/* services/lib/kdev.h: device numbers (Linux's dev_t, as stat(2) shows it).
 *
 * Layer: services (safe C), a library every service may use: the block
 * layer numbers disks with it, the VFS looks character devices up by it
 * (fs/vfs/chardev.h), procfs prints it. */
#ifndef SERVICES_LIB_KDEV_H
#define SERVICES_LIB_KDEV_H

#include <fw/compiler.h>

/* Linux's dev_t encoding as stat(2) shows it (new_encode_dev). */
static inline uint32_t dev_mkdev(unsigned major, unsigned minor)
{
	return (minor & 0xffu) | ((major & 0xfffu) << 8) |
	       ((minor & ~0xffu) << 12);
}

static inline unsigned dev_major(uint32_t dev)
{
	return (dev >> 8) & 0xfffu;
}

static inline unsigned dev_minor(uint32_t dev)
{
	return (dev & 0xffu) | ((dev >> 12) & 0xfff00u);
}

#endif
