/* tests/unit/fw_host_disk.c: host DMA buffers (malloc) and a disk whose
 * rw op is pread/pwrite on an image file, for the block cache under test.
 *
 * Layer: host tests only. Kept apart from fw_host_ext2.c because it needs
 * the host's <fcntl.h>, whose O_* and S_* names clash with fs/vfs/uapi.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fw/dma.h>
#include <fw/frame.h>

#include "block/blkdev.h"
#include "fw_host_ext2.h"

/* ---- DMA buffers --------------------------------------------------------- */

struct fw_dma {
	uint8_t *p;
	size_t len;
};

int fw_dma_alloc(size_t len, struct fw_dma **out)
{
	struct fw_dma *d;

	if (len == 0 || len > (4u << 20))
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->p = calloc(1, len);
	d->len = len;
	if (!d->p) {
		free(d);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

void fw_dma_free(struct fw_dma *d)
{
	if (!d)
		return;
	free(d->p);
	free(d);
}

size_t fw_dma_len(const struct fw_dma *d)
{
	return d->len;
}

uint64_t fw_dma_addr(const struct fw_dma *d, size_t off)
{
	return (uint64_t)(uintptr_t)(d->p + off);
}

struct fw_buf fw_dma_buf(struct fw_dma *d)
{
	return fw__buf_make(d->p, d->len);
}

void fw_dma_wmb(void)
{
}

void fw_dma_rmb(void)
{
}

void fw_dma_mb(void)
{
}

/* ---- the disk: an image file --------------------------------------------- */

struct blkdev_priv {
	int fd;
	int fail_writes;	/* make writes fail (error paths) */
	uint8_t *mem;		/* a disk in memory (fuzzing), or NULL */
	size_t mem_len;
};

uint64_t blkdev_bytes(const struct blkdev *d)
{
	return d->nr_sectors * BLKDEV_SECTOR;
}

static int img_rw_one(struct blkdev *d, bool write, uint64_t sector,
		      struct fw_dma *buf, size_t off, size_t len)
{
	off_t pos = (off_t)(sector * BLKDEV_SECTOR);
	ssize_t n;

	if (off > buf->len || len > buf->len - off)
		abort();
	if (write && d->priv->fail_writes)
		return -EIO;
	if (d->priv->mem) {
		if ((uint64_t)pos > d->priv->mem_len || len > d->priv->mem_len - (size_t)pos)
			return -EIO;
		if (write)
			memcpy(d->priv->mem + pos, buf->p + off, len);
		else
			memcpy(buf->p + off, d->priv->mem + pos, len);
		return 0;
	}
	n = write ? pwrite(d->priv->fd, buf->p + off, len, pos)
		  : pread(d->priv->fd, buf->p + off, len, pos);
	if (n < 0)
		return -EIO;
	if (!write && (size_t)n < len)
		memset(buf->p + off + n, 0, len - (size_t)n);
	return 0;
}

/* A slice of a frame: through a DMA buffer, as the frame's bytes are
 * the frame stubs' (fw_host_ext2.c). */
static int img_rw_frame(struct blkdev *d, bool write, uint64_t sector,
			struct fw_frame *fr, size_t off, size_t len)
{
	struct fw_dma *tmp;
	struct fw_buf part;
	int err;

	if (fw_dma_alloc(len, &tmp))
		return -ENOMEM;
	err = fw_buf_sub(fw_dma_buf(tmp), 0, len, &part);
	if (!err && write)
		err = fw_frame_read(fr, off, part);
	if (!err)
		err = img_rw_one(d, write, sector, tmp, 0, len);
	if (!err && !write)
		err = fw_frame_write(fr, off, fw_buf_as_bytes(part));
	fw_dma_free(tmp);
	return err;
}

long host_disk_write_budget = -1;
long host_disk_writes;

/* A request's slices one after the other, as a device would. */
static int img_rw(struct blkdev *d, bool write, const struct blk_req *req)
{
	uint64_t sector = req->sector;

	if (req->n == 0 || req->n > BLK_MAX_SEGS)
		abort();
	if (write) {
		host_disk_writes++;
		/* The power is cut: nothing more reaches the disk (the
		 * kernel, unaware, goes on). */
		if (host_disk_write_budget == 0)
			return 0;
		if (host_disk_write_budget > 0)
			host_disk_write_budget--;
	}
	for (unsigned i = 0; i < req->n; i++) {
		const struct blk_seg *sg = &req->seg[i];
		int err;

		if (sg->len == 0 || sg->len % BLKDEV_SECTOR)
			abort();
		if (sg->frame) /* a page read straight into (bcache_read_frames) */
			err = img_rw_frame(d, write, sector, sg->frame, sg->off, sg->len);
		else
			err = img_rw_one(d, write, sector, sg->dma, sg->off, sg->len);
		if (err)
			return err;
		sector += sg->len / BLKDEV_SECTOR;
	}
	return 0;
}

static int img_flush(struct blkdev *d)
{
	if (d->priv->mem)
		return 0;
	return fsync(d->priv->fd) ? -EIO : 0;
}

static const struct blkdev_ops img_ops = { .rw = img_rw, .flush = img_flush };

int host_disk_open(struct blkdev *d, const char *path, const char *name)
{
	struct blkdev_priv *p = calloc(1, sizeof(*p));
	off_t size;

	memset(d, 0, sizeof(*d));
	if (!p)
		return -ENOMEM;
	p->fd = open(path, O_RDWR);
	if (p->fd < 0) {
		free(p);
		return -errno;
	}
	size = lseek(p->fd, 0, SEEK_END);
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->nr_sectors = (uint64_t)size / BLKDEV_SECTOR;
	d->max_segs = BLK_MAX_SEGS;
	d->ops = &img_ops;
	d->priv = p;
	d->rdev = 0xfe00;
	return 0;
}

int host_disk_open_mem(struct blkdev *d, uint8_t *mem, size_t len,
		       const char *name)
{
	struct blkdev_priv *p = calloc(1, sizeof(*p));

	memset(d, 0, sizeof(*d));
	if (!p)
		return -ENOMEM;
	p->fd = -1;
	p->mem = mem;
	p->mem_len = len / BLKDEV_SECTOR * BLKDEV_SECTOR;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->nr_sectors = len / BLKDEV_SECTOR;
	d->max_segs = BLK_MAX_SEGS;
	d->ops = &img_ops;
	d->priv = p;
	d->rdev = 0xfe00;
	return 0;
}

void host_disk_close(struct blkdev *d)
{
	if (!d->priv)
		return;
	if (d->priv->fd >= 0)
		close(d->priv->fd);
	free(d->priv);
	d->priv = NULL;
}

void host_disk_fail_writes(struct blkdev *d, int on)
{
	d->priv->fail_writes = on;
}

/* No registry on the host: bcache_sync_all finds no disks (the tests
 * sync each one by hand). */
struct blkdev *blkdev_nth(unsigned i)
{
	(void)i;
	return NULL;
}
