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

/* The same with kernel buffers, for splice(2) (Linux splices to and from
 * these devices: stress-ng's splice stressor reads /dev/zero and writes
 * /dev/null). */
static long null_read_kbuf(struct file *f, struct fw_buf dst, uint64_t *pos)
{
	return 0;
}

static long null_write_kbuf(struct file *f, struct fw_bytes src, uint64_t *pos)
{
	return (long)fw_bytes_len(src);
}

static long zero_read_kbuf(struct file *f, struct fw_buf dst, uint64_t *pos)
{
	if (fw_buf_fill(dst, 0, fw_buf_len(dst), 0))
		return -EINVAL;
	return (long)fw_buf_len(dst);
}

static long random_read_kbuf(struct file *f, struct fw_buf dst, uint64_t *pos)
{
	random_bytes(dst);
	return (long)fw_buf_len(dst);
}

static const struct file_ops null_ops = {
	.read = null_read, .write = null_write, .llseek = null_llseek,
	.read_kbuf = null_read_kbuf, .write_kbuf = null_write_kbuf,
};
static const struct file_ops zero_ops = {
	.read = zero_read, .write = null_write, .llseek = null_llseek,
	.read_kbuf = zero_read_kbuf, .write_kbuf = null_write_kbuf,
};
static const struct file_ops full_ops = {
	.read = zero_read, .write = full_write, .llseek = null_llseek,
	.read_kbuf = zero_read_kbuf, /* Linux: no splice_write (EINVAL) */
};
/* Writes to the random devices are accepted and (as on Linux without
 * privilege) credit no entropy; here they are simply dropped. */
static const struct file_ops random_ops = {
	.read = random_read, .write = null_write, .llseek = null_llseek,
	.read_kbuf = random_read_kbuf, .write_kbuf = null_write_kbuf,
};

void devmem_init(void)
{
	if (chardev_register(1, 3, 1, &null_ops) ||
	    chardev_register(1, 5, 1, &zero_ops) ||
	    chardev_register(1, 7, 1, &full_ops) ||
	    chardev_register(1, 8, 2, &random_ops))
		fw_err("devmem: could not register the mem devices");
}
