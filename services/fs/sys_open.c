/* services/fs/sys_open.c: open, close, dup, fcntl, pipe, cwd, umask.
 *
 * Layer: services (safe C), syscall handlers (Linux fs/open.c,
 * fs/fcntl.c, fs/file.c, fs/pipe.c semantics). */
#include <fw/heap.h>
#include <fw/string.h>

#include "fs/vfs/mount.h"
#include "fs/pipe/pipe.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/notify/fsnotify.h"
#include "fs/sys_calls.h"
#include "fs/sys_util.h"

#define VALID_OPEN_FLAGS                                                       \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |        \
	 O_NONBLOCK | O_DSYNC | O_ASYNC | O_DIRECT | O_LARGEFILE |             \
	 O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_SYNC_BIT |       \
	 O_PATH | O_TMPFILE_BIT)

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

/* may_open: permission for the access mode, after lookup. */
static int may_open(const struct vfs_path *p, unsigned flags, bool created)
{
	struct inode *ino = p->inode;
	int mask = 0;

	if (flags & O_PATH)
		return 0;
	if (S_ISLNK(ino->mode))
		return -ELOOP;
	if (S_ISDIR(ino->mode) && ((flags & O_ACCMODE) != O_RDONLY))
		return -EISDIR;
	if ((flags & O_DIRECTORY) && !S_ISDIR(ino->mode))
		return -ENOTDIR;
	if (created)
		return 0; /* a new file may be opened whatever its mode */
	if ((flags & O_ACCMODE) == O_RDONLY || (flags & O_ACCMODE) == O_RDWR)
		mask |= MAY_READ;
	if ((flags & O_ACCMODE) == O_WRONLY || (flags & O_ACCMODE) == O_RDWR ||
	    (flags & O_TRUNC))
		mask |= MAY_WRITE;
	if ((flags & O_ACCMODE) == 3)
		mask |= MAY_READ | MAY_WRITE;
	if ((ino->mode & S_IFMT) == S_IFCHR && p->mnt && (p->mnt->flags & MS_NODEV))
		return -EACCES;
	return inode_permission(ino, mask, fs_cred());
}

static long do_openat(int dirfd, fw_uptr_t upath, unsigned flags, uint32_t mode)
{
	struct kpath *kp = kpath_alloc();
	struct nameidata nd;
	struct vfs_path path;
	struct file *f = NULL;
	bool created = false;
	long err;
	int fd;

	if (!kp)
		return -ENOMEM;
	if (flags & ~(unsigned)VALID_OPEN_FLAGS) {
		/* Linux open() ignores unknown flags (openat2 rejects them). */
		flags &= VALID_OPEN_FLAGS;
	}
	if (flags & O_TMPFILE_BIT) {
		err = -EOPNOTSUPP;
		goto out_free;
	}
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	err = kpath_from_user(kp, upath);
	if (!err && !fd_available(sys_files()))
		err = -EMFILE;
	if (err)
		goto out_free;
	err = nd_init(&nd, dirfd, kp);
	if (err)
		goto out_free;
	fw_mutex_lock(&vfs_ns_lock);
	err = namei_open(&nd, kp, flags,
			 (mode & S_IALLUGO) & ~cur_umask(), &path, &created);
	if (!err)
		err = may_open(&path, flags, created);
	if (!err)
		vfs_path_get(&path);
	if (!err && created && nd.have_last)
		fsnotify_name(nd.last_dir.inode, &nd.last_name, path.inode,
			      IN_CREATE);
	fw_mutex_unlock(&vfs_ns_lock);
	if (err)
		goto out_nd;
	/* Opening may block (FIFOs, terminals): no vfs_ns_lock here. */
	err = vfs_open_path(&path, created ? (flags & ~(unsigned)O_TRUNC) : flags, &f);
	if (!err && nd.have_last) {
		fw_mutex_lock(&vfs_ns_lock);
		file_set_name(f, &nd.last_dir, &nd.last_name);
		fw_mutex_unlock(&vfs_ns_lock);
	}
	if (!err && !(flags & O_PATH)) {
		/* Linux: a truncation by open is a change, then the open. */
		if ((flags & O_TRUNC) && !created && S_ISREG(path.inode->mode))
			fsnotify_file(f, IN_MODIFY);
		fsnotify_file(f, IN_OPEN);
	}
	vfs_path_put(&path);
	if (err)
		goto out_nd;
	fd = fd_install(sys_files(), f, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	err = fd;
out_nd:
	nd_fini(&nd);
out_free:
	kpath_free(kp);
	return err;
}

long sys_open(const struct sys_args *a)
{
	return do_openat(AT_FDCWD, fw_uptr(a->arg[0]), (unsigned)a->arg[1],
			 (uint32_t)a->arg[2]);
}

long sys_openat(const struct sys_args *a)
{
	return do_openat((int)a->arg[0], fw_uptr(a->arg[1]),
			 (unsigned)a->arg[2], (uint32_t)a->arg[3]);
}

long sys_creat(const struct sys_args *a)
{
	return do_openat(AT_FDCWD, fw_uptr(a->arg[0]),
			 O_CREAT | O_WRONLY | O_TRUNC, (uint32_t)a->arg[1]);
}

long sys_close(const struct sys_args *a)
{
	struct fdtable *t = sys_files();

	return t ? fd_close(t, (int)a->arg[0]) : -EBADF;
}

long sys_close_range(const struct sys_args *a)
{
	unsigned first = (unsigned)a->arg[0], last = (unsigned)a->arg[1];
	unsigned flags = (unsigned)a->arg[2];
	struct fdtable *t;

	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	/* CLOSE_RANGE_UNSHARE: close in a table of the caller's own, not in
	 * one it shares with another process (clone's CLONE_FILES). */
	if ((flags & CLOSE_RANGE_UNSHARE) && current_unshare_files())
		return -ENOMEM;
	t = sys_files();
	if (first >= FD_NR_OPEN)
		return 0;
	for (int fd = fdtable_next_fd(t, (int)first);
	     fd >= 0 && (unsigned)fd <= last; fd = fdtable_next_fd(t, fd + 1)) {
		/* A descriptor another thread closed meanwhile: -EBADF. */
		int unused = (flags & CLOSE_RANGE_CLOEXEC)
				     ? fd_set_cloexec(t, fd, true)
				     : fd_close(t, fd);

		(void)unused;
	}
	return 0;
}

long sys_dup(const struct sys_args *a)
{
	struct file *f = sys_fget((int)a->arg[0]);
	int fd;

	if (!f)
		return -EBADF;
	fd = fd_install(sys_files(), f, 0);
	if (fd < 0)
		file_put(f);
	return fd;
}

static long do_dup3(int oldfd, int newfd, unsigned flags)
{
	struct file *f;
	int err;

	if (newfd < 0 || newfd >= fd_limit())
		return -EBADF;
	f = sys_fget(oldfd);
	if (!f)
		return -EBADF;
	err = fd_install_at(sys_files(), newfd, f, flags);
	if (err) {
		file_put(f);
		return err;
	}
	return newfd;
}

long sys_dup2(const struct sys_args *a)
{
	int oldfd = (int)a->arg[0], newfd = (int)a->arg[1];

	if (oldfd == newfd) {
		struct file *f = sys_fget(oldfd);

		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return do_dup3(oldfd, newfd, 0);
}

long sys_dup3(const struct sys_args *a)
{
	unsigned flags = (unsigned)a->arg[2];

	if (flags & ~(unsigned)O_CLOEXEC)
		return -EINVAL;
	if ((int)a->arg[0] == (int)a->arg[1])
		return -EINVAL;
	return do_dup3((int)a->arg[0], (int)a->arg[1], flags);
}

/* flock(2): a whole-file lock on the open file (fs/vfs/locks.c). */
long sys_flock(const struct sys_args *a)
{
	struct file *f = sys_fget((int)a->arg[0]);
	long ret;

	if (!f)
		return -EBADF;
	/* An O_PATH descriptor opens neither for reading nor writing. */
	if (!(f->fmode & (FMODE_READ | FMODE_WRITE)) && ((unsigned)a->arg[1] & ~4u) != 8u)
		ret = -EBADF;
	else
		ret = locks_flock(f, (unsigned)a->arg[1]);
	file_put(f);
	return ret;
}

long sys_fcntl(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	unsigned cmd = (unsigned)a->arg[1];
	uint64_t arg = a->arg[2];
	struct fdtable *t = sys_files();
	struct file *f = sys_fget(fd);
	long ret = 0;
	bool on;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= (uint64_t)fd_limit()) {
			ret = -EINVAL;
			break;
		}
		file_get(f);
		ret = fd_install_from(t, f, cmd == F_DUPFD_CLOEXEC ? O_CLOEXEC : 0,
				      (int)arg);
		if (ret < 0)
			file_put(f);
		break;
	case F_GETFD:
		ret = fd_get_cloexec(t, fd, &on);
		if (!ret)
			ret = on ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		ret = fd_set_cloexec(t, fd, arg & FD_CLOEXEC);
		break;
	case F_GETFL:
		ret = atomic_load(&f->flags);
		break;
	case F_SETFL: {
		unsigned old = atomic_load(&f->flags), nf;

		if (f->fmode & FMODE_PATH) {
			ret = -EBADF;
			break;
		}
		do {
			nf = (old & ~(unsigned)SETFL_MASK) | ((unsigned)arg & SETFL_MASK);
		} while (!atomic_compare_exchange_weak(&f->flags, &old, nf));
		break;
	}
	case F_GETLK:
	case F_OFD_GETLK:
		ret = locks_fcntl_getlk(f, fw_uptr(arg), cmd == F_OFD_GETLK);
		break;
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		ret = locks_fcntl_setlk(f, fw_uptr(arg),
					cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW,
					cmd == F_SETLKW || cmd == F_OFD_SETLKW);
		break;
	case F_GETOWN:
	case F_SETOWN:
		ret = 0;
		break;
	case F_GETPIPE_SZ:
		ret = f->pipe ? (long)PIPE_RING_SIZE : -EBADF;
		break;
	case F_GET_SEALS:
		ret = tmpfs_get_seals(f);
		break;
	case F_ADD_SEALS:
		ret = tmpfs_add_seals(f, arg);
		break;
	default:
		ret = -EINVAL;
	}
	file_put(f);
	return ret;
}

/* Undo an install: the fd is ours, so this cannot fail. */
static void fd_undo(int fd)
{
	int unused = fd_close(sys_files(), fd);

	(void)unused;
}

static long do_pipe2(fw_uptr_t ufds, unsigned flags)
{
	struct file *rd, *wr;
	int32_t fds[2];
	int err;

	if (flags & ~(unsigned)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	err = pipe_create(flags, &rd, &wr);
	if (err)
		return err;
	fds[0] = fd_install(sys_files(), rd, flags & O_CLOEXEC);
	if (fds[0] < 0) {
		file_put(rd);
		file_put(wr);
		return fds[0];
	}
	fds[1] = fd_install(sys_files(), wr, flags & O_CLOEXEC);
	if (fds[1] < 0) {
		fd_undo(fds[0]);
		file_put(wr);
		return fds[1];
	}
	if (fw_copy_out(ufds, FW_BYTES_OF_ARRAY(fds))) {
		fd_undo(fds[0]);
		fd_undo(fds[1]);
		return -EFAULT;
	}
	return 0;
}

long sys_pipe(const struct sys_args *a)
{
	return do_pipe2(fw_uptr(a->arg[0]), 0);
}

long sys_pipe2(const struct sys_args *a)
{
	return do_pipe2(fw_uptr(a->arg[0]), (unsigned)a->arg[1]);
}

long sys_umask(const struct sys_args *a)
{
	struct fs_context *fs = current_fs();
	uint32_t old;

	if (!fs)
		return 022;
	fw_spin_lock(&fs->lock);
	old = fs->umask;
	fs->umask = (uint32_t)a->arg[0] & 0777;
	fw_spin_unlock(&fs->lock);
	return old;
}

static long set_cwd(struct vfs_path *p, bool root)
{
	struct fs_context *fs = current_fs();
	struct vfs_path old;
	long err;

	if (!S_ISDIR(p->inode->mode))
		err = -ENOTDIR;
	else
		err = inode_permission(p->inode, MAY_EXEC, fs_cred());
	if (!err && root && !cred_capable(fs_cred(), CAP_SYS_CHROOT))
		err = -EPERM;
	if (err) {
		vfs_path_put(p);
		return err;
	}
	fw_spin_lock(&fs->lock);
	if (root) {
		old = fs->root;
		fs->root = *p;
	} else {
		old = fs->cwd;
		fs->cwd = *p;
	}
	fw_spin_unlock(&fs->lock);
	vfs_path_put(&old);
	return 0;
}

long sys_chdir(const struct sys_args *a)
{
	struct vfs_path p;
	long err = sys_lookup(AT_FDCWD, fw_uptr(a->arg[0]),
			      LOOKUP_FOLLOW | LOOKUP_DIRECTORY, false, &p);

	return err ? err : set_cwd(&p, false);
}

long sys_chroot(const struct sys_args *a)
{
	struct vfs_path p;
	long err = sys_lookup(AT_FDCWD, fw_uptr(a->arg[0]),
			      LOOKUP_FOLLOW | LOOKUP_DIRECTORY, false, &p);

	return err ? err : set_cwd(&p, true);
}

long sys_fchdir(const struct sys_args *a)
{
	struct file *f = sys_fget((int)a->arg[0]);
	struct vfs_path p;

	if (!f)
		return -EBADF;
	p = f->path;
	vfs_path_get(&p);
	file_put(f);
	return set_cwd(&p, false);
}

long sys_getcwd(const struct sys_args *a)
{
	struct fs_context *fs = current_fs();
	struct kpath *k = kpath_alloc();
	struct vfs_path cwd, root;
	struct fw_bytes out;
	size_t len;
	long err;

	if (!k)
		return -ENOMEM;
	fs_context_cwd(fs, &cwd);
	fs_context_root(fs, &root);
	fw_mutex_lock(&vfs_ns_lock);
	if (cwd.inode->nlink == 0)
		err = -ENOENT; /* the cwd was removed */
	else
		err = vfs_path_name(&cwd, &root, k);
	fw_mutex_unlock(&vfs_ns_lock);
	vfs_path_put(&cwd);
	vfs_path_put(&root);
	if (!err) {
		len = strnlen(k->s, sizeof(k->s)) + 1;
		if (len > a->arg[1])
			err = -ERANGE;
		else if (fw_bytes_sub(FW_BYTES_OF_ARRAY(k->s), 0, len, &out) ||
			 fw_copy_out(fw_uptr(a->arg[0]), out))
			err = -EFAULT;
		else
			err = (long)len;
	}
	kpath_free(k);
	return err;
}

/* Open an inode found without a path walk (open_by_handle_at): open(2)'s
 * checks and open on p, then a descriptor (Linux file_open_root with an
 * empty name: do_open's O_CREAT rules, may_open, vfs_open). Returns the fd
 * or -errno; p keeps the caller's references. */
long sys_open_resolved(const struct vfs_path *p, unsigned flags)
{
	struct file *f = NULL;
	long err;
	int fd;

	flags &= VALID_OPEN_FLAGS;
	if (flags & O_TMPFILE_BIT)
		return -EOPNOTSUPP;
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if (flags & O_CREAT) {
		/* Nothing is created: the file exists (Linux do_open). */
		if (flags & O_EXCL)
			return -EEXIST;
		if (S_ISDIR(p->inode->mode))
			return -EISDIR;
	}
	if (!fd_available(sys_files()))
		return -EMFILE;
	fw_mutex_lock(&vfs_ns_lock);
	err = may_open(p, flags, false);
	fw_mutex_unlock(&vfs_ns_lock);
	if (err)
		return err;
	err = vfs_open_path(p, flags, &f);
	if (err)
		return err;
	if (!(flags & O_PATH)) {
		if ((flags & O_TRUNC) && S_ISREG(p->inode->mode))
			fsnotify_file(f, IN_MODIFY);
		fsnotify_file(f, IN_OPEN);
	}
	fd = fd_install(sys_files(), f, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}
