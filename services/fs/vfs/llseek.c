/* services/fs/vfs/llseek.c: lseek for files whose size is known, shared by
 * tmpfs and ext2 regular files and by block device files.
 *
 * Layer: services (safe C), VFS. */
#include "fs/vfs/vfs.h"

int64_t vfs_llseek_size(struct file *f, int64_t off, int whence, int64_t size)
{
	int64_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		base = size;
		break;
	case SEEK_DATA:
		/* The whole file counts as data (holes are not tracked). */
		if (off < 0 || off >= size)
			return -ENXIO;
		return off;
	case SEEK_HOLE:
		if (off < 0 || off >= size)
			return -ENXIO;
		return size;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	return base + off;
}

int64_t vfs_file_llseek(struct file *f, int64_t off, int whence)
{
	struct inode *ino = f->path.inode;
	int64_t size;

	fw_mutex_lock(&ino->lock);
	size = (int64_t)ino->size;
	fw_mutex_unlock(&ino->lock);
	return vfs_llseek_size(f, off, whence, size);
}
