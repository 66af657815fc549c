/* services/drivers/drivers.h: starting the device drivers.
 *
 * Layer: services (safe C), drivers. */
#ifndef SERVICES_DRIVERS_H
#define SERVICES_DRIVERS_H

/* Probe every driver's devices and register the memory devices (boot,
 * before vfs_init). */
void drivers_init(void);

/* Register null, zero, full, random, urandom (char/devmem.c). */
void devmem_init(void);

#endif
