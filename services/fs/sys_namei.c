/* services/fs/sys_namei.c: creating, removing, renaming and linking names;
 * symlinks; access; ownership, modes and times; mount.
 *
 * Layer: services (safe C), syscall handlers (Linux fs/namei.c,
 * fs/open.c, fs/attr.c, fs/utimes.c, fs/namespace.c semantics). Each
 * handler walks to the parent directory with vfs_ns_lock held and checks
 * everything before the file system changes anything. */
#include <fw/heap.h>
#include <fw/string.h>

#include "block/blkdev.h"
#include "fs/ext2/ext2.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/mount.h"
#include "fs/notify/fsnotify.h"
#include "fs/sys_calls.h"
#include "fs/sys_util.h"

static uint32_t cur_umask(void)
{
	struct fs_context *fs = current_fs();
	uint32_t m = 022;

	if (fs) {
		fw_spin_lock(&fs->lock);
		m = fs->umask;
		fw_spin_unlock(&fs->lock);
	}
	return m;
}

static int may_create(struct parent_ctx *c)
{
	if (c->type != LAST_NORM)
		return -EEXIST;
	return inode_permission(c->dir.inode, MAY_WRITE | MAY_EXEC, c->nd.cred);
}

static long do_mknodat(int dirfd, fw_uptr_t upath, uint32_t mode, uint32_t dev)
{
	struct parent_ctx c;
	struct vfs_path old;
	struct inode *ino;
	long err;

	if (!S_ISDIR(mode)) {
		if ((mode & S_IFMT) == 0)
			mode |= S_IFREG;
		switch (mode & S_IFMT) {
		case S_IFREG: case S_IFIFO: case S_IFSOCK:
			break;
		case S_IFCHR: case S_IFBLK:
			if (!cred_capable(fs_cred(), CAP_MKNOD))
				return -EPERM;
			break;
		default:
			return -EINVAL;
		}
	}
	err = sys_parent_begin(dirfd, upath, &c);
	if (err)
		return err;
	err = may_create(&c);
	if (!err && namei_child(&c.nd, &c.dir, &c.last, &old) == 0)
		err = -EEXIST;
	if (!err && c.trailing && !S_ISDIR(mode))
		err = -ENOENT;
	if (!err) {
		uint32_t perm = S_ISDIR(mode) ? (mode & (0777 | S_ISVTX)) : (mode & S_IALLUGO);

		err = c.dir.inode->iops->create(c.dir.inode, &c.last,
						(mode & S_IFMT) | (perm & ~cur_umask()),
						S_ISCHR(mode) || S_ISBLK(mode) ? dev : 0,
						c.nd.cred, &ino);
		if (!err) {
			fsnotify_name(c.dir.inode, &c.last, ino, IN_CREATE);
			inode_put(ino);
		}
	}
	sys_parent_end(&c);
	return err;
}

long sys_mkdir(const struct sys_args *a)
{
	return do_mknodat(AT_FDCWD, fw_uptr(a->arg[0]), S_IFDIR | ((uint32_t)a->arg[1] & 07777), 0);
}

long sys_mkdirat(const struct sys_args *a)
{
	return do_mknodat((int)a->arg[0], fw_uptr(a->arg[1]), S_IFDIR | ((uint32_t)a->arg[2] & 07777), 0);
}

long sys_mknod(const struct sys_args *a)
{
	if (S_ISDIR((uint32_t)a->arg[1]))
		return -EPERM;
	return do_mknodat(AT_FDCWD, fw_uptr(a->arg[0]), (uint32_t)a->arg[1], (uint32_t)a->arg[2]);
}

long sys_mknodat(const struct sys_args *a)
{
	if (S_ISDIR((uint32_t)a->arg[2]))
		return -EPERM;
	return do_mknodat((int)a->arg[0], fw_uptr(a->arg[1]), (uint32_t)a->arg[2], (uint32_t)a->arg[3]);
}

static bool is_mount_busy(const struct vfs_path *p)
{
	return p->inode->mounted || (p->mnt && p->inode == p->mnt->sb->root);
}

/* may_delete: write+search on the directory, the sticky bit, busy mounts. */
static int may_delete(struct parent_ctx *c, const struct vfs_path *victim)
{
	int err = inode_permission(c->dir.inode, MAY_WRITE | MAY_EXEC, c->nd.cred);

	if (err)
		return err;
	if (namei_sticky_denied(c->dir.inode, victim->inode, c->nd.cred))
		return -EPERM;
	if (is_mount_busy(victim))
		return -EBUSY;
	return 0;
}

/* Remove c's last name, whose inode is victim (vfs_ns_lock held), and
 * report it to inotify: the name left the directory, the inode lost a
 * link (its last: IN_DELETE_SELF). namei_child does not reference the
 * victim, so the report holds a reference across the removal. */
static long remove_name(struct parent_ctx *c, struct inode *victim)
{
	bool watched = fsnotify_active();
	long err;

	if (watched)
		inode_get(victim);
	err = c->dir.inode->iops->unlink(c->dir.inode, &c->last);
	if (watched) {
		if (!err) {
			fsnotify_name(c->dir.inode, &c->last, victim, IN_DELETE);
			fsnotify_unlinked(victim);
		}
		inode_put(victim);
	}
	return err;
}

static long do_rmdir(int dirfd, fw_uptr_t upath)
{
	struct parent_ctx c;
	struct vfs_path victim;
	long err = sys_parent_begin(dirfd, upath, &c);

	if (err)
		return err;
	if (c.type == LAST_DOT)
		err = -EINVAL;
	else if (c.type == LAST_DOTDOT)
		err = -ENOTEMPTY;
	else if (c.type == LAST_ROOT)
		err = -EBUSY;
	else
		err = namei_child(&c.nd, &c.dir, &c.last, &victim);
	if (!err) {
		/* namei_child crossed mounts: look at the covered dir. */
		if (victim.mnt != c.dir.mnt)
			err = -EBUSY;
		else if (!S_ISDIR(victim.inode->mode))
			err = -ENOTDIR;
		else
			err = may_delete(&c, &victim);
	}
	if (!err)
		err = remove_name(&c, victim.inode);
	sys_parent_end(&c);
	return err;
}

static long do_unlink(int dirfd, fw_uptr_t upath)
{
	struct parent_ctx c;
	struct vfs_path victim;
	long err = sys_parent_begin(dirfd, upath, &c);

	if (err)
		return err;
	if (c.type != LAST_NORM)
		err = -EISDIR;
	else
		err = namei_child(&c.nd, &c.dir, &c.last, &victim);
	if (!err) {
		if (S_ISDIR(victim.inode->mode) || victim.mnt != c.dir.mnt)
			err = -EISDIR;
		else if (c.trailing)
			err = -ENOTDIR;
		else
			err = may_delete(&c, &victim);
	}
	if (!err)
		err = remove_name(&c, victim.inode);
	sys_parent_end(&c);
	return err;
}

long sys_unlink(const struct sys_args *a)
{
	return do_unlink(AT_FDCWD, fw_uptr(a->arg[0]));
}

long sys_rmdir(const struct sys_args *a)
{
	return do_rmdir(AT_FDCWD, fw_uptr(a->arg[0]));
}

long sys_unlinkat(const struct sys_args *a)
{
	unsigned flags = (unsigned)a->arg[2];

	if (flags & ~(unsigned)AT_REMOVEDIR)
		return -EINVAL;
	if (flags & AT_REMOVEDIR)
		return do_rmdir((int)a->arg[0], fw_uptr(a->arg[1]));
	return do_unlink((int)a->arg[0], fw_uptr(a->arg[1]));
}

/* The rename itself (vfs_ns_lock held), reported to inotify: a move out
 * of odir and into ndir (both ways for RENAME_EXCHANGE); a target it
 * replaced lost a link. Neither inode is referenced by the walk, so the
 * report holds references across the rename. */
static long rename_names(struct vfs_path *odir, const struct kname *oname,
			 struct vfs_path *src, struct vfs_path *ndir,
			 const struct kname *nname, struct vfs_path *dst,
			 unsigned flags)
{
	bool watched = fsnotify_active();
	long err;

	if (watched) {
		inode_get(src->inode);
		if (dst)
			inode_get(dst->inode);
	}
	err = odir->inode->iops->rename(odir->inode, oname, ndir->inode, nname,
					flags);
	if (!watched)
		return err;
	if (!err) {
		fsnotify_move(odir->inode, oname, ndir->inode, nname, src->inode);
		if (dst && (flags & RENAME_EXCHANGE))
			fsnotify_move(ndir->inode, nname, odir->inode, oname,
				      dst->inode);
		else if (dst)
			fsnotify_unlinked(dst->inode);
	}
	inode_put(src->inode);
	if (dst)
		inode_put(dst->inode);
	return err;
}

static long do_renameat2(int odfd, fw_uptr_t uold, int ndfd, fw_uptr_t unew,
			 unsigned flags)
{
	struct kpath *op = kpath_alloc(), *np = kpath_alloc();
	struct nameidata ond = { 0 }, nnd = { 0 };
	struct vfs_path odir, ndir, src, dst;
	struct kname oname, nname;
	enum last_type otype, ntype;
	bool otrail, ntrail, have_dst;
	const struct cred *cr = fs_cred();
	long err;

	if (!op || !np) {
		err = -ENOMEM;
		goto out_free;
	}
	if ((flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) ||
	    ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))) {
		err = -EINVAL;
		goto out_free;
	}
	if (flags & RENAME_WHITEOUT) {
		err = -EINVAL; /* overlayfs only */
		goto out_free;
	}
	err = kpath_from_user(op, uold);
	if (!err)
		err = kpath_from_user(np, unew);
	if (!err)
		err = nd_init(&ond, odfd, op);
	if (!err)
		err = nd_init(&nnd, ndfd, np);
	if (err)
		goto out_nd;
	fw_mutex_lock(&vfs_ns_lock);
	err = namei_parent(&ond, op, &odir, &oname, &otype, &otrail);
	if (!err)
		err = namei_parent(&nnd, np, &ndir, &nname, &ntype, &ntrail);
	if (err)
		goto out_unlock;
	if (otype != LAST_NORM || ntype != LAST_NORM) {
		err = (flags & RENAME_NOREPLACE) && ntype != LAST_NORM ? -EEXIST : -EBUSY;
		goto out_unlock;
	}
	err = namei_child(&ond, &odir, &oname, &src);
	if (err)
		goto out_unlock;
	have_dst = namei_child(&nnd, &ndir, &nname, &dst) == 0;
	if (odir.mnt != ndir.mnt) {
		err = -EXDEV;
		goto out_unlock;
	}
	if (!S_ISDIR(src.inode->mode) && (otrail || (ntrail && !(flags & RENAME_EXCHANGE)))) {
		err = -ENOTDIR;
		goto out_unlock;
	}
	if (have_dst && (flags & RENAME_NOREPLACE)) {
		err = -EEXIST;
		goto out_unlock;
	}
	if (!have_dst && (flags & RENAME_EXCHANGE)) {
		err = -ENOENT;
		goto out_unlock;
	}
	err = inode_permission(odir.inode, MAY_WRITE | MAY_EXEC, cr);
	if (!err)
		err = inode_permission(ndir.inode, MAY_WRITE | MAY_EXEC, cr);
	if (err)
		goto out_unlock;
	if (namei_sticky_denied(odir.inode, src.inode, cr) ||
	    (have_dst && namei_sticky_denied(ndir.inode, dst.inode, cr))) {
		err = -EPERM;
		goto out_unlock;
	}
	if (is_mount_busy(&src) || (have_dst && is_mount_busy(&dst)) ||
	    src.mnt != odir.mnt || (have_dst && dst.mnt != ndir.mnt)) {
		err = -EBUSY;
		goto out_unlock;
	}
	/* Moving a directory rewrites its "..": that needs write on it. */
	if (odir.inode != ndir.inode && S_ISDIR(src.inode->mode)) {
		err = inode_permission(src.inode, MAY_WRITE, cr);
		if (err)
			goto out_unlock;
	}
	err = rename_names(&odir, &oname, &src, &ndir, &nname,
			   have_dst ? &dst : NULL, flags);
out_unlock:
	fw_mutex_unlock(&vfs_ns_lock);
out_nd:
	nd_fini(&ond);
	nd_fini(&nnd);
out_free:
	kpath_free(op);
	kpath_free(np);
	return err;
}

long sys_rename(const struct sys_args *a)
{
	return do_renameat2(AT_FDCWD, fw_uptr(a->arg[0]), AT_FDCWD, fw_uptr(a->arg[1]), 0);
}

long sys_renameat(const struct sys_args *a)
{
	return do_renameat2((int)a->arg[0], fw_uptr(a->arg[1]), (int)a->arg[2],
			    fw_uptr(a->arg[3]), 0);
}

long sys_renameat2(const struct sys_args *a)
{
	return do_renameat2((int)a->arg[0], fw_uptr(a->arg[1]), (int)a->arg[2],
			    fw_uptr(a->arg[3]), (unsigned)a->arg[4]);
}

static long do_linkat(int odfd, fw_uptr_t uold, int ndfd, fw_uptr_t unew,
		      unsigned flags)
{
	struct vfs_path src;
	struct parent_ctx c;
	struct vfs_path existing;
	long err;

	if (flags & ~(unsigned)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = sys_lookup(odfd, uold, (flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0,
			 flags & AT_EMPTY_PATH, &src);
	if (err)
		return err;
	err = sys_parent_begin(ndfd, unew, &c);
	if (err)
		goto out_put;
	err = may_create(&c);
	if (!err && namei_child(&c.nd, &c.dir, &c.last, &existing) == 0)
		err = -EEXIST;
	if (!err && S_ISDIR(src.inode->mode))
		err = -EPERM;
	if (!err && c.dir.mnt != src.mnt)
		err = -EXDEV;
	if (!err && src.inode->nlink == 0)
		err = -ENOENT;
	if (!err && c.trailing)
		err = -ENOENT;
	if (!err)
		err = c.dir.inode->iops->link(c.dir.inode, &c.last, src.inode);
	if (!err) {
		/* Linux fsnotify_link: the new name, and the link count. */
		fsnotify_name(c.dir.inode, &c.last, src.inode, IN_CREATE);
		fsnotify_inode_event(NULL, NULL, src.inode, IN_ATTRIB);
	}
	sys_parent_end(&c);
out_put:
	vfs_path_put(&src);
	return err;
}

long sys_link(const struct sys_args *a)
{
	return do_linkat(AT_FDCWD, fw_uptr(a->arg[0]), AT_FDCWD, fw_uptr(a->arg[1]), 0);
}

long sys_linkat(const struct sys_args *a)
{
	return do_linkat((int)a->arg[0], fw_uptr(a->arg[1]), (int)a->arg[2],
			 fw_uptr(a->arg[3]), (unsigned)a->arg[4]);
}

static long do_symlinkat(fw_uptr_t utarget, int dfd, fw_uptr_t upath)
{
	struct kpath *target = kpath_alloc();
	struct parent_ctx c;
	struct vfs_path existing;
	struct inode *ino;
	long err;

	if (!target)
		return -ENOMEM;
	err = kpath_from_user(target, utarget);
	if (err)
		goto out_free;
	err = sys_parent_begin(dfd, upath, &c);
	if (err)
		goto out_free;
	err = may_create(&c);
	if (!err && namei_child(&c.nd, &c.dir, &c.last, &existing) == 0)
		err = -EEXIST;
	if (!err && c.trailing)
		err = -ENOENT;
	if (!err) {
		err = c.dir.inode->iops->symlink(c.dir.inode, &c.last, target,
						 c.nd.cred, &ino);
		if (!err) {
			fsnotify_name(c.dir.inode, &c.last, ino, IN_CREATE);
			inode_put(ino);
		}
	}
	sys_parent_end(&c);
out_free:
	kpath_free(target);
	return err;
}

long sys_symlink(const struct sys_args *a)
{
	return do_symlinkat(fw_uptr(a->arg[0]), AT_FDCWD, fw_uptr(a->arg[1]));
}

long sys_symlinkat(const struct sys_args *a)
{
	return do_symlinkat(fw_uptr(a->arg[0]), (int)a->arg[1], fw_uptr(a->arg[2]));
}

static long do_readlinkat(int dfd, fw_uptr_t upath, fw_uptr_t ubuf, int64_t bufsiz)
{
	struct kpath *k;
	struct vfs_path p;
	struct fw_bytes out;
	size_t len;
	long err;

	if (bufsiz <= 0)
		return -EINVAL;
	err = sys_lookup(dfd, upath, 0, true, &p);
	if (err)
		return err;
	k = kpath_alloc();
	if (!k) {
		vfs_path_put(&p);
		return -ENOMEM;
	}
	fw_mutex_lock(&vfs_ns_lock);
	if (!S_ISLNK(p.inode->mode) || !p.inode->iops->readlink)
		err = -EINVAL;
	else
		err = p.inode->iops->readlink(p.inode, k);
	fw_mutex_unlock(&vfs_ns_lock);
	vfs_path_put(&p);
	if (!err) {
		len = strnlen(k->s, sizeof(k->s));
		if (len > (uint64_t)bufsiz)
			len = (size_t)bufsiz;
		if (fw_bytes_sub(FW_BYTES_OF_ARRAY(k->s), 0, len, &out) ||
		    fw_copy_out(ubuf, out))
			err = -EFAULT;
		else
			err = (long)len;
	}
	kpath_free(k);
	return err;
}

long sys_readlink(const struct sys_args *a)
{
	return do_readlinkat(AT_FDCWD, fw_uptr(a->arg[0]), fw_uptr(a->arg[1]),
			     (int64_t)(int32_t)a->arg[2]);
}

long sys_readlinkat(const struct sys_args *a)
{
	return do_readlinkat((int)a->arg[0], fw_uptr(a->arg[1]), fw_uptr(a->arg[2]),
			     (int64_t)(int32_t)a->arg[3]);
}

/* ---- attributes -------------------------------------------------------- */

static long chmod_inode(struct inode *ino, uint32_t mode)
{
	const struct cred *c = fs_cred();
	long err = 0;

	fw_mutex_lock(&vfs_ns_lock);
	err = inode_check_writable(ino);
	if (err) {
		/* -EROFS first, as Linux's mnt_want_write */
	} else if (!inode_owner_or_root(ino, c) ||
		   (ino->iops && ino->iops->may_chmod && !ino->iops->may_chmod(ino))) {
		err = -EPERM;
	} else {
		mode &= S_IALLUGO;
		/* A non-member may not set set-group-ID (Linux
		 * setattr_should_drop_sgid). */
		if (!cred_capable(c, CAP_FSETID) && !cred_in_group(c, ino->gid))
			mode &= ~(uint32_t)S_ISGID;
		ino->mode = (ino->mode & S_IFMT) | mode;
		inode_touch(ino, false, false, true);
		err = inode_mark_dirty(ino);
	}
	fw_mutex_unlock(&vfs_ns_lock);
	if (!err)
		fsnotify_inode_event(NULL, NULL, ino, IN_ATTRIB);
	return err;
}

static long chown_inode(struct inode *ino, uint32_t uid, uint32_t gid)
{
	const struct cred *c = fs_cred();
	long err = 0;

	fw_mutex_lock(&vfs_ns_lock);
	err = inode_check_writable(ino);
	if (!err && !cred_capable(c, CAP_CHOWN)) {
		bool uid_same = uid == (uint32_t)-1 || uid == ino->uid;
		bool gid_same = gid == (uint32_t)-1 || gid == ino->gid;

		/* Only root gives files away; the owner may change the group
		 * to one it belongs to (Linux chown_ok/chgrp_ok). */
		if (!uid_same)
			err = -EPERM;
		else if (!gid_same && (c->fsuid != ino->uid || !cred_in_group(c, gid)))
			err = -EPERM;
		else if (c->fsuid != ino->uid && !(uid == (uint32_t)-1 && gid == (uint32_t)-1))
			err = -EPERM;
	}
	if (!err) {
		if (uid != (uint32_t)-1)
			ino->uid = uid;
		if (gid != (uint32_t)-1)
			ino->gid = gid;
		if (!S_ISDIR(ino->mode) && (uid != (uint32_t)-1 || gid != (uint32_t)-1)) {
			ino->mode &= ~(uint32_t)S_ISUID;
			if (ino->mode & 010)
				ino->mode &= ~(uint32_t)S_ISGID;
		}
		inode_touch(ino, false, false, true);
		err = inode_mark_dirty(ino);
	}
	fw_mutex_unlock(&vfs_ns_lock);
	if (!err)
		fsnotify_inode_event(NULL, NULL, ino, IN_ATTRIB);
	return err;
}

static long path_op(int dfd, fw_uptr_t upath, unsigned at_flags, int op,
		    uint32_t x, uint32_t y)
{
	struct vfs_path p;
	long err = sys_lookup(dfd, upath,
			      (at_flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
			      at_flags & AT_EMPTY_PATH, &p);

	if (err)
		return err;
	err = op == 0 ? chmod_inode(p.inode, x) : chown_inode(p.inode, x, y);
	vfs_path_put(&p);
	return err;
}

long sys_chmod(const struct sys_args *a)
{
	return path_op(AT_FDCWD, fw_uptr(a->arg[0]), 0, 0, (uint32_t)a->arg[1], 0);
}

long sys_fchmodat(const struct sys_args *a)
{
	return path_op((int)a->arg[0], fw_uptr(a->arg[1]), 0, 0, (uint32_t)a->arg[2], 0);
}

long sys_fchmod(const struct sys_args *a)
{
	struct file *f = sys_fget((int)a->arg[0]);
	long err;

	if (!f)
		return -EBADF;
	err = (f->fmode & FMODE_PATH) ? -EBADF : chmod_inode(f->path.inode, (uint32_t)a->arg[1]);
	file_put(f);
	return err;
}

long sys_chown(const struct sys_args *a)
{
	return path_op(AT_FDCWD, fw_uptr(a->arg[0]), 0, 1, (uint32_t)a->arg[1], (uint32_t)a->arg[2]);
}

long sys_lchown(const struct sys_args *a)
{
	return path_op(AT_FDCWD, fw_uptr(a->arg[0]), AT_SYMLINK_NOFOLLOW, 1,
		       (uint32_t)a->arg[1], (uint32_t)a->arg[2]);
}

long sys_fchownat(const struct sys_args *a)
{
	unsigned flags = (unsigned)a->arg[4];

	if (flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return path_op((int)a->arg[0], fw_uptr(a->arg[1]), flags, 1,
		       (uint32_t)a->arg[2], (uint32_t)a->arg[3]);
}

long sys_fchown(const struct sys_args *a)
{
	struct file *f = sys_fget((int)a->arg[0]);
	long err;

	if (!f)
		return -EBADF;
	err = (f->fmode & FMODE_PATH) ? -EBADF
				      : chown_inode(f->path.inode, (uint32_t)a->arg[1],
						    (uint32_t)a->arg[2]);
	file_put(f);
	return err;
}

struct ts_pair {
	struct linux_timespec t[2];
};

static bool ts_special(const struct linux_timespec *t)
{
	return t->tv_nsec == UTIME_NOW || t->tv_nsec == UTIME_OMIT;
}

/* utimensat: t[0] atime, t[1] mtime; !have means both now. */
static long set_times(struct inode *ino, bool have, const struct ts_pair *tp)
{
	const struct cred *c = fs_cred();
	struct fs_time now = fs_now();
	bool explicit_time = false;
	long err = 0;

	if (have) {
		for (int i = 0; i < 2; i++) {
			if (ts_special(&tp->t[i]))
				continue;
			if (tp->t[i].tv_nsec < 0 || tp->t[i].tv_nsec >= 1000000000)
				return -EINVAL;
			explicit_time = true;
		}
		if (tp->t[0].tv_nsec == UTIME_OMIT && tp->t[1].tv_nsec == UTIME_OMIT)
			return 0;
	}
	fw_mutex_lock(&vfs_ns_lock);
	err = inode_check_writable(ino);
	if (err)
		; /* -EROFS */
	else if (explicit_time && !inode_owner_or_root(ino, c))
		err = -EPERM;
	else if (!explicit_time && !inode_owner_or_root(ino, c) &&
		 inode_permission(ino, MAY_WRITE, c))
		err = -EACCES;
	if (!err) {
		for (int i = 0; i < 2; i++) {
			struct fs_time *dst = i == 0 ? &ino->atime : &ino->mtime;

			if (!have || tp->t[i].tv_nsec == UTIME_NOW) {
				*dst = now;
			} else if (tp->t[i].tv_nsec != UTIME_OMIT) {
				dst->sec = tp->t[i].tv_sec;
				dst->nsec = (uint32_t)tp->t[i].tv_nsec;
			}
		}
		ino->ctime = now;
		err = inode_mark_dirty(ino);
	}
	fw_mutex_unlock(&vfs_ns_lock);
	if (!err)
		fsnotify_inode_event(NULL, NULL, ino, IN_ATTRIB);
	return err;
}

static long do_utimensat(int dfd, fw_uptr_t upath, bool have, const struct ts_pair *tp,
			 unsigned flags)
{
	struct vfs_path p;
	long err;

	if (flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (fw_uptr_is_null(upath)) {
		/* futimens: the file dfd itself. */
		struct file *f;

		if (dfd == AT_FDCWD)
			return -EFAULT;
		f = sys_fget(dfd);
		if (!f)
			return -EBADF;
		p = f->path;
		vfs_path_get(&p);
		file_put(f);
	} else {
		err = sys_lookup(dfd, upath,
				 (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
				 flags & AT_EMPTY_PATH, &p);
		if (err)
			return err;
	}
	err = set_times(p.inode, have, tp);
	vfs_path_put(&p);
	return err;
}

long sys_utimensat(const struct sys_args *a)
{
	struct ts_pair tp = { 0 };
	bool have = a->arg[2] != 0;

	if (have && FW_COPY_IN_OBJ(&tp, fw_uptr(a->arg[2])))
		return -EFAULT;
	return do_utimensat((int)a->arg[0], fw_uptr(a->arg[1]), have, &tp,
			    (unsigned)a->arg[3]);
}

/* futimesat(2) and utimes(2): microseconds (struct timeval[2]), or now;
 * a NULL path with a descriptor is that file (Linux's do_utimes). */
static long do_futimesat(int dfd, fw_uptr_t upath, fw_uptr_t utv)
{
	struct linux_timeval tv[2];
	struct ts_pair tp = { 0 };
	bool have = !fw_uptr_is_null(utv);

	if (have) {
		if (fw_copy_in(FW_BUF_OF_OBJ(&tv), utv))
			return -EFAULT;
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			tp.t[i].tv_sec = tv[i].tv_sec;
			tp.t[i].tv_nsec = tv[i].tv_usec * 1000;
		}
	}
	return do_utimensat(dfd, upath, have, &tp, 0);
}

long sys_utimes(const struct sys_args *a)
{
	return do_futimesat(AT_FDCWD, fw_uptr(a->arg[0]), fw_uptr(a->arg[1]));
}

long sys_futimesat(const struct sys_args *a)
{
	return do_futimesat((int)a->arg[0], fw_uptr(a->arg[1]),
			    fw_uptr(a->arg[2]));
}

/* utime(2): whole seconds (struct utimbuf: actime, modtime), or now. */
long sys_utime(const struct sys_args *a)
{
	struct {
		int64_t actime, modtime;
	} buf;
	struct ts_pair tp = { 0 };
	bool have = a->arg[1] != 0;

	if (have) {
		if (FW_COPY_IN_OBJ(&buf, fw_uptr(a->arg[1])))
			return -EFAULT;
		tp.t[0].tv_sec = buf.actime;
		tp.t[1].tv_sec = buf.modtime;
	}
	if (a->arg[0] == 0)
		return -EFAULT;
	return do_utimensat(AT_FDCWD, fw_uptr(a->arg[0]), have, &tp, 0);
}

/* access(2): checked with the real uid/gid unless AT_EACCESS. */
static long do_faccessat(int dfd, fw_uptr_t upath, int mode, unsigned flags)
{
	const struct cred *c = fs_cred();
	struct cred *real;
	struct vfs_path p;
	long err;

	if (mode & ~7)
		return -EINVAL;
	if (flags & ~(unsigned)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = sys_lookup(dfd, upath, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
			 flags & AT_EMPTY_PATH, &p);
	if (err)
		return err;
	real = FW_NEW(struct cred);
	if (!real) {
		vfs_path_put(&p);
		return -ENOMEM;
	}
	*real = *c;
	if (!(flags & AT_EACCESS)) {
		real->fsuid = c->uid;
		real->fsgid = c->gid;
	}
	if (mode) {
		fw_mutex_lock(&vfs_ns_lock);
		err = inode_permission(p.inode, mode, real);
		fw_mutex_unlock(&vfs_ns_lock);
	}
	fw_free(real);
	vfs_path_put(&p);
	return err;
}

long sys_access(const struct sys_args *a)
{
	return do_faccessat(AT_FDCWD, fw_uptr(a->arg[0]), (int)a->arg[1], 0);
}

long sys_faccessat(const struct sys_args *a)
{
	return do_faccessat((int)a->arg[0], fw_uptr(a->arg[1]), (int)a->arg[2], 0);
}

long sys_faccessat2(const struct sys_args *a)
{
	return do_faccessat((int)a->arg[0], fw_uptr(a->arg[1]), (int)a->arg[2],
			    (unsigned)a->arg[3]);
}

/* ---- mount ------------------------------------------------------------- */

/* The disk named by the source path of mount(2): -ENOTBLK if it is not a
 * block device node, -ENXIO if no driver has that device (Linux
 * lookup_bdev). Then the file system on it (ext2_mount logs why not). */
static long mount_ext2(fw_uptr_t usrc, unsigned long flags,
		       const struct kname *fstype, struct superblock **out)
{
	struct vfs_path src;
	struct blkdev *d = NULL;
	long err;

	if (fw_uptr_is_null(usrc))
		return -EFAULT;
	err = sys_lookup(AT_FDCWD, usrc, LOOKUP_FOLLOW, false, &src);
	if (err)
		return err;
	if (!S_ISBLK(src.inode->mode))
		err = -ENOTBLK;
	else if (src.mnt && (src.mnt->flags & MS_NODEV))
		err = -EACCES;
	else if (!(d = blkdev_lookup(src.inode->rdev)))
		err = -ENXIO;
	vfs_path_put(&src);
	if (!err)
		err = ext2_check_type(d, flags & MS_RDONLY, fstype);
	if (err)
		return err;
	return ext2_mount(d, flags & MS_RDONLY, out);
}

/* mount(2)'s data for a tmpfs, from user space and parsed: a NULL
 * pointer means no options; more than a page of them is EINVAL. */
static int tmpfs_mount_data(fw_uptr_t udata, struct tmpfs_opts *o)
{
	struct mount_data *d;
	long n;
	int err;

	*o = (struct tmpfs_opts){ 0 };
	if (fw_uptr_is_null(udata))
		return 0;
	d = FW_NEW(struct mount_data);
	if (!d)
		return -ENOMEM;
	n = fw_copy_in_str(FW_BUF_OF_ARRAY(d->s), udata);
	err = n < 0 ? (n == -ENAMETOOLONG ? -EINVAL : (int)n)
		    : tmpfs_parse_options(d, o);
	fw_free(d);
	return err;
}

long sys_mount(const struct sys_args *a)
{
	unsigned long flags = a->arg[3];
	struct kname fstype;
	struct vfs_path target;
	struct superblock *sb;
	struct tmpfs_opts topts = { 0 };
	long err;

	if (!cred_capable(fs_cred(), CAP_SYS_ADMIN))
		return -EPERM;
	err = sys_lookup(AT_FDCWD, fw_uptr(a->arg[1]), LOOKUP_FOLLOW, false, &target);
	if (err)
		return err;
	if (flags & MS_REMOUNT) {
		fw_mutex_lock(&vfs_ns_lock);
		if (!target.mnt || target.inode != target.mnt->sb->root)
			err = -EINVAL;
		else if (target.mnt->sb->sops && target.mnt->sb->sops->remount)
			err = target.mnt->sb->sops->remount(target.mnt->sb,
							     flags & MS_RDONLY);
		if (!err)
			target.mnt->flags = flags & 0xf;
		fw_mutex_unlock(&vfs_ns_lock);
		goto out_put;
	}
	if (flags & MS_MOVE) {
		struct vfs_path src;

		err = sys_lookup(AT_FDCWD, fw_uptr(a->arg[0]), LOOKUP_FOLLOW,
				 false, &src);
		if (err)
			goto out_put;
		fw_mutex_lock(&vfs_ns_lock);
		err = vfs_move_mount(&src, &target);
		fw_mutex_unlock(&vfs_ns_lock);
		vfs_path_put(&src);
		goto out_put;
	}
	if (flags & MS_BIND) {
		err = -EINVAL; /* bind mounts are not supported */
		goto out_put;
	}
	if (fw_uptr_is_null(fw_uptr(a->arg[2]))) {
		err = -EINVAL;
		goto out_put;
	}
	err = fw_copy_in_str(FW_BUF_OF_ARRAY(fstype.s), fw_uptr(a->arg[2]));
	if (err < 0) {
		err = err == -ENAMETOOLONG ? -ENODEV : err;
		goto out_put;
	}
	if (!strcmp(fstype.s, "tmpfs")) {
		err = tmpfs_mount_data(fw_uptr(a->arg[4]), &topts);
		if (err)
			goto out_put;
	}
	if (strcmp(fstype.s, "ext2") == 0 || strcmp(fstype.s, "ext3") == 0 ||
	    strcmp(fstype.s, "ext4") == 0) {
		err = mount_ext2(fw_uptr(a->arg[0]), flags, &fstype, &sb);
	} else
		err = vfs_get_sb(&fstype, 01777, &sb);
	if (err)
		goto out_put;
	if (!strcmp(fstype.s, "tmpfs"))
		tmpfs_apply_options(sb, &topts);
	if (!S_ISDIR(target.inode->mode)) {
		err = -ENOTDIR;
	} else {
		fw_mutex_lock(&vfs_ns_lock);
		err = vfs_mount_sb(&target, sb, flags & 0xf);
		fw_mutex_unlock(&vfs_ns_lock);
	}
	if (err && sb->sops && sb->sops->umount)
		sb->sops->umount(sb); /* undo the disk file system's count */
out_put:
	vfs_path_put(&target);
	return err;
}

long sys_umount2(const struct sys_args *a)
{
	int flags = (int)a->arg[1];
	struct vfs_path target;
	struct superblock *sb = NULL;
	long err;

	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if (!cred_capable(fs_cred(), CAP_SYS_ADMIN))
		return -EPERM;
	err = sys_lookup(AT_FDCWD, fw_uptr(a->arg[0]),
			 (flags & UMOUNT_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, false, &target);
	if (err)
		return err;
	fw_mutex_lock(&vfs_ns_lock);
	/* Our own reference on the target must not count as "busy". */
	if (target.mnt)
		atomic_fetch_sub(&target.mnt->refs, 1);
	err = vfs_umount(&target, flags);
	if (target.mnt)
		atomic_fetch_add(&target.mnt->refs, 1);
	if (!err && target.mnt)
		sb = target.mnt->sb;
	fw_mutex_unlock(&vfs_ns_lock);
	vfs_path_put(&target);
	/* A disk file system writes everything back now (Linux's
	 * kill_block_super), outside the name-space lock. */
	if (sb && sb->sops && sb->sops->umount)
		sb->sops->umount(sb);
	return err;
}
