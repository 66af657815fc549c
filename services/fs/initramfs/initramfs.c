/* services/fs/initramfs/initramfs.c: unpack the boot cpio archive into the root fs.
 *
 * Layer: services (safe C), after Linux init/initramfs.c: directories,
 * regular files, symlinks, device nodes, FIFOs and sockets; entries with
 * nlink >= 2 that share (dev, ino) become hard links of the first one (the
 * data comes with the last of them in newc, and is written into the shared
 * inode); an existing entry of another type is replaced, an existing
 * directory kept. Names are relative to "/" ("./bin/sh", "bin/sh" and
 * "/bin/sh" are the same). A malformed archive stops the unpacking with
 * one error line; what was unpacked stays. Runs at boot as root. */
#include <fw/heap.h>
#include <fw/log.h>
#include <fw/string.h>

#include "fs/initramfs/cpio.h"
#include "fs/initramfs/initramfs.h"
#include "fs/vfs/namei.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/chardev.h"
#include "current/current.h"

#define HARDLINKS_MAX 512

struct hardlink {
	uint32_t ino, major, minor;
	struct inode *inode;		/* referenced */
};

struct unpack_state {
	struct cpio_entry e;
	struct kpath target;		/* symlink target */
	struct hardlink links[HARDLINKS_MAX];
	unsigned nlinks;
	unsigned files;
};

static struct inode *find_link(struct unpack_state *st)
{
	for (unsigned i = 0; i < st->nlinks; i++) {
		struct hardlink *h = &st->links[i];

		if (h->ino == st->e.ino && h->major == st->e.devmajor &&
		    h->minor == st->e.devminor)
			return h->inode;
	}
	return NULL;
}

static void remember_link(struct unpack_state *st, struct inode *ino)
{
	struct hardlink *h;

	if (st->nlinks >= HARDLINKS_MAX)
		return;
	h = &st->links[st->nlinks++];
	h->ino = st->e.ino;
	h->major = st->e.devmajor;
	h->minor = st->e.devminor;
	inode_get(ino);
	h->inode = ino;
}

/* Remove what is at dir/name unless it is a directory and keep_dir. */
static int clear_name(struct nameidata *nd, struct vfs_path *dir,
		      const struct kname *name, bool want_dir)
{
	struct vfs_path old;
	int err = namei_child(nd, dir, name, &old);

	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	if (S_ISDIR(old.inode->mode) && want_dir)
		return 1; /* keep it */
	return dir->inode->iops->unlink(dir->inode, name);
}

static int unpack_one(struct unpack_state *st, struct nameidata *nd,
		      struct kpath *p)
{
	struct cpio_entry *e = &st->e;
	struct vfs_path dir;
	struct kname last;
	enum last_type type;
	bool trailing;
	struct inode *ino = NULL;
	uint32_t mode = e->mode;
	uint32_t rdev = 0;
	int err;

	*p = e->name;
	if (p->s[0] == 0)
		return 0;
	err = namei_parent(nd, p, &dir, &last, &type, &trailing);
	if (err)
		return err;
	if (type != LAST_NORM)
		return 0; /* "." or "/": the root exists */
	err = clear_name(nd, &dir, &last, S_ISDIR(mode));
	if (err < 0)
		return err;
	if (err == 1) {
		/* Existing directory: take the archive's metadata. */
		struct vfs_path old;

		if (namei_child(nd, &dir, &last, &old) == 0) {
			old.inode->mode = S_IFDIR | (mode & S_IALLUGO);
			old.inode->uid = e->uid;
			old.inode->gid = e->gid;
		}
		return 0;
	}
	if (!S_ISDIR(mode) && e->nlink >= 2) {
		struct inode *first = find_link(st);

		if (first) {
			err = dir.inode->iops->link(dir.inode, &last, first);
			if (err)
				return err;
			ino = first;
			inode_get(ino);
			goto data;
		}
	}
	switch (mode & S_IFMT) {
	case S_IFLNK: {
		/* The target is the data, without a NUL. */
		size_t len = fw_bytes_len(e->data);
		struct fw_buf t = FW_BUF_OF_ARRAY(st->target.s);

		if (len == 0 || len >= KPATH_MAX ||
		    fw_buf_copy_from(t, 0, e->data) || fw_buf_put_u8(t, len, 0))
			return -EINVAL;
		err = dir.inode->iops->symlink(dir.inode, &last, &st->target,
					       nd->cred, &ino);
		if (err)
			return err;
		break;
	}
	case S_IFCHR:
	case S_IFBLK:
		rdev = dev_mkdev(e->rdevmajor, e->rdevminor);
		/* fall through */
	case S_IFREG:
	case S_IFDIR:
	case S_IFIFO:
	case S_IFSOCK:
		err = dir.inode->iops->create(dir.inode, &last, mode, rdev,
					      nd->cred, &ino);
		if (err)
			return err;
		break;
	default:
		fw_warn("initramfs: %s: unknown file type %o, skipped",
			e->name.s, mode & S_IFMT);
		return 0;
	}
	if (!S_ISDIR(mode) && e->nlink >= 2)
		remember_link(st, ino);
data:
	ino->uid = e->uid;
	ino->gid = e->gid;
	ino->mtime.sec = e->mtime;
	ino->mtime.nsec = 0;
	if (S_ISREG(mode) && fw_bytes_len(e->data)) {
		err = tmpfs_write_kernel(ino, 0, e->data);
		if (err)
			fw_err("initramfs: %s: %d writing data", e->name.s, err);
	}
	st->files++;
	inode_put(ino);
	return err;
}

int initramfs_unpack(struct fw_bytes cpio)
{
	struct unpack_state *st = FW_NEW(struct unpack_state);
	struct kpath *p = kpath_alloc();
	struct cpio_reader cr;
	struct nameidata nd;
	const char *why = NULL;
	int ret = 0, r;

	if (!st || !p) {
		fw_free(st);
		kpath_free(p);
		return -ENOMEM;
	}
	nd.root.mnt = vfs_root_mount;
	nd.root.inode = vfs_root_mount->sb->root;
	nd.start = nd.root;
	nd.cred = fs_cred();
	nd.links = 0;
	nd.tmp = NULL;
	cpio_init(&cr, cpio);
	fw_mutex_lock(&vfs_ns_lock);
	for (;;) {
		r = cpio_next(&cr, &st->e, &why);
		if (r == 0)
			break;
		if (r < 0) {
			fw_err("initramfs: malformed archive at byte %zu: %s; "
			       "keeping the %u entries unpacked so far",
			       cpio_offset(&cr), why, st->files);
			ret = -EINVAL;
			break;
		}
		nd.links = 0;
		r = unpack_one(st, &nd, p);
		if (r)
			fw_warn("initramfs: %s: error %d, skipped", st->e.name.s, r);
	}
	fw_mutex_unlock(&vfs_ns_lock);
	for (unsigned i = 0; i < st->nlinks; i++)
		inode_put(st->links[i].inode);
	fw_info("initramfs: unpacked %u entries", st->files);
	kpath_free(nd.tmp);
	kpath_free(p);
	fw_free(st);
	return ret;
}
