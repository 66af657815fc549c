/* services/fs/vfs/readdir.c: getdents(2)/getdents64(2) and directory files.
 *
 * Layer: services (safe C), VFS. The file system emits entries; emit
 * formats each record in a small kernel buffer and copies it out whole,
 * stopping (without consuming the entry) when the next record does not
 * fit, as Linux filldir64 does. The file position is the file system's
 * cookie for the next entry. */
#include <fw/string.h>

#include "fs/vfs/namei.h"
#include "fs/tmpfs/tmpfs.h"

struct dirent_rec {
	uint8_t b[DIRENT64_NAME_OFF + KNAME_MAX + 1 + 8];
};

static bool emit(struct dir_ctx *ctx, const struct kname *name, uint64_t ino,
		 unsigned dtype, uint64_t next_pos)
{
	struct dirent_rec rec = { { 0 } };
	struct fw_buf b = FW_BUF_OF_ARRAY(rec.b);
	struct fw_bytes out;
	size_t nlen = strnlen(name->s, sizeof(name->s));
	size_t reclen;
	int err = 0;

	if (ctx->is64) {
		/* d_ino, d_off, d_reclen, d_type, name, NUL, pad to 8 */
		reclen = (DIRENT64_NAME_OFF + nlen + 1 + 7) & ~(size_t)7;
		err |= fw_buf_put_u64_le(b, 0, ino);
		err |= fw_buf_put_u64_le(b, 8, next_pos);
		err |= fw_buf_put_u16_le(b, 16, (uint16_t)reclen);
		err |= fw_buf_put_u8(b, 18, (uint8_t)dtype);
		for (size_t i = 0; i < nlen && !err; i++)
			err |= fw_buf_put_u8(b, DIRENT64_NAME_OFF + i,
					     (uint8_t)name->s[i]);
	} else {
		/* d_ino, d_off, d_reclen, name, NUL, pad, d_type last */
		reclen = (18 + nlen + 2 + 7) & ~(size_t)7;
		err |= fw_buf_put_u64_le(b, 0, ino);
		err |= fw_buf_put_u64_le(b, 8, next_pos);
		err |= fw_buf_put_u16_le(b, 16, (uint16_t)reclen);
		for (size_t i = 0; i < nlen && !err; i++)
			err |= fw_buf_put_u8(b, 18 + i, (uint8_t)name->s[i]);
		err |= fw_buf_put_u8(b, reclen - 1, (uint8_t)dtype);
	}
	if (err) {
		ctx->err = -EINVAL;
		return false;
	}
	if (reclen > ctx->len - ctx->used) {
		if (ctx->used == 0)
			ctx->err = -EINVAL; /* buffer too small for one entry */
		return false;
	}
	if (fw_bytes_sub(FW_BYTES_OF_ARRAY(rec.b), 0, reclen, &out) ||
	    fw_copy_out(fw_uptr_add(ctx->buf, ctx->used), out)) {
		ctx->err = -EFAULT;
		return false;
	}
	ctx->used += reclen;
	return true;
}

static long dir_getdents(struct file *f, fw_uptr_t buf, size_t len, bool is64)
{
	struct inode *dir = f->path.inode;
	struct dir_ctx ctx = {
		.emit = emit, .buf = buf, .len = len, .is64 = is64,
	};
	uint64_t pos;
	int err;

	fw_mutex_lock(&f->pos_lock);
	fw_mutex_lock(&vfs_ns_lock);
	pos = f->pos;
	if (dir->nlink == 0)
		err = -ENOENT; /* removed directory: Linux IS_DEADDIR */
	else
		err = dir->iops->iterate(dir, &pos, &ctx);
	f->pos = pos;
	fw_mutex_unlock(&vfs_ns_lock);
	fw_mutex_unlock(&f->pos_lock);
	if (ctx.used)
		return (long)ctx.used;
	return err ? err : ctx.err;
}

static int64_t dir_llseek(struct file *f, int64_t off, int whence)
{
	switch (whence) {
	case SEEK_SET:
		break;
	case SEEK_CUR:
		off += (int64_t)f->pos;
		break;
	default:
		return -EINVAL;
	}
	return off < 0 ? -EINVAL : off;
}

const struct file_ops tmpfs_dir_ops = {
	.getdents = dir_getdents,
	.llseek = dir_llseek,
};
