/* services/fs/tmpfs/tmpfs.c: tmpfs directories, links, device nodes, rename.
 *
 * Layer: services (safe C), tmpfs name space. Called by the VFS with
 * vfs_ns_lock held and arguments already checked (permissions, "." and
 * "..", directory vs non-directory, cross-device). A directory keeps its
 * entries in a list in creation order; each entry has a cookie that never
 * changes, which is what readdir positions are, so entries created or
 * removed during a readdir do not make it skip or repeat others. A
 * directory holds a reference to its parent for "..". */
#include <fw/heap.h>
#include <fw/string.h>

#include "fs/tmpfs/tmpfs.h"
#include "fs/pipe/pipe.h"
#include "current/current.h"

void tmpfs_free_pages(struct inode *ino);

/* dir's entry named name, or NULL; a long walk gives a tmpfs directory
 * its index (dindex.c). */
static struct tmpfs_dirent *find(struct inode *dir, const struct kname *name)
{
	struct tmpfs_dirent *d, *found = NULL;
	uint32_t hash = kname_hash(name);
	unsigned walked = 0;

	if (dir->dindex)
		return tmpfs_dindex_find(dir, name, hash);
	FW_LIST_FOR_EACH(d, &dir->dirents, node) {
		if (d->hash == hash && strcmp(d->name.s, name->s) == 0) {
			found = d;
			break;
		}
		walked++;
	}
	if (walked >= TMPFS_DINDEX_MIN && dir->iops == &tmpfs_iops)
		tmpfs_dindex_build(dir);
	return found;
}

int tmpfs_dir_lookup(struct inode *dir, const struct kname *name,
		     struct inode **out)
{
	struct tmpfs_dirent *d = find(dir, name);

	if (!d)
		return -ENOENT;
	inode_get(d->inode);
	*out = d->inode;
	return 0;
}

int tmpfs_dir_add(struct inode *dir, const struct kname *name,
		  struct inode *ino)
{
	struct tmpfs_dirent *d = FW_NEW(struct tmpfs_dirent);

	if (!d)
		return -ENOMEM;
	d->name = *name;
	d->hash = kname_hash(name);
	d->inode = ino;
	d->cookie = dir->next_cookie++;
	inode_get(ino);
	fw_list_add_tail(&dir->dirents, &d->node);
	tmpfs_dindex_add(dir, d);
	inode_touch(dir, false, true, true);
	return 0;
}

/* Unlink entry d from dir and drop its reference. */
static void del_entry(struct inode *dir, struct tmpfs_dirent *d)
{
	fw_list_del(&d->node);
	tmpfs_dindex_del(d);
	inode_touch(dir, false, true, true);
	inode_put(d->inode);
	fw_free(d);
}

void tmpfs_set_fops(struct inode *ino)
{
	if (S_ISDIR(ino->mode))
		ino->fops = &tmpfs_dir_ops;
	else if (S_ISREG(ino->mode))
		ino->fops = &tmpfs_file_ops;
	else
		ino->fops = NULL; /* chosen at open: chardev, FIFO */
}

/* A new inode owned by the caller's fsuid/fsgid; set-group-ID directories
 * pass their group (and, for directories, the bit) on (Linux
 * inode_init_owner). */
static struct inode *new_inode(struct inode *dir, uint32_t mode,
			       const struct cred *c)
{
	struct inode *ino = inode_alloc(dir->sb, mode);

	if (!ino)
		return NULL;
	ino->iops = &tmpfs_iops;
	ino->uid = c->fsuid;
	ino->gid = c->fsgid;
	if (dir->mode & S_ISGID) {
		ino->gid = dir->gid;
		if (S_ISDIR(mode))
			ino->mode |= S_ISGID;
	}
	tmpfs_set_fops(ino);
	/* A tmpfs file takes no seals (memfd_create may allow them). */
	if (S_ISREG(mode))
		ino->seals = F_SEAL_SEAL;
	tmpfs_export_add(ino);
	return ino;
}

struct inode *tmpfs_new_unlinked(struct inode *dir, uint32_t mode,
				 const struct cred *c)
{
	return new_inode(dir, mode, c);
}

static int tmpfs_mknod(struct inode *dir, const struct kname *name,
			uint32_t mode, uint32_t rdev, const struct cred *c,
			struct inode **out)
{
	struct inode *ino;
	int err;

	if (find(dir, name))
		return -EEXIST;
	ino = new_inode(dir, mode, c);
	if (!ino)
		return -ENOSPC; /* Linux's shmem_get_inode says so too */
	ino->rdev = rdev;
	if (S_ISDIR(mode)) {
		ino->nlink = 2;
		inode_get(dir);
		ino->parent = dir;
	} else {
		ino->nlink = 1;
	}
	err = tmpfs_dir_add(dir, name, ino);
	if (err) {
		ino->nlink = 0;
		inode_put(ino);
		return err;
	}
	if (S_ISDIR(mode))
		dir->nlink++;
	*out = ino;
	return 0;
}

static int tmpfs_symlink(struct inode *dir, const struct kname *name,
			 const struct kpath *target, const struct cred *c,
			 struct inode **out)
{
	struct inode *ino;
	int err;

	if (find(dir, name))
		return -EEXIST;
	ino = new_inode(dir, S_IFLNK | 0777, c);
	if (!ino)
		return -ENOSPC;
	ino->link = kpath_alloc();
	if (!ino->link) {
		inode_put(ino);
		return -ENOMEM;
	}
	*ino->link = *target;
	ino->size = strlen(ino->link->s);
	ino->nlink = 1;
	err = tmpfs_dir_add(dir, name, ino);
	if (err) {
		ino->nlink = 0;
		inode_put(ino);
		return err;
	}
	*out = ino;
	return 0;
}

static int tmpfs_link(struct inode *dir, const struct kname *name,
		      struct inode *target)
{
	int err;

	if (find(dir, name))
		return -EEXIST;
	err = tmpfs_dir_add(dir, name, target);
	if (err)
		return err;
	target->nlink++;
	inode_touch(target, false, false, true);
	return 0;
}

static bool tmpfs_dir_empty(struct inode *dir)
{
	return fw_list_empty(&dir->dirents);
}

static int tmpfs_unlink(struct inode *dir, const struct kname *name)
{
	struct tmpfs_dirent *d = find(dir, name);
	struct inode *ino;

	if (!d)
		return -ENOENT;
	ino = d->inode;
	if (S_ISDIR(ino->mode)) {
		if (!tmpfs_dir_empty(ino))
			return -ENOTEMPTY;
		ino->nlink = 0;
		dir->nlink--;
	} else {
		ino->nlink--;
	}
	inode_touch(ino, false, false, true);
	del_entry(dir, d);
	return 0;
}

/* True if dir is anc or lies below it. */
static bool is_ancestor(struct inode *anc, struct inode *dir)
{
	for (unsigned depth = 0; dir && depth < 4096; depth++) {
		if (dir == anc)
			return true;
		if (dir->parent == dir)
			break;
		dir = dir->parent;
	}
	return false;
}

static void set_parent(struct inode *ino, struct inode *dir)
{
	struct inode *old = ino->parent;

	inode_get(dir);
	ino->parent = dir;
	inode_put(old);
}

/* rename(2) with RENAME_NOREPLACE / RENAME_EXCHANGE; the VFS already
 * rejected "." / ".." and checked permissions and sticky bits. */
static int tmpfs_rename(struct inode *odir, const struct kname *oname,
			struct inode *ndir, const struct kname *nname,
			unsigned flags)
{
	struct tmpfs_dirent *od = find(odir, oname);
	struct tmpfs_dirent *nd = find(ndir, nname);
	struct inode *src, *dst;
	int err;

	if (!od)
		return -ENOENT;
	src = od->inode;
	dst = nd ? nd->inode : NULL;
	if (flags & RENAME_EXCHANGE) {
		if (!dst)
			return -ENOENT;
		if ((S_ISDIR(src->mode) && is_ancestor(src, ndir)) ||
		    (S_ISDIR(dst->mode) && is_ancestor(dst, odir)))
			return -EINVAL;
		od->inode = dst;
		nd->inode = src;
		if (S_ISDIR(src->mode) != S_ISDIR(dst->mode) && odir != ndir) {
			if (S_ISDIR(src->mode)) {
				odir->nlink--;
				ndir->nlink++;
			} else {
				odir->nlink++;
				ndir->nlink--;
			}
		}
		if (S_ISDIR(src->mode))
			set_parent(src, ndir);
		if (S_ISDIR(dst->mode))
			set_parent(dst, odir);
		inode_touch(odir, false, true, true);
		inode_touch(ndir, false, true, true);
		inode_touch(src, false, false, true);
		inode_touch(dst, false, false, true);
		return 0;
	}
	if (dst && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (src == dst)
		return 0; /* hard links to one inode: POSIX says do nothing */
	if (S_ISDIR(src->mode) && is_ancestor(src, ndir))
		return -EINVAL;
	if (dst) {
		if (S_ISDIR(src->mode) && !S_ISDIR(dst->mode))
			return -ENOTDIR;
		if (!S_ISDIR(src->mode) && S_ISDIR(dst->mode))
			return -EISDIR;
		if (S_ISDIR(dst->mode) && !tmpfs_dir_empty(dst))
			return -ENOTEMPTY;
	}
	/* Add the new name first, so running out of memory changes nothing. */
	if (!dst) {
		err = tmpfs_dir_add(ndir, nname, src);
		if (err)
			return err;
	} else {
		inode_get(src);
		nd->inode = src;
		if (S_ISDIR(dst->mode)) {
			dst->nlink = 0;
			ndir->nlink--;
		} else {
			dst->nlink--;
		}
		inode_touch(dst, false, false, true);
		inode_put(dst);
		inode_touch(ndir, false, true, true);
	}
	if (S_ISDIR(src->mode) && odir != ndir) {
		odir->nlink--;
		ndir->nlink++;
		set_parent(src, ndir);
	}
	del_entry(odir, od);
	inode_touch(src, false, false, true);
	return 0;
}

static int tmpfs_readlink(struct inode *ino, struct kpath *out)
{
	if (!ino->link)
		return -EINVAL;
	*out = *ino->link;
	return 0;
}

int tmpfs_dir_iterate(struct inode *dir, uint64_t *pos, struct dir_ctx *ctx)
{
	static const struct kname dot = { "." }, dotdot = { ".." };
	struct tmpfs_dirent *d;

	if (*pos == 0) {
		if (!ctx->emit(ctx, &dot, dir->ino, DT_DIR, 1))
			return ctx->err;
		*pos = 1;
	}
	if (*pos == 1) {
		struct inode *p = dir->parent ? dir->parent : dir;

		if (!ctx->emit(ctx, &dotdot, p->ino, DT_DIR, 2))
			return ctx->err;
		*pos = 2;
	}
	FW_LIST_FOR_EACH(d, &dir->dirents, node) {
		if (d->cookie < *pos)
			continue;
		if (!ctx->emit(ctx, &d->name, d->inode->ino,
			       inode_dtype(d->inode->mode), d->cookie + 1))
			return ctx->err;
		*pos = d->cookie + 1;
	}
	return 0;
}

void tmpfs_evict(struct inode *ino)
{
	struct tmpfs_dirent *d, *tmp;

	tmpfs_export_del(ino);
	/* A directory dropped with entries (an unmounted tree) lets go of
	 * them; normally rmdir left it empty. */
	FW_LIST_FOR_EACH_SAFE(d, tmp, &ino->dirents, node) {
		fw_list_del(&d->node);
		inode_put(d->inode);
		fw_free(d);
	}
	tmpfs_dindex_free(ino);
	tmpfs_free_pages(ino);
	kpath_free(ino->link);
	ino->link = NULL;
	if (ino->pipe)
		pipe_put(ino->pipe);
	ino->pipe = NULL;
	if (ino->parent && ino->parent != ino)
		inode_put(ino->parent);
	ino->parent = NULL;
}

const struct inode_ops tmpfs_iops = {
	.lookup = tmpfs_dir_lookup,
	.create = tmpfs_mknod,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rename = tmpfs_rename,
	.readlink = tmpfs_readlink,
	.truncate = tmpfs_truncate,
	.iterate = tmpfs_dir_iterate,
	.dir_empty = tmpfs_dir_empty,
};

struct superblock *tmpfs_create(uint32_t dev, uint32_t root_mode)
{
	struct superblock *sb = FW_NEW(struct superblock);
	struct inode *root;

	if (!sb)
		return NULL;
	sb->dev = dev;
	sb->magic = TMPFS_MAGIC;
	sb->fstype = "tmpfs";
	atomic_init(&sb->next_ino, 1);
	/* Linux's default size: half of RAM. */
	atomic_init(&sb->max_pages, fw_frames_total() / 2);
	root = inode_alloc(sb, S_IFDIR | (root_mode & S_IALLUGO));
	if (!root) {
		fw_free(sb);
		return NULL;
	}
	root->iops = &tmpfs_iops;
	root->nlink = 2;
	root->parent = root; /* ".." of a root is itself (no reference) */
	tmpfs_set_fops(root);
	tmpfs_export_add(root);
	sb->root = root;
	return sb;
}

/* A number at d->s[*i] in base 8 or 10, its end in *i; false if none. */
static bool opt_number(const struct mount_data *d, size_t *i, unsigned base,
		       uint64_t *out)
{
	uint64_t v = 0;
	size_t start = *i;

	for (; *i < sizeof d->s && d->s[*i] >= '0' &&
	       d->s[*i] < (char)('0' + base); (*i)++) {
		if (v > (UINT64_MAX - 9) / base)
			return false;
		v = v * base + (uint64_t)(d->s[*i] - '0');
	}
	*out = v;
	return *i > start;
}

/* Does the option at d->s[at] start with the string literal lit? */
#define OPT_IS(d, at, lit)                                                     \
	((at) + sizeof(lit) - 1 < sizeof (d)->s &&                             \
	 !strncmp(&(d)->s[at], lit, sizeof(lit) - 1))

/* mount -t tmpfs -o size=N[k|m|g|%],mode=OCTAL,uid=N,gid=N (tmpfs(5)):
 * size is rounded up to pages, a percentage is of RAM, 0 means no limit.
 * Other options are refused with EINVAL, as Linux refuses what it does
 * not know (nr_inodes, huge= and mpol= are not done here). */
int tmpfs_parse_options(const struct mount_data *d, struct tmpfs_opts *o)
{
	size_t i = 0;

	*o = (struct tmpfs_opts){ 0 };
	while (i < sizeof d->s && d->s[i]) {
		uint64_t v;

		if (OPT_IS(d, i, "size=")) {
			uint64_t pages;

			i += 5;
			if (!opt_number(d, &i, 10, &v))
				return -EINVAL;
			switch (i < sizeof d->s ? d->s[i] : 0) {
			case '%': /* of RAM; over 100 is allowed, as Linux */
				if (v > 100000)
					return -EINVAL;
				pages = fw_frames_total() * v / 100, i++;
				break;
			case 'k': case 'K':
				pages = (v + 3) / 4, i++;
				break;
			case 'm': case 'M':
				pages = v * 256, i++;
				break;
			case 'g': case 'G':
				pages = v * 256 * 1024, i++;
				break;
			default:
				pages = (v + FW_PAGE_SIZE - 1) / FW_PAGE_SIZE;
			}
			o->has_size = true;
			o->pages = pages;
		} else if (OPT_IS(d, i, "mode=")) {
			i += 5;
			if (!opt_number(d, &i, 8, &v) || v > 07777)
				return -EINVAL;
			o->has_mode = true;
			o->mode = (uint32_t)v;
		} else if (OPT_IS(d, i, "uid=") || OPT_IS(d, i, "gid=")) {
			bool uid = d->s[i] == 'u';

			i += 4;
			if (!opt_number(d, &i, 10, &v) || v > 0xfffffffe)
				return -EINVAL;
			if (uid)
				o->has_uid = true, o->uid = (uint32_t)v;
			else
				o->has_gid = true, o->gid = (uint32_t)v;
		} else {
			return -EINVAL;
		}
		if (i < sizeof d->s && d->s[i] == ',')
			i++;
		else if (i < sizeof d->s && d->s[i])
			return -EINVAL;
	}
	return 0;
}

void tmpfs_apply_options(struct superblock *sb, const struct tmpfs_opts *o)
{
	if (o->has_size)
		atomic_store(&sb->max_pages, o->pages);
	if (o->has_mode)
		sb->root->mode = (sb->root->mode & S_IFMT) | o->mode;
	if (o->has_uid)
		sb->root->uid = o->uid;
	if (o->has_gid)
		sb->root->gid = o->gid;
}

/* The name under which dir lists child (for getcwd and /proc paths). */
int tmpfs_name_of(struct inode *dir, struct inode *child, struct kname *out)
{
	struct tmpfs_dirent *d;

	FW_LIST_FOR_EACH(d, &dir->dirents, node) {
		if (d->inode == child) {
			*out = d->name;
			return 0;
		}
	}
	return -ENOENT;
}
