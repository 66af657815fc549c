/* services/drivers/char/devmem.c: /dev/null, /dev/zero, /dev/full, /dev/random,
 * /dev/urandom (major 1, as Linux drivers/char/mem.c).
 *
 * Layer: services (safe C), character devices. */
#include <fw/log.h>

#include "drivers/drivers.h"
#include "fs/vfs/chardev.h"
#include "drivers/char/random.h"

static long null_read(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos)
{
	return 0;
}

static long null_write(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos)
{
	return (long)len;
}

static int64_t null_llseek(struct file *f, int64_t off, int whence)
{
	return 0; /* Linux null_lseek: the position stays 0 */
}

static long zero_read(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos)
{
	if (len && fw_clear_user(buf, len))
		return -EFAULT;
	return (long)len;
}

static long full_write(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos)
{
	return -ENOSPC;
}

static long random_read(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos)
{
	return random_to_user(buf, len);
}

static const struct file_ops null_ops = {
	.read = null_read, .write = null_write, .llseek = null_llseek,
};
static const struct file_ops zero_ops = {
	.read = zero_read, .write = null_write, .llseek = null_llseek,
};
static const struct file_ops full_ops = {
	.read = zero_read, .write = full_write, .llseek = null_llseek,
};
/* Writes to the random devices are accepted and (as on Linux without
 * privilege) credit no entropy; here they are simply dropped. */
static const struct file_ops random_ops = {
	.read = random_read, .write = null_write, .llseek = null_llseek,
};

void devmem_init(void)
{
	if (chardev_register(1, 3, 1, &null_ops) ||
	    chardev_register(1, 5, 1, &zero_ops) ||
	    chardev_register(1, 7, 1, &full_ops) ||
	    chardev_register(1, 8, 2, &random_ops))
		fw_err("devmem: could not register the mem devices");
}
