/* services/drivers/char/random.h: the kernel's random number generator.
 *
 * Layer: services (safe C). Behind /dev/random, /dev/urandom, getrandom(2)
 * and (for the process service) AT_RANDOM. See random.c for the quality of
 * its seed, which is honestly weak.
 *
 * Folder services/drivers/char: character devices -- the random
 * generator with getrandom(2), and /dev/null, zero, full, random,
 * urandom (devmem.c). They register with the VFS's chardev registry
 * (services/fs/vfs/chardev.h, which stays in the VFS because opening a
 * device node looks it up there, as Linux's fs/char_dev.c). */
#ifndef SERVICES_DRIVERS_CHAR_RANDOM_H
#define SERVICES_DRIVERS_CHAR_RANDOM_H

#include <fw/bytes.h>
#include <fw/uaccess.h>

/* Mix bytes from an entropy source (virtio-rng) into the key. */
void random_add_entropy(struct fw_bytes in);
/* Fill a kernel buffer with random bytes. */
void random_bytes(struct fw_buf out);
/* Copy len random bytes to user memory: len, or -EFAULT if nothing was
 * copied (else the count copied). */
long random_to_user(fw_uptr_t dst, size_t len);
/* Register getrandom(2). */
void random_syscalls_init(void);

#endif
