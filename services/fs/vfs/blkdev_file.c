/* services/fs/vfs/blkdev_file.c: block device files (/dev/vda).
 *
 * Layer: services (safe C), block layer. Reads and writes go through the
 * block cache like a file system's, so dd to /dev/vda and a mounted ext2
 * on it see the same bytes, and writes are written back like any other
 * (sync, fsync, the flusher). The file's priv holds the device number. */
#include <fw/uaccess.h>

#include "block/bcache.h"
#include "fs/vfs/blkdev_file.h"

/* <linux/fs.h> block ioctls */
#define BLKROGET 0x125E
#define BLKGETSIZE 0x1260
#define BLKFLSBUF 0x1261
#define BLKSSZGET 0x1268
#define BLKBSZGET 0x80081270
#define BLKGETSIZE64 0x80081272

static struct blkdev *file_dev(const struct file *f)
{
	return blkdev_lookup((uint32_t)f->priv);
}

static int bdev_open(struct inode *ino, struct file *f)
{
	struct blkdev *d = blkdev_lookup(ino->rdev);

	if (!d)
		return -ENXIO;
	if ((f->fmode & FMODE_WRITE) && d->read_only)
		return -EROFS;
	f->priv = ino->rdev;
	return 0;
}

/* The cached block holding byte pos: whole 4 KiB units, and 512-byte
 * sectors in a last unit the disk only partly covers. */
static int block_at(struct blkdev *d, uint64_t pos, bool whole,
		    struct bref *r, size_t *in_block)
{
	unsigned bs = pos / BCACHE_UNIT < blkdev_bytes(d) / BCACHE_UNIT
			      ? BCACHE_UNIT
			      : BLKDEV_SECTOR;

	*in_block = pos % bs;
	return bcache_get(d, pos / bs, bs, !whole, r);
}

static long bdev_rw(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos,
		    bool write)
{
	struct blkdev *d = file_dev(f);
	uint64_t size, off = *pos;
	size_t done = 0;
	int err = 0;

	if (!d)
		return -ENXIO;
	size = blkdev_bytes(d);
	if (off >= size)
		return write && len ? -ENOSPC : 0;
	if (len > size - off)
		len = (size_t)(size - off);
	while (done < len) {
		struct bref r;
		struct fw_buf part;
		size_t in, n;

		err = block_at(d, off, false, &r, &in);
		if (err)
			break;
		n = fw_buf_len(r.data) - in;
		if (n > len - done)
			n = len - done;
		err = fw_buf_sub(r.data, in, n, &part);
		if (!err)
			err = write ? fw_copy_in(part, fw_uptr_add(buf, done))
				    : fw_copy_out(fw_uptr_add(buf, done),
						  fw_buf_as_bytes(part));
		if (!err && write)
			bref_dirty(&r);
		bref_put(&r);
		if (err)
			break;
		done += n;
		off += n;
	}
	*pos = off;
	return done ? (long)done : err;
}

static long bdev_read(struct file *f, fw_uptr_t buf, size_t len, uint64_t *pos)
{
	return bdev_rw(f, buf, len, pos, false);
}

static long bdev_write(struct file *f, fw_uptr_t buf, size_t len,
		       uint64_t *pos)
{
	return bdev_rw(f, buf, len, pos, true);
}

/* Linux's blkdev_llseek: a file of the device's size. */
static int64_t bdev_llseek(struct file *f, int64_t off, int whence)
{
	struct blkdev *d = file_dev(f);

	if (!d)
		return -ENXIO;
	return vfs_llseek_size(f, off, whence, (int64_t)blkdev_bytes(d));
}

static long put_u64(uint64_t arg, uint64_t v)
{
	return FW_COPY_OUT_OBJ(fw_uptr(arg), &v);
}

static long bdev_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	struct blkdev *d = file_dev(f);
	int v;

	if (!d)
		return -ENXIO;
	switch (cmd) {
	case BLKGETSIZE64:
		return put_u64(arg, blkdev_bytes(d));
	case BLKGETSIZE: /* unsigned long, in sectors */
		return put_u64(arg, d->nr_sectors);
	case BLKSSZGET:
		v = BLKDEV_SECTOR;
		return FW_COPY_OUT_OBJ(fw_uptr(arg), &v);
	case BLKBSZGET:
		v = BCACHE_UNIT;
		return FW_COPY_OUT_OBJ(fw_uptr(arg), &v);
	case BLKROGET:
		v = d->read_only;
		return FW_COPY_OUT_OBJ(fw_uptr(arg), &v);
	case BLKFLSBUF:
		bcache_drop_clean(d);
		return bcache_sync(d);
	default:
		return -ENOTTY;
	}
}

const struct file_ops blkdev_file_ops = {
	.open = bdev_open,
	.read = bdev_read,
	.write = bdev_write,
	.llseek = bdev_llseek,
	.ioctl = bdev_ioctl,
};

int blkdev_fsync(struct file *f)
{
	struct blkdev *d = file_dev(f);

	return d ? bcache_sync(d) : -ENXIO;
}
