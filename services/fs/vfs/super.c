/* services/fs/vfs/super.c: file-layer start-up and the entry points the
 * process service calls (console, exec, path of a file).
 *
 * Layer: services (safe C), VFS. */
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/string.h>

#include "block/bcache.h"
#include "block/blkdev.h"
#include "fs/cache/pagecache.h"
#include "fs/ext2/ext2.h"
#include "fs/vfs/chardev.h"
#include "fs/vfs/fdtable.h"
#include "fs/initramfs/initramfs.h"
#include "fs/vfs/mount.h"
#include "current/current.h"
#include "fs/tmpfs/tmpfs.h"

extern struct superblock *devtmpfs_sb;

static const struct cred root_cred;

struct devnode {
	char name[16];
	uint32_t mode;
	unsigned major, minor;
};

/* What Linux's devtmpfs shows for these drivers (modes as udev sets). */
static const struct devnode devnodes[] = {
	{ "null", S_IFCHR | 0666, 1, 3 },
	{ "zero", S_IFCHR | 0666, 1, 5 },
	{ "full", S_IFCHR | 0666, 1, 7 },
	{ "random", S_IFCHR | 0666, 1, 8 },
	{ "urandom", S_IFCHR | 0666, 1, 9 },
	{ "kmsg", S_IFCHR | 0644, 1, 11 },
	{ "tty", S_IFCHR | 0666, 5, 0 },
	{ "console", S_IFCHR | 0600, 5, 1 },
	{ "ttyS0", S_IFCHR | 0660, 4, 64 },
	{ "ptmx", S_IFCHR | 0666, 5, 2 },
	{ "pts", S_IFDIR | 0755, 0, 0 },
	{ "shm", S_IFDIR | 01777, 0, 0 },
};

struct devlink {
	char name[8];
	char target[20];
};

static const struct devlink devlinks[] = {
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
};

/* Create dir/name unless it exists (vfs_ns_lock held). */
static void make_node(struct inode *dir, const struct kname *name,
		      uint32_t mode, uint32_t rdev)
{
	struct inode *ino;

	if (dir->iops->lookup(dir, name, &ino) == 0) {
		inode_put(ino);
		return;
	}
	if (dir->iops->create(dir, name, mode, rdev, &root_cred, &ino) == 0)
		inode_put(ino);
	else
		fw_warn("vfs: could not create %s", name->s);
}

static void populate_devtmpfs(struct superblock *sb, bool hvc)
{
	struct kname name;
	struct kpath *target = kpath_alloc();
	struct inode *ino;

	for (unsigned i = 0; i < FW_ARRAY_LEN(devnodes); i++) {
		fw_strlcpy(name.s, devnodes[i].name, sizeof(name.s));
		make_node(sb->root, &name, devnodes[i].mode,
			  S_ISCHR(devnodes[i].mode)
				  ? dev_mkdev(devnodes[i].major, devnodes[i].minor)
				  : 0);
	}
	/* A virtio console and the disks the drivers found (they probe
	 * before vfs_init). */
	if (hvc) {
		fw_strlcpy(name.s, "hvc0", sizeof(name.s));
		make_node(sb->root, &name, S_IFCHR | 0620, dev_mkdev(229, 0));
	}
	for (unsigned i = 0; blkdev_nth(i); i++) {
		struct blkdev *d = blkdev_nth(i);

		fw_strlcpy(name.s, d->name, sizeof(name.s));
		make_node(sb->root, &name, S_IFBLK | 0660, d->rdev);
	}
	if (!target)
		return;
	for (unsigned i = 0; i < FW_ARRAY_LEN(devlinks); i++) {
		fw_strlcpy(name.s, devlinks[i].name, sizeof(name.s));
		fw_strlcpy(target->s, devlinks[i].target, sizeof(target->s));
		if (sb->root->iops->symlink(sb->root, &name, target, &root_cred,
					    &ino) == 0)
			inode_put(ino);
	}
	kpath_free(target);
}

/* The root's child directory name (made if missing), as a path. */
static int ensure_dir(const struct kname *name, uint32_t mode,
		      struct vfs_path *out)
{
	struct inode *root = vfs_root_mount->sb->root;
	struct vfs_path rp = { vfs_root_mount, root };
	struct nameidata nd = { .root = rp, .start = rp, .cred = &root_cred };
	int err;

	make_node(root, name, S_IFDIR | mode, 0);
	err = namei_child(&nd, &rp, name, out);
	if (!err && !S_ISDIR(out->inode->mode))
		err = -ENOTDIR;
	return err;
}

int vfs_init(struct fw_bytes initramfs, bool hvc)
{
	struct superblock *sb;
	struct vfs_path dev;
	struct kname name;
	int err;

	fw_mutex_init(&vfs_ns_lock, "vfs_ns");
	if (pcache_init())
		fw_err("vfs: no page-cache flusher: pages written through "
		       "mappings are written only by sync and fsync");
	ext2_init();
	sb = tmpfs_create(vfs_anon_dev(), 0755);
	devtmpfs_sb = tmpfs_create(vfs_anon_dev(), 0755);
	if (!sb || !devtmpfs_sb)
		return -ENOMEM;
	fw_mutex_lock(&vfs_ns_lock);
	err = vfs_mount_sb(&(struct vfs_path){ NULL, NULL }, sb, 0);
	if (!err)
		populate_devtmpfs(devtmpfs_sb, hvc);
	fw_mutex_unlock(&vfs_ns_lock);
	if (err)
		return err;
	/* A malformed archive was logged; what was unpacked is kept. */
	if (fw_bytes_len(initramfs) && initramfs_unpack(initramfs) == -ENOMEM)
		return -ENOMEM;

	fw_mutex_lock(&vfs_ns_lock);
	fw_strlcpy(name.s, "proc", sizeof(name.s));
	make_node(sb->root, &name, S_IFDIR | 0555, 0);
	fw_strlcpy(name.s, "sys", sizeof(name.s));
	make_node(sb->root, &name, S_IFDIR | 0555, 0);
	fw_strlcpy(name.s, "tmp", sizeof(name.s));
	make_node(sb->root, &name, S_IFDIR | 01777, 0);
	fw_strlcpy(name.s, "dev", sizeof(name.s));
	err = ensure_dir(&name, 0755, &dev);
	if (!err)
		err = vfs_mount_sb(&dev, devtmpfs_sb, 0);
	fw_mutex_unlock(&vfs_ns_lock);
	if (err)
		fw_err("vfs: could not mount devtmpfs on /dev: %d", err);
	fw_info("vfs: tmpfs on /, devtmpfs on /dev");
	return 0;
}

/* Resolve p from fs (or the root) and take a reference on the result;
 * the caller ends nd with nd_fini. On an error nd is ended here: a
 * failed execve (every miss of an execvp PATH search) left a reference
 * on the caller's root and working directory, so a file system once
 * worked in by `timeout` never unmounted. */
static int kern_resolve(struct fs_context *fs, struct kpath *p, unsigned flags,
			struct vfs_path *out, struct nameidata *nd)
{
	int err;

	if (fs) {
		err = nd_init_fs(nd, fs);
		if (err)
			return err;
	} else {
		struct vfs_path rp = { vfs_root_mount, vfs_root_mount->sb->root };

		nd->root = rp;
		nd->start = rp;
		vfs_path_get(&nd->root);
		vfs_path_get(&nd->start);
		nd->cred = fs_cred();
		nd->links = 0;
		nd->have_last = false;
		nd->tmp = NULL;
	}
	fw_mutex_lock(&vfs_ns_lock);
	err = namei_resolve(nd, p, flags, out);
	if (!err)
		vfs_path_get(out);
	fw_mutex_unlock(&vfs_ns_lock);
	if (err)
		nd_fini(nd);
	return err;
}

int vfs_shutdown(void)
{
	int err = pcache_sync_all();

	if (ext2_shutdown_all())
		err = -EIO;

	bcache_sync_all();
	return err;
}

int vfs_sync_all(void)
{
	/* Pages written through shared mappings go to the block cache
	 * first; ext2 writes inodes and counters into it as they change,
	 * its sync adds the superblock's write time and reports errors. */
	int err = pcache_sync_all();

	if (ext2_sync_all())
		err = -EIO;

	bcache_sync_all();
	return err;
}

int vfs_open_kernel(struct kpath *p, unsigned flags, struct file **out)
{
	struct nameidata nd;
	struct vfs_path vp;
	int err;

	err = kern_resolve(current_fs(), p, LOOKUP_FOLLOW, &vp, &nd);
	if (err)
		return err;
	/* Simplified: no name is recorded (file_set_name), so readlink of
	 * /proc/self/fd/N says -ENOENT for such a file. */
	err = vfs_open_path(&vp, flags, out);
	vfs_path_put(&vp);
	nd_fini(&nd);
	return err;
}

int vfs_open_console(struct fdtable *t)
{
	struct kpath *p = kpath_alloc();
	struct nameidata nd;
	struct vfs_path path;
	struct file *f;
	int err;

	if (!p)
		return -ENOMEM;
	fw_strlcpy(p->s, "/dev/console", sizeof(p->s));
	err = kern_resolve(NULL, p, LOOKUP_FOLLOW, &path, &nd);
	kpath_free(p);
	if (err) {
		fw_err("vfs: no /dev/console (%d)", err);
		return err;
	}
	err = vfs_open_path(&path, O_RDWR, &f);
	vfs_path_put(&path);
	nd_fini(&nd);
	if (err) {
		fw_err("vfs: cannot open /dev/console (%d)", err);
		return err;
	}
	file_get(f);
	file_get(f);
	if (fd_install_at(t, 0, f, 0) || fd_install_at(t, 1, f, 0) ||
	    fd_install_at(t, 2, f, 0))
		return -EBADF;
	return 0;
}

/* Open a resolved path for execve: a regular file, not on a noexec mount,
 * that cred may execute. */
static int open_exec(const struct vfs_path *res, const struct cred *cred,
		     struct file **out)
{
	int err;

	if (!S_ISREG(res->inode->mode) || (res->mnt && (res->mnt->flags & MS_NOEXEC)))
		return -EACCES;
	err = inode_permission(res->inode, MAY_EXEC, cred);
	if (err)
		return err;
	*out = file_alloc(res, res->inode->fops, O_RDONLY);
	return *out ? 0 : -ENOMEM;
}

int vfs_open_exec(struct fs_context *fs, const struct kpath *path,
		  struct file **out)
{
	struct kpath *p = kpath_alloc();
	struct nameidata nd;
	struct vfs_path res;
	int err;

	if (!p)
		return -ENOMEM;
	*p = *path;
	if (p->s[0] == 0) {
		kpath_free(p);
		return -ENOENT;
	}
	err = kern_resolve(fs, p, LOOKUP_FOLLOW, &res, &nd);
	kpath_free(p);
	if (err)
		return err;
	err = open_exec(&res, nd.cred, out);
	if (!err && nd.have_last)
		file_set_name(*out, &nd.last_dir, &nd.last_name);
	vfs_path_put(&res);
	nd_fini(&nd);
	return err;
}

int vfs_open_exec_path(const struct vfs_path *res, struct file **out)
{
	if (S_ISLNK(res->inode->mode))
		return -ELOOP; /* execveat's AT_SYMLINK_NOFOLLOW found one */
	return open_exec(res, fs_cred(), out);
}

int vfs_get_path(struct file *f, struct kpath *out)
{
	struct vfs_path root = { vfs_root_mount, vfs_root_mount->sb->root };
	size_t len;
	int err;

	if (!f->path.inode)
		return -ENOENT;
	fw_mutex_lock(&vfs_ns_lock);
	if (S_ISDIR(f->path.inode->mode)) {
		err = vfs_path_name(&f->path, &root, out);
	} else if (f->name && !f->dir.inode) {
		/* In no directory (a memfd, shared anonymous memory): its
		 * name, as Linux's d_path of such a file shows it. */
		snprintf(out->s, sizeof(out->s), "/%s (deleted)", f->name->s);
		err = 0;
	} else if (f->name) {
		err = vfs_path_name(&f->dir, &root, out);
		len = strnlen(out->s, sizeof(out->s));
		if (!err && len > 1 && len < sizeof(out->s))
			out->s[len++] = '/';
		for (size_t i = 0; !err && i < sizeof(f->name->s) && f->name->s[i]; i++) {
			if (len + 1 >= sizeof(out->s)) {
				err = -ENAMETOOLONG;
				break;
			}
			out->s[len++] = f->name->s[i];
		}
		if (!err && f->path.inode->nlink == 0) {
			static const char deleted[] = " (deleted)";

			for (size_t i = 0; deleted[i] && len + 1 < sizeof(out->s); i++)
				out->s[len++] = deleted[i];
		}
		if (!err)
			out->s[len] = 0;
	} else {
		err = -ENOENT;
	}
	fw_mutex_unlock(&vfs_ns_lock);
	return err;
}
