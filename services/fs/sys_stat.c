/* services/fs/sys_stat.c: stat, fstat, lstat, newfstatat, statx, statfs,
 * fstatfs.
 *
 * Layer: services (safe C), syscall handlers (Linux fs/stat.c,
 * fs/statfs.c). */
#include <fw/frame.h>

#include "fs/vfs/chardev.h"
#include "fs/sys_calls.h"
#include "fs/sys_util.h"

static uint64_t blocks_512(const struct inode *ino)
{
	/* tmpfs charges whole pages; symlinks and dirs take none here. */
	if (!S_ISREG(ino->mode))
		return 0;
	return (ino->size + FW_PAGE_SIZE - 1) / FW_PAGE_SIZE * (FW_PAGE_SIZE / 512);
}

static void fill_stat(struct inode *ino, struct linux_stat *st)
{
	*st = (struct linux_stat){ 0 };
	fw_mutex_lock(&vfs_ns_lock);
	st->st_dev = ino->sb->dev;
	st->st_ino = ino->ino;
	st->st_nlink = ino->nlink;
	st->st_mode = ino->mode;
	st->st_uid = ino->uid;
	st->st_gid = ino->gid;
	st->st_rdev = ino->rdev;
	st->st_blksize = FW_PAGE_SIZE;
	st->st_atime_sec = (uint64_t)ino->atime.sec;
	st->st_atime_nsec = ino->atime.nsec;
	st->st_mtime_sec = (uint64_t)ino->mtime.sec;
	st->st_mtime_nsec = ino->mtime.nsec;
	st->st_ctime_sec = (uint64_t)ino->ctime.sec;
	st->st_ctime_nsec = ino->ctime.nsec;
	fw_mutex_unlock(&vfs_ns_lock);
	fw_mutex_lock(&ino->lock);
	st->st_size = S_ISDIR(ino->mode) ? 4096 : (int64_t)ino->size;
	st->st_blocks = (int64_t)blocks_512(ino);
	if (ino->sb->sops && ino->sb->sops->getattr)
		ino->sb->sops->getattr(ino, st);
	fw_mutex_unlock(&ino->lock);
}

static long stat_out(struct inode *ino, fw_uptr_t ubuf)
{
	struct linux_stat st;

	fill_stat(ino, &st);
	return FW_COPY_OUT_OBJ(ubuf, &st) ? -EFAULT : 0;
}

static long do_fstatat(int dirfd, fw_uptr_t upath, fw_uptr_t ubuf, unsigned flags)
{
	struct vfs_path p;
	long err;

	if (flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	err = sys_lookup(dirfd, upath,
			 (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
			 flags & AT_EMPTY_PATH, &p);
	if (err)
		return err;
	err = stat_out(p.inode, ubuf);
	vfs_path_put(&p);
	return err;
}

long sys_stat(const struct sys_args *a)
{
	return do_fstatat(AT_FDCWD, fw_uptr(a->arg[0]), fw_uptr(a->arg[1]), 0);
}

long sys_lstat(const struct sys_args *a)
{
	return do_fstatat(AT_FDCWD, fw_uptr(a->arg[0]), fw_uptr(a->arg[1]),
			  AT_SYMLINK_NOFOLLOW);
}

long sys_newfstatat(const struct sys_args *a)
{
	return do_fstatat((int)a->arg[0], fw_uptr(a->arg[1]), fw_uptr(a->arg[2]),
			  (unsigned)a->arg[3]);
}

long sys_fstat(const struct sys_args *a)
{
	struct file *f = sys_fget((int)a->arg[0]);
	long err;

	if (!f)
		return -EBADF;
	err = f->path.inode ? stat_out(f->path.inode, fw_uptr(a->arg[1])) : -EBADF;
	file_put(f);
	return err;
}

static struct statx_timestamp sx_time(uint64_t sec, uint64_t nsec)
{
	struct statx_timestamp t = { (int64_t)sec, (uint32_t)nsec, 0 };

	return t;
}

long sys_statx(const struct sys_args *a)
{
	int dirfd = (int)a->arg[0];
	fw_uptr_t upath = fw_uptr(a->arg[1]);
	unsigned flags = (unsigned)a->arg[2];
	unsigned mask = (unsigned)a->arg[3];
	struct linux_statx sx = { 0 };
	struct linux_stat st;
	struct vfs_path p;
	long err;

	if (flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH |
				AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (mask & STATX_RESERVED)
		return -EINVAL;
	if (fw_uptr_is_null(upath) && (flags & AT_EMPTY_PATH)) {
		struct file *f = sys_fget(dirfd);

		if (!f)
			return -EBADF;
		p = f->path;
		vfs_path_get(&p);
		file_put(f);
	} else {
		err = sys_lookup(dirfd, upath,
				 (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
				 flags & AT_EMPTY_PATH, &p);
		if (err)
			return err;
	}
	fill_stat(p.inode, &st);
	vfs_path_put(&p);
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = (uint32_t)st.st_blksize;
	sx.stx_nlink = (uint32_t)st.st_nlink;
	sx.stx_uid = st.st_uid;
	sx.stx_gid = st.st_gid;
	sx.stx_mode = (uint16_t)st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = (uint64_t)st.st_size;
	sx.stx_blocks = (uint64_t)st.st_blocks;
	sx.stx_atime = sx_time(st.st_atime_sec, st.st_atime_nsec);
	sx.stx_mtime = sx_time(st.st_mtime_sec, st.st_mtime_nsec);
	sx.stx_ctime = sx_time(st.st_ctime_sec, st.st_ctime_nsec);
	sx.stx_rdev_major = dev_major((uint32_t)st.st_rdev);
	sx.stx_rdev_minor = dev_minor((uint32_t)st.st_rdev);
	sx.stx_dev_major = dev_major((uint32_t)st.st_dev);
	sx.stx_dev_minor = dev_minor((uint32_t)st.st_dev);
	return FW_COPY_OUT_OBJ(fw_uptr(a->arg[4]), &sx) ? -EFAULT : 0;
}

static long statfs_out(const struct vfs_path *p, fw_uptr_t ubuf)
{
	struct linux_statfs s = { 0 };
	struct superblock *sb = p->inode->sb;

	if (sb->sops && sb->sops->statfs) {
		long err = sb->sops->statfs(sb, &s);

		if (err)
			return err;
		s.f_flags = p->mnt ? (int64_t)(p->mnt->flags & 0xf) : 0;
		if (sb->rdonly)
			s.f_flags |= MS_RDONLY; /* ST_RDONLY, also when forced */
		return FW_COPY_OUT_OBJ(ubuf, &s) ? -EFAULT : 0;
	}
	s.f_type = sb->magic;
	s.f_bsize = FW_PAGE_SIZE;
	s.f_frsize = FW_PAGE_SIZE;
	if (sb->magic == TMPFS_MAGIC) {
		/* tmpfs: its size= (half of RAM by default); used is what
		 * its files hold. Pseudo file systems (proc, pipes) have
		 * no blocks or inodes to count, as Linux's simple_statfs
		 * says. */
		uint64_t used = atomic_load(&sb->nr_pages);

		s.f_blocks = atomic_load(&sb->max_pages);
		if (!s.f_blocks) /* size=0: no limit but RAM */
			s.f_blocks = fw_frames_total();
		s.f_bfree = used < s.f_blocks ? s.f_blocks - used : 0;
		s.f_bavail = s.f_bfree;
		s.f_files = s.f_blocks;
		s.f_ffree = s.f_files - atomic_load(&sb->nr_inodes);
	}
	s.f_fsid[0] = (int32_t)sb->dev;
	s.f_namelen = KNAME_MAX;
	/* ST_RDONLY, ST_NOSUID, ST_NODEV, ST_NOEXEC share MS_* bit values. */
	s.f_flags = p->mnt ? (int64_t)(p->mnt->flags & 0xf) : 0;
	return FW_COPY_OUT_OBJ(ubuf, &s) ? -EFAULT : 0;
}

long sys_statfs(const struct sys_args *a)
{
	struct vfs_path p;
	long err = sys_lookup(AT_FDCWD, fw_uptr(a->arg[0]), LOOKUP_FOLLOW, false, &p);

	if (err)
		return err;
	err = statfs_out(&p, fw_uptr(a->arg[1]));
	vfs_path_put(&p);
	return err;
}

long sys_fstatfs(const struct sys_args *a)
{
	struct file *f = sys_fget((int)a->arg[0]);
	long err;

	if (!f)
		return -EBADF;
	err = statfs_out(&f->path, fw_uptr(a->arg[1]));
	file_put(f);
	return err;
}
