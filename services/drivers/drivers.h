/* services/drivers/drivers.h: starting the device drivers.
 *
 * Layer: services (safe C), drivers.
 *
 * Folder services/drivers: device drivers, started here -- virtio/ (the
 * PCI transport, blk, rng, console) and char/ (memory devices, the
 * random generator). Above block, fs and tty, which they feed. */
#ifndef SERVICES_DRIVERS_H
#define SERVICES_DRIVERS_H

/* Probe every driver's devices and register the memory devices (boot,
 * before vfs_init). */
void drivers_init(void);

/* Register null, zero, full, random, urandom (char/devmem.c). */
void devmem_init(void);

#endif
